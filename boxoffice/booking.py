"""Selling seats: the locked transaction, and the life of a booking after it.

Every sale or hold of a show runs the same transaction, in the order the design
notes give: lock the show row, validate the seats against its layout, insert a
PENDING booking, insert its seats under UNIQUE (show_id, seat_number) with
ON CONFLICT DO NOTHING, then CONFIRMED (a sale) or left PENDING with a deadline
(a hold); when any seat was taken, delete the inserted seats, mark the booking
FAILED, commit that record and raise ``SeatsTaken``. Those steps run server-side in
one call (``boxoffice_book``, migration 0002), so the show lock is held for the work
alone and a booking costs one round trip; events and NOTIFYs ride along in it.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any, NoReturn

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import Connection, text

from boxoffice import validation
from boxoffice.db import Database, driver_refusal
from boxoffice.errors import (
    BlockedSeats,
    BookingNotFound,
    HoldExpired,
    RequestKeyReused,
    SeatsTaken,
    ShowNotFound,
    UnknownSeats,
    WrongBookingState,
)
from boxoffice.records import BOOKING_COLUMNS as _BOOKING_COLUMNS
from boxoffice.records import BookingRecord, EventRecord
from boxoffice.records import booking_record as _view
from boxoffice.statuses import BookingStatus

log = logging.getLogger(__name__)


# -- the locked transaction ------------------------------------------------------------

# The locked transaction runs server-side (migration 0002, ``boxoffice_book``): lock the
# show row FOR UPDATE; validate the seats against the layout; release expired holds on
# the requested seats; insert the PENDING booking and its seats ON CONFLICT DO NOTHING;
# then CONFIRMED, or PENDING with its deadline, or the compensation (seats deleted,
# FAILED, the taken seats in the event). One autocommit statement is one transaction,
# so the show lock is held for the work alone, never across a client round trip.
# Sent straight through the pooled connection's psycopg driver (prepared server-side
# after a few uses): this is the hot path of every counter, and SQLAlchemy's per-call
# result bookkeeping cost as much client CPU as the rest of the request.
_BOOK = """
SELECT * FROM boxoffice_book(%(show)s::bigint, %(seats)s::text[], %(status)s, %(clerk)s,
                             %(customer)s, %(counter)s, %(hold_seconds)s::integer,
                             %(request_key)s)
