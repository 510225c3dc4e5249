"""What every seat of a show is right now, and the best seats for a party of N.

A hold past its deadline counts as free here, as it does for the next sale, even
before the expiry job has swept it away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from boxoffice import validation
from boxoffice.db import Database
from boxoffice.errors import InvalidRequest, ShowNotFound

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


_SEATS = text("""
SELECT ss.seat_number AS label, ss.row_label, ss.row_index, ss.column_index AS column,
       ss.kind, ss.sellable, b.id AS booking_id, b.status, b.counter, b.user_name AS clerk,
       b.customer_name AS customer, b.hold_deadline
FROM show_seats ss
LEFT JOIN booking_seats bs ON bs.show_id = ss.show_id AND bs.seat_number = ss.seat_number
LEFT JOIN bookings b ON b.id = bs.booking_id
     AND (b.status = 'CONFIRMED' OR (b.status = 'PENDING' AND b.hold_deadline > now()))
WHERE ss.show_id = :show
ORDER BY ss.row_index, ss.column_index
""")

_STATE = {"CONFIRMED": SOLD, "PENDING": HELD}


def seat_map(db: Database, show_id: int, *, labels: Iterable[str] | None = None) -> SeatMap:
    """Every seat of a show with its state and, if taken, its booking.

    With ``labels`` only those seats are read: a live change refreshes just what changed.
    """
    show_id = validation.positive_id(show_id, "show")
    with db.engine.connect() as conn:
        show = conn.execute(text("SELECT name, start_time, hall_name FROM shows WHERE id = :s"),
                            {"s": show_id}).first()
        if show is None:
            raise ShowNotFound(show_id)
        if labels is None:
            rows = conn.execute(_SEATS, {"show": show_id}).all()
        else:
            sql = text(str(_SEATS).replace("WHERE ss.show_id = :show",
                                           "WHERE ss.show_id = :show AND ss.seat_number = ANY(:l)"))
            rows = conn.execute(sql, {"show": show_id, "l": list(labels)}).all()
    seats = []
    for r in rows:
        if r.booking_id is not None:
            state = _STATE[r.status]
        else:
            state = FREE if r.sellable else BLOCKED
        seats.append(SeatState(
            r.label, r.row_label, r.row_index, r.column, r.kind, state,
            r.booking_id, r.counter if r.booking_id else None, r.clerk if r.booking_id else None,
            r.customer if r.booking_id else None,
            r.hold_deadline if state == HELD else None))
    return SeatMap(show_id, show.name, show.start_time, show.hall_name, tuple(seats))


def best_available(seats: Iterable[SeatState], n: int, *, wheelchair: bool = False,
                   avoid: Iterable[str] | None = None) -> list[str]:
    """The best ``n`` free seats side by side in one row, or ``[]`` if no row has them.

    Best means: rows about a third of the way back from the stage first, then nearest
    the row's centre; a block that would leave a single free seat stranded beside it is
    taken only when no other block fits. Wheelchair and companion seats are offered only
    when ``wheelchair`` is asked for, and then the block must include a wheelchair space.
    Seats in ``avoid`` are never offered.
    """
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise InvalidRequest("Ask for at least one seat.", field="seats")
    skip = set(avoid or ())
    all_seats = list(seats)
    if not all_seats:
        return []
    by_row: dict[int, list[SeatState]] = {}
    for s in all_seats:
        by_row.setdefault(s.row_index, []).append(s)
    ideal_row = (max(by_row) + 1) / 3
    centre = max(s.column for s in all_seats) / 2

    def eligible(s: SeatState) -> bool:
        if s.state != FREE or s.label in skip:
            return False
        special = s.kind in ("wheelchair", "companion")
        return special if wheelchair else not special

    best: tuple[float, list[str]] | None = None
    for ri, row in by_row.items():
        row.sort(key=lambda s: s.column)
        for run in _runs(row, eligible):
            for i in range(len(run) - n + 1):
                block = run[i:i + n]
                if wheelchair and not any(s.kind == "wheelchair" for s in block):
                    continue
                mid = (block[0].column + block[-1].column) / 2
                score = abs(ri - ideal_row) * 1.5 + abs(mid - centre)
                if i == 1 or len(run) - (i + n) == 1:
                    score += 10_000  # strands a single seat
                if best is None or score < best[0]:
                    best = (score, [b.label for b in block])
    return best[1] if best else []


def _runs(row: list[SeatState], ok: Callable[[SeatState], bool]) -> list[list[SeatState]]:
    """Maximal stretches of eligible seats with no gap, aisle or taken seat between them."""
    runs: list[list[SeatState]] = []
    current: list[SeatState] = []
    for s in row:
        if ok(s) and current and s.column == current[-1].column + 1:
            current.append(s)
        elif ok(s):
            if current:
                runs.append(current)
            current = [s]
        else:
            if current:
                runs.append(current)
            current = []
    if current:
        runs.append(current)
    return runs
