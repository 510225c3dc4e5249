"""Correcting a booking's customer name afterwards (issue 13 item 3): the one database
function does it, on a clerk's login, and the history keeps the old name."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.customers import rename_customer
from boxoffice.db import Database
from boxoffice.errors import (
    BookingNotFound,
    InvalidRequest,
    NotAllowed,
    RequestRefused,
    WrongBookingState,
)
from boxoffice.history import booking_history
from tests.conftest import table_snapshot
from tests.test_roles import as_login, logins  # noqa: F401  (the fixture)


def test_a_name_is_corrected_and_the_history_keeps_the_old_one(
        db: Database, show: shows.ShowView) -> None:
    sold = booking.sell(db, show.id, ["C1", "C2"], clerk="ann", customer="Grace Hoper")
    fixed = rename_customer(db, sold.id, "  Grace Hopper ", clerk="ann", counter="Box 2")
    assert fixed.customer_name == "Grace Hopper" and fixed.seats == sold.seats
    last = booking_history(db, sold.id)[-1]
    assert last.kind == "customer_renamed" and last.counter == "Box 2"
    assert last.details == {"clerk": "ann", "old": "Grace Hoper", "new": "Grace Hopper"}
    assert booking.find_bookings(db, "hopper")[0].id == sold.id
    # the same name again changes nothing and logs nothing
    before = table_snapshot(db)
    rename_customer(db, sold.id, "Grace Hopper", clerk="ann")
    assert table_snapshot(db) == before
    # a name taken off (blank) is a change too
    assert rename_customer(db, sold.id, "", clerk="ann").customer_name is None


def test_bad_requests_change_nothing(db: Database, show: shows.ShowView) -> None:
    sold = booking.sell(db, show.id, ["D1"], clerk="ann", customer="Ada")
    before = table_snapshot(db)
    with pytest.raises(InvalidRequest):
        rename_customer(db, sold.id, "x" * 201, clerk="ann")
    with pytest.raises(BookingNotFound):
        rename_customer(db, 999_999, "Ada Lovelace", clerk="ann")
    held = booking.hold(db, show.id, ["D2"], clerk="ann")
    booking.release(db, held.id, clerk="ann")
    after_release = table_snapshot(db)
    with pytest.raises(WrongBookingState):
        rename_customer(db, held.id, "Someone", clerk="ann")
    assert table_snapshot(db) == after_release and before != after_release


def test_a_clerk_renames_through_the_function_only(db: Database, show: shows.ShowView,
                                                   logins: dict[str, str]) -> None:  # noqa: F811
    sold = booking.sell(db, show.id, ["E1"], clerk="ann", customer="Alan Turin")
    clerk = as_login(db, logins["clerk"])
    viewer = as_login(db, logins["viewer"])
    try:
        assert rename_customer(clerk, sold.id, "Alan Turing",
                               clerk=logins["clerk"]).customer_name == "Alan Turing"
        # raw SQL on the clerk's login cannot change a name without the trace
        with pytest.raises(NotAllowed) as err, clerk.engine.begin() as conn:
            conn.execute(text("UPDATE bookings SET customer_name = 'X' WHERE id = :b"),
                         {"b": sold.id})
        assert "permission denied for table bookings" in err.value.detail
        # a raw call with a bad name is refused by the function itself (BO003)
        with pytest.raises(RequestRefused) as refused, clerk.engine.begin() as conn:
            conn.execute(text("SELECT * FROM boxoffice_rename_customer(:b, :n, 'c', NULL)"),
                         {"b": sold.id, "n": "a\nb"})
        assert "at most 200 characters" in refused.value.message
        with pytest.raises(NotAllowed):  # a door login may not
            rename_customer(viewer, sold.id, "Nobody", clerk=logins["viewer"])
    finally:
        clerk.dispose()
        viewer.dispose()
    assert booking.get_booking(db, sold.id).customer_name == "Alan Turing"