"""

# SQLSTATE raised by boxoffice_book when the request key committed in between; the
# whole call is undone and the caller answers with the booking that key made.
_REQUEST_KEY_RACE = "BO001"

@dataclass(frozen=True, slots=True)
class BookRequest:
    """A sale or hold already checked (``book_request``): what ``book`` sends as it is, so
    a caller that retries it checks its input once."""

    show_id: int
    seats: tuple[str, ...]
    status: str  # CONFIRMED (a sale) or PENDING (a hold)
    clerk: str
    customer: str | None
    counter: str | None
    request_key: str | None
    hold_seconds: int


def book_request(db: Database, show_id: int, seats: Iterable[str], status: str, *,
                 clerk: str, customer: str | None = None, counter: str | None = None,
                 request_key: str | None = None,
                 hold_seconds: int | None = None) -> BookRequest:
    """Check a sale (``status`` CONFIRMED) or hold (PENDING) before anything is sent.

    Raises:
        InvalidRequest: bad seats, names, request key or hold time; nothing was sent.
    """
    show_id = validation.positive_id(show_id, "show")
    wanted = tuple(validation.seat_labels(seats, db.settings.max_seats_per_booking))
    clerk = validation.name(clerk, "clerk")
    customer = validation.optional_name(customer, "customer name")
    counter = validation.optional_name(counter, "counter")
    request_key = validation.request_key(request_key)
    seconds = _hold_seconds(db, hold_seconds)
    return BookRequest(show_id, wanted, status, clerk, customer, counter, request_key, seconds)


def sell(
    db: Database,
    show_id: int,
    seats: Iterable[str],
    *,
    clerk: str,
    customer: str | None = None,
    counter: str | None = None,
    request_key: str | None = None,
) -> BookingRecord:
    """Sell seats outright: one locked transaction ending CONFIRMED.

    Raises:
        SeatsTaken: another booking owns some seats; a FAILED booking records it.
        UnknownSeats, BlockedSeats, InvalidRequest, ShowNotFound: nothing was written.
    """
    return book(db, book_request(db, show_id, seats, BookingStatus.CONFIRMED, clerk=clerk,
                                 customer=customer, counter=counter, request_key=request_key))


def hold(
    db: Database,
    show_id: int,
    seats: Iterable[str],
    *,
    clerk: str,
    customer: str | None = None,
    counter: str | None = None,
    request_key: str | None = None,
    hold_seconds: int | None = None,
) -> BookingRecord:
    """Hold seats while the customer pays: PENDING until confirmed, released, or expired."""
    return book(db, book_request(db, show_id, seats, BookingStatus.PENDING, clerk=clerk, customer=customer,
                                 counter=counter, request_key=request_key,
                                 hold_seconds=hold_seconds))


def book(db: Database, req: BookRequest, *, look_back: bool = True) -> BookingRecord:
    """Run a checked sale or hold: the locked transaction, in one round trip.

    With a request key, ``look_back`` first asks whether the key already has an answer
    (the cheap way to answer a retry: no show lock). A caller that made the key itself a
    moment ago passes ``look_back=False`` on its first attempt: a key used in between
    still answers with its booking (SQLSTATE BO001), just a round trip later.
    """
    show_id, wanted, final_status = req.show_id, list(req.seats), req.status
    request_key = req.request_key
    if request_key is not None and look_back:
        earlier = _replay(db, request_key, show_id, wanted, final_status)
        if earlier is not None:
            return earlier

    params = {"show": show_id, "seats": wanted, "status": final_status, "clerk": req.clerk,
              "customer": req.customer, "counter": req.counter,
              "hold_seconds": req.hold_seconds, "request_key": request_key}
    row = _call(db, _BOOK, params, request_key_race=True)
    if row is None:
        # The same request key committed in between: answer with that booking.
        earlier = _replay(db, request_key or "", show_id, wanted, final_status)
        assert earlier is not None, "request key conflict without a booking"
        return earlier
    return _answer(row, show_id, final_status)


def _answer(row: dict[str, Any], show_id: int, final_status: str) -> BookingRecord:
    """What boxoffice_book (or boxoffice_book_standing) answered, as a record or an error."""
    outcome = row["outcome"]
    if outcome == "no_show":
        raise ShowNotFound(show_id)
    if outcome == "unknown":
        raise UnknownSeats(row["seats"])
    if outcome == "blocked":
        raise BlockedSeats(row["seats"])
    booking_id = row["id"]
    if outcome == "booked":
        seats = tuple(row["seats"])
        state = "sold" if final_status == BookingStatus.CONFIRMED else "held"
        log.info("%s booking %s on show %s: %s", state, booking_id, show_id, ",".join(seats),
                 extra={"booking_id": booking_id, "show_id": show_id})
        return BookingRecord(
            id=booking_id, show_id=row["show_id"], status=row["status"], seats=seats,
            seats_requested=row["seats_requested"], user_name=row["user_name"],
            customer_name=row["customer_name"], counter=row["counter"],
            hold_deadline=row["hold_deadline"], request_key=row["request_key"],
            created_at=row["created_at"], updated_at=row["updated_at"])
    assert outcome == "taken", outcome
    taken = list(row["seats"])
    # committed: the FAILED booking stays as the record of the conflict
    log.info("conflict booking %s on show %s: taken %s", booking_id, show_id, ",".join(taken),
             extra={"booking_id": booking_id, "show_id": show_id})
    raise SeatsTaken(taken, show_id=show_id, booking_id=booking_id)


_BOOK_STANDING = """
SELECT * FROM boxoffice_book_standing(%(show)s::bigint, %(area)s, %(quantity)s::integer,
                                      %(status)s, %(clerk)s, %(customer)s, %(counter)s,
                                      %(hold_seconds)s::integer)
