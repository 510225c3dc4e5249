"""Holds that run out come back by themselves; one runner at a time; confirm vs expiry."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import text

from boxoffice import booking, expiry, seatmap, shows
from boxoffice.db import Database
from boxoffice.errors import HoldExpired
from boxoffice.history import booking_history


def overdue(db: Database, *booking_ids: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1 second' "
                          "WHERE id = ANY(:ids)"), {"ids": list(booking_ids)})


@contextmanager
def expiry_running_in_background(db: Database) -> Iterator[None]:
    """The expiry job sweeping in a tight loop on its own thread for the whole block, so
    the block's confirms or payments race it for holds whose deadlines fall meanwhile."""
    stop = threading.Event()

    def expire_loop() -> None:
        while not stop.is_set():
            expiry.expire_holds(db)

    t = threading.Thread(target=expire_loop)
    t.start()
    try:
        yield
    finally:
        stop.set()
        t.join()


def test_expiry_releases_only_overdue_holds(db: Database, show: shows.ShowView) -> None:
    late = booking.hold(db, show.id, ["B1", "B2"], clerk="ann")
    fresh = booking.hold(db, show.id, ["B3"], clerk="ann")
    sold = booking.sell(db, show.id, ["B4"], clerk="ann")
    overdue(db, late.id)
    result = expiry.expire_holds(db)
    assert result.ran and result.bookings == 1 and result.seats == 2
    assert booking.get_booking(db, late.id).status == "FAILED"
    assert booking.get_booking(db, fresh.id).status == "PENDING"
    assert booking.get_booking(db, sold.id).status == "CONFIRMED"
    ev = booking_history(db, late.id)[-1]
    assert ev.kind == "booking_expired" and sorted(ev.seats) == ["B1", "B2"]
    assert expiry.expire_holds(db).bookings == 0


def test_expiry_works_in_batches(db: Database, show: shows.ShowView) -> None:
    ids = [booking.hold(db, show.id, [f"C{n}"], clerk="ann").id for n in range(1, 8)]
    overdue(db, *ids)
    result = expiry.expire_holds(db, batch_size=3)
    assert result.bookings == 7 and result.batches == 3


def test_expiry_skips_while_another_instance_holds_the_lock(
    db: Database, show: shows.ShowView
) -> None:
    h = booking.hold(db, show.id, ["D1"], clerk="ann")
    overdue(db, h.id)
    with db.engine.connect() as other:
        with other.begin():
            other.execute(text("SELECT pg_advisory_xact_lock(:k)"),
                          {"k": expiry.EXPIRY_LOCK_KEY})
            assert expiry.expire_holds(db) == expiry.ExpiryRound(False)
            assert booking.get_booking(db, h.id).status == "PENDING"
    assert expiry.expire_holds(db).bookings == 1


def test_scheduled_runner_releases_holds_by_itself(db: Database, show: shows.ShowView) -> None:
    h = booking.hold(db, show.id, ["E1"], clerk="ann")
    overdue(db, h.id)
    rounds: list[expiry.ExpiryRound] = []
    done = threading.Event()

    def on_round(r: expiry.ExpiryRound) -> None:
        rounds.append(r)
        if r.bookings:
            done.set()

    runner = expiry.ExpiryRunner(db, interval=0.2, on_round=on_round)
    runner.start()
    try:
        assert done.wait(10), f"no expiry in 10 s; rounds: {rounds}"
    finally:
        runner.stop()
    assert booking.get_booking(db, h.id).status == "FAILED"
    assert seatmap.seat_map(db, show.id).by_label()["E1"].state == "free"


def test_confirm_racing_expiry_has_exactly_one_winner(db: Database, show: shows.ShowView) -> None:
    """Holds whose deadlines fall while a confirm and the expiry job both go for them."""
    labels = [s.label for s in seatmap.seat_map(db, show.id).seats if s.state == "free"]
    holds = [booking.hold(db, show.id, [label], clerk="ann").id for label in labels[:100]]
    # Deadlines spread over the next 0.5 s so confirms and expiry rounds meet them.
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = clock_timestamp() + "
                          "(id % 50) * interval '10 milliseconds' WHERE id = ANY(:ids)"),
                     {"ids": holds})
    outcome: dict[int, str] = {}
    with expiry_running_in_background(db):
        for bid in holds:
            try:
                booking.confirm(db, bid, clerk="ann")
                outcome[bid] = "confirmed"
            except HoldExpired:
                outcome[bid] = "expired"
    # The last deadlines fall within 0.5 s: sweep until no hold is left pending.
    give_up = time.monotonic() + 10
    while _pending(db, holds) and time.monotonic() < give_up:
        expiry.expire_holds(db)
    with db.engine.connect() as conn:
        rows = dict(conn.execute(text("SELECT id, status FROM bookings WHERE id = ANY(:ids)"),
                                 {"ids": holds}).all())
        expired_events = dict(conn.execute(text(
            "SELECT booking_id, count(*) FROM booking_events WHERE kind = 'booking_expired' "
            "AND booking_id = ANY(:ids) GROUP BY booking_id"), {"ids": holds}).all())
    for bid in holds:
        if outcome[bid] == "confirmed":
            assert rows[bid] == "CONFIRMED" and bid not in expired_events
        else:
            assert rows[bid] == "FAILED" and expired_events.get(bid) == 1
    assert set(outcome.values()) <= {"confirmed", "expired"}
    print("confirm vs expiry:", {k: list(outcome.values()).count(k) for k in set(outcome.values())})


def _pending(db: Database, ids: list[int]) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM bookings WHERE id = ANY(:ids) "
                                     "AND status = 'PENDING'"), {"ids": ids}).scalar_one())


def test_payment_racing_expiry_takes_money_only_for_holds_it_confirmed(
        db: Database, show: shows.ShowView) -> None:
    """A hold paid for just as it runs out: either it is sold and paid, or it expired and
    no money was taken — never money for seats that went back on sale."""
    from boxoffice import money

    money.set_price_plan(db, show.id, [money.PriceCategory("Stalls", {"Adult": 1500})])
    labels = [s.label for s in seatmap.seat_map(db, show.id).seats if s.state == "free"]
    holds = {booking.hold(db, show.id, [label], clerk="ann").id: label for label in labels[:60]}
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = clock_timestamp() + "
                          "(id % 60) * interval '40 milliseconds' WHERE id = ANY(:ids)"),
                     {"ids": list(holds)})
    outcome: dict[int, str] = {}
    with expiry_running_in_background(db):
        for bid, seat in holds.items():
            try:
                money.pay(db, bid, {seat: "Adult"}, money.Payment("cash", tendered=2000),
                          clerk="ann")
                outcome[bid] = "paid"
            except HoldExpired:
                outcome[bid] = "expired"
    with db.engine.connect() as conn:
        status = dict(conn.execute(text("SELECT id, status FROM bookings WHERE id = ANY(:ids)"),
                                   {"ids": list(holds)}).all())
        paid = dict(conn.execute(text("SELECT booking_id, sum(amount) FROM payments "
                                      "WHERE booking_id = ANY(:ids) GROUP BY 1"),
                                 {"ids": list(holds)}).all())
    for bid in holds:
        if outcome[bid] == "paid":
            assert status[bid] == "CONFIRMED" and paid[bid] == 1500
        else:
            assert status[bid] != "CONFIRMED" and bid not in paid
    print("pay vs expiry:", {k: list(outcome.values()).count(k) for k in set(outcome.values())})
