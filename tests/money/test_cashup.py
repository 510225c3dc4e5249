"""The cash-up agrees with the bookings: a random day of sales, refunds and expiries,
every total computed from the event log checked against the money tables."""

from __future__ import annotations

import random
import uuid
from collections import Counter, defaultdict
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta, timezone

import psycopg
import pytest
from sqlalchemy import text

from boxoffice import booking, expiry, money, shows, staff
from boxoffice.audit import violations
from boxoffice.db import Database, libpq_url
from boxoffice.errors import NotAllowed, SeatsTaken
from boxoffice.money import Payment, PriceCategory
from tests.test_roles import as_login

PLAN = [
    PriceCategory("Stalls", {"Adult": 2500, "Child": 1250, "Concession": 1800,
                             "Complimentary": 0}),
    PriceCategory("Circle", {"Adult": 3990, "Child": 1995, "Complimentary": 0},
                  seats=tuple(f"{r}{n}" for r in "HIJ" for n in range(1, 13))),
]


def midday_zone() -> timezone:
    """A zone where it is about noon now, so the test's day never straddles midnight."""
    return timezone(timedelta(hours=12 - datetime.now(UTC).hour))


def today_in(tz: timezone) -> date:
    return datetime.now(tz).date()


def free_seats(db: Database, show_id: int) -> list[str]:
    with db.engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT ss.seat_number FROM show_seats ss WHERE ss.show_id = :s AND ss.sellable "
            "AND NOT EXISTS (SELECT 1 FROM booking_seats bs WHERE bs.show_id = ss.show_id "
            "AND bs.seat_number = ss.seat_number)"), {"s": show_id}).scalars())


def a_payment(rng: random.Random, total: int) -> Payment:
    method = rng.choice(["cash", "cash", "card", "voucher", "invoice"])
    if method == "cash":
        return Payment("cash", tendered=rng.choice([None, total, total + rng.randint(1, 5000)]))
    return Payment(method, reference="ref 1" if method != "card" else None)


def play_a_day(db: Database, show_ids: list[int], seed: int) -> dict[str, int]:
    rng = random.Random(seed)
    types = ["Adult", "Child", "Concession", "Complimentary"]
    tallies: Counter[str] = Counter()
    for _ in range(60):
        show_id = rng.choice(show_ids)
        clerk, counter = rng.choice([("ann", "Till 1"), ("ben", "Till 2"), ("ann", "Till 2")])
        seats = rng.sample(free_seats(db, show_id)[:60], rng.randint(1, 4))
        tickets = {s: rng.choice(types) for s in seats}
        q = money.quote(db, show_id, tickets)
        if q.unpriced:  # Concession is not sold in the circle
            tickets = {s: ("Adult" if t == "Concession" else t) for s, t in tickets.items()}
            q = money.quote(db, show_id, tickets)
        action = rng.random()
        try:
            if action < 0.55:
                money.sell(db, show_id, tickets, a_payment(rng, q.total), clerk=clerk,
                           counter=counter)
                tallies["sold"] += 1
            elif action < 0.75:
                held = booking.hold(db, show_id, seats, clerk=clerk, counter=counter)
                money.pay(db, held.id, tickets, a_payment(rng, q.total), clerk=clerk,
                          counter=counter)
                tallies["held then paid"] += 1
            else:
                held = booking.hold(db, show_id, seats, clerk=clerk, counter=counter)
                with db.engine.begin() as conn:
                    conn.execute(text("UPDATE bookings SET hold_deadline = now() "
                                      "- interval '1 s' WHERE id = :b"), {"b": held.id})
                tallies["expired"] += expiry.expire_holds(db).bookings
        except SeatsTaken:
            pytest.fail("the test picks free seats; nothing else sells")
    with db.engine.connect() as conn:
        sales = list(conn.execute(text(
            "SELECT b.id, array_agg(bs.seat_number) AS seats FROM bookings b "
            "JOIN booking_seats bs ON bs.booking_id = b.id WHERE b.status = 'CONFIRMED' "
            "GROUP BY b.id ORDER BY b.id")))
    for sale in rng.sample(sales, min(8, len(sales))):
        method = rng.choice([None, "cash", "card"])
        if len(sale.seats) > 1 and rng.random() < 0.6:
            money.cancel_seats(db, sale.id, sale.seats[:1], clerk="max", counter="Office",
                               method=method)
            tallies["part cancelled"] += 1
        else:
            money.cancel_seats(db, sale.id, None, clerk="max", counter="Office", method=method)
            tallies["cancelled"] += 1
    return dict(tallies)


