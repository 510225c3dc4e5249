"""The counter's operations: every write a clerk makes, one path for all who make it.

Hold (or hold the best available, ``hold_best_available``, picking again after a lost
race), sell for money, pay a hold, release, exchange, cancel, refund seats: the booking
panel runs them through its operation runner, the CLI and the demo call them, the bench
and the fault storm (``tests/faults``) drive them, so the storm proves exactly the path
a clerk uses. Each function checks its input once, then runs the operation
(``counter.operation``): timed under its declared metric name, retried by its declared
rule when an answer is lost, answering ``Done(result, changes)`` with the typed change
records (``boxoffice.changes``) the screens apply at once, before the live feed says it.

Qt-free; may import the core services (booking, exchange, money), ``resilience``,
``changes`` and ``ops.metrics``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from boxoffice import booking, money, validation
from boxoffice.counter.after_sale import Cancel, Exchange, RefundSeats
from boxoffice.counter.best_available import BEST_TRIES, hold_best_available
from boxoffice.counter.operation import CounterOperation, Done, RetryRule, SettledBy
from boxoffice.counter.selling import Hold, PayHold, Release, SellForMoney
from boxoffice.db import Database
from boxoffice.money import PaidSale, Payment, Refund
from boxoffice.records import BookingRecord
from boxoffice.resilience import DEFAULT_BACKOFF, RetryStats, new_request_key

OPERATIONS: tuple[type[CounterOperation[object]], ...] = (
    Hold, SellForMoney, PayHold, Release, Exchange, Cancel, RefundSeats)  # type: ignore[assignment]


def hold(db: Database, show_id: int, seats: Iterable[str], *, clerk: str,
         counter: str | None = None, customer: str | None = None,
         request_key: str | None = None, hold_seconds: int | None = None,
         attempts: int | None = None, backoff: float = DEFAULT_BACKOFF,
         stats: RetryStats | None = None) -> Done[BookingRecord]:
    """Hold seats. Without ``request_key`` the operation makes its own.

    Raises:
        SeatsTaken: some seats belong to another booking (a FAILED booking records it).
        InvalidRequest, UnknownSeats, BlockedSeats, ShowNotFound: nothing was written.
    """
    fresh = request_key is None
    req = booking.book_request(db, show_id, seats, "PENDING", clerk=clerk, customer=customer,
                               counter=counter, request_key=request_key or new_request_key(),
                               hold_seconds=hold_seconds)
    return Hold(req, fresh).run(db, attempts=attempts, backoff=backoff, stats=stats)


def sell_for_money(db: Database, show_id: int, tickets: Mapping[str, str],
                   payment: Payment | None, *, clerk: str, counter: str | None = None,
                   customer: str | None = None, request_key: str | None = None,
                   attempts: int | None = None, backoff: float = DEFAULT_BACKOFF,
                   stats: RetryStats | None = None) -> Done[PaidSale]:
    """Sell ``{seat: ticket type}`` and take ``payment`` at once (None: nothing to pay).

    Raises:
        SeatsTaken: as ``hold``.
        RequestRefused: no price, no way to pay, too little cash; nothing is kept.
        HoldExpired: the sale's own hold ran out before it was paid (a very slow link).
    """
    fresh = request_key is None
    req = money.sale_request(db, show_id, tickets, payment, clerk=clerk, customer=customer,
                             counter=counter, request_key=request_key or new_request_key())
    return SellForMoney(req, fresh).run(db, attempts=attempts, backoff=backoff, stats=stats)


def pay_hold(db: Database, booking_id: int, tickets: Mapping[str, str],
             payment: Payment | None, *, clerk: str, counter: str | None = None,
             customer: str | None = None, attempts: int | None = None,
             backoff: float = DEFAULT_BACKOFF,
             stats: RetryStats | None = None) -> Done[PaidSale]:
    """Confirm the hold ``booking_id`` and take its payment (Confirm sale).

    Raises:
        HoldExpired: the hold ran out; nothing was paid.
        WrongBookingState: not a hold (released, already sold by another counter).
        RequestRefused: as ``sell_for_money``; the hold stays.
    """
    req = money.pay_request(db, booking_id, tickets, payment, clerk=clerk, counter=counter,
                            customer=customer)
    return PayHold(req).run(db, attempts=attempts, backoff=backoff, stats=stats)


def release(db: Database, booking_id: int, *, clerk: str, counter: str | None = None,
            seats: Iterable[str] = (), attempts: int | None = None,
            backoff: float = DEFAULT_BACKOFF,
            stats: RetryStats | None = None) -> Done[BookingRecord]:
    """Give a hold's seats back. ``seats``: the hold's, for the change record."""
    op = Release(validation.positive_id(booking_id, "booking"), validation.name(clerk, "clerk"),
                 validation.optional_name(counter, "counter"), tuple(seats))
    return op.run(db, attempts=attempts, backoff=backoff, stats=stats)


def exchange(db: Database, booking_id: int, seats: Iterable[str], *, clerk: str,
             counter: str | None = None, old_seats: Iterable[str] | None = None,
             payment: Payment | None = None, expected_difference: int | None = None,
             attempts: int | None = None, backoff: float = DEFAULT_BACKOFF,
             stats: RetryStats | None = None) -> Done[BookingRecord]:
    """Move a booking to ``seats`` (``old_seats``: the ones the caller saw it hold).
    Across price categories the tickets are re-priced: ``payment`` takes or refunds the
    difference, which must still be ``expected_difference`` (``exchange.quote``).

    Raises:
        SeatsTaken: a new seat is another booking's; nothing changed.
        HoldExpired, WrongBookingState, UnknownSeats, BlockedSeats: nothing changed.
    """
    op = Exchange(validation.positive_id(booking_id, "booking"),
                  tuple(validation.seat_labels(seats, db.settings.max_seats_per_booking)),
                  validation.name(clerk, "clerk"), validation.optional_name(counter, "counter"),
                  None if old_seats is None else tuple(old_seats), payment,
                  expected_difference)
    return op.run(db, attempts=attempts, backoff=backoff, stats=stats)


def cancel(db: Database, booking_id: int, *, clerk: str, counter: str | None = None,
           reason: str | None = None, method: str | None = None,
           attempts: int | None = None, backoff: float = DEFAULT_BACKOFF,
           stats: RetryStats | None = None) -> Done[Refund]:
    """Cancel a whole sale, refunding it (managers only)."""
    op = Cancel(validation.positive_id(booking_id, "booking"), None,
                validation.name(clerk, "clerk"), validation.optional_name(counter, "counter"),
                validation.optional_name(reason, "reason"), method)
    return op.run(db, attempts=attempts, backoff=backoff, stats=stats)


def refund_seats(db: Database, booking_id: int, seats: Iterable[str] | None, *, clerk: str,
                 counter: str | None = None, reason: str | None = None,
                 method: str | None = None, attempts: int | None = None,
                 backoff: float = DEFAULT_BACKOFF,
                 stats: RetryStats | None = None) -> Done[Refund]:
    """Cancel some seats of a sale (None: all), refunding what they cost (managers only)."""
    wanted = None if seats is None else tuple(
        validation.seat_labels(seats, db.settings.max_seats_per_booking))
    op = RefundSeats(validation.positive_id(booking_id, "booking"), wanted,
                     validation.name(clerk, "clerk"),
                     validation.optional_name(counter, "counter"),
                     validation.optional_name(reason, "reason"), method)
    return op.run(db, attempts=attempts, backoff=backoff, stats=stats)


__all__ = ["BEST_TRIES", "OPERATIONS", "Cancel", "CounterOperation", "Done", "Exchange", "Hold", "PayHold",
           "RefundSeats", "Release", "RetryRule", "RetryStats", "SellForMoney", "SettledBy",
           "cancel", "exchange", "hold", "hold_best_available", "new_request_key", "pay_hold", "refund_seats",
           "release", "sell_for_money"]
