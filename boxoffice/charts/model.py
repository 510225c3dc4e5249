"""A hall as a venue draws it: levels, sections, rows in segments, seats at free positions.

Plain, Qt-free data. A seat's ``id`` is what ``booking_seats.seat_number`` holds, so it
is unique in the chart (``problems`` says where it is not) and never changes once a show
sells it; a grid hall's ids are its grid labels (``C12``). A standing area sells numbered
places ``<area id>#1..#capacity`` (``place_ids``), each one a row of ``show_seats``, so the
database's unique seat constraint guards them like seats and capacity is their count.
"""

from __future__ import annotations

import math
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from boxoffice.layout import Layout
from boxoffice.validation import seat_id_ok

FORMAT_VERSION = 1
ACCESS_KINDS = ("standard", "wheelchair", "companion")
MAX_ID = 120
MAX_TEXT = 200
MAX_CAPACITY = 100_000
MAX_COORDINATE = 1e7
PLACE_MARK = "#"


@dataclass(frozen=True, slots=True)
class Category:
    """A price band named by the chart (becomes one of the show's price categories)."""

    name: str
    color: str | None = None


@dataclass(frozen=True, slots=True)
class ChartSeat:
    """One seat: where it is drawn, what it is called and whether (and why not) it sells."""

    id: str
    number: str  # text: "12 bis", "00"
    x: float
    y: float
    rotation: float | None = None
    category: str | None = None
    access: str = "standard"  # one of ACCESS_KINDS
    restricted_view: bool = False
    blocked: str | None = None  # the reason, when it does not sell

    @property
    def sellable(self) -> bool:
        return self.blocked is None


@dataclass(frozen=True, slots=True)
class Row:
    """One segment of a row: several segments may share a label (a row split by aisles)."""

    label: str
    seats: tuple[ChartSeat, ...]
    book_whole: bool = False  # a table sold only as a whole (seats.io ``bookAsAWhole``)


@dataclass(frozen=True, slots=True)
class StandingArea:
    """General admission: ``capacity`` places sold by quantity, drawn at (x, y)."""

    id: str
    name: str
    capacity: int
    x: float = 0.0
    y: float = 0.0
    category: str | None = None

    def place_ids(self) -> list[str]:
        return [f"{self.id}{PLACE_MARK}{n}" for n in range(1, self.capacity + 1)]


@dataclass(frozen=True, slots=True)
class Section:
    name: str  # "" for a hall with no sections
    rows: tuple[Row, ...] = ()
    standing: tuple[StandingArea, ...] = ()


@dataclass(frozen=True, slots=True)
class Level:
    name: str  # "" for a hall on one floor
    sections: tuple[Section, ...]


@dataclass(frozen=True, slots=True)
class Shape:
    """Something drawn for orientation only (stage, text, outline): ``kind`` and its geometry
    as the source gave it (x, y, width, height, radius, points, text, rotation...)."""

    kind: str
    data: Mapping[str, Any] = field(default_factory=dict, hash=False)


@dataclass(frozen=True, slots=True)
class PlacedSeat:
    """A seat with the names of where it is: what a report, a ticket or the grid needs."""

    level: str
    section: str
    row: str
    row_index: int  # the segment's ordinal in the chart (segments are separate runs)
    column: int  # the seat's ordinal in its segment
    seat: ChartSeat

    @property
    def label(self) -> str:
        return seat_label(self.level, self.section, self.row, self.seat.number)


def id_text(text: str) -> str:
    """Labels made into an id: whitespace runs become ``_`` ("12 bis" → "12_bis")."""
    return "_".join(text.split())


def seat_label(level: str, section: str, row: str, number: str) -> str:
    """The full name of a seat as a clerk says it: "Orchestre, Row C, Seat 12 bis"."""
    parts = [p for p in (level, section) if p]
    if row:
        parts.append(f"Row {row}")
    parts.append(f"Seat {number}")
    return ", ".join(parts)


@dataclass(frozen=True, slots=True)
class ChartProblem:
    """One thing wrong with one seat (or area), located as the source file names it."""

    kind: str  # "duplicate id", "unknown category", "broken geometry", ...
    where: str  # "zone Block A, row 3, seat 12"
    detail: str

    def __str__(self) -> str:
        return f"{self.where}: {self.kind} ({self.detail})"