"""


def sell_standing(db: Database, show_id: int, area: str, quantity: int, *, clerk: str,
                  customer: str | None = None, counter: str | None = None) -> BookingRecord:
    """Sell ``quantity`` places of a standing area ("4 standing"): the database picks free
    places ``<area>#n`` under the show's lock and books them as seats; fewer left than
    asked is ``RequestRefused`` with the number left, nothing written."""
    return _book_standing(db, show_id, area, quantity, BookingStatus.CONFIRMED, clerk=clerk,
                          customer=customer, counter=counter, hold_seconds=None)


def hold_standing(db: Database, show_id: int, area: str, quantity: int, *, clerk: str,
                  customer: str | None = None, counter: str | None = None,
                  hold_seconds: int | None = None) -> BookingRecord:
    """Hold standing places while the customer pays; confirmed, released or expired as
    any hold."""
    return _book_standing(db, show_id, area, quantity, BookingStatus.PENDING, clerk=clerk,
                          customer=customer, counter=counter, hold_seconds=hold_seconds)


def _book_standing(db: Database, show_id: int, area: str, quantity: int, final_status: str, *,
                   clerk: str, customer: str | None, counter: str | None,
                   hold_seconds: int | None) -> BookingRecord:
    show_id = validation.positive_id(show_id, "show")
    if not isinstance(area, str) or not validation.seat_id_ok(area):
        raise validation.InvalidRequest(f"{area!r} is not a standing area.", field="area")
    limit = db.settings.max_seats_per_booking
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 1 <= quantity <= limit:
        raise validation.InvalidRequest(
            f"Standing places are sold 1 to {limit} at a time.", field="quantity")
    seconds = _hold_seconds(db, hold_seconds)
    params = {"show": show_id, "area": area, "quantity": quantity, "status": final_status,
              "clerk": validation.name(clerk, "clerk"),
              "customer": validation.optional_name(customer, "customer name"),
              "counter": validation.optional_name(counter, "counter"), "hold_seconds": seconds}
    row = _call(db, _BOOK_STANDING, params)
    assert row is not None
    return _answer(row, show_id, final_status)


def _hold_seconds(db: Database, hold_seconds: int | None) -> int:
    """How long a hold lasts: the setting unless the request says, 5 s to one day."""
    seconds = db.settings.hold_seconds if hold_seconds is None else hold_seconds
    if isinstance(seconds, bool) or not isinstance(seconds, int) or not 5 <= seconds <= 86400:
        raise validation.InvalidRequest("A hold lasts 5 seconds to one day.", field="hold_seconds")
    return seconds


def _call(db: Database, sql: str, params: dict[str, Any], *,
          request_key_race: bool = False) -> dict[str, Any] | None:
    """One locked-transaction function on an autocommit connection, in one round trip; a
    refusal raises its typed error. ``request_key_race``: the same key committed in
    between (BO001) answers None, for the caller to replay the booking it made."""
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")  # reset when checked in
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        try:
            with driver.cursor(row_factory=dict_row) as cur:
                return cur.execute(sql, params).fetchone()
        except psycopg.Error as exc:
            if not (request_key_race and exc.sqlstate == _REQUEST_KEY_RACE):
                driver_failed(conn, exc)
            return None


def _replay(
    db: Database, request_key: str, show_id: int, seats: list[str], final_status: str
) -> BookingRecord | None:
    """The answer a request already got, for a client retrying after a lost reply."""
    with db.engine.connect() as conn:
        row = conn.execute(
            text(f"SELECT {_BOOKING_COLUMNS} FROM bookings b WHERE b.request_key = :k"),
            {"k": request_key},
        ).first()
        if row is None:
            return None
        taken_row = conn.execute(text(
            "SELECT details->'taken' AS taken, seats FROM booking_events "
            "WHERE booking_id = :b AND kind IN ('booking_failed', 'booking_sold', 'booking_held') "
            "ORDER BY id LIMIT 1"), {"b": row.id}).first()
    asked = list(taken_row.seats) if taken_row is not None and taken_row.seats else list(row.seats)
    if row.show_id != show_id or sorted(asked) != sorted(seats):
        raise RequestKeyReused(request_key)
    log.info("replayed request %s as booking %s", request_key, row.id,
             extra={"booking_id": row.id, "show_id": show_id})
    if taken_row is not None and taken_row.taken is not None:
        raise SeatsTaken(taken_row.taken, show_id=show_id, booking_id=row.id)
    return _view(row)


# -- after the sale: confirm, release, cancel ------------------------------------------

# After the sale, every change runs in a SECURITY DEFINER function (migration 0003): a
# clerk's login may confirm, release and exchange only through them, and only managers
# may cancel. Each locks the booking row, reads what it needs in fresh statements (the
# locking statement's snapshot predates what the previous lock holder committed), and
# writes the event and the NOTIFY in the same transaction.
_CANCEL = text("SELECT * FROM boxoffice_cancel(:booking, :clerk, :counter, :reason)")

# Confirm and release end a hold, the second half of every paid hold at a counter. The
# function's own transaction (BEGIN … COMMIT, with its event and NOTIFY) and then the
# booking read back in a new transaction go as one simple-protocol message: one round
# trip instead of two checkouts, two transactions' worth of BEGIN/COMMIT/ROLLBACK and the
# read. The server runs the statements in order; a failure stops the rest.
_SETTLE = ("BEGIN ISOLATION LEVEL READ COMMITTED; "
           "SELECT outcome, status FROM CALL; "
           "COMMIT; "
           f"SELECT {_BOOKING_COLUMNS} FROM bookings b WHERE b.id = %(booking)s")
_CONFIRM = _SETTLE.replace(
    "CALL", "boxoffice_confirm(%(booking)s, %(clerk)s, %(counter)s, %(customer)s)")
_RELEASE = _SETTLE.replace("CALL", "boxoffice_release(%(booking)s, %(clerk)s, %(counter)s)")


def confirm(
    db: Database,
    booking_id: int,
    *,
    clerk: str,
    counter: str | None = None,
    customer: str | None = None,
) -> BookingRecord:
    """Turn a hold into a sale, if it is still held and before its deadline.

    Confirm and expiry meet on the booking's row lock, so exactly one of them wins.

    Raises:
        HoldExpired: the deadline passed; the seats are released (now, if not yet).
        WrongBookingState: the booking is not a hold (already sold, released, cancelled).
    """
    booking_id = validation.positive_id(booking_id, "booking")
    customer = validation.optional_name(customer, "customer name")
    # A late confirm commits the release of the hold, as the expiry job would have.
    return _settle_hold(db, _CONFIRM, booking_id, "confirmed", clerk, counter,
                        customer=customer)


def release(db: Database, booking_id: int, *, clerk: str, counter: str | None = None) -> BookingRecord:
    """Give a hold's seats back (the customer walked away): PENDING → FAILED."""
    return _settle_hold(db, _RELEASE, booking_id, "released", clerk, counter)


