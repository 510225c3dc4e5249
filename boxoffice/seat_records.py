"""A seat as a script or a tooltip sees it, and a whole show's seats as such records.

Apart from ``seatmap`` (which reads them) so that the compact fetch (``seatfetch``) and
the seat map can both make them without importing each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

FREE, HELD, SOLD, BLOCKED = "free", "held", "sold", "blocked"


@dataclass(frozen=True, slots=True)
class SeatState:
    label: str
    row_label: str
    row_index: int
    column: int
    kind: str
    state: str
    booking_id: int | None = None
    counter: str | None = None
    clerk: str | None = None
    customer: str | None = None
    hold_deadline: datetime | None = None


@dataclass(frozen=True, slots=True)
class SeatMap:
    show_id: int
    show_name: str
    start_time: datetime
    hall_name: str
    seats: tuple[SeatState, ...]

    def by_label(self) -> dict[str, SeatState]:
        return {s.label: s for s in self.seats}

    def count(self, state: str) -> int:
        return sum(1 for s in self.seats if s.state == state)

    @property
    def rows(self) -> int:
        return 1 + max((s.row_index for s in self.seats), default=-1)

    @property
    def columns(self) -> int:
        return 1 + max((s.column for s in self.seats), default=-1)
