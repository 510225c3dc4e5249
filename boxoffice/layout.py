"""Seat layouts: rows of numbered seats with gaps for aisles, blocked and special seats.

A layout is plain data (JSON in ``halls.layout`` and ``shows.layout``); its seats are
also written out one row each into ``show_seats`` so that PostgreSQL itself refuses a
booking of a seat that is not in the hall or is blocked.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from boxoffice.errors import InvalidLayout

ROW_LABEL = re.compile(r"^[A-Z0-9]{1,4}$")
MAX_SEAT_NUMBER = 9999
MAX_SEATS = 200_000
SEAT_KINDS = ("standard", "wheelchair", "companion")
MAX_REASON = 200


@dataclass(frozen=True, slots=True)
class Seat:
    """One seat as the grid draws it: where it is, what it is called and whether it sells."""

    label: str
    row_label: str
    number: int
    row_index: int
    column: int
    kind: str = "standard"
    blocked: bool = False

    @property
    def sellable(self) -> bool:
        return not self.blocked


@dataclass(frozen=True, slots=True)
class Row:
    """A row: its label and its positions, each a seat number or ``None`` for a gap."""

    label: str
    positions: tuple[int | None, ...]


def is_house_reason(reason: str | None) -> bool:
    """A blocked seat kept for the house ("House seat", "house - director"), not broken
    or taken out: the wall and the layout preview draw it as a house seat."""
    return bool(reason) and reason.strip().lower().startswith("house")  # type: ignore[union-attr]


@dataclass(frozen=True)
class Layout:
    rows: tuple[Row, ...]
    blocked: frozenset[str] = field(default_factory=frozenset)
    wheelchair: frozenset[str] = field(default_factory=frozenset)
    companion: frozenset[str] = field(default_factory=frozenset)
    # Why a blocked seat does not sell ("House seat", "Broken"); optional, keys ⊆ blocked.
    blocked_reasons: Mapping[str, str] = field(
        default_factory=lambda: MappingProxyType({}), hash=False)

    @property
    def house_seats(self) -> frozenset[str]:
        """The blocked seats kept for the house (by their reason)."""
        return frozenset(s for s, r in self.blocked_reasons.items()
                         if s in self.blocked and is_house_reason(r))

    def __post_init__(self) -> None:
        if not isinstance(self.blocked_reasons, Mapping):
            raise InvalidLayout("Blocked seat reasons must map seat labels to text.",
                                field="layout")
        # Read-only copy: the layout stays immutable even if the caller's dict changes.
        object.__setattr__(self, "blocked_reasons", MappingProxyType(dict(self.blocked_reasons)))
        self._validate()

    # -- construction -------------------------------------------------------------

    @classmethod
    def grid(
        cls,
        rows: int | Sequence[str],
        seats_per_row: int,
        *,
        aisles_after: Iterable[int] = (),
        blocked: Iterable[str] = (),
        wheelchair: Iterable[str] = (),
        companion: Iterable[str] = (),
        blocked_reasons: Mapping[str, str] | None = None,
    ) -> Layout:
        """A rectangular hall: rows A, B, … of seats 1..n, with gaps after the given seat numbers."""
        labels = row_labels(rows) if isinstance(rows, int) else list(rows)
        gaps = set(aisles_after)
        positions: list[int | None] = []
        for n in range(1, seats_per_row + 1):
            positions.append(n)
            if n in gaps and n != seats_per_row:
                positions.append(None)
        return cls(
            rows=tuple(Row(label, tuple(positions)) for label in labels),
            blocked=frozenset(blocked),
            wheelchair=frozenset(wheelchair),
            companion=frozenset(companion),
            blocked_reasons=dict(blocked_reasons or {}),
        )

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Layout:
        """Reads the stored form; anything malformed becomes ``InvalidLayout``."""
        if not isinstance(data, Mapping) or not isinstance(data.get("rows"), list):
            raise InvalidLayout("A layout needs a list of rows.", field="layout")
        rows: list[Row] = []
        for raw in data["rows"]:
            if not isinstance(raw, Mapping):
                raise InvalidLayout("Each row needs a label and seats.", field="layout")
            label, seats = raw.get("label"), raw.get("seats")
            if not isinstance(label, str) or not isinstance(seats, list):
                raise InvalidLayout("Each row needs a label and a list of seats.", field="layout")
            for s in seats:
                if s is not None and (not isinstance(s, int) or isinstance(s, bool)):
                    raise InvalidLayout(f"Row {label}: seats are numbers or null for a gap.", field="layout")
            rows.append(Row(label, tuple(seats)))

        def labels(key: str) -> frozenset[str]:
            value = data.get(key, [])
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise InvalidLayout(f"{key} must be a list of seat labels.", field="layout")
            return frozenset(value)

        reasons = data.get("blocked_reasons", {})
        if not isinstance(reasons, Mapping) or not all(
                isinstance(k, str) and isinstance(v, str) for k, v in reasons.items()):
            raise InvalidLayout("blocked_reasons must map seat labels to text.", field="layout")
        return cls(tuple(rows), labels("blocked"), labels("wheelchair"), labels("companion"),
                   dict(reasons))

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "rows": [{"label": r.label, "seats": list(r.positions)} for r in self.rows],
            "blocked": sorted(self.blocked),
            "wheelchair": sorted(self.wheelchair),
            "companion": sorted(self.companion),
        }
        if self.blocked_reasons:  # absent when empty: older layouts read back unchanged
            out["blocked_reasons"] = dict(sorted(self.blocked_reasons.items()))
        return out

    # -- queries ------------------------------------------------------------------

    def seats(self) -> list[Seat]:
        out: list[Seat] = []
        for ri, row in enumerate(self.rows):
            for col, number in enumerate(row.positions):
                if number is None:
                    continue
                label = f"{row.label}{number}"
                kind = (
                    "wheelchair" if label in self.wheelchair
                    else "companion" if label in self.companion
                    else "standard"
                )
                out.append(Seat(label, row.label, number, ri, col, kind, label in self.blocked))
        return out

    @property
    def seat_count(self) -> int:
        return sum(1 for r in self.rows for p in r.positions if p is not None)

    @property
    def sellable_count(self) -> int:
        return self.seat_count - len(self.blocked)

    @property
    def width(self) -> int:
        return max((len(r.positions) for r in self.rows), default=0)

    # -- validation ---------------------------------------------------------------

    def _validate(self) -> None:
        if not self.rows:
            raise InvalidLayout("A layout needs at least one row.", field="layout")
        seen_rows: set[str] = set()
        labels: set[str] = set()
        total = 0
        for row in self.rows:
            if not ROW_LABEL.match(row.label):
                raise InvalidLayout(
                    f"Row label {row.label!r} must be 1 to 4 capital letters or digits.", field="layout"
                )
            if row.label in seen_rows:
                raise InvalidLayout(f"Row {row.label} appears twice.", field="layout")
            seen_rows.add(row.label)
            if not any(p is not None for p in row.positions):
                raise InvalidLayout(f"Row {row.label} has no seats.", field="layout")
            for number in row.positions:
                if number is None:
                    continue
                if not 1 <= number <= MAX_SEAT_NUMBER:
                    raise InvalidLayout(
                        f"Row {row.label}: seat number {number} is outside 1..{MAX_SEAT_NUMBER}.",
                        field="layout",
                    )
                label = f"{row.label}{number}"
                if label in labels:
                    raise InvalidLayout(f"Seat label {label} appears twice.", field="layout")
                labels.add(label)
                total += 1
        if total > MAX_SEATS:
            raise InvalidLayout(f"A hall can have at most {MAX_SEATS} seats.", field="layout")
        for name, marked in (("blocked", self.blocked), ("wheelchair", self.wheelchair),
                             ("companion", self.companion)):
            missing = marked - labels
            if missing:
                raise InvalidLayout(
                    f"{name.capitalize()} seats not in the layout: {', '.join(sorted(missing))}.",
                    field="layout",
                )
        stray = set(self.blocked_reasons) - self.blocked
        if stray:
            raise InvalidLayout(
                f"Reasons given for seats that are not blocked: {', '.join(sorted(stray))}.",
                field="layout",
            )
        for label, reason in self.blocked_reasons.items():
            if not isinstance(reason, str) or not reason.strip():
                raise InvalidLayout(f"The reason for blocking {label} cannot be empty.",
                                    field="layout")
            if len(reason) > MAX_REASON:
                raise InvalidLayout(
                    f"The reason for blocking {label} is longer than {MAX_REASON} characters.",
                    field="layout")
        if self.wheelchair & self.companion:
            raise InvalidLayout("A seat cannot be both wheelchair and companion.", field="layout")
        if total - len(self.blocked) < 1:
            raise InvalidLayout("A layout needs at least one sellable seat.", field="layout")


def row_labels(count: int) -> list[str]:
    """A, B, …, Z, AA, AB, … as theatres letter rows."""
    if count < 1:
        raise InvalidLayout("A hall needs at least one row.", field="layout")
    letters = string.ascii_uppercase
    out: list[str] = []
    for i in range(count):
        label = ""
        n = i
        while True:
            label = letters[n % 26] + label
            n = n // 26 - 1
            if n < 0:
                break
        out.append(label)
    return out
