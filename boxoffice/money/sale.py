"""Selling for money: price the seats, confirm the hold and take the payment at once.

The seat lock never waits for money: seats are held by the locked transaction as ever
(``booking.book``), and ``boxoffice_pay`` (migration 0005) then confirms the hold,
copies each seat's category, ticket type and price into the booking and records the
payment, all in one transaction on the booking's row lock. A confirm that fails (the
hold expired, a price is missing, too little cash) records no payment.

A sale is checked once (``sale_request``), priced from one read of the plan before any
seat is held, held in one round trip and paid in one more, whose answer carries the
booking and its tickets as they now are: three round trips, nothing read twice.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

import psycopg
from psycopg.rows import dict_row
from sqlalchemy import text

from boxoffice import booking, validation
from boxoffice.db import Database
from boxoffice.errors import BookingNotFound, InvalidRequest, RequestRefused
from boxoffice.money.amounts import Currency, amount
from boxoffice.money.prices import PAYMENT_METHODS, PricePlan, price_plan
from boxoffice.money.tender import too_little
from boxoffice.records import BOOKING_COLUMNS, BookingRecord
from boxoffice.statuses import BookingStatus, TicketStatus

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class TicketLine:
    """One seat's ticket: its category, type and price (None: no price for it yet)."""

    seat: str
    category: str | None
    ticket_type: str
    price: int | None
    refunded: bool = False


@dataclass(frozen=True, slots=True)
class Quote:
    """What the selected seats cost with the chosen types, before anything is written."""

    show_id: int
    currency: Currency
    lines: tuple[TicketLine, ...]

    @property
    def total(self) -> int:
        return sum(line.price or 0 for line in self.lines)

    @property
    def unpriced(self) -> tuple[TicketLine, ...]:
        return tuple(line for line in self.lines if line.price is None)


@dataclass(frozen=True, slots=True)
class Payment:
    """How the customer pays. ``tendered`` (cash only, minor units) gives the change."""

    method: str
    tendered: int | None = None
    reference: str | None = None


@dataclass(frozen=True, slots=True)
class PaidSale:
    booking: BookingRecord
    currency: Currency
    lines: tuple[TicketLine, ...]
    total: int
    method: str | None
    tendered: int | None
    change_due: int | None
    payment_id: int | None


@dataclass(frozen=True, slots=True)
class MoneyRecord:
    """One payment or refund of a booking, as the bookings window lists it."""

    id: int
    kind: str
    method: str
    amount: int
    tendered: int | None
    change_due: int | None
    reference: str | None
    user_name: str
    counter: str | None
    created_at: datetime


@dataclass(frozen=True, slots=True)
class BookingMoney:
    """A booking's tickets and money: what was paid, what went back.

    ``records`` are the payments this login may see (row-level security shows a clerk
    only their own); ``paid`` and ``refunded`` are the totals over every till
    (``boxoffice_booking_paid``), so money another clerk took never reads as zero.
    """

    booking_id: int
    currency: Currency
    tickets: tuple[TicketLine, ...]
    records: tuple[MoneyRecord, ...]
    paid: int = 0
    refunded: int = 0

    @property
    def paid_elsewhere(self) -> int:
        """What was paid at tills whose payment rows this login may not see."""
        return self.paid - sum(r.amount for r in self.records if r.kind == "payment")

    @property
    def sold_value(self) -> int:
        return sum(t.price or 0 for t in self.tickets if not t.refunded)


def ticket_choices(tickets: object, limit: int) -> dict[str, str]:
    """``{seat: ticket type}`` checked: real seat labels, each once, types named."""
    if not isinstance(tickets, Mapping) or not tickets:
        raise InvalidRequest("Give each seat a ticket type, e.g. {'C7': 'Adult'}.",
                             field="tickets")
    seats = validation.seat_labels(list(tickets.keys()), limit)
    return {seat: validation.name(tickets[raw], "ticket type")
            for seat, raw in zip(seats, tickets.keys(), strict=True)}