@pytest.mark.parametrize("seed", [1, 2])
def test_every_cash_up_total_agrees_with_the_bookings(db: Database, hall: shows.HallView,
                                                      seed: int) -> None:
    show_ids = []
    for n in range(2):
        s = shows.create_show(db, f"Show {n}", datetime.now(UTC) + timedelta(days=1 + n),
                              hall=hall.id)
        money.set_price_plan(db, s.id, PLAN)
        show_ids.append(s.id)
    tallies = play_a_day(db, show_ids, seed)
    tz = midday_zone()
    money.record_cash_count(db, today_in(tz), 12345, clerk="ann", counter="Till 1")
    cu = money.cash_up(db, today_in(tz), tz=tz)

    with db.engine.connect() as conn:
        pay = list(conn.execute(text(
            "SELECT kind, method, counter, user_name, count(*) AS n, sum(amount) AS amount "
            "FROM payments GROUP BY 1, 2, 3, 4")))
        sold = {(r.show_id, r.ticket_type): (r.n, r.amount, r.refunded, r.refunded_amount)
                for r in conn.execute(text(
                    "SELECT show_id, ticket_type, count(*) AS n, sum(price) AS amount, "
                    "count(*) FILTER (WHERE status = 'REFUNDED') AS refunded, "
                    "coalesce(sum(price) FILTER (WHERE status = 'REFUNDED'), 0) "
                    "AS refunded_amount FROM booking_tickets GROUP BY 1, 2"))}
        occupied = {r.show_id: r.n for r in conn.execute(text(
            "SELECT b.show_id, count(*) AS n FROM booking_seats bs JOIN bookings b "
            "ON b.id = bs.booking_id WHERE b.status = 'CONFIRMED' GROUP BY 1"))}
        expired = conn.execute(text("SELECT count(*) FROM bookings b WHERE b.status = 'FAILED' "
                                    "AND EXISTS (SELECT 1 FROM booking_events e WHERE "
                                    "e.booking_id = b.id AND e.kind = 'booking_expired')")
                               ).scalar_one()

    assert tallies["sold"] + tallies["held then paid"] > 20, tallies
    # tickets by show and type, sold and refunded
    assert {(t.show_id, t.ticket_type): (t.sold, t.sold_amount, t.refunded, t.refunded_amount)
            for t in cu.tickets} == sold
    # takings and refunds by method
    by_method: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
    for r in pay:
        by_method[(r.kind, r.method)][0] += r.n
        by_method[(r.kind, r.method)][1] += r.amount
    for m in cu.methods:
        if m.method == "none":
            continue
        assert [m.payments, m.taken] == by_method.get(("payment", m.method), [0, 0])
        assert [m.refunds, m.refunded] == by_method.get(("refund", m.method), [0, 0])
    assert cu.taken == sum(r.amount for r in pay if r.kind == "payment")
    assert cu.refunded == sum(r.amount for r in pay if r.kind == "refund")
    # what was paid for the tickets still sold is what the day netted
    assert cu.net == sum(amount - refunded for _, amount, _, refunded in sold.values())
    # per till: cash expected from the payments of that counter and clerk
    for till in cu.tills:
        cash_in = sum(r.amount for r in pay if r.kind == "payment" and r.method == "cash"
                      and r.counter == till.counter and r.user_name == till.clerk)
        cash_out = sum(r.amount for r in pay if r.kind == "refund" and r.method == "cash"
                       and r.counter == till.counter and r.user_name == till.clerk)
        assert till.cash_expected == cash_in - cash_out
    till1 = next(t for t in cu.tills if (t.counter, t.clerk) == ("Till 1", "ann"))
    assert till1.counted == 12345 and till1.difference == 12345 - till1.cash_expected
    assert cu.expired_holds == expired == tallies.get("expired", 0)
    assert {o.show_id: o.sold for o in cu.occupancy if o.sold} == occupied
    assert sum(v for _, v in cu.by_hour) == cu.net
    with db.engine.connect() as conn:
        assert violations(conn) == {}
    # the CSV carries the same totals
    csv_text = money.cash_up_csv(cu)
    assert f",total,,,{cu.tickets_sold}," in csv_text.replace("\r", "")
    assert cu.currency.plain(cu.net) in csv_text


def test_filters_pick_one_till_and_a_day_with_nothing_is_empty(db: Database,
                                                               show: shows.ShowView) -> None:
    money.set_price_plan(db, show.id, PLAN)
    money.sell(db, show.id, {"C1": "Adult"}, Payment("cash", tendered=3000), clerk="ann",
               counter="Till 1")
    money.sell(db, show.id, {"C2": "Child"}, Payment("card"), clerk="ben", counter="Till 2")
    tz = midday_zone()
    ann = money.cash_up(db, today_in(tz), tz=tz, clerk="ann")
    assert ann.taken == 2500 and [t.clerk for t in ann.tills] == ["ann"]
    till2 = money.cash_up(db, today_in(tz), tz=tz, counter="Till 2")
    assert till2.taken == 1250 and till2.tickets_sold == 1
    empty = money.cash_up(db, today_in(tz) - timedelta(days=3), tz=tz)
    assert empty.tickets == () and empty.taken == 0 and empty.tills == ()