@dataclass(frozen=True)
class Chart:
    name: str
    levels: tuple[Level, ...]
    categories: tuple[Category, ...] = ()
    shapes: tuple[Shape, ...] = ()
    width: float | None = None
    height: float | None = None
    focal_point: tuple[float, float] | None = None

    # -- queries -----------------------------------------------------------------------

    def placed(self) -> Iterator[PlacedSeat]:
        ri = 0
        for level in self.levels:
            for section in level.sections:
                for row in section.rows:
                    for col, seat in enumerate(row.seats):
                        yield PlacedSeat(level.name, section.name, row.label, ri, col, seat)
                    ri += 1

    def seats(self) -> list[ChartSeat]:
        return [p.seat for p in self.placed()]

    def standing_areas(self) -> list[tuple[Level, Section, StandingArea]]:
        return [(lv, s, a) for lv in self.levels for s in lv.sections for a in s.standing]

    @property
    def seat_count(self) -> int:
        return sum(len(r.seats) for lv in self.levels for s in lv.sections for r in s.rows)

    @property
    def standing_capacity(self) -> int:
        return sum(a.capacity for _, _, a in self.standing_areas())

    @property
    def sellable_count(self) -> int:
        """Seats that sell plus standing places: the show's ``total_seats``."""
        return sum(1 for s in self.seats() if s.sellable) + self.standing_capacity

    @property
    def row_count(self) -> int:
        return len({(lv.name, s.name, r.label) for lv in self.levels for s in lv.sections
                    for r in s.rows})

    # -- validation --------------------------------------------------------------------

    def problems(self, section_word: str = "section") -> list[ChartProblem]:
        """Everything that stops this chart from being sold, each offending seat named
        (``section_word``: what the source file calls a section, pretix's "zone")."""
        out: list[ChartProblem] = []
        names = {c.name for c in self.categories}
        seen: dict[str, str] = {}
        for p in self.placed():
            s = p.seat
            where = _where(p.level, p.section, p.row, s.number, section_word)
            if s.id in seen:
                out.append(ChartProblem("duplicate id", where,
                                        f"id {s.id!r} is also {seen[s.id]}"))
            else:
                seen[s.id] = where
            out.extend(_seat_problems(s, where, names))
        for lv, sec, a in self.standing_areas():
            where = _where(lv.name, sec.name, "", "", section_word) + f"standing area {a.name}"
            if a.id in seen:
                out.append(ChartProblem("duplicate id", where, f"id {a.id!r} is also {seen[a.id]}"))
            seen[a.id] = where
            if not _good_id(a.id) or PLACE_MARK in a.id:
                out.append(ChartProblem("bad id", where, f"{a.id!r}"))
            if not 1 <= a.capacity <= MAX_CAPACITY:
                out.append(ChartProblem("bad capacity", where,
                                        f"{a.capacity} is outside 1..{MAX_CAPACITY}"))
            if a.category is not None and a.category not in names:
                out.append(ChartProblem("unknown category", where, repr(a.category)))
            if not (_finite(a.x) and _finite(a.y)):
                out.append(ChartProblem("broken geometry", where, f"position ({a.x}, {a.y})"))
        if self.seat_count + self.standing_capacity == 0:
            out.append(ChartProblem("empty chart", self.name or "chart", "no seat and no standing"))
        return out

    # -- changes -----------------------------------------------------------------------

    def with_unique_ids(self) -> tuple[Chart, list[tuple[str, str, str]]]:
        """The same chart with every repeated id made unique (the first keeps its id, the
        next become ``id~2``, ``id~3``...); the renames as (where, old id, new id)."""
        taken = {s.id for s in self.seats()} | {a.id for _, _, a in self.standing_areas()}
        used: set[str] = set()
        renames: list[tuple[str, str, str]] = []

        def fix(seat: ChartSeat, where: str) -> ChartSeat:
            if seat.id not in used:
                used.add(seat.id)
                return seat
            n = 2
            while f"{seat.id}~{n}" in taken or f"{seat.id}~{n}" in used:
                n += 1
            new = f"{seat.id}~{n}"
            used.add(new)
            renames.append((where, seat.id, new))
            return replace(seat, id=new)

        levels = tuple(
            Level(lv.name, tuple(
                Section(sec.name, tuple(
                    replace(r, seats=tuple(fix(s, _where(lv.name, sec.name, r.label, s.number))
                                           for s in r.seats)) for r in sec.rows), sec.standing)
                for sec in lv.sections))
            for lv in self.levels)
        return replace(self, levels=levels), renames

    # -- stored form -------------------------------------------------------------------

    def to_json(self) -> dict[str, Any]:
        return {
            "chart": FORMAT_VERSION,
            "name": self.name,
            "width": self.width,
            "height": self.height,
            "focal_point": list(self.focal_point) if self.focal_point else None,
            "categories": [{"name": c.name, "color": c.color} for c in self.categories],
            "shapes": [{"kind": s.kind, **dict(s.data)} for s in self.shapes],
            "levels": [{
                "name": lv.name,
                "sections": [{
                    "name": sec.name,
                    "rows": [{"label": r.label, "seats": [_seat_json(s) for s in r.seats],
                              **({"book_whole": True} if r.book_whole else {})}
                             for r in sec.rows],
                    "standing": [{"id": a.id, "name": a.name, "capacity": a.capacity,
                                  "x": a.x, "y": a.y, "category": a.category}
                                 for a in sec.standing],
                } for sec in lv.sections],
            } for lv in self.levels],
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Chart:
        """Reads the stored form (``to_json``); a grid layout's stored form is read too."""
        if "chart" not in data and "rows" in data:
            return cls.from_layout(Layout.from_json(data))
        fp = data.get("focal_point")
        return cls(
            name=str(data.get("name") or ""),
            width=data.get("width"),
            height=data.get("height"),
            focal_point=(float(fp[0]), float(fp[1])) if fp else None,
            categories=tuple(Category(c["name"], c.get("color")) for c in data["categories"]),
            shapes=tuple(Shape(s["kind"], {k: v for k, v in s.items() if k != "kind"})
                         for s in data.get("shapes", [])),
            levels=tuple(Level(lv["name"], tuple(
                Section(sec["name"],
                        tuple(Row(r["label"], tuple(_seat_from(s) for s in r["seats"]),
                                  bool(r.get("book_whole", False))) for r in sec["rows"]),
                        tuple(StandingArea(a["id"], a["name"], int(a["capacity"]),
                                           float(a.get("x", 0)), float(a.get("y", 0)),
                                           a.get("category")) for a in sec.get("standing", [])))
                for sec in lv["sections"])) for lv in data["levels"]),
        )

    @classmethod
    def from_layout(cls, layout: Layout, name: str = "") -> Chart:
        """Today's grid as a chart: one level, one section, a row per grid row, seats at
        their grid cells (x = column, y = row), ids = the grid labels (``C12``)."""
        reasons = layout.blocked_reasons
        rows: list[Row] = []
        for ri, row in enumerate(layout.rows):
            seats: list[ChartSeat] = []
            for col, number in enumerate(row.positions):
                if number is None:
                    continue
                label = f"{row.label}{number}"
                access = ("wheelchair" if label in layout.wheelchair
                          else "companion" if label in layout.companion else "standard")
                blocked = (reasons.get(label) or "Blocked") if label in layout.blocked else None
                seats.append(ChartSeat(label, str(number), float(col), float(ri),
                                       access=access, blocked=blocked))
            rows.append(Row(row.label, tuple(seats)))
        return cls(name, (Level("", (Section("", tuple(rows)),)),),
                   width=float(layout.width), height=float(len(layout.rows)))


def _where(level: str, section: str, row: str, number: str,
           section_word: str = "section") -> str:
    parts = [p for p in (f"level {level}" if level else "",
                         f"{section_word} {section}" if section else "",
                         f"row {row}" if row else "",
                         f"seat {number}" if number else "") if p]
    return ", ".join(parts) + (", " if parts and not number else "")


def _finite(v: object) -> bool:
    return isinstance(v, int | float) and not isinstance(v, bool) and math.isfinite(v) \
        and abs(v) <= MAX_COORDINATE


def _good_id(value: str) -> bool:
    return seat_id_ok(value)


def _seat_problems(s: ChartSeat, where: str, categories: set[str]) -> list[ChartProblem]:
    out: list[ChartProblem] = []
    if not _good_id(s.id) or PLACE_MARK in s.id:
        out.append(ChartProblem("bad id", where, f"{s.id!r}: 1 to {MAX_ID} printable "
                                f"characters, no {PLACE_MARK!r}, no spaces"))
    if not s.number.strip() or len(s.number) > MAX_TEXT:
        out.append(ChartProblem("bad seat number", where, repr(s.number)))
    if not (_finite(s.x) and _finite(s.y)) or (s.rotation is not None and not _finite(s.rotation)):
        out.append(ChartProblem("broken geometry", where,
                                f"position ({s.x}, {s.y}), rotation {s.rotation}"))
    if s.category is not None and s.category not in categories:
        out.append(ChartProblem("unknown category", where, repr(s.category)))
    if s.access not in ACCESS_KINDS:
        out.append(ChartProblem("bad accessibility", where, repr(s.access)))
    if s.blocked is not None and (not s.blocked.strip() or len(s.blocked) > MAX_TEXT):
        out.append(ChartProblem("bad blocked reason", where, repr(s.blocked)))
    return out


def _seat_json(s: ChartSeat) -> dict[str, Any]:
    out: dict[str, Any] = {"id": s.id, "number": s.number, "x": s.x, "y": s.y}
    if s.rotation is not None:
        out["rotation"] = s.rotation
    if s.category is not None:
        out["category"] = s.category
    if s.access != "standard":
        out["access"] = s.access
    if s.restricted_view:
        out["restricted_view"] = True
    if s.blocked is not None:
        out["blocked"] = s.blocked
    return out


def _seat_from(d: Mapping[str, Any]) -> ChartSeat:
    rot = d.get("rotation")
    return ChartSeat(d["id"], d["number"], float(d["x"]), float(d["y"]),
                     float(rot) if rot is not None else None, d.get("category"),
                     d.get("access", "standard"), bool(d.get("restricted_view", False)),
                     d.get("blocked"))
