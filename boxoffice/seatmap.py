"""What every seat of a show is right now, and the best seats for a party of N.

A hold past its deadline counts as free here, as it does for the next sale, even
before the expiry job has swept it away.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable

import psycopg

from boxoffice import seatfetch, validation
from boxoffice.db import Database
from boxoffice.errors import InvalidRequest, ShowNotFound
from boxoffice.seat_records import BLOCKED, FREE, HELD, SOLD, SeatMap, SeatState

__all__ = ["BLOCKED", "FREE", "HELD", "SOLD", "SeatMap", "SeatState", "best_available",
           "seat_map"]


# Just some seats (a live change refetches what changed): a join per seat is fine here.
_SOME = """
SELECT ss.seat_number, ss.row_label, ss.row_index, ss.column_index, ss.kind, ss.sellable,
       t.booking_id, t.state, t.counter, t.user_name, t.customer_name, t.hold_deadline
FROM show_seats ss
LEFT JOIN seats_taken_now t ON t.show_id = ss.show_id AND t.seat_number = ss.seat_number
WHERE ss.show_id = %(show)s AND ss.seat_number = ANY(%(labels)s)
ORDER BY ss.row_index, ss.column_index
"""


def seat_map(db: Database, show_id: int, *, labels: Iterable[str] | None = None) -> SeatMap:
    """Every seat of a show with its state and, if taken, its booking, in the layout's
    order (for scripts; the counter loads ``seatfetch.fetch`` without a record per seat).

    With ``labels`` only those seats are read: a live change refreshes just what changed.
    """
    if labels is None:
        got = seatfetch.fetch(db, show_id)
        geo = got.geometry
        order = sorted(range(len(geo)), key=lambda i: (geo.rows[i], geo.cols[i]))
        return SeatMap(got.show_id, got.show_name, got.start_time, got.hall_name,
                       tuple(got.seat(i) for i in order))
    show_id = validation.positive_id(show_id, "show")
    params = {"show": show_id, "labels": list(labels)}
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        with raw.cursor() as cur:
            show = cur.execute("SELECT name, start_time, hall_name FROM shows "
                               "WHERE id = %(show)s", params).fetchone()
            if show is None:
                raise ShowNotFound(show_id)
            rows = cur.execute(_SOME, params).fetchall()
        conn.rollback()
    seats = []
    for label, row_label, row_index, column, kind, sellable, booking_id, state, counter, \
            clerk, customer, deadline in rows:
        if state is None:
            seats.append(SeatState(label, row_label, row_index, column, kind,
                                   FREE if sellable else BLOCKED))
        else:
            seats.append(SeatState(label, row_label, row_index, column, kind, state,
                                   booking_id, counter, clerk, customer,
                                   deadline if state == HELD else None))
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