def payment_in(payment: object) -> Payment | None:
    if payment is None:
        return None
    if not isinstance(payment, Payment):
        raise InvalidRequest("The payment must say how the customer pays.", field="payment")
    if payment.method not in PAYMENT_METHODS:
        raise InvalidRequest(f"A payment is by {', '.join(PAYMENT_METHODS)}; "
                             f"not {payment.method!r}.", field="payment")
    tendered = None if payment.tendered is None else amount(payment.tendered, "amount given",
                                                            limit=2_000_000_000)
    if tendered is not None and payment.method != "cash":
        raise InvalidRequest("An amount given is only recorded for cash.", field="payment")
    reference = validation.optional_name(payment.reference, "payment reference")
    if payment.method == "voucher" and reference is None:  # boxoffice_pay refuses it too
        raise InvalidRequest("Type the voucher's code: a voucher payment is recorded with it.",
                             field="payment")
    return Payment(payment.method, tendered, reference)


@dataclass(frozen=True, slots=True)
class PayRequest:
    """Paying for a hold, checked (``pay_request``): sent as it is, however often."""

    booking_id: int
    tickets: tuple[tuple[str, str], ...]  # (seat, ticket type)
    payment: Payment | None
    clerk: str
    counter: str | None
    customer: str | None


@dataclass(frozen=True, slots=True)
class SaleRequest:
    """A sale for money, checked (``sale_request``): the hold it starts with, the tickets
    and the payment."""

    hold: booking.BookRequest
    tickets: tuple[tuple[str, str], ...]
    payment: Payment | None


def pay_request(db: Database, booking_id: int, tickets: Mapping[str, str],
                payment: Payment | None, *, clerk: str, counter: str | None = None,
                customer: str | None = None) -> PayRequest:
    """Check a payment for a hold before anything is sent (InvalidRequest if bad)."""
    booking_id = validation.positive_id(booking_id, "booking")
    chosen = ticket_choices(tickets, db.settings.max_seats_per_booking)
    return PayRequest(booking_id, tuple(chosen.items()), payment_in(payment),
                      validation.name(clerk, "clerk"),
                      validation.optional_name(counter, "counter"),
                      validation.optional_name(customer, "customer name"))


def sale_request(db: Database, show_id: int, tickets: Mapping[str, str],
                 payment: Payment | None, *, clerk: str, customer: str | None = None,
                 counter: str | None = None, request_key: str | None = None) -> SaleRequest:
    """Check a sale for money before anything is sent (InvalidRequest if bad)."""
    chosen = ticket_choices(tickets, db.settings.max_seats_per_booking)
    pay_in = payment_in(payment)
    held = booking.book_request(db, show_id, list(chosen), "PENDING", clerk=clerk,
                                customer=customer, counter=counter, request_key=request_key)
    return SaleRequest(held, tuple(chosen.items()), pay_in)


def quote(db: Database, show_id: int, tickets: Mapping[str, str]) -> Quote:
    """Price seats for the panel: read-only, the same rule ``boxoffice_pay`` applies."""
    show_id = validation.positive_id(show_id, "show")
    chosen = ticket_choices(tickets, db.settings.max_seats_per_booking)
    plan = price_plan(db, show_id)
    _refuse_unknown_types(plan, chosen.values())
    return price_tickets(plan, chosen)


def _refuse_unknown_types(plan: PricePlan, types: Iterable[str]) -> None:
    unknown = sorted(set(types) - (plan.on_sale or frozenset()))
    if unknown:
        raise RequestRefused(f"There is no ticket type called {', '.join(unknown)}.")


def price_tickets(plan: PricePlan, tickets: Mapping[str, str]) -> Quote:
    """Price seats from a plan already in hand, by the rule ``boxoffice_pay`` applies; the
    counter re-prices every change of its lines this way, without a round trip."""
    return Quote(plan.show_id, plan.currency,
                 tuple(TicketLine(seat, plan.category_of(seat), kind, plan.price(seat, kind))
                       for seat, kind in tickets.items()))


