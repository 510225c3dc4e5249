"""A chart's seat ids (GUIDs, ``Groundfloor-A-9``) do not fit a ticket code: the code names
the seat by its place in the show, and the door turns it back into the seat."""

from __future__ import annotations

import pytest

from boxoffice import booking, shows
from boxoffice.charts import load_chart
from boxoffice.checkin import AlreadyCheckedIn, check_in
from boxoffice.db import Database
from boxoffice.tickets import payload
from boxoffice.tickets.service import booking_tickets
from tests.charts.files import chart
from tests.dbutil import tomorrow


@pytest.mark.parametrize(("seat", "row", "col"), [("C12", 2, 11), ("Groundfloor-A-9", 0, 0),
                                                  ("x", 32767, 32767), ("x", 5, 1234)])
def test_seat_tokens_read_back(seat: str, row: int, col: int) -> None:
    token = payload.seat_token(seat, row, col)
    if seat == "C12":
        assert token == "C12" and payload.place_of(token) is None
    else:
        assert payload.place_of(token) == (row, col) and len(token) == 7
        assert payload.decode(b"k", payload.encode(b"k", 1, 2, token)).seat == token


def test_a_chart_seat_prints_and_checks_in_once(db: Database) -> None:
    c = load_chart(chart("pretix_teater-besar-tim-jakarta.json"), rename_duplicates=True).chart
    hall = shows.create_hall(db, "Teater Besar", c)
    show = shows.create_show(db, "Gugur Gunung", tomorrow(), hall=hall.id)
    seats = [s.id for s in c.seats() if s.sellable][40:42]
    sold = booking.sell(db, show.id, seats, clerk="ann")
    tickets = booking_tickets(db, sold.id)
    assert [t.seat for t in tickets] == seats
    assert [t.seat_in_row for t in tickets] == [s.number for s in c.seats() if s.id in seats]
    first = check_in(db, tickets[0].code, show_id=show.id)
    assert first.seat == seats[0]
    with pytest.raises(AlreadyCheckedIn, match="ALREADY USED"):
        check_in(db, tickets[0].code, show_id=show.id)
    assert check_in(db, tickets[1].code, show_id=show.id).seat == seats[1]
