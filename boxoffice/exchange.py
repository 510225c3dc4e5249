"""Moving a booking to other seats of the same show, in one locked transaction.

The customer keeps their booking (number, payment, history); seats they give up go
back on sale and the new ones are taken under the same UNIQUE (show_id, seat_number)
guarantee as a sale. If any new seat is taken, nothing changes at all.

A paid ticket moving into another price category is re-priced there (``quote`` tells
the clerk the difference first, from the database's own ``boxoffice_exchange_quote``);
``exchange`` then moves the seats, re-prices the tickets and takes or refunds the
difference by the method the clerk picked, all in ``boxoffice_exchange``'s transaction.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from boxoffice import validation
from boxoffice.booking import get_booking, refuse_outcome
from boxoffice.db import Database
from boxoffice.errors import InvalidRequest, SeatsTaken
from boxoffice.money.amounts import Currency
from boxoffice.money.sale import Payment, payment_in
from boxoffice.records import BookingRecord

log = logging.getLogger(__name__)

# The whole exchange runs in one SECURITY DEFINER function (migrations 0003, 0007), which
# a clerk's login may execute; a taken seat raises SQLSTATE BO002 with the seats in
# DETAIL, undoing everything; a refusal the clerk can fix raises BO003 (RequestRefused).
_EXCHANGE = text("SELECT * FROM boxoffice_exchange(:b, CAST(:seats AS text[]), :clerk, "
                 ":counter, :method, :reference, :expected)")
_QUOTE = text("SELECT * FROM boxoffice_exchange_quote(:b, CAST(:seats AS text[]))")
_TAKEN = "BO002"


@dataclass(frozen=True, slots=True)
class MovedTicket:
    """One paid ticket moving seat: its type stays, its category and price may change
    (``new_price`` None: no price for its type in the new category)."""

    old_seat: str
    new_seat: str
    ticket_type: str
    old_category: str | None
    new_category: str | None
    old_price: int
    new_price: int | None


@dataclass(frozen=True, slots=True)
class ExchangeQuote:
    """What an exchange does to the money, shown to the clerk before it is confirmed."""

    booking_id: int
    currency: Currency
    moved: tuple[MovedTicket, ...]

    @property
    def difference(self) -> int:
        """More to pay (> 0) or to give back (< 0), in minor units."""
        return sum((t.new_price or 0) - t.old_price for t in self.moved)

    @property
    def unpriced(self) -> tuple[MovedTicket, ...]:
        return tuple(t for t in self.moved if t.new_price is None)

    def describe(self) -> str:
        """The difference in the clerk's words (for the confirmation)."""
        d = self.difference
        if d > 0:
            return f"The new seats cost {self.currency.format(d)} more; take it from the customer."
        if d < 0:
            return f"The new seats cost {self.currency.format(-d)} less; refund it."
        return "Same price: no money changes hands."


def quote(db: Database, booking_id: int, new_seats: Iterable[str]) -> ExchangeQuote:
    """Read-only: how moving ``booking_id`` to ``new_seats`` re-prices its paid tickets."""
    booking_id = validation.positive_id(booking_id, "booking")
    wanted = validation.seat_labels(new_seats, db.settings.max_seats_per_booking)
    with db.engine.connect() as conn:
        cur = conn.execute(text("SELECT currency, minor_units FROM venue_settings")).one()
        rows = conn.execute(_QUOTE, {"b": booking_id, "seats": wanted}).all()
    return ExchangeQuote(booking_id, Currency(cur.currency, cur.minor_units),
                         tuple(MovedTicket(*r) for r in rows))


def exchange(db: Database, booking_id: int, new_seats: Iterable[str], *, clerk: str,
             counter: str | None = None, payment: Payment | None = None,
             expected_difference: int | None = None) -> BookingRecord:
    """Give a sold or held booking a new set of seats (may overlap the old ones).

    ``payment`` says how a price difference is taken or refunded (its method and, for a
    voucher, the code); ``expected_difference`` is the difference the clerk was shown,
    refused if prices changed since.

    Raises:
        SeatsTaken: some new seat belongs to another booking; the booking is unchanged.
        HoldExpired: the booking was a hold past its deadline.
        WrongBookingState: the booking is released, failed or cancelled.
        UnknownSeats, BlockedSeats: nothing was changed.
        RequestRefused: a difference with no method, a changed difference, no price in
            the new category, a paid booking shrunk; nothing was changed.
    """
    booking_id = validation.positive_id(booking_id, "booking")
    wanted = validation.seat_labels(new_seats, db.settings.max_seats_per_booking)
    clerk = validation.name(clerk, "clerk")
    counter = validation.optional_name(counter, "counter")
    pay_in = payment_in(payment)
    if pay_in is not None and pay_in.tendered is not None:
        pay_in = Payment(pay_in.method, None, pay_in.reference)  # no change is given here
    expected = expected_difference
    if expected is not None and (not isinstance(expected, int) or isinstance(expected, bool)
                                 or abs(expected) > 2_000_000_000):
        raise InvalidRequest("The difference shown must be a whole amount in minor units.",
                             field="difference")
    try:
        with db.engine.begin() as conn:
            r = conn.execute(_EXCHANGE, {
                "b": booking_id, "seats": wanted, "clerk": clerk, "counter": counter,
                "method": pay_in.method if pay_in else None,
                "reference": pay_in.reference if pay_in else None,
                "expected": expected}).one()
    except DBAPIError as exc:
        diag = getattr(exc.orig, "diag", None)
        if getattr(exc.orig, "sqlstate", None) != _TAKEN or diag is None:
            raise
        taken = [s for s in (diag.message_detail or "").split(",") if s]
        show_id = get_booking(db, booking_id).show_id
        raise SeatsTaken(taken, show_id=show_id, booking_id=booking_id) from None
    refuse_outcome(r.outcome, r.status, booking_id, "changed to other seats", r.seats or ())
    view = get_booking(db, booking_id)
    log.info("exchanged booking %s on show %s: now %s", booking_id, view.show_id,
             ",".join(wanted), extra={"booking_id": booking_id, "show_id": view.show_id})
    return view