# The payment and the booking as it then is, in one simple-protocol message (one round
# trip, one implicit transaction): boxoffice_pay answers with the outcome, the total and
# the change; the booking's new state and its tickets are read in the next statement,
# which sees what the function wrote. A refusal raised by the function stops the message.
_PAY = ("SELECT outcome, status, total, change_due, payment_id FROM boxoffice_pay("
        "%(b)s, %(tickets)s::jsonb, %(method)s, %(tendered)s, %(reference)s, %(clerk)s, "
        "%(counter)s, %(customer)s); "
        f"SELECT {BOOKING_COLUMNS}, v.currency, v.minor_units, "
        "coalesce((SELECT jsonb_agg(jsonb_build_object('seat', t.seat_number, "
        "'category', t.category, 'type', t.ticket_type, 'price', t.price) "
        "ORDER BY t.seat_number) FROM booking_tickets t "
        "WHERE t.booking_id = b.id AND t.status = 'SOLD'), '[]') AS tickets "
        "FROM bookings b, venue_settings v WHERE b.id = %(b)s")


def pay(db: Database, booking_id: int, tickets: Mapping[str, str], payment: Payment | None, *,
        clerk: str, counter: str | None = None, customer: str | None = None) -> PaidSale:
    """Confirm a hold and record its tickets and payment in one transaction.

    Raises:
        HoldExpired: the hold ran out; nothing was paid.
        WrongBookingState: not a hold (already sold, released...).
        RequestRefused: a missing price, too little cash, seats not matching the hold;
            the hold stays as it was.
    """
    return pay_checked(db, pay_request(db, booking_id, tickets, payment, clerk=clerk,
                                       counter=counter, customer=customer))


def pay_checked(db: Database, req: PayRequest) -> PaidSale:
    """``pay`` for a request already checked: one round trip."""
    pay_in = req.payment
    method = pay_in.method if pay_in else None
    tendered = pay_in.tendered if pay_in else None
    params: dict[str, object] = {
        "b": req.booking_id,
        "tickets": json.dumps([{"seat": s, "type": t} for s, t in req.tickets]),
        "method": method, "tendered": tendered,
        "reference": pay_in.reference if pay_in else None, "clerk": req.clerk,
        "counter": req.counter, "customer": req.customer}
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT")  # reset when checked in
        driver = conn.connection.driver_connection
        assert isinstance(driver, psycopg.Connection)
        try:
            # Client-side binding: two statements need the simple query protocol.
            with psycopg.ClientCursor(driver, row_factory=dict_row) as cur:
                cur.execute(_PAY, params)
                r = cur.fetchone()
                cur.nextset()
                row = cur.fetchone()
        except psycopg.Error as exc:
            booking.driver_failed(conn, exc)
    assert r is not None
    booking.refuse_outcome(r["outcome"], r["status"], req.booking_id, "paid for")
    assert row is not None
    total = r["total"]
    if total == 0:  # free tickets: no money moved, so no method and no change
        method = tendered = None
    view = BookingRecord(
        id=row["id"], show_id=row["show_id"], status=row["status"], seats=tuple(row["seats"]),
        seats_requested=row["seats_requested"], user_name=row["user_name"],
        customer_name=row["customer_name"], counter=row["counter"],
        hold_deadline=row["hold_deadline"], request_key=row["request_key"],
        created_at=row["created_at"], updated_at=row["updated_at"])
    currency = Currency(row["currency"], row["minor_units"])
    lines = tuple(TicketLine(t["seat"], t["category"], t["type"], t["price"])
                  for t in row["tickets"])
    log.info("paid booking %s on show %s: %s by %s", req.booking_id, view.show_id,
             currency.format(total), method or "nothing",
             extra={"booking_id": req.booking_id, "show_id": view.show_id})
    return PaidSale(view, currency, lines, total, method, tendered, r["change_due"],
                    r["payment_id"])


