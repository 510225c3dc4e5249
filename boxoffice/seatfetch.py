"""A show's seat states in one small result, over a chart geometry cached per hall version.

Opening a 100,000-seat show used to read 100,000 joined rows and build a ``SeatState``
per seat (400–500 ms before anything was drawn). The chart's geometry — labels, rows,
columns, kinds, which seats sell — only changes with the layout, so it is read once per
layout version (as a few aggregated strings, not a row per seat) and kept here. What a
show adds on top is only its taken seats: one row per booking with its seats as one
string. The states come out as one byte per seat (``bytearray``) in the geometry's order,
the same codes the seat grid paints, and the booking details are kept per booking, not
per seat; ``SeatState`` records are made only on demand (a tooltip, a script).

The geometry is shared by every show whose layout is its hall's (the usual case: a show
copies its hall's layout), keyed by the hall's ``updated_at``; a show given a layout of
its own is keyed by its own ``updated_at``, which any change of it bumps.
"""

from __future__ import annotations

import operator
import sys
import threading
from array import array
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from itertools import repeat
from typing import Any

import psycopg

from boxoffice import validation
from boxoffice.db import Database
from boxoffice.errors import ShowNotFound
from boxoffice.seat_records import BLOCKED, FREE, HELD, SOLD, SeatState

# One byte per seat: the seat grid's codes (boxoffice.ui.common.style uses the same).
CODE_FREE, CODE_HELD_MINE, CODE_HELD_OTHER, CODE_SOLD, CODE_BLOCKED = range(5)
STATE_OF_CODE = (FREE, HELD, HELD, SOLD, BLOCKED)
KINDS = ("standard", "wheelchair", "companion")  # kind codes 0, 1, 2

_SEP = "\x1f"  # between labels in one aggregated string (never in a seat label)

_SHOW = """
SELECT s.name, s.start_time, s.hall_name, s.updated_at, s.hall_id, h.updated_at
FROM shows s LEFT JOIN halls h ON h.id = s.hall_id
WHERE s.id = %(show)s
"""

_SAME_AS_HALL = "SELECT s.layout = h.layout FROM shows s JOIN halls h ON h.id = s.hall_id " \
                "WHERE s.id = %(show)s"

# The whole chart as one row of aggregates, in the table's order (no sort: the order is
# arbitrary but the same for every column of the one aggregate row).
_GEOMETRY = f"""
SELECT count(*),
       string_agg(seat_number, E'{_SEP}'),
       string_agg(int4send(row_index), ''::bytea),
       string_agg(int4send(column_index), ''::bytea),
       string_agg(CASE kind WHEN 'wheelchair' THEN '1' WHEN 'companion' THEN '2' ELSE '0' END,
                  ''),
       string_agg(CASE WHEN sellable THEN '{CODE_FREE}' ELSE '{CODE_BLOCKED}' END, '')
FROM show_seats WHERE show_id = %(show)s
"""

_ROW_LABELS = """
SELECT row_index, min(row_label) FROM show_seats WHERE show_id = %(show)s GROUP BY row_index
"""

# The taken seats (migration 0006's view), one row per booking.
_TAKEN = f"""
SELECT booking_id, state, counter, user_name, customer_name, hold_deadline,
       string_agg(seat_number, E'{_SEP}')
FROM seats_taken_now WHERE show_id = %(show)s
GROUP BY booking_id, state, counter, user_name, customer_name, hold_deadline
"""

_DIGITS = bytes.maketrans(b"01234", bytes(range(5)))


@dataclass(frozen=True, slots=True)
class BookingDetails:
    """What a tooltip or the booking panel says about a taken seat's booking."""

    booking_id: int
    counter: str | None = None
    clerk: str | None = None
    customer: str | None = None
    hold_deadline: datetime | None = None


@dataclass(eq=False)
class ChartGeometry:
    """Where every seat is and what it is: the same for every show of one layout version.

    Read-only once built; shared between shows, models and threads.
    """

    labels: list[str]
    rows: array  # type: ignore[type-arg]  # row index per seat
    cols: array  # type: ignore[type-arg]  # column per seat
    kinds: bytes  # kind code per seat (KINDS)
    base_states: bytes  # CODE_FREE or CODE_BLOCKED per seat
    row_labels: list[str]  # by row index
    n_rows: int
    n_cols: int
    grid: array  # type: ignore[type-arg]  # row * n_cols + column → seat index, or -1
    index: dict[str, int]  # label → seat index
    _numbers: list[str] | None = field(default=None, repr=False)

    def __len__(self) -> int:
        return len(self.labels)

    @property
    def numbers(self) -> list[str]:
        """Seat numbers without their row label (drawn when zoomed in), built once."""
        if self._numbers is None:
            rl = self.row_labels
            self._numbers = [label[len(rl[r]):] if label.startswith(rl[r]) else label
                             for label, r in zip(self.labels, self.rows, strict=True)]
        return self._numbers


