"""Any interleaving of booking operations agrees with a tiny model of the hall.

Hypothesis drives show setup, sell, hold, confirm, release, cancel, exchange and expiry
(deadlines forced into the past with SQL, then ``expire_holds``) against a real
database, one fresh database per example, and after every step compares each booking's
status and seats with an in-memory model, and runs ``boxoffice check``'s audit.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    initialize,
    invariant,
    multiple,
    rule,
    run_state_machine_as_test,
)
from sqlalchemy import text

from boxoffice import booking, expiry, money, shows
from boxoffice.audit import violations
from boxoffice.errors import (
    BlockedSeats,
    HoldExpired,
    RequestRefused,
    SeatsTaken,
    UnknownSeats,
    WrongBookingState,
)
from boxoffice.exchange import exchange
from boxoffice.layout import Layout
from tests import dbutil

LAYOUT = Layout.grid(2, 5, blocked=["A1"])
SELLABLE = [f"{r}{n}" for r in "AB" for n in range(1, 6) if f"{r}{n}" != "A1"]
ASKABLE = [*SELLABLE, "A1", "Z9"]  # a blocked seat and one that does not exist
seat_lists = st.lists(st.sampled_from(ASKABLE), min_size=1, max_size=3, unique=True)
good_seat_lists = st.lists(st.sampled_from(SELLABLE), min_size=1, max_size=3, unique=True)
PRICES = {"Adult": 1000, "Child": 400}
PLAN = [money.PriceCategory("Stalls", PRICES)]


@dataclass
class Booked:
    show: int
    status: str
    seats: set[str] = field(default_factory=set)
    expired: bool = False
    tickets: dict[str, int] = field(default_factory=dict)  # paid seat → its price

    @property
    def kept(self) -> int:
        """Money kept for this booking: paid minus refunded."""
        return sum(self.tickets.values())


class HallMachine(RuleBasedStateMachine):
    shows_ = Bundle("shows")
    bookings_ = Bundle("bookings")

    def __init__(self, admin: str, template: str) -> None:
        super().__init__()
        self.admin = admin
        self.name = dbutil.fresh_name()
        self.db = dbutil.open_db(dbutil.create_database(admin, self.name, template=template))
        self.hall = shows.create_hall(self.db, "Model Hall", LAYOUT).id
        self.model: dict[int, Booked] = {}

    def teardown(self) -> None:
        self.db.dispose()
        dbutil.drop_database(self.admin, self.name)

    # -- the model's own rules -----------------------------------------------------------

    def owner(self, show: int, seat: str) -> int | None:
        for bid, b in self.model.items():
            if b.show == show and seat in b.seats:
                return bid
        return None

    def refusal(self, show: int, seats: list[str], me: int | None = None
                ) -> type[Exception] | list[str] | None:
        if "Z9" in seats:
            return UnknownSeats
        if "A1" in seats:
            return BlockedSeats
        taken = sorted(s for s in seats if self.owner(show, s) not in (None, me))
        return taken or None

    # -- rules -----------------------------------------------------------------------

    @initialize(target=shows_)
    def first_show(self) -> int:
        made = shows.create_show(self.db, "Opening", dbutil.tomorrow(), hall=self.hall).id
        money.set_price_plan(self.db, made, PLAN)
        return made

    @rule(target=shows_, hours=st.integers(1, 48))
    def another_show(self, hours: int) -> int:
        made = shows.create_show(self.db, f"Show +{hours}h", dbutil.tomorrow(hours),
                                 hall=self.hall).id
        money.set_price_plan(self.db, made, PLAN)
        return made

    @rule(target=bookings_, show=shows_, seats=seat_lists, sell=st.booleans())
    def book(self, show: int, seats: list[str], sell: bool) -> object:
        expected = self.refusal(show, seats)
        fn = booking.sell if sell else booking.hold
        try:
            made = fn(self.db, show, seats, clerk="model")
        except (UnknownSeats, BlockedSeats) as exc:
            assert type(exc) is expected, (exc, expected)
            return multiple()
        except SeatsTaken as exc:
            assert list(exc.taken) == expected, (exc.taken, expected)
            assert exc.booking_id is not None
            self.model[exc.booking_id] = Booked(show, "FAILED")
            return multiple()
        assert expected is None, (seats, expected)
        assert made.status == ("CONFIRMED" if sell else "PENDING")
        self.model[made.id] = Booked(show, made.status, set(seats))
        return made.id

    @rule(bid=bookings_)
    def confirm(self, bid: int) -> None:
        b = self.model[bid]
        try:
            booking.confirm(self.db, bid, clerk="model")
        except HoldExpired:
            assert b.expired
            return
        except WrongBookingState as exc:
            assert b.status != "PENDING" and not b.expired and exc.status == b.status
            return
        assert b.status == "PENDING"
        b.status = "CONFIRMED"

    @rule(bid=bookings_)
    def release(self, bid: int) -> None:
        b = self.model[bid]
        try:
            booking.release(self.db, bid, clerk="model")
        except WrongBookingState as exc:
            assert b.status != "PENDING" and exc.status == b.status
            return
        assert b.status == "PENDING"
        b.status, b.seats = "FAILED", set()

    @rule(bid=bookings_)
    def cancel(self, bid: int) -> None:
        b = self.model[bid]
        try:
            booking.cancel(self.db, bid, clerk="model")
        except WrongBookingState as exc:
            assert b.status != "CONFIRMED" and exc.status == b.status
            return
        assert b.status == "CONFIRMED"
        b.status, b.seats, b.tickets = "CANCELLED", set(), {}

    @rule(bid=bookings_, data=st.data())
    def pay(self, bid: int, data: st.DataObject) -> None:
        b = self.model[bid]
        types = {seat: data.draw(st.sampled_from(sorted(PRICES))) for seat in sorted(b.seats)}
        try:
            paid = money.pay(self.db, bid, types or {"B5": "Adult"}, money.Payment("card"),
                             clerk="model")
        except HoldExpired:
            assert b.expired
            return
        except WrongBookingState as exc:
            assert b.status != "PENDING" and not b.expired and exc.status == b.status
            return
        assert b.status == "PENDING"
        b.status, b.tickets = "CONFIRMED", {seat: PRICES[t] for seat, t in types.items()}
        assert paid.total == b.kept

    @rule(bid=bookings_, data=st.data())
    def cancel_some(self, bid: int, data: st.DataObject) -> None:
        b = self.model[bid]
        some = data.draw(st.lists(st.sampled_from(sorted(b.seats)), min_size=1, unique=True)
                         if b.seats else st.just(["B5"]))
        try:
            refund = money.cancel_seats(self.db, bid, some, clerk="model")
        except WrongBookingState as exc:
            assert b.status != "CONFIRMED" and exc.status == b.status
            return
        assert b.status == "CONFIRMED" and set(some) <= b.seats
        assert refund.amount == sum(b.tickets.get(seat, 0) for seat in some)
        b.seats -= set(some)
        b.tickets = {seat: p for seat, p in b.tickets.items() if seat not in some}
        if not b.seats:
            b.status = "CANCELLED"

    @rule(bid=bookings_, seats=good_seat_lists)
    def exchange(self, bid: int, seats: list[str]) -> None:
        b = self.model[bid]
        try:
            exchange(self.db, bid, seats, clerk="model")
        except RequestRefused:
            assert b.tickets and len(seats) != len(b.tickets)
            return
        except WrongBookingState as exc:
            assert b.status not in ("PENDING", "CONFIRMED") and exc.status == b.status
            return
        except SeatsTaken as exc:
            assert b.status in ("PENDING", "CONFIRMED")
            assert list(exc.taken) == self.refusal(b.show, seats, me=bid), exc.taken
            return
        assert b.status in ("PENDING", "CONFIRMED")
        assert self.refusal(b.show, seats, me=bid) is None
        assert not b.tickets or len(seats) == len(b.tickets)
        # paid tickets follow their seats: those given up, in order, become the new ones
        moved = dict(zip(sorted(b.seats - set(seats)), sorted(set(seats) - b.seats),
                         strict=False))
        b.tickets = {moved.get(seat, seat): p for seat, p in b.tickets.items()}
        b.seats = set(seats)

    @rule(data=st.data())
    def expire(self, data: st.DataObject) -> None:
        held = sorted(bid for bid, b in self.model.items() if b.status == "PENDING")
        overdue = data.draw(st.lists(st.sampled_from(held), unique=True) if held
                            else st.just([]))
        with self.db.engine.begin() as conn:
            conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1 second' "
                              "WHERE id = ANY(:ids)"), {"ids": overdue})
        done = expiry.expire_holds(self.db)
        assert done.ran and done.bookings == len(overdue)
        for bid in overdue:
            b = self.model[bid]
            b.status, b.seats, b.expired = "FAILED", set(), True

    # -- after every step ------------------------------------------------------------

    @invariant()
    def database_agrees_with_the_model(self) -> None:
        with self.db.engine.connect() as conn:
            status = dict(conn.execute(text("SELECT id, status FROM bookings")).all())
            seats: dict[int, set[str]] = {}
            for bid, seat in conn.execute(text("SELECT booking_id, seat_number "
                                               "FROM booking_seats")):
                seats.setdefault(bid, set()).add(seat)
            assert violations(conn) == {}
            kept = dict(conn.execute(text(
                "SELECT booking_id, sum(CASE kind WHEN 'payment' THEN amount ELSE -amount END) "
                "FROM payments GROUP BY 1")).all())
        assert status == {bid: b.status for bid, b in self.model.items()}
        assert {bid: v for bid, v in kept.items() if v} == {
            bid: b.kept for bid, b in self.model.items() if b.kept}
        assert seats == {bid: b.seats for bid, b in self.model.items() if b.seats}


@pytest.fixture(scope="module")
def template(pg_admin: str) -> Iterator[str]:
    name = dbutil.build_template(pg_admin)
    yield name
    dbutil.drop_database(pg_admin, name)


def test_any_interleaving_agrees_with_the_model(pg_admin: str, template: str) -> None:
    run_state_machine_as_test(
        lambda: HallMachine(pg_admin, template),
        settings=settings(max_examples=25, stateful_step_count=25, deadline=None,
                          database=None, suppress_health_check=[HealthCheck.too_slow]))
