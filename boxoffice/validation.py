"""Checks every entry point runs before it writes, so bad input gets a clear message.

The database holds the same rules as CHECK constraints; these exist for the message.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from boxoffice.errors import InvalidRequest as InvalidRequest  # re-exported for callers

MAX_NAME = 200
SEAT_LABEL = re.compile(r"^[A-Za-z0-9]{1,4}[0-9]{1,4}$")
# A venue chart's seat id (boxoffice.charts): printable, no whitespace, at most 120
# characters: "Groundfloor-A-9", a pretix GUID, "GA1#17" for a standing place.
SEAT_ID = re.compile(r"^[^\s\x00-\x1f\x7f]{1,120}$")


def seat_id_ok(value: str) -> bool:
    return bool(SEAT_ID.match(value)) and value.isprintable()


def _has_control(text: str) -> bool:
    # Cs: a lone surrogate cannot even be encoded to send to the database.
    return any(unicodedata.category(ch) in ("Cc", "Cf", "Cs", "Zl", "Zp") for ch in text)


def name(value: object, what: str) -> str:
    """A person's, show's or counter's name: 1..200 visible characters, trimmed."""
    if not isinstance(value, str):
        raise InvalidRequest(f"The {what} must be text.", field=what)
    cleaned = value.strip()
    if not cleaned:
        raise InvalidRequest(f"The {what} cannot be empty.", field=what)
    if len(cleaned) > MAX_NAME:
        raise InvalidRequest(
            f"The {what} is {len(cleaned)} characters long; at most {MAX_NAME} are allowed.",
            field=what,
        )
    if _has_control(cleaned):
        raise InvalidRequest(f"The {what} contains control characters.", field=what)
    return cleaned


def optional_name(value: object, what: str) -> str | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    return name(value, what)


def seat_labels(seats: Iterable[object], limit: int) -> list[str]:
    """The seats of one request: at least one, each once, within the per-booking limit."""
    if isinstance(seats, str | bytes) or not isinstance(seats, Iterable):
        raise InvalidRequest("Seats must be a list of seat labels such as ['A1', 'A2'].",
                             field="seats")
    out: list[str] = []
    seen: set[str] = set()
    dupes: list[str] = []
    for raw in seats:
        if not isinstance(raw, str) or not (SEAT_LABEL.match(raw.strip())
                                            or seat_id_ok(raw.strip())):
            raise InvalidRequest(f"{raw!r} is not a seat label (row then number, e.g. C12, "
                                 "or a chart's seat id).", field="seats")
        # A grid label is a clerk's typing (c12 is C12); a chart's id is taken as it is.
        label = raw.strip().upper() if SEAT_LABEL.match(raw.strip()) else raw.strip()
        if label in seen:
            dupes.append(label)
        seen.add(label)
        out.append(label)
    if not out:
        raise InvalidRequest("Choose at least one seat.", field="seats")
    if dupes:
        raise InvalidRequest(f"Seat {', '.join(sorted(set(dupes)))} is asked for twice.",
                             field="seats")
    if len(out) > limit:
        raise InvalidRequest(
            f"{len(out)} seats in one booking; the limit is {limit}. Split it into several bookings.",
            field="seats",
        )
    return out


def request_key(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or not 1 <= len(value) <= MAX_NAME or _has_control(value):
        raise InvalidRequest("A request key is 1 to 200 printable characters.", field="request_key")
    return value


def positive_id(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 < value < 2**63:
        raise InvalidRequest(f"{what} must be a positive whole number.", field=what)
    return value
