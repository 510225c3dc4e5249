"""What every seat of a show is right now, and the best seats for a party of N.

A hold past its deadline counts as free here, as it does for the next sale, even
before the expiry job has swept it away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import psycopg

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


# The hall's seats (static until the layout changes) and the taken ones (few, usually)
# are read apart: a 100,000-seat stadium's layout comes from a cache keyed on the show's
# updated_at, and only the bookings are read again.
_LAYOUT = """
SELECT seat_number, row_label, row_index, column_index, kind, sellable
FROM show_seats WHERE show_id = %(show)s {only}
ORDER BY row_index, column_index
"""

# The seats taken now (migration 0006's view: sold, or held before the deadline).
_TAKEN = """
SELECT t.seat_number, t.booking_id, t.state, t.counter, t.user_name, t.customer_name,
       t.hold_deadline
FROM seats_taken_now t
WHERE t.show_id = %(show)s {only}
"""

_LAYOUT_CACHE: dict[tuple[str, int], tuple[datetime, list[tuple[Any, ...]]]] = {}
_LAYOUT_CACHE_SIZE = 8


def seat_map(db: Database, show_id: int, *, labels: Iterable[str] | None = None) -> SeatMap:
    """Every seat of a show with its state and, if taken, its booking.

    With ``labels`` only those seats are read: a live change refreshes just what changed.
    """
    show_id = validation.positive_id(show_id, "show")
    wanted = None if labels is None else list(labels)
    only_ss = "" if wanted is None else "AND seat_number = ANY(%(labels)s)"
    only_bs = "" if wanted is None else "AND t.seat_number = ANY(%(labels)s)"
    params = {"show": show_id, "labels": wanted}
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        with raw.cursor() as cur:
            show = cur.execute("SELECT name, start_time, hall_name, updated_at FROM shows "
                               "WHERE id = %(show)s", params).fetchone()
            if show is None:
                raise ShowNotFound(show_id)
            key = (db.url, show_id)
            cached = _LAYOUT_CACHE.get(key) if wanted is None else None
            if cached is not None and cached[0] == show[3]:
                layout = cached[1]
            else:
                layout = cur.execute(_LAYOUT.format(only=only_ss), params).fetchall()
                if wanted is None:
                    if len(_LAYOUT_CACHE) >= _LAYOUT_CACHE_SIZE:
                        _LAYOUT_CACHE.pop(next(iter(_LAYOUT_CACHE)))
                    _LAYOUT_CACHE[key] = (show[3], layout)
            taken = {r[0]: r for r in cur.execute(_TAKEN.format(only=only_bs), params)}
        conn.rollback()
    seats = []
    for label, row_label, row_index, column, kind, sellable in layout:
        t = taken.get(label)
        if t is None:
            seats.append(SeatState(label, row_label, row_index, column, kind,
                                   FREE if sellable else BLOCKED))
        else:
            state = t[2]
            seats.append(SeatState(label, row_label, row_index, column, kind, state,
                                   t[1], t[3], t[4], t[5], t[6] if state == HELD else None))
    return SeatMap(show_id, show[0], show[1], show[2], tuple(seats))


def best_available(seats: Iterable[SeatState], n: int, *, wheelchair: bool = False,
                   avoid: Iterable[str] | None = None) -> list[str]:
    """The best ``n`` free seats side by side in one row, or ``[]`` if no row has them.

    Best means: rows about a third of the way back from the stage first, then nearest
    the row's centre; a block that would leave a single free seat stranded beside it is
    taken only when no other block fits. Wheelchair and companion seats are offered only
    when ``wheelchair`` is asked for, and then the block is one wheelchair space with
    companion seats beside it (two spaces side by side are two wheelchair users' places,
    not a customer and companion).
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
                if wheelchair and sum(s.kind == "wheelchair" for s in block) != 1:
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