def cancel(db: Database, booking_id: int, *, clerk: str, counter: str | None = None,
           reason: str | None = None) -> BookingRecord:
    """Refund a sale: CONFIRMED → CANCELLED, seats back on sale (managers only)."""
    reason = validation.optional_name(reason, "reason")
    return _after_sale(db, _CANCEL, booking_id, "cancelled", clerk, counter, reason=reason)


def _settle_hold(db: Database, sql: str, booking_id: int, action: str, clerk: str,
                 counter: str | None, **extra: str | None) -> BookingRecord:
    """Run confirm or release in its own transaction and read the booking back, in one
    round trip; then answer or refuse exactly as ``_after_sale`` does."""
    booking_id = validation.positive_id(booking_id, "booking")
    params = {"booking": booking_id, "clerk": validation.name(clerk, "clerk"),
              "counter": validation.optional_name(counter, "counter"), **extra}
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")  # reset when checked in
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        try:
            # Client-side binding: several statements need the simple query protocol.
            with psycopg.ClientCursor(driver, row_factory=dict_row) as cur:
                cur.execute(sql, params)
                cur.nextset()  # past BEGIN
                r = cur.fetchone()
                cur.nextset()  # past COMMIT
                cur.nextset()
                row = cur.fetchone()
        except psycopg.Error as exc:
            driver_failed(conn, exc)
    assert r is not None
    refuse_outcome(r["outcome"], r["status"], booking_id, action)
    if row is None:
        raise BookingNotFound(booking_id)
    view = BookingRecord(**{**row, "seats": tuple(row["seats"])})
    log.info("%s booking %s on show %s", action, booking_id, view.show_id,
             extra={"booking_id": booking_id, "show_id": view.show_id})
    return view


def driver_failed(conn: Connection, exc: psycopg.Error) -> NoReturn:
    """Raise what a failed statement on the raw psycopg connection means, leaving the
    pooled connection clean: a refusal as its typed error, a broken link invalidated (as
    SQLAlchemy does), an aborted transaction rolled back."""
    refusal = driver_refusal(exc)
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        conn.invalidate(exc)
    else:
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        if driver.info.transaction_status != psycopg.pq.TransactionStatus.IDLE:
            driver.rollback()
    if refusal is not None:
        raise refusal from exc
    raise exc


