"""Selling for money: price the seats, confirm the hold and take the payment at once.

The seat lock never waits for money: seats are held by the locked transaction as ever
(``booking.hold``), and ``boxoffice_pay`` (migration 0005) then confirms the hold,
copies each seat's category, ticket type and price into the booking and records the
payment, all in one transaction on the booking's row lock. A confirm that fails (the
hold expired, a price is missing, too little cash) records no payment.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from boxoffice import booking, validation
from boxoffice.db import Database
from boxoffice.errors import BookingNotFound, InvalidRequest, RequestRefused
from boxoffice.money.amounts import Currency, amount
from boxoffice.money.prices import PAYMENT_METHODS, PricePlan, list_ticket_types, price_plan
from boxoffice.records import BookingRecord
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


def quote(db: Database, show_id: int, tickets: Mapping[str, str]) -> Quote:
    """Price seats for the panel: read-only, the same rule ``boxoffice_pay`` applies."""
    show_id = validation.positive_id(show_id, "show")
    chosen = ticket_choices(tickets, db.settings.max_seats_per_booking)
    plan = price_plan(db, show_id)
    on_sale = {t.name for t in list_ticket_types(db)}
    unknown = sorted(set(chosen.values()) - on_sale)
    if unknown:
        raise RequestRefused(f"There is no ticket type called {', '.join(unknown)}.")
    return price_tickets(plan, chosen)


def price_tickets(plan: PricePlan, tickets: Mapping[str, str]) -> Quote:
    """Price seats from a plan already in hand, by the rule ``boxoffice_pay`` applies; the
    counter re-prices every change of its lines this way, without a round trip."""
    return Quote(plan.show_id, plan.currency,
                 tuple(TicketLine(seat, plan.category_of(seat), kind, plan.price(seat, kind))
                       for seat, kind in tickets.items()))


_PAY = text("SELECT * FROM boxoffice_pay(:b, CAST(:tickets AS jsonb), :method, :tendered, "
            ":reference, :clerk, :counter, :customer)")


def pay(db: Database, booking_id: int, tickets: Mapping[str, str], payment: Payment | None, *,
        clerk: str, counter: str | None = None, customer: str | None = None) -> PaidSale:
    """Confirm a hold and record its tickets and payment in one transaction.

    Raises:
        HoldExpired: the hold ran out; nothing was paid.
        WrongBookingState: not a hold (already sold, released...).
        RequestRefused: a missing price, too little cash, seats not matching the hold;
            the hold stays as it was.
    """
    booking_id = validation.positive_id(booking_id, "booking")
    chosen = ticket_choices(tickets, db.settings.max_seats_per_booking)
    pay_in = payment_in(payment)
    method = pay_in.method if pay_in else None
    tendered = pay_in.tendered if pay_in else None
    params: dict[str, object] = {"b": booking_id, "tickets": json.dumps([{"seat": s, "type": t}
                                                        for s, t in chosen.items()]),
              "method": method, "tendered": tendered,
              "reference": pay_in.reference if pay_in else None,
              "clerk": validation.name(clerk, "clerk"),
              "counter": validation.optional_name(counter, "counter"),
              "customer": validation.optional_name(customer, "customer name")}
    with db.engine.begin() as conn:
        r = conn.execute(_PAY, params).one()
    booking.refuse_outcome(r.outcome, r.status, booking_id, "paid for")
    if r.total == 0:  # free tickets: no money moved, so no method and no change
        method = tendered = None
    money = booking_money(db, booking_id)
    view = booking.get_booking(db, booking_id)
    log.info("paid booking %s on show %s: %s by %s", booking_id, view.show_id,
             money.currency.format(r.total), method or "nothing",
             extra={"booking_id": booking_id, "show_id": view.show_id})
    return PaidSale(view, money.currency, money.tickets, r.total, method, tendered,
                    r.change_due, r.payment_id)


def sell(db: Database, show_id: int, tickets: Mapping[str, str], payment: Payment | None, *,
         clerk: str, customer: str | None = None, counter: str | None = None,
         request_key: str | None = None) -> PaidSale:
    """Sell seats for money at once: hold them (the locked transaction), then pay.

    If the payment is refused the hold is released again, so nothing stays behind.
    A retried request key answers with the sale it made.
    """
    chosen = ticket_choices(tickets, db.settings.max_seats_per_booking)
    pay_in = payment_in(payment)
    refuse_unpayable(quote(db, show_id, chosen), pay_in)
    held = booking.hold(db, show_id, list(chosen), clerk=clerk, customer=customer,
                        counter=counter, request_key=request_key)
    if held.status == BookingStatus.CONFIRMED:  # a replayed request that was paid already
        return paid_sale(db, held.id)
    try:
        return pay(db, held.id, chosen, pay_in, clerk=clerk, counter=counter, customer=customer)
    except InvalidRequest:
        booking.release(db, held.id, clerk=clerk, counter=counter)
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
    if pay_in is not None and pay_in.tendered is not None and pay_in.tendered < q.total:
        raise RequestRefused(f"The customer gave {q.currency.format(pay_in.tendered)}, "
                             f"the tickets cost {q.currency.format(q.total)}.")


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