@dataclass(eq=False)
class ShowSeats:
    """One show's seats now: its geometry, a state byte per seat, booking per taken seat."""

    show_id: int
    show_name: str
    start_time: datetime
    hall_name: str
    geometry: ChartGeometry
    states: bytearray
    booking_of: dict[int, int]  # seat index → booking id, for taken seats only
    bookings: dict[int, BookingDetails]

    def seat(self, i: int) -> SeatState:
        """The seat's full record (made on demand: one per seat would cost 100k objects)."""
        return seat_state(self.geometry, i, self.states[i],
                          self.bookings.get(self.booking_of.get(i, -1)))


def seat_state(geo: ChartGeometry, i: int, code: int,
               booking: BookingDetails | None) -> SeatState:
    row = geo.rows[i]
    state = STATE_OF_CODE[code]
    if booking is None or state in (FREE, BLOCKED):
        return SeatState(geo.labels[i], geo.row_labels[row], row, geo.cols[i],
                         KINDS[geo.kinds[i]], state)
    return SeatState(geo.labels[i], geo.row_labels[row], row, geo.cols[i], KINDS[geo.kinds[i]],
                     state, booking.booking_id, booking.counter, booking.clerk,
                     booking.customer, booking.hold_deadline if state == HELD else None)


_CACHE: dict[tuple[str, str, int, datetime], ChartGeometry] = {}
_CACHE_SIZE = 8
_CACHE_LOCK = threading.Lock()


def _cached(key: tuple[str, str, int, datetime]) -> ChartGeometry | None:
    with _CACHE_LOCK:
        return _CACHE.get(key)


def _remember(keys: Iterable[tuple[str, str, int, datetime]], geo: ChartGeometry) -> None:
    with _CACHE_LOCK:
        for key in keys:
            _CACHE.pop(key, None)
            while len(_CACHE) >= _CACHE_SIZE:
                _CACHE.pop(next(iter(_CACHE)))
            _CACHE[key] = geo


def forget_geometries() -> None:
    """Drop every cached chart (benchmarks measure the cold path with it)."""
    with _CACHE_LOCK:
        _CACHE.clear()


def _int4(data: bytes | None) -> array:  # type: ignore[type-arg]
    out = array("i")
    if data:
        out.frombytes(data)
        if sys.byteorder == "little":
            out.byteswap()  # int4send is network (big-endian) order
    return out


def _read_geometry(cur: psycopg.Cursor[Any], params: dict[str, Any]) -> ChartGeometry:
    n, labels, rows_b, cols_b, kinds_t, sellable_t = cur.execute(_GEOMETRY, params).fetchone() \
        or (0, None, None, None, None, None)
    rows, cols = _int4(rows_b), _int4(cols_b)
    label_list = labels.split(_SEP) if n and labels else []
    n_rows = (max(rows) + 1) if n else 0
    n_cols = (max(cols) + 1) if n else 0
    row_labels = [""] * n_rows
    for r, label in cur.execute(_ROW_LABELS, params):
        row_labels[r] = label
    # (row, column) → seat index, with C-level maps rather than a Python loop per seat.
    cell_of = dict(zip(map(operator.add, map(operator.mul, rows, repeat(n_cols)), cols),
                       range(n), strict=True))
    grid = array("i", map(cell_of.get, range(n_rows * n_cols), repeat(-1)))
    return ChartGeometry(
        labels=label_list, rows=rows, cols=cols,
        kinds=(kinds_t or "").encode().translate(_DIGITS),
        base_states=(sellable_t or "").encode().translate(_DIGITS),
        row_labels=row_labels, n_rows=n_rows, n_cols=n_cols, grid=grid,
        index=dict(zip(label_list, range(n), strict=True)))


