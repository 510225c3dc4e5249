"""A buggy client writing SQL directly still cannot corrupt the box office."""

from __future__ import annotations

import pytest
from sqlalchemy import exc, text

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.errors import NotAllowed


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
