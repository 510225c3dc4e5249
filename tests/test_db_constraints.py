"""A buggy client writing SQL directly still cannot corrupt the box office."""

from __future__ import annotations

import re
from enum import StrEnum

import pytest
from sqlalchemy import exc, text

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.errors import NotAllowed, RequestRefused
from boxoffice.statuses import BookingStatus, EventKind, TicketStatus


def run(db: Database, *statements: str) -> None:
    with db.engine.begin() as conn:
        for sql in statements:
            conn.execute(text(sql))


NEW_BOOKING = ("INSERT INTO bookings (id, show_id, seats_requested, status, user_name) "
               "VALUES (900, {show}, {n}, '{status}', 'mallory')")


@pytest.mark.parametrize(
    ("case", "sqlstate", "statements"),
    [
        ("same seat sold twice", "23505", [
            NEW_BOOKING.replace("{n}", "1").replace("{status}", "CONFIRMED"),
            "INSERT INTO booking_seats (booking_id, show_id, seat_number) VALUES (900, {show}, 'B1')",
        ]),
        ("seat not in the hall", "23503", [
            NEW_BOOKING.replace("{n}", "1").replace("{status}", "CONFIRMED"),
            "INSERT INTO booking_seats (booking_id, show_id, seat_number) VALUES (900, {show}, 'Z99')",
        ]),
        ("blocked seat", "23503", [
            NEW_BOOKING.replace("{n}", "1").replace("{status}", "CONFIRMED"),
            "INSERT INTO booking_seats (booking_id, show_id, seat_number) VALUES (900, {show}, 'A1')",
        ]),
        ("confirmed booking owning fewer seats than requested", "23514", [
            NEW_BOOKING.replace("{n}", "2").replace("{status}", "CONFIRMED"),
            "INSERT INTO booking_seats (booking_id, show_id, seat_number) VALUES (900, {show}, 'C1')",
        ]),
        ("failed booking still owning a seat", "23514", [
            NEW_BOOKING.replace("{n}", "1").replace("{status}", "FAILED"),
            "INSERT INTO booking_seats (booking_id, show_id, seat_number) VALUES (900, {show}, 'C1')",
        ]),
        ("cancel without freeing the seats", "23514", [
            "UPDATE bookings SET status = 'CANCELLED' WHERE seats_requested = 1",
        ]),
        ("unknown status", "23514", [NEW_BOOKING.replace("{n}", "1").replace("{status}", "SOLDISH")]),
        ("zero seats requested", "23514", [NEW_BOOKING.replace("{n}", "0").replace("{status}", "FAILED")]),
        ("pending without a deadline", "23514", [NEW_BOOKING.replace("{n}", "1").replace("{status}", "PENDING")]),
        ("control characters in a name", "23514", [
            "INSERT INTO bookings (show_id, seats_requested, status, user_name) "
            "VALUES ({show}, 1, 'FAILED', E'ann\\x01')"]),
        ("seat of another show's booking", "23503", [
            NEW_BOOKING.replace("{n}", "1").replace("{status}", "CONFIRMED"),
            "INSERT INTO booking_seats (booking_id, show_id, seat_number) VALUES (900, {other}, 'C1')",
        ]),
        ("rewriting the event log", "42501", ["UPDATE booking_events SET actor = 'nobody'"]),
        ("erasing the event log", "42501", ["DELETE FROM booking_events"]),
        ("truncating the event log", "42501", ["TRUNCATE booking_events"]),
        ("show with no seats", "23514", ["UPDATE shows SET total_seats = 0"]),
    ],
)
def test_database_refuses_corruption(db: Database, show: shows.ShowView, hall: shows.HallView,
                                     case: str, sqlstate: str, statements: list[str]) -> None:
    other = shows.create_show(db, "Other", show.start_time, hall=hall.id)
    booking.sell(db, show.id, ["B1"], clerk="ann")
    with pytest.raises((exc.IntegrityError, exc.InternalError, exc.ProgrammingError,
                        exc.DataError, NotAllowed)) as err:
        run(db, *(s.replace("{show}", str(show.id)).replace("{other}", str(other.id))
                  for s in statements))
    # Permission refusals reach callers as NotAllowed; the PostgreSQL error is its cause.
    pg_error = err.value.__cause__ if isinstance(err.value, NotAllowed) else err.value.orig
    assert pg_error.sqlstate == sqlstate  # type: ignore[union-attr]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM bookings")).scalar_one() == 1