def sell(db: Database, show_id: int, tickets: Mapping[str, str], payment: Payment | None, *,
         clerk: str, customer: str | None = None, counter: str | None = None,
         request_key: str | None = None) -> PaidSale:
    """Sell seats for money at once: hold them (the locked transaction), then pay.

    If the payment is refused the hold is released again, so nothing stays behind.
    A retried request key answers with the sale it made.
    """
    return sell_checked(db, sale_request(db, show_id, tickets, payment, clerk=clerk,
                                         customer=customer, counter=counter,
                                         request_key=request_key))


def sell_checked(db: Database, req: SaleRequest, *, look_back: bool = True) -> PaidSale:
    """``sell`` for a request already checked: read the plan, hold, pay (three round
    trips). ``look_back`` as in ``booking.book``."""
    held_req = req.hold
    chosen = dict(req.tickets)
    plan = price_plan(db, held_req.show_id)
    _refuse_unknown_types(plan, chosen.values())
    refuse_unpayable(price_tickets(plan, chosen), req.payment)
    held = booking.book(db, held_req, look_back=look_back)
    if held.status == BookingStatus.CONFIRMED:  # a replayed request that was paid already
        return paid_sale(db, held.id)
    try:
        return pay_checked(db, PayRequest(held.id, req.tickets, req.payment, held_req.clerk,
                                          held_req.counter, held_req.customer))
    except InvalidRequest:
        booking.release(db, held.id, clerk=held_req.clerk, counter=held_req.counter)
        raise


def refuse_unpayable(q: Quote, pay_in: Payment | None) -> None:
    """Refuse before any seat is held what ``boxoffice_pay`` would refuse after."""
    if q.unpriced:
        line = q.unpriced[0]
        raise RequestRefused(f"There is no price for {line.ticket_type} in {line.category} "
                             f"(seat {line.seat}) at this show. Ask a manager to set it.")
    if q.total > 0 and pay_in is None:
        raise RequestRefused(f"Choose how the customer pays {q.currency.format(q.total)} "
                             "(cash, card, voucher or invoice).")
    short = too_little(q.currency, q.total, pay_in.tendered if pay_in is not None else None)
    if short is not None:
        raise RequestRefused(short)


def paid_sale(db: Database, booking_id: int) -> PaidSale:
    """A paid booking as ``pay`` answered it (for reprints and replays)."""
    money = booking_money(db, booking_id)
    view = booking.get_booking(db, booking_id)
    first = next((r for r in money.records if r.kind == "payment"), None)
    return PaidSale(view, money.currency, money.tickets, money.paid,
                    first.method if first else None, first.tendered if first else None,
                    first.change_due if first else None, first.id if first else None)


def booking_money(db: Database, booking_id: int) -> BookingMoney:
    booking_id = validation.positive_id(booking_id, "booking")
    with db.engine.connect() as conn:
        if conn.execute(text("SELECT 1 FROM bookings WHERE id = :b"),
                        {"b": booking_id}).first() is None:
            raise BookingNotFound(booking_id)
        cur = conn.execute(text("SELECT currency, minor_units FROM venue_settings")).one()
        tickets = conn.execute(text(
            "SELECT seat_number, category, ticket_type, price, status FROM booking_tickets "
            "WHERE booking_id = :b ORDER BY status DESC, seat_number"), {"b": booking_id}).all()
        records = conn.execute(text(
            "SELECT id, kind, method, amount, tendered, change_due, reference, user_name, "
            "counter, created_at FROM payments WHERE booking_id = :b ORDER BY id"),
            {"b": booking_id}).all()
        totals = conn.execute(text("SELECT * FROM boxoffice_booking_paid(:b)"),
                              {"b": booking_id}).one()
    return BookingMoney(
        booking_id, Currency(cur.currency, cur.minor_units),
        tuple(TicketLine(t.seat_number, t.category, t.ticket_type, t.price,
                         t.status == TicketStatus.REFUNDED) for t in tickets),
        tuple(MoneyRecord(**dict(r._mapping)) for r in records),
        totals.paid, totals.refunded)