def _after_sale(db: Database, call: Any, booking_id: int, action: str, clerk: str,
                counter: str | None, **extra: str | None) -> BookingRecord:
    """Run one of the post-sale functions in its own transaction, then answer or refuse."""
    booking_id = validation.positive_id(booking_id, "booking")
    params = {"booking": booking_id, "clerk": validation.name(clerk, "clerk"),
              "counter": validation.optional_name(counter, "counter"), **extra}
    with db.engine.begin() as conn:
        r = conn.execute(call, params).one()
    refuse_outcome(r.outcome, r.status, booking_id, action)
    view = get_booking(db, booking_id)
    log.info("%s booking %s on show %s", action, booking_id, view.show_id,
             extra={"booking_id": booking_id, "show_id": view.show_id})
    return view


def refuse_outcome(outcome: str, status: str | None, booking_id: int, action: str,
                   seats: Sequence[str] = ()) -> None:
    """Turn a booking function's refusal into the typed error the clerk reads."""
    if outcome == "not_found":
        raise BookingNotFound(booking_id)
    if outcome == "expired":
        raise HoldExpired(booking_id)
    if outcome == "wrong_state":
        raise WrongBookingState(booking_id, status or "unknown", action)
    if outcome == "unknown":
        raise UnknownSeats(seats)
    if outcome == "blocked":
        raise BlockedSeats(seats)


# -- lookup ----------------------------------------------------------------------------


def get_booking(db: Database, booking_id: int) -> BookingRecord:
    booking_id = validation.positive_id(booking_id, "booking")
    with db.engine.connect() as conn:
        row = conn.execute(text(f"SELECT {_BOOKING_COLUMNS} FROM bookings b WHERE b.id = :b"),
                           {"b": booking_id}).first()
    if row is None:
        raise BookingNotFound(booking_id)
    return _view(row)


def find_bookings(db: Database, query: str, *, show_id: int | None = None,
                  statuses: Iterable[str] | None = None, limit: int = 50) -> list[BookingRecord]:
    """Bookings by number (``1234`` or ``#1234``) or by part of the customer's name,
    newest first; ``statuses`` (e.g. ``("PENDING", "CONFIRMED")``) leaves out the rest.
    A name matches whatever its case and accents ("zoe" finds "Zoë")."""
    where, params = _search(query, show_id, statuses)
    params["limit"] = max(1, min(limit, 500))
    sql = text(f"SELECT {_BOOKING_COLUMNS} FROM bookings b WHERE {where} "
               "ORDER BY b.created_at DESC, b.id DESC LIMIT :limit")
    with db.reads.connect() as conn:  # a lookup, not a decision: may read a standby
        return [_view(r) for r in conn.execute(sql, params)]


def count_bookings(db: Database, query: str, *, show_id: int | None = None,
                   statuses: Iterable[str] | None = None) -> int:
    """How many bookings ``find_bookings`` would find with no limit (to say "first 50 of N")."""
    where, params = _search(query, show_id, statuses)
    with db.reads.connect() as conn:  # a lookup, like find_bookings
        return int(conn.execute(text(f"SELECT count(*) FROM bookings b WHERE {where}"),
                                params).scalar_one())


def _search(query: str, show_id: int | None,
            statuses: Iterable[str] | None) -> tuple[str, dict[str, Any]]:
    """The WHERE clause and its parameters of a booking search."""
    q = validation.name(query, "search")
    number = q.lstrip("#")
    params: dict[str, Any] = {"show": show_id}
    where = ""
    if show_id is not None:
        where += " AND b.show_id = :show"
    if statuses is not None:
        wanted = sorted(set(statuses))
        if not wanted or not set(wanted) <= set(BookingStatus):
            raise validation.InvalidRequest("Unknown booking status in the filter.",
                                            field="statuses")
        where += " AND b.status = ANY(:statuses)"
        params["statuses"] = wanted
    if number.isdigit() and int(number) < 2**63:
        params["id"] = int(number)
        return "b.id = :id" + where, params
    # Both sides folded by PostgreSQL (boxoffice_fold: lower case, accents off; Python's
    # lower() differs for e.g. "İ"); strpos needs no escaping of % or _.
    params["q"] = q
    return "strpos(boxoffice_fold(b.customer_name), boxoffice_fold(:q)) > 0" + where, params


__all__ = ["BookRequest", "BookingRecord", "EventRecord", "book", "book_request", "sell", "hold",
           "confirm", "release", "cancel", "get_booking", "find_bookings", "count_bookings"]
