"""Standing areas sell by quantity through the locked transaction; the database itself
refuses a place beyond capacity, whoever asks and however many ask at once."""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor

import psycopg
import pytest
from sqlalchemy import exc, text

from boxoffice import booking, expiry, shows
from boxoffice.audit import violations
from boxoffice.charts import Chart, Level, Row, Section, StandingArea
from boxoffice.charts.model import ChartSeat
from boxoffice.db import Database, libpq_url
from boxoffice.errors import RequestRefused, UnknownSeats
from tests.charts.standing_worker import standing_counter
from tests.dbutil import tomorrow

CLIENTS = 16
SECONDS = 5.0


def club(capacity: int) -> Chart:
    seats = tuple(ChartSeat(f"VIP-{n}", str(n), float(n * 20), 0.0) for n in range(1, 5))
    return Chart("Club", (Level("", (
        Section("VIP", (Row("A", seats),)),
        Section("Floor", (), (StandingArea("FLOOR", "Dance floor", capacity, 100, 200),)),
    )),))


@pytest.fixture
def club_show(db: Database) -> int:
    hall = shows.create_hall(db, "Club", club(20))
    assert hall.total_seats == 24
    return shows.create_show(db, "Late night", tomorrow(), hall=hall.id).id


def taken(db: Database, show: int) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text(
            "SELECT count(*) FROM seats_taken_now WHERE show_id = :s AND seat_number LIKE "
            "'FLOOR#%'"), {"s": show}).scalar_one())


def test_sell_hold_expire_cancel_and_refuse_beyond_capacity(db: Database,
                                                            club_show: int) -> None:
    sold = booking.sell_standing(db, club_show, "FLOOR", 4, clerk="ann")
    assert sold.seats == ("FLOOR#1", "FLOOR#2", "FLOOR#3", "FLOOR#4")
    held = booking.hold_standing(db, club_show, "FLOOR", 10, clerk="ann")
    assert held.status == "PENDING" and taken(db, club_show) == 14
    with pytest.raises(RequestRefused, match="Only 6 standing place"):
        booking.sell_standing(db, club_show, "FLOOR", 7, clerk="bob")
    assert taken(db, club_show) == 14
    # The hold runs out: its places are free for the next sale, before the expiry job.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1 second' "
                          "WHERE id = :b"), {"b": held.id})
    again = booking.sell_standing(db, club_show, "FLOOR", 16, clerk="bob")
    assert len(again.seats) == 16 and taken(db, club_show) == 20
    assert booking.get_booking(db, held.id).status == "FAILED"
    booking.cancel(db, sold.id, clerk="ann")
    assert taken(db, club_show) == 16
    last = booking.sell_standing(db, club_show, "FLOOR", 4, clerk="cy")
    assert sorted(last.seats) == sorted(sold.seats)
    with pytest.raises(RequestRefused, match="Only 0 standing place"):
        booking.sell_standing(db, club_show, "FLOOR", 1, clerk="cy")
    with pytest.raises(UnknownSeats):
        booking.sell_standing(db, club_show, "BALCONY", 1, clerk="cy")
    with db.engine.connect() as conn:
        assert violations(conn) == {}


@pytest.fixture
def clerk_login(db: Database) -> Iterator[str]:
    from boxoffice import staff

    name = "t_standing_clerk"
    staff.add_staff(db, name, "clerk", "correct horse battery")
    yield name
    with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
        admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def test_raw_sql_on_a_clerk_login_cannot_sell_beyond_capacity(db: Database, club_show: int,
                                                              clerk_login: str) -> None:
    booking.sell_standing(db, club_show, "FLOOR", 20, clerk="ann")
    from sqlalchemy import make_url

    url = make_url(libpq_url(db.url)).set(username=clerk_login, password=None)
    with psycopg.connect(url.render_as_string(hide_password=False), autocommit=True) as conn:
        beyond = conn.execute(
            "SELECT outcome FROM boxoffice_book(%s, ARRAY['FLOOR#21'], 'CONFIRMED', %s, NULL, "
            "NULL, 600, NULL)", (club_show, clerk_login)).fetchone()
        assert beyond == ("unknown",)
        again = conn.execute(
            "SELECT outcome FROM boxoffice_book(%s, ARRAY['FLOOR#7'], 'CONFIRMED', %s, NULL, "
            "NULL, 600, NULL)", (club_show, clerk_login)).fetchone()
        assert again == ("taken",)
        with pytest.raises(psycopg.Error) as err:
            conn.execute("SELECT * FROM boxoffice_book_standing(%s, 'FLOOR', 1, 'CONFIRMED', "
                         "%s, NULL, NULL, 600)", (club_show, clerk_login))
        assert err.value.sqlstate == "BO003"
        with pytest.raises(psycopg.Error) as err:
            conn.execute("INSERT INTO booking_seats (booking_id, show_id, seat_number) "
                         "SELECT id, show_id, 'FLOOR#21' FROM bookings LIMIT 1")
        assert err.value.sqlstate == "42501"
    # The owner, past every function, still meets the constraints.
    with pytest.raises(exc.IntegrityError) as ierr, db.engine.begin() as conn:
        conn.execute(text("INSERT INTO booking_seats (booking_id, show_id, seat_number) "
                          "SELECT id, show_id, 'FLOOR#21' FROM bookings LIMIT 1"))
    assert ierr.value.orig.sqlstate == "23503"  # type: ignore[union-attr]
    assert taken(db, club_show) == 20


