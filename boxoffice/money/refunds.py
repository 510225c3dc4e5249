"""Giving money back: cancelling a sale, or some of its seats, refunds what they cost.

Both run in ``boxoffice_cancel_seats`` (migration 0005; managers only, as cancelling
always was): the seats go back on sale, the tickets are marked REFUNDED at the price they
were sold for, and a refund by method is written to ``payments`` and the event log in
the same transaction. A booking sold without money refunds nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass

from sqlalchemy import text

from boxoffice import booking, validation
from boxoffice.db import Database
from boxoffice.money.amounts import Currency
from boxoffice.money.prices import PAYMENT_METHODS, get_currency
from boxoffice.records import BookingRecord
from boxoffice.validation import InvalidRequest

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class Refund:
    booking: BookingRecord
    seats: tuple[str, ...]
    amount: int
    currency: Currency
    whole_booking: bool


_CANCEL_SEATS = text("SELECT * FROM boxoffice_cancel_seats(:b, CAST(:seats AS text[]), :clerk, "
                     ":counter, :reason, :method)")


def cancel_seats(db: Database, booking_id: int, seats: Iterable[str] | None = None, *,
                 clerk: str, counter: str | None = None, reason: str | None = None,
                 method: str | None = None) -> Refund:
    """Cancel a sale (``seats=None``) or some of its seats, refunding what they cost.

    ``method`` defaults to how the booking was paid.

    Raises:
        WrongBookingState: not a sale (a hold, released, already cancelled).
        RequestRefused: seats that are not the booking's.
        NotAllowed: the login is not a manager's.
    """
    booking_id = validation.positive_id(booking_id, "booking")
    wanted = None if seats is None else validation.seat_labels(
        seats, db.settings.max_seats_per_booking)
    if method is not None and method not in PAYMENT_METHODS:
        raise InvalidRequest(f"A refund is by {', '.join(PAYMENT_METHODS)}; not {method!r}.",
                             field="method")
    params = {"b": booking_id, "seats": wanted, "clerk": validation.name(clerk, "clerk"),
              "counter": validation.optional_name(counter, "counter"),
              "reason": validation.optional_name(reason, "reason"), "method": method}
    with db.engine.begin() as conn:
        r = conn.execute(_CANCEL_SEATS, params).one()
    booking.refuse_outcome(r.outcome, r.status, booking_id, "cancelled")
    view = booking.get_booking(db, booking_id)
    gone = tuple(sorted(r.seats))
    currency = get_currency(db)
    log.info("cancelled %s of booking %s on show %s, refunded %s",
             ",".join(gone), booking_id, view.show_id, currency.format(r.refunded or 0),
             extra={"booking_id": booking_id, "show_id": view.show_id})
    return Refund(view, gone, r.refunded or 0, currency, r.outcome == "cancelled")