@pytest.fixture
def clerks(db: Database) -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:8]
    names = {"ann": f"t{tag}_ann", "ben": f"t{tag}_ben", "max": f"t{tag}_max"}
    for who, login in names.items():
        staff.add_staff(db, login, "manager" if who == "max" else "clerk", "correct horse 1")
    yield names
    with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
        for login in names.values():
            admin.execute(f'DROP OWNED BY "{login}"')
            admin.execute(f'DROP ROLE IF EXISTS "{login}"')


def test_a_clerk_sees_only_their_own_cash_up_and_managers_see_every_till(
        db: Database, show: shows.ShowView, clerks: dict[str, str]) -> None:
    money.set_price_plan(db, show.id, PLAN)
    sessions = {who: as_login(db, login) for who, login in clerks.items()}
    tz = midday_zone()
    day = today_in(tz)
    try:
        # the name sent is ignored for a staff login: the database knows who sold
        money.sell(sessions["ann"], show.id, {"C1": "Adult"}, Payment("cash"), clerk="ben")
        money.sell(sessions["ben"], show.id, {"C2": "Adult", "C3": "Child"}, Payment("card"),
                   clerk="ben")
        money.record_cash_count(sessions["ann"], day, 2500, clerk="someone")
        ann = money.cash_up(sessions["ann"], day, tz=tz)
        assert [t.clerk for t in ann.tills] == [clerks["ann"]] and ann.taken == 2500
        assert ann.tills[0].difference == 0
        snooping = money.cash_up(sessions["ann"], day, tz=tz, clerk=clerks["ben"])
        assert snooping.taken == 0 and snooping.tickets == ()
        with sessions["ann"].engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM payments")).scalar_one() == 1
        manager = money.cash_up(sessions["max"], day, tz=tz)
        assert sorted(t.clerk for t in manager.tills) == sorted([clerks["ann"], clerks["ben"]])
        assert manager.taken == 2500 + 3750
        with pytest.raises(NotAllowed):
            money.set_price_plan(sessions["ann"], show.id, PLAN[:1])
        with pytest.raises(NotAllowed):
            with sessions["ben"].engine.begin() as conn:
                conn.execute(text("INSERT INTO payments (booking_id, show_id, kind, method, "
                                  "amount, user_name) SELECT id, show_id, 'refund', 'cash', "
                                  "100, 'x' FROM bookings LIMIT 1"))
    finally:
        for s in sessions.values():
            s.dispose()


def test_a_till_that_has_not_counted_is_not_a_shortfall(db: Database,
                                                       show: shows.ShowView) -> None:
    money.set_price_plan(db, show.id, PLAN)
    money.sell(db, show.id, {"C1": "Adult"}, Payment("cash"), clerk="ann", counter="Till 1")
    money.sell(db, show.id, {"C2": "Child"}, Payment("cash"), clerk="ben", counter="Till 2")
    tz = midday_zone()
    money.record_cash_count(db, today_in(tz), 2400, clerk="ann", counter="Till 1")
    cu = money.cash_up(db, today_in(tz), tz=tz)
    assert cu.cash_expected == 2500 + 1250 and cu.cash_counted == 2400
    assert cu.cash_difference == -100  # ann's till is short by 1.00; ben has not counted
    assert cu.tills_not_counted == 1 and cu.not_counted_text() == "1 till not counted"


def test_the_tills_of_a_day_are_the_cash_ups_tills(db: Database, show: shows.ShowView) -> None:
    money.set_price_plan(db, show.id, PLAN)
    money.sell(db, show.id, {"C1": "Adult"}, Payment("card"), clerk="ann", counter="Till 1")
    money.sell(db, show.id, {"C2": "Adult"}, Payment("cash"), clerk="ben", counter="Till 2")
    tz = midday_zone()
    money.record_cash_count(db, today_in(tz), 0, clerk="cleo", counter="Till 3")
    tills = money.tills_of_day(db, today_in(tz), tz=tz)
    assert tills == [("Till 1", "ann"), ("Till 2", "ben"), ("Till 3", "cleo")]
    assert tills == [(t.counter, t.clerk) for t in money.cash_up(db, today_in(tz), tz=tz).tills]


def test_an_expired_hold_not_yet_swept_is_not_counted_as_held(db: Database,
                                                              show: shows.ShowView) -> None:
    """The cash-up's occupancy counts seats taken now, as the seat map and the show
    list do: a hold past its deadline is free even before expiry sweeps it away."""
    money.set_price_plan(db, show.id, PLAN)
    money.sell(db, show.id, {"C1": "Adult"}, Payment("card"), clerk="ann", counter="Till 1")
    booking.hold(db, show.id, ["C2", "C3"], clerk="ann", counter="Till 1")
    stale = booking.hold(db, show.id, ["C4", "C5", "C6"], clerk="ann", counter="Till 1")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1 s' "
                          "WHERE id = :b"), {"b": stale.id})
    tz = midday_zone()
    (occ,) = [o for o in money.cash_up(db, today_in(tz), tz=tz).occupancy
              if o.show_id == show.id]
    assert (occ.sold, occ.held) == (1, 2)
    summary = shows.show_summary(db, show.id)
    assert (summary.sold, summary.held) == (occ.sold, occ.held)
