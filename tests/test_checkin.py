"""Door check-in: once per seat, for the right show, refusals loud and writing nothing;
door staff (viewers) may check in but not sell."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager

import psycopg
import pytest
from sqlalchemy import make_url, text

from boxoffice import booking, checkin, shows, staff
from boxoffice.db import Database, libpq_url
from boxoffice.errors import NotAllowed
from boxoffice.exchange import exchange
from boxoffice.tickets import payload
from boxoffice.tickets.service import booking_tickets, ticket_key
from tests.dbutil import open_db, tomorrow


@contextmanager
def staff_login(db: Database, role: str) -> Iterator[tuple[Database, str]]:
    """A real staff login with ``role`` and a Database connected as it."""
    name = f"t{uuid.uuid4().hex[:8]}_{role}"
    staff.add_staff(db, name, role, "correct horse battery")
    session = open_db(make_url(db.url).set(username=name, password=None)
                      .render_as_string(hide_password=False))
    try:
        yield session, name
    finally:
        session.dispose()
        with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def code_for(db: Database, booking_id: int, seat: str) -> str:
    return next(t.code for t in booking_tickets(db, booking_id) if t.seat == seat)


def written(db: Database) -> tuple[int, int]:
    """Check-ins and events so far: a refusal must leave both alone."""
    with db.engine.connect() as conn:
        return (conn.execute(text("SELECT count(*) FROM ticket_checkins")).scalar_one(),
                conn.execute(text("SELECT count(*) FROM booking_events")).scalar_one())


def test_a_ticket_checks_in_once(db: Database, show: shows.ShowView) -> None:
    sold = booking.sell(db, show.id, ["C5", "C6"], clerk="alice")
    code = code_for(db, sold.id, "C5")
    ok = checkin.check_in(db, code, show_id=show.id, door="Door A")
    assert (ok.show_id, ok.booking_id, ok.seat) == (show.id, sold.id, "C5")
    assert "WELCOME" in ok.message and "C5" in ok.message
    assert checkin.checked_in_seats(db, show.id) == {"C5"}
    assert checkin.checkin_counts(db, show.id) == checkin.CheckInCounts(1, 2)
    before = written(db)
    with pytest.raises(checkin.AlreadyCheckedIn) as err:
        checkin.check_in(db, code + "\n", show_id=show.id)
    assert err.value.at == ok.at and err.value.by == ok.by
    assert "ALREADY USED" in err.value.message
    assert f"{ok.at.astimezone():%H:%M:%S}" in err.value.message and ok.by in err.value.message
    assert written(db) == before
    with db.engine.connect() as conn:
        ev = conn.execute(text("SELECT kind, seats, counter FROM booking_events "
                               "WHERE kind = 'ticket_checked_in'")).one()
    assert tuple(ev) == ("ticket_checked_in", ["C5"], "Door A")
    # the other seat of the same booking is its own ticket
    checkin.check_in(db, code_for(db, sold.id, "C6"), show_id=show.id)
    assert checkin.checked_in_seats(db, show.id) == {"C5", "C6"}


def test_refusals_are_clear_and_write_nothing(db: Database, show: shows.ShowView,
                                             hall: shows.HallView) -> None:
    key = ticket_key(db)
    other = shows.create_show(db, "Other Show", tomorrow(hours=3), hall=hall.id)
    on_other = booking.sell(db, other.id, ["A2"], clerk="alice")
    to_cancel = booking.sell(db, show.id, ["B2"], clerk="alice")
    cancelled_code = code_for(db, to_cancel.id, "B2")
    booking.cancel(db, to_cancel.id, clerk="manager")
    exchanged = booking.sell(db, show.id, ["B5"], clerk="alice")
    old_code = code_for(db, exchanged.id, "B5")
    exchange(db, exchanged.id, ["B6"], clerk="alice")
    held = booking.hold(db, show.id, ["B8"], clerk="alice")
    genuine = code_for(db, exchanged.id, "B6")
    cases = [
        (payload.encode(key, show.id, 999_999, "B3"), checkin.UnknownTicket, "UNKNOWN TICKET"),
        (cancelled_code, checkin.TicketCancelled, "CANCELLED"),
        (code_for(db, on_other.id, "A2"), checkin.WrongShow, "“Other Show”"),
        (old_code, checkin.TicketVoid, "VOID"),
        (payload.encode(key, show.id, held.id, "B8"), checkin.TicketNotSold, "NOT PAID"),
        (genuine[:-1] + ("0" if genuine[-1] != "0" else "1"), payload.BadTicketCode, "forged"),
        (genuine.replace(".B6.", ".B7."), payload.BadTicketCode, "mistyped"),
        ("4006381333931", payload.BadTicketCode, "not a BoxOffice ticket"),
    ]
    before = written(db)
    for code, error, words in cases:
        with pytest.raises(error) as err:
            checkin.check_in(db, code, show_id=show.id)
        assert words in err.value.message, (code, err.value.message)
    assert written(db) == before
    assert checkin.checked_in_seats(db, show.id) == set()
    checkin.check_in(db, genuine, show_id=show.id)  # the exchanged booking's new ticket


def test_a_viewer_login_can_check_in_but_not_sell(db: Database, show: shows.ShowView) -> None:
    sold = booking.sell(db, show.id, ["D1"], clerk="alice")
    code = code_for(db, sold.id, "D1")
    with staff_login(db, "viewer") as (door, name):
        ok = checkin.check_in(door, code, show_id=show.id, door="Door B")
        assert ok.by == name
        assert checkin.checked_in_seats(door, show.id) == {"D1"}
        with pytest.raises(NotAllowed):
            booking.sell(door, show.id, ["D2"], clerk=name)
        # nor write a check-in, or read the key's table, around the function
        for statement in ("INSERT INTO ticket_checkins (show_id, booking_id, seat_number) "
                          f"VALUES ({show.id}, {sold.id}, 'D1')",
                          "SELECT value FROM boxoffice_secrets",
                          "DELETE FROM ticket_checkins"):
            with pytest.raises(NotAllowed), door.engine.begin() as conn:
                conn.execute(text(statement))


def test_two_doors_scanning_the_same_ticket_let_it_in_once(db_url: str, db: Database,
                                                          show: shows.ShowView) -> None:
    from concurrent.futures import ThreadPoolExecutor

    sold = booking.sell(db, show.id, ["E3"], clerk="alice")
    code = code_for(db, sold.id, "E3")
    doors = [open_db(db_url) for _ in range(4)]
    try:
        def scan(d: Database) -> str:
            try:
                checkin.check_in(d, code, show_id=show.id)
                return "in"
            except checkin.AlreadyCheckedIn:
                return "refused"

        with ThreadPoolExecutor(4) as pool:
            results = sorted(pool.map(scan, doors))
    finally:
        for d in doors:
            d.dispose()
    assert results == ["in", "refused", "refused", "refused"]


def test_a_refunded_seat_sold_again_lets_the_new_ticket_in(db: Database,
                                                           show: shows.ShowView) -> None:
    first = booking.sell(db, show.id, ["G4"], clerk="alice")
    first_code = code_for(db, first.id, "G4")
    checkin.check_in(db, first_code, show_id=show.id)
    assert checkin.checked_in_seats(db, show.id) == {"G4"}
    booking.cancel(db, first.id, clerk="manager")  # the guest left and got a refund
    assert checkin.checked_in_seats(db, show.id) == set()
    assert checkin.checkin_counts(db, show.id) == checkin.CheckInCounts(0, 0)
    with pytest.raises(checkin.TicketCancelled):
        checkin.check_in(db, first_code, show_id=show.id)
    second = booking.sell(db, show.id, ["G4"], clerk="alice")
    ok = checkin.check_in(db, code_for(db, second.id, "G4"), show_id=show.id)
    assert ok.booking_id == second.id
    assert checkin.checked_in_seats(db, show.id) == {"G4"}
    with pytest.raises(checkin.AlreadyCheckedIn):
        checkin.check_in(db, code_for(db, second.id, "G4"), show_id=show.id)


def test_a_refunded_seat_is_called_refunded_not_exchanged(db: Database,
                                                          show: shows.ShowView) -> None:
    from boxoffice.money.refunds import cancel_seats

    sold = booking.sell(db, show.id, ["H1", "H2", "H3"], clerk="alice")
    refunded, kept = code_for(db, sold.id, "H1"), code_for(db, sold.id, "H2")
    old = code_for(db, sold.id, "H3")
    cancel_seats(db, sold.id, ["H1"], clerk="manager", reason="guest could not come")
    exchange(db, sold.id, ["H2", "H4"], clerk="alice")  # H3 moved to H4
    with staff_login(db, "viewer") as (door, _):  # the door's login reads the history too
        with pytest.raises(checkin.SeatRefunded) as err:
            checkin.check_in(door, refunded, show_id=show.id)
        assert "REFUNDED" in err.value.message and "H1" in err.value.message
        assert "exchanged" not in err.value.message
        with pytest.raises(checkin.TicketVoid) as void:
            checkin.check_in(door, old, show_id=show.id)
        assert "exchanged" in void.value.message
        assert checkin.check_in(door, kept, show_id=show.id).seat == "H2"