def fetch(db: Database, show_id: int, *, counter: str | None = None) -> ShowSeats:
    """A show's seats now, in one consistent snapshot; held seats of ``counter`` are
    ``CODE_HELD_MINE``, other holds ``CODE_HELD_OTHER``."""
    show_id = validation.positive_id(show_id, "show")
    params = {"show": show_id}
    with db.engine.connect() as conn:
        raw = conn.connection.driver_connection
        assert isinstance(raw, psycopg.Connection)
        with raw.cursor() as cur:
            # One snapshot for the show, its chart and its bookings.
            cur.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            show = cur.execute(_SHOW, params).fetchone()
            if show is None:
                raise ShowNotFound(show_id)
            name, start, hall_name, show_version, hall_id, hall_version = show
            own_key = (db.url, "show", show_id, show_version)
            hall_key = (db.url, "hall", hall_id, hall_version) if hall_id is not None else None
            geo = _cached(own_key)
            if geo is None:
                same = hall_key is not None and bool(
                    (cur.execute(_SAME_AS_HALL, params).fetchone() or (False,))[0])
                geo = _cached(hall_key) if same and hall_key is not None else None
                if geo is None:
                    geo = _read_geometry(cur, params)
                _remember([own_key, hall_key] if same and hall_key else [own_key], geo)
            taken = cur.execute(_TAKEN, params).fetchall()
        conn.rollback()
    states = bytearray(geo.base_states)
    booking_of: dict[int, int] = {}
    bookings: dict[int, BookingDetails] = {}
    index = geo.index
    for booking_id, state, b_counter, clerk, customer, deadline, seats in taken:
        if state == SOLD:
            code = CODE_SOLD
        else:
            code = CODE_HELD_MINE if counter and b_counter == counter else CODE_HELD_OTHER
        bookings[booking_id] = BookingDetails(booking_id, b_counter, clerk, customer, deadline)
        for i in map(index.__getitem__, seats.split(_SEP)):
            states[i] = code
            booking_of[i] = booking_id
    return ShowSeats(show_id, name, start, hall_name, geo, states, booking_of, bookings)


def geometry_of(seats: Iterable[SeatState]) -> tuple[ChartGeometry, list[SeatState]]:
    """A chart built from seat records (scripts and tests that hold a ``SeatMap``)."""
    seat_list = list(seats)
    labels = [s.label for s in seat_list]
    rows = array("i", [s.row_index for s in seat_list])
    cols = array("i", [s.column for s in seat_list])
    n_rows = (max(rows) + 1) if seat_list else 0
    n_cols = (max(cols) + 1) if seat_list else 0
    row_labels = [""] * n_rows
    grid = array("i", [-1]) * (n_rows * n_cols)
    for i, s in enumerate(seat_list):
        row_labels[s.row_index] = s.row_label
        grid[s.row_index * n_cols + s.column] = i
    kind_code = {k: n for n, k in enumerate(KINDS)}
    geo = ChartGeometry(
        labels=labels, rows=rows, cols=cols,
        kinds=bytes(kind_code.get(s.kind, 0) for s in seat_list),
        base_states=bytes(CODE_BLOCKED if s.state == BLOCKED else CODE_FREE for s in seat_list),
        row_labels=row_labels, n_rows=n_rows, n_cols=n_cols, grid=grid,
        index={label: i for i, label in enumerate(labels)})
    return geo, seat_list


def code_of(state: str, seat_counter: str | None, counter: str | None) -> int:
    """The grid's byte for a seat state (a hold of ``counter`` is its own colour)."""
    if state == FREE:
        return CODE_FREE
    if state == SOLD:
        return CODE_SOLD
    if state == HELD:
        return CODE_HELD_MINE if counter and seat_counter == counter else CODE_HELD_OTHER
    return CODE_BLOCKED


def from_seat_map(show_id: int, show_name: str, start_time: datetime, hall_name: str,
                  seats: Iterable[SeatState], counter: str | None = None) -> ShowSeats:
    """The compact form of seat records (one record per seat: for small or made-up maps)."""
    geo, seat_list = geometry_of(seats)
    states = bytearray(code_of(s.state, s.counter, counter) for s in seat_list)
    booking_of: dict[int, int] = {}
    bookings: dict[int, BookingDetails] = {}
    for i, s in enumerate(seat_list):
        if s.booking_id is not None and s.state in (HELD, SOLD):
            booking_of[i] = s.booking_id
            bookings.setdefault(s.booking_id, BookingDetails(
                s.booking_id, s.counter, s.clerk, s.customer, s.hold_deadline))
    return ShowSeats(show_id, show_name, start_time, hall_name, geo, states, booking_of,
                     bookings)
