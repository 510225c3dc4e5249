"""Selling at the counter: hold, sell for money, pay a hold, release a hold.

Each is a checked request (made by the functions of ``boxoffice.counter``) that the
booking panel, the CLI, the bench and the fault storm all run the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

from boxoffice import booking, money
from boxoffice.changes import Change, MoneyChanged, SeatsChanged, SeatState
from boxoffice.counter.operation import CounterOperation, RetryRule, SettledBy
from boxoffice.db import Database
from boxoffice.errors import WrongBookingState
from boxoffice.money import PaidSale
from boxoffice.records import BookingRecord


def _seats(show_id: int, seats: Sequence[str], state: SeatState, booking_id: int,
           counter: str | None) -> SeatsChanged:
    """The seats a write changed; none known (a lost answer settled by reading the
    booking) means the screens refetch the show's seats."""
    return SeatsChanged(show_id, tuple(seats), state, booking_id, counter,
                        refetch=not seats)


@dataclass(frozen=True, slots=True)
class Hold(CounterOperation[BookingRecord]):
    """Hold seats while the customer decides or pays: PENDING until paid, released or
    expired. ``fresh_key``: the operation made its request key, so nobody can have used
    it yet and the first attempt skips the look-up."""

    metric: ClassVar[str] = "hold"
    retry: ClassVar[RetryRule] = RetryRule(SettledBy.REQUEST_KEY)
    what: ClassVar[str] = "The hold"

    request: booking.BookRequest
    fresh_key: bool = False

    def attempt(self, db: Database, *, retry: bool) -> BookingRecord:
        return booking.book(db, self.request, look_back=retry or not self.fresh_key)

    def changes(self, result: BookingRecord) -> tuple[Change, ...]:
        return (_seats(result.show_id, result.seats, SeatState.HELD, result.id,
                       self.request.counter),)


@dataclass(frozen=True, slots=True)
class SellForMoney(CounterOperation[PaidSale]):
    """Sell seats and take their payment at once (Sell now): priced before any seat is
    held, held, then paid; a refused payment releases the hold again."""

    metric: ClassVar[str] = "sell"
    retry: ClassVar[RetryRule] = RetryRule(SettledBy.REQUEST_KEY)
    what: ClassVar[str] = "The sale"

    request: money.SaleRequest
    fresh_key: bool = False

    def attempt(self, db: Database, *, retry: bool) -> PaidSale:
        return money.sell_checked(db, self.request, look_back=retry or not self.fresh_key)

    def changes(self, result: PaidSale) -> tuple[Change, ...]:
        return _paid(result, self.request.hold.counter)


@dataclass(frozen=True, slots=True)
class PayHold(CounterOperation[PaidSale]):
    """Confirm a hold and take its payment in one transaction (Confirm sale)."""

    metric: ClassVar[str] = "confirm"
    retry: ClassVar[RetryRule] = RetryRule(SettledBy.BOOKING_STATUS, "CONFIRMED")
    what: ClassVar[str] = "The payment"

    request: money.PayRequest

    def attempt(self, db: Database, *, retry: bool) -> PaidSale:
        try:
            return money.pay_checked(db, self.request)
        except WrongBookingState as exc:
            if self.settled_status(exc, retry=retry):
                return money.paid_sale(db, self.request.booking_id)
            raise

    def changes(self, result: PaidSale) -> tuple[Change, ...]:
        return _paid(result, self.request.counter)


def _paid(sale: PaidSale, counter: str | None) -> tuple[Change, ...]:
    b = sale.booking
    return (_seats(b.show_id, b.seats, SeatState.SOLD, b.id, counter),
            MoneyChanged(b.show_id, b.id, counter))


@dataclass(frozen=True, slots=True)
class Release(CounterOperation[BookingRecord]):
    """Give a hold's seats back (the customer walked away, or the counter closes).
    ``seats``: the hold's seats as the caller knows them, for the change record (the
    released booking owns none any more)."""

    metric: ClassVar[str] = "release"
    retry: ClassVar[RetryRule] = RetryRule(SettledBy.BOOKING_STATUS, "FAILED")
    what: ClassVar[str] = "The release"

    booking_id: int
    clerk: str
    counter: str | None
    seats: tuple[str, ...] = ()

    def attempt(self, db: Database, *, retry: bool) -> BookingRecord:
        try:
            return booking.release(db, self.booking_id, clerk=self.clerk, counter=self.counter)
        except WrongBookingState as exc:
            if self.settled_status(exc, retry=retry):
                return booking.get_booking(db, self.booking_id)
            raise

    def changes(self, result: BookingRecord) -> tuple[Change, ...]:
        return (_seats(result.show_id, self.seats, SeatState.FREE, result.id, self.counter),)