@pytest.mark.slow
def test_sixteen_processes_never_oversell_the_last_places(db: Database) -> None:
    capacity = 60
    hall = shows.create_hall(db, "Hot club", club(capacity))
    show = shows.create_show(db, "Sold out", tomorrow(), hall=hall.id).id
    runner = expiry.ExpiryRunner(db, interval=0.5)
    runner.start()
    start_at = time.time() + 4.0
    ctx = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(CLIENTS, mp_context=ctx) as pool:
            futures = [pool.submit(standing_counter, db.url, show, "FLOOR", seed, SECONDS,
                                   start_at) for seed in range(CLIENTS)]
            results = [f.result(timeout=120) for f in futures]
    finally:
        runner.stop()
    booked = {bid: seats for r in results for bid, seats in r["booked"].items()}
    refused = sum(r["refused"] for r in results)
    print(f"\nstanding: {len(booked)} bookings, {refused} refusals")
    assert refused > 0 and len(booked) >= capacity // 4
    with db.engine.connect() as conn:
        assert violations(conn) == {}
        live = conn.execute(text(
            "SELECT count(*), count(DISTINCT seat_number) FROM seats_taken_now "
            "WHERE show_id = :s"), {"s": show}).one()
        owned = conn.execute(text(
            "SELECT count(*) FROM booking_seats WHERE show_id = :s"), {"s": show}).scalar_one()
    assert live[0] == live[1] <= capacity
    assert owned <= capacity
    # Every place any client was told it had was a real place of the area.
    assert {p for seats in booked.values() for p in seats} <= {
        f"FLOOR#{n}" for n in range(1, capacity + 1)}


def test_standing_places_are_paid_refunded_and_exchanged_like_seats(db: Database) -> None:
    from dataclasses import replace

    from boxoffice import money
    from boxoffice.charts import Category
    from boxoffice.exchange import exchange
    from boxoffice.money import Payment, PriceCategory

    base = club(30)
    floor = base.levels[0].sections[1]
    area = replace(floor.standing[0], category="Floor")
    chart = replace(base, categories=(Category("VIP"), Category("Floor")), levels=(
        Level("", (base.levels[0].sections[0], replace(floor, standing=(area,)))),))
    hall = shows.create_hall(db, "Priced club", chart)
    show = shows.create_show(db, "Paid night", tomorrow(), hall=hall.id).id
    assert money.price_plan(db, show).category_of("FLOOR#30") == "Floor"
    money.set_price_plan(db, show, [
        PriceCategory("VIP", {"Adult": 5000}, seats=tuple(s.id for s in chart.seats())),
        PriceCategory("Floor", {"Adult": 1500}, seats=tuple(area.place_ids()))])
    held = booking.hold_standing(db, show, "FLOOR", 3, clerk="ann")
    paid = money.pay(db, held.id, dict.fromkeys(held.seats, "Adult"),
                     Payment("cash", tendered=5000), clerk="ann")
    assert paid.total == 4500 and paid.change_due == 500
    refund = money.cancel_seats(db, held.id, [held.seats[0]], clerk="ann")
    assert refund.amount == 1500
    assert taken(db, show) == 2
    moved = exchange(db, held.id, [held.seats[1], "FLOOR#30"], clerk="ann")
    assert sorted(moved.seats) == sorted([held.seats[1], "FLOOR#30"])
    assert taken(db, show) == 2
    with db.engine.connect() as conn:
        assert violations(conn) == {}
