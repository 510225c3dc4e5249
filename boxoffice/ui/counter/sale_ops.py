"""The counter's sales for money, as functions of the ``Database`` for the runner's worker.

Both are safe to repeat after a lost answer, so they are retried like the other counter
writes (``resilience``): a sale under its request key, a payment by recognising the
booking it already confirmed. Nothing to pay (no price plan, complimentary tickets) makes
no payment record: the core decides that.
"""

from __future__ import annotations

from collections.abc import Mapping

from boxoffice import money, resilience
from boxoffice.db import Database
from boxoffice.errors import WrongBookingState
from boxoffice.money import PaidSale, Payment


def sell_paid(db: Database, show_id: int, tickets: Mapping[str, str], payment: Payment | None,
              *, clerk: str, counter: str | None, customer: str | None,
              request_key: str) -> PaidSale:
    """``money.sell`` retried under one request key: one booking at most, paid once."""
    def attempt() -> PaidSale:
        return money.sell(db, show_id, tickets, payment, clerk=clerk, customer=customer,
                          counter=counter, request_key=request_key)

    return resilience.with_retries(attempt, what="The sale", window=db.settings.failover_seconds)


def pay_hold(db: Database, booking_id: int, tickets: Mapping[str, str],
             payment: Payment | None, *, clerk: str, counter: str | None,
             customer: str | None) -> PaidSale:
    """``money.pay`` retried; a payment whose answer was lost is recognised by CONFIRMED."""
    tried = False

    def attempt() -> PaidSale:
        nonlocal tried
        first, tried = not tried, True
        try:
            return money.pay(db, booking_id, tickets, payment, clerk=clerk, counter=counter,
                             customer=customer)
        except WrongBookingState as exc:
            if not first and exc.status == "CONFIRMED":
                return money.paid_sale(db, booking_id)
            raise

    return resilience.with_retries(attempt, what="The payment",
                                   window=db.settings.failover_seconds)
