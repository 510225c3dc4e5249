"""Every refused request says why, and the database is exactly as before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.errors import (
    BlockedSeats,
    BoxOfficeError,
    HallNotFound,
    InvalidLayout,
    InvalidRequest,
    ShowNotFound,
    UnknownSeats,
)
from boxoffice.layout import Layout, Row
from tests.conftest import table_snapshot
from tests.dbutil import tomorrow

LONG = "x" * 201


def _sell(**over: Any):  # type: ignore[no-untyped-def]
    def go(db: Database, show: shows.ShowView) -> object:
        args: dict[str, Any] = {"seats": ["C3"], "clerk": "ann", "customer": "Ada"}
        args.update(over)
        show_id = args.pop("show_id", show.id)
        return booking.sell(db, show_id, **args)
    return go


def _hold(**over: Any):  # type: ignore[no-untyped-def]
    def go(db: Database, show: shows.ShowView) -> object:
        args: dict[str, Any] = {"seats": ["C3"], "clerk": "ann"}
        args.update(over)
        return booking.hold(db, show.id, **args)
    return go


BAD_BOOKINGS = [
    ("unknown show", _sell(show_id=987_654), ShowNotFound, "does not exist"),
    ("show id not a number", _sell(show_id="1"), InvalidRequest, "whole number"),
    ("seat not in layout", _sell(seats=["C3", "Z99"]), UnknownSeats, "Z99"),
    ("seat label garbage", _sell(seats=["C3", "drop table"]), InvalidRequest, "not a seat label"),
    ("blocked seat", _sell(seats=["A1"]), BlockedSeats, "blocked"),
    ("same seat twice", _sell(seats=["C3", "c3"]), InvalidRequest, "twice"),
    ("no seats", _sell(seats=[]), InvalidRequest, "at least one seat"),
    ("seats as a string", _sell(seats="C3"), InvalidRequest, "list"),
    ("over the per-booking limit", _sell(seats=[f"{r}{n}" for r in "BCD" for n in range(1, 8)]),
     InvalidRequest, "limit is 20"),
    ("empty clerk", _sell(clerk="  "), InvalidRequest, "empty"),
    ("over-long customer", _sell(customer=LONG), InvalidRequest, "at most 200"),
    ("control characters in customer", _sell(customer="Ada\x00Lovelace"), InvalidRequest,
     "control"),
    ("newline in clerk", _sell(clerk="ann\nben"), InvalidRequest, "control"),
    ("over-long counter", _sell(counter=LONG), InvalidRequest, "at most 200"),
    ("over-long request key", _sell(request_key=LONG), InvalidRequest, "request key"),
    ("hold too short", _hold(hold_seconds=1), InvalidRequest, "5 seconds"),
    ("hold seconds not a number", _hold(hold_seconds="60"), InvalidRequest, "5 seconds"),
]


@pytest.mark.parametrize(("case", "call", "error", "fragment"), BAD_BOOKINGS,
                         ids=[c[0] for c in BAD_BOOKINGS])
def test_bad_booking_requests_write_nothing(
    db: Database, show: shows.ShowView, case: str, call: Any, error: type[BoxOfficeError],
    fragment: str,
) -> None:
    booking.sell(db, show.id, ["B2"], clerk="ann")  # something already in the tables
    before = table_snapshot(db)
    with pytest.raises(error) as err:
        call(db, show)
    assert fragment in err.value.message
    assert table_snapshot(db) == before


BAD_SETUP = [
    ("show in the past",
     lambda db, hall: shows.create_show(db, "Old", datetime.now(UTC) - timedelta(hours=1),
                                        hall=hall.id), InvalidRequest, "past"),
    ("naive start time",
     lambda db, hall: shows.create_show(db, "Naive", datetime.now() + timedelta(days=1),
                                        hall=hall.id), InvalidRequest, "time zone"),
    ("empty show name", lambda db, hall: shows.create_show(db, "", tomorrow(), hall=hall.id),
     InvalidRequest, "empty"),
    ("over-long show name", lambda db, hall: shows.create_show(db, LONG, tomorrow(), hall=hall.id),
     InvalidRequest, "at most 200"),
    ("control chars in show name",
     lambda db, hall: shows.create_show(db, "Ham\x07let", tomorrow(), hall=hall.id),
     InvalidRequest, "control"),
    ("unknown hall", lambda db, hall: shows.create_show(db, "X", tomorrow(), hall=4242),
     HallNotFound, "does not exist"),
    ("duplicate hall name",
     lambda db, hall: shows.create_hall(db, hall.name, Layout.grid(1, 2)), InvalidRequest,
     "already"),
    ("layout with duplicate labels",
     lambda db, hall: shows.create_hall(db, "Dup", {"rows": [{"label": "A", "seats": [1, 1]}]}),
     InvalidLayout, "twice"),
    ("layout with duplicate rows",
     lambda db, hall: shows.create_hall(db, "Dup", {"rows": [{"label": "A", "seats": [1]},
                                             {"label": "A", "seats": [2]}]}),
     InvalidLayout, "twice"),
]


@pytest.mark.parametrize(("case", "call", "error", "fragment"), BAD_SETUP,
                         ids=[c[0] for c in BAD_SETUP])
def test_bad_setup_writes_nothing(
    db: Database, hall: shows.HallView, case: str, call: Any, error: type[BoxOfficeError],
    fragment: str,
) -> None:
    before = table_snapshot(db)
    with pytest.raises(error) as err:
        call(db, hall)
    assert fragment in err.value.message
    assert table_snapshot(db) == before


def test_moving_a_show_into_the_past_writes_nothing(db: Database, show: shows.ShowView) -> None:
    before = table_snapshot(db)
    with pytest.raises(InvalidRequest, match="past"):
        shows.move_show(db, show.id, datetime.now(UTC) - timedelta(days=1))
    assert table_snapshot(db) == before


def test_layout_row_objects_are_validated_too() -> None:
    with pytest.raises(InvalidLayout):
        Layout(rows=(Row("A", ()),))