@pytest.mark.parametrize(
    ("case", "sqlstate", "statements"),
    [
        ("negative price", "23514", [
            "UPDATE prices SET amount = -1"]),
        ("change that does not add up", "23514", [
            "INSERT INTO payments (booking_id, show_id, kind, method, amount, tendered, "
            "change_due, user_name) VALUES ({paid}, {show}, 'payment', 'cash', 500, 1000, 100, 'x')"]),
        ("amount given for a card", "23514", [
            "INSERT INTO payments (booking_id, show_id, kind, method, amount, tendered, "
            "change_due, user_name) VALUES ({paid}, {show}, 'payment', 'card', 500, 500, 0, 'x')"]),
        ("unknown payment method", "23514", [
            "INSERT INTO payments (booking_id, show_id, kind, method, amount, user_name) "
            "VALUES ({paid}, {show}, 'payment', 'iou', 500, 'x')"]),
        ("a voucher payment without its code", "BO003", [
            "INSERT INTO payments (booking_id, show_id, kind, method, amount, user_name) "
            "VALUES ({paid}, {show}, 'payment', 'voucher', 500, 'x')"]),
        ("a voucher payment with a blank code", "BO003", [
            "INSERT INTO payments (booking_id, show_id, kind, method, amount, reference, "
            "user_name) VALUES ({paid}, {show}, 'payment', 'voucher', 500, '  ', 'x')"]),
        ("rewriting a payment", "42501", ["UPDATE payments SET amount = 1"]),
        ("erasing a payment", "42501", ["DELETE FROM payments"]),
        ("a seat sold on two tickets", "23505", [
            "INSERT INTO booking_tickets (booking_id, show_id, seat_number, ticket_type, price) "
            "SELECT booking_id, show_id, seat_number, 'Adult', 1 FROM booking_tickets"]),
        ("a ticket for a seat the booking does not own", "23514", [
            "INSERT INTO booking_tickets (booking_id, show_id, seat_number, ticket_type, price) "
            "VALUES ({paid}, {show}, 'H9', 'Adult', 1)"]),
        ("a refund that leaves the seat sold", "23514", [
            "UPDATE booking_tickets SET status = 'REFUNDED', refunded_at = now()"]),
        ("a seat priced by another show's category", "23503", [
            "UPDATE show_seats SET price_category_id = (SELECT id FROM price_categories "
            "WHERE show_id = {other}) WHERE show_id = {show}"]),
        ("a currency that is not an ISO code", "23514", ["UPDATE venue_settings SET currency = 'Euro'"]),
        ("a second currency", "23514", ["INSERT INTO venue_settings (id) VALUES (false)"]),
    ],
)
def test_database_refuses_money_corruption(db: Database, show: shows.ShowView,
                                           hall: shows.HallView, case: str, sqlstate: str,
                                           statements: list[str]) -> None:
    from boxoffice import money

    other = shows.create_show(db, "Other", show.start_time, hall=hall.id)
    for s in (show, other):
        money.set_price_plan(db, s.id, [money.PriceCategory("Stalls", {"Adult": 1000})])
    paid = money.sell(db, show.id, {"B1": "Adult", "B2": "Adult"},
                      money.Payment("cash", tendered=2500), clerk="ann")
    with pytest.raises((exc.IntegrityError, exc.InternalError, exc.ProgrammingError,
                        exc.DataError, NotAllowed, RequestRefused)) as err:
        run(db, *(s.replace("{show}", str(show.id)).replace("{other}", str(other.id))
                  .replace("{paid}", str(paid.booking.id)) for s in statements))
    pg_error = (err.value.__cause__ if isinstance(err.value, (NotAllowed, RequestRefused))
                else err.value.orig)
    assert pg_error.sqlstate == sqlstate  # type: ignore[union-attr]
    assert money.booking_money(db, paid.booking.id).paid == 2000


@pytest.mark.parametrize(
    ("constraint", "words"),
    [("ck_bookings_status_valid", BookingStatus),
     ("ck_booking_tickets_status_valid", TicketStatus),
     ("ck_booking_events_kind_valid", EventKind)],
)
def test_the_database_allows_exactly_the_named_statuses_and_kinds(
        db: Database, constraint: str, words: type[StrEnum]) -> None:
    """boxoffice/statuses.py names each word once; the CHECK constraints (migrations)
    must allow those and no others."""
    with db.engine.connect() as conn:
        definition = conn.execute(text(
            "SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conname = :c"),
            {"c": constraint}).scalar_one()
    assert sorted(re.findall(r"'([^']*)'::text", definition)) == sorted(w.value for w in words)


def test_an_event_cannot_claim_another_transaction(db: Database) -> None:
    """The event stream bounds by the writing transaction (boxoffice/events/stream.py); a
    raw client sending a txid of its choosing gets its own stamped instead."""
    with db.engine.begin() as conn:
        row = conn.execute(text(
            "INSERT INTO booking_events (kind, txid) VALUES ('show_changed', '3'::xid8) "
            "RETURNING txid::text = pg_current_xact_id()::text AS own, txid::text AS txid"
        )).one()
    assert row.own and row.txid != "3"


@pytest.mark.parametrize(
    ("case", "statement"),
    [
        ("a blocked seat without a reason", "UPDATE show_seats SET blocked_reason = NULL "
                                            "WHERE show_id = {show} AND NOT sellable"),
        ("a reason on a seat that sells", "UPDATE show_seats SET blocked_reason = 'Broken' "
                                          "WHERE show_id = {show} AND seat_number = 'C1'"),
        ("a standing place not named after its area",
         "UPDATE show_seats SET standing_area = 'FLOOR' WHERE show_id = {show} "
         "AND seat_number = 'C1'"),
        ("a wheelchair standing place",
         "INSERT INTO show_seats (show_id, seat_number, row_label, row_index, column_index, "
         "kind, standing_area) VALUES ({show}, 'FLOOR#1', 'Floor', 99, 0, 'wheelchair', "
         "'FLOOR')"),
    ],
)
def test_database_refuses_chart_corruption(db: Database, show: shows.ShowView, case: str,
                                           statement: str) -> None:
    """Migration 0009's rules on a chart's seats: blocked exactly when there is a reason,
    and a standing place is ``<area>#n`` (so capacity is the count of such rows)."""
    with pytest.raises(exc.IntegrityError) as err:
        run(db, statement.replace("{show}", str(show.id)))
    assert err.value.orig.sqlstate == "23514"  # type: ignore[union-attr]
