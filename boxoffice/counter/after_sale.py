"""After the sale: moving a booking to other seats, cancelling it, refunding some seats."""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from boxoffice import booking, money
from boxoffice.changes import Change, MoneyChanged, SeatsChanged, SeatState
from boxoffice.counter.operation import CounterOperation, RetryRule, SettledBy
from boxoffice.db import Database
from boxoffice.errors import WrongBookingState
from boxoffice.exchange import exchange
from boxoffice.money import Payment, Refund
from boxoffice.records import BookingRecord


@dataclass(frozen=True, slots=True)
class Exchange(CounterOperation[BookingRecord]):
    """Give a sold or held booking other seats of its show, all or nothing. A lost answer
    is settled by the booking's seats: already the new ones means it was done.
    ``old_seats``: the seats the caller saw, for the change record."""

    metric: ClassVar[str] = "exchange"
    retry: ClassVar[RetryRule] = RetryRule(SettledBy.BOOKING_SEATS)
    what: ClassVar[str] = "The exchange"

    booking_id: int
    seats: tuple[str, ...]
    clerk: str
    counter: str | None
    old_seats: tuple[str, ...] | None = None
    payment: Payment | None = None  # how a price difference is taken or refunded
    expected_difference: int | None = None  # the difference the clerk was shown

    def attempt(self, db: Database, *, retry: bool) -> BookingRecord:
        if retry:
            now = booking.get_booking(db, self.booking_id)
            if sorted(now.seats) == sorted(self.seats):
                return now
        return exchange(db, self.booking_id, self.seats, clerk=self.clerk,
                        counter=self.counter, payment=self.payment,
                        expected_difference=self.expected_difference)

    def changes(self, result: BookingRecord) -> tuple[Change, ...]:
        state = SeatState.SOLD if result.status == "CONFIRMED" else SeatState.HELD
        if self.old_seats is None:  # what was given up is not known: refetch the show
            return (SeatsChanged(result.show_id, (), SeatState.FREE, result.id, self.counter,
                                 refetch=True),)
        gone = tuple(s for s in self.old_seats if s not in result.seats)
        added = tuple(s for s in result.seats if s not in self.old_seats)
        out: list[Change] = []
        if gone:
            out.append(SeatsChanged(result.show_id, gone, SeatState.FREE, result.id,
                                    self.counter))
        if added:
            out.append(SeatsChanged(result.show_id, added, state, result.id, self.counter))
        if self.payment is not None and self.expected_difference:  # money moved too
            out.append(MoneyChanged(result.show_id, result.id, self.counter))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class RefundSeats(CounterOperation[Refund]):
    """Cancel a sale (``seats`` None: all of it, the Cancel operation) or some of its seats,
    refunding what they cost (managers only). A lost answer is settled by the booking:
    CANCELLED, or none of those seats left in it, means it was done; the refund then
    answers with what the booking's tickets say was refunded."""

    metric: ClassVar[str] = "refund"
    retry: ClassVar[RetryRule] = RetryRule(SettledBy.BOOKING_SEATS)
    what: ClassVar[str] = "The refund"

    booking_id: int
    seats: tuple[str, ...] | None
    clerk: str
    counter: str | None
    reason: str | None = None
    method: str | None = None

    def attempt(self, db: Database, *, retry: bool) -> Refund:
        if retry:
            done = self._done(db)
            if done is not None:
                return done
        return money.cancel_seats(db, self.booking_id, self.seats, clerk=self.clerk,
                                  counter=self.counter, reason=self.reason, method=self.method)

    def _done(self, db: Database) -> Refund | None:
        now = booking.get_booking(db, self.booking_id)
        whole = now.status == "CANCELLED"
        if self.seats is None and not whole:
            return None
        if self.seats is not None and (now.status != "CONFIRMED" and not whole
                                       or set(self.seats) & set(now.seats)):
            return None
        paid = money.booking_money(db, self.booking_id)
        gone = set(self.seats) if self.seats is not None else None
        amount = sum(t.price or 0 for t in paid.tickets
                     if t.refunded and (gone is None or t.seat in gone))
        seats = tuple(sorted(gone)) if gone is not None else ()
        return Refund(now, seats, amount, paid.currency, whole)

    def changes(self, result: Refund) -> tuple[Change, ...]:
        b = result.booking
        return (SeatsChanged(b.show_id, result.seats, SeatState.FREE, b.id, self.counter,
                             refetch=not result.seats),
                MoneyChanged(b.show_id, b.id, self.counter))


@dataclass(frozen=True, slots=True)
class Cancel(RefundSeats):
    """Cancel a whole sale and refund it (managers only)."""

    metric: ClassVar[str] = "cancel"
    retry: ClassVar[RetryRule] = RetryRule(SettledBy.BOOKING_STATUS, "CANCELLED")
    what: ClassVar[str] = "The cancellation"

    def attempt(self, db: Database, *, retry: bool) -> Refund:
        try:
            return money.cancel_seats(db, self.booking_id, None, clerk=self.clerk,
                                      counter=self.counter, reason=self.reason,
                                      method=self.method)
        except WrongBookingState as exc:
            if not self.settled_status(exc, retry=retry):
                raise
        done = self._done(db)
        assert done is not None
        return done
