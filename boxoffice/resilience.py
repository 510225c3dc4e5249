"""Bounded retries for writes whose answer was lost on the way back.

When the connection breaks between a request and its answer (a killed backend, a
restarted server, a network cut after COMMIT), the client cannot know whether the write
happened. A sale or hold carries a request key, so asking again with the same key is
safe: the database answers with the booking the first attempt made, re-raises its
``SeatsTaken``, or (when it never arrived) does the work once. Confirm, release and
cancel are resolved by reading the booking's state after the retry.

A failover takes longer than a restart (pg_auto_failover notices a dead primary in about
50 s), so the counter's requests retry for the failover window
(``BOXOFFICE_FAILOVER_SECONDS``, default 60) rather than a count of attempts, and tell
whoever observes retries (the connection banner: "database failing over, retrying").

Nothing is queued: when the attempts run out the caller gets ``DatabaseUnavailable``
at once, saying that the outcome is unknown; repeating the request with the same key
later settles it.
"""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
from sqlalchemy import exc as sa_exc

from boxoffice import booking
from boxoffice.db import Database
from boxoffice.errors import DatabaseUnavailable, WrongBookingState
from boxoffice.records import BookingRecord

log = logging.getLogger(__name__)

T = TypeVar("T")

DEFAULT_ATTEMPTS = 6
DEFAULT_BACKOFF = 0.2
MAX_BACKOFF = 2.0


@dataclass
class RetryStats:
    """What the retries met, for a client that wants to count (tests, the bench)."""

    connection_errors: int = 0  # attempts that ended with the connection lost
    unknown: int = 0  # calls that lost a connection at least once: outcome unknown for a while
    resolved: int = 0  # calls that met a lost connection and still got a definite answer
    gave_up: int = 0  # calls that ran out of attempts (DatabaseUnavailable)
    errors: list[str] = field(default_factory=list)


def is_connection_loss(exc: BaseException) -> bool:
    """True for a failure that says nothing about the outcome: the link broke, not the request."""
    if isinstance(exc, DatabaseUnavailable):
        return True
    if isinstance(exc, (psycopg.OperationalError, psycopg.InterfaceError)):
        return True
    if isinstance(exc, sa_exc.DBAPIError):
        return bool(exc.connection_invalidated) or isinstance(
            exc.orig, (psycopg.OperationalError, psycopg.InterfaceError))
    return False


# Told (what, seconds since the connection was first lost) before each retry's wait.
RetryObserver = Callable[[str, float], None]
_observers: list[RetryObserver] = []


def observe_retries(fn: RetryObserver) -> Callable[[], None]:
    """Call ``fn`` before every retry (any thread); returns the function that stops it."""
    _observers.append(fn)
    return lambda: _observers.remove(fn) if fn in _observers else None


def with_retries(
    fn: Callable[[], T],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
    max_backoff: float = MAX_BACKOFF,
    what: str = "The request",
    stats: RetryStats | None = None,
    sleep: Callable[[float], None] = time.sleep,
    window: float | None = None,
    clock: Callable[[], float] = time.monotonic,
) -> T:
    """Call ``fn`` until it answers, retrying only lost connections, at most ``attempts`` times
    or, with ``window``, for that many seconds after the first lost connection.

    ``fn`` must be safe to repeat (a request key, or a check of the state first). A
    ``BoxOfficeError`` such as ``SeatsTaken`` is an answer and is raised at once.

    Raises:
        DatabaseUnavailable: every attempt lost the connection; the outcome is unknown.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    delay = backoff
    lost = 0
    first_loss = 0.0
    limit = f"{attempts} attempts" if window is None else f"{window:.0f} s"
    attempt = 0
    while True:
        attempt += 1
        try:
            result = fn()
        except Exception as exc:
            if not is_connection_loss(exc):
                if lost and stats is not None:
                    stats.resolved += 1
                raise
            lost += 1
            if lost == 1:
                first_loss = clock()
            elapsed = clock() - first_loss
            if stats is not None:
                stats.connection_errors += 1
                stats.unknown += lost == 1
                if len(stats.errors) < 20:
                    stats.errors.append(type(exc).__name__)
            if attempt >= attempts if window is None else elapsed + delay > window:
                if stats is not None:
                    stats.gave_up += 1
                raise DatabaseUnavailable(
                    f"{what} could not reach the database after {limit}, so "
                    "BoxOffice cannot tell whether it was done. Nothing was kept to send "
                    "later. When the database is back, repeat it: it will not be done twice."
                ) from exc
            log.warning("%s lost its connection (attempt %s, limit %s): %s; retrying in %.1f s",
                        what, attempt, limit, type(exc).__name__, delay)
            for observer in list(_observers):
                observer(what, elapsed)
            sleep(delay)
            delay = min(delay * 2, max_backoff)
        else:
            if lost and stats is not None:
                stats.resolved += 1
            return result


def _window(db: Database, attempts: int | None) -> dict[str, Any]:
    """A count of attempts when the caller gives one, else the configured failover window."""
    if attempts is not None:
        return {"attempts": attempts}
    return {"attempts": DEFAULT_ATTEMPTS, "window": db.settings.failover_seconds}


def new_request_key() -> str:
    """A key for one clerk's request; keep it until an answer is known."""
    return f"bo-{uuid.uuid4().hex}"


def sell_resilient(db: Database, show_id: int, seats: Iterable[str], *, request_key: str,
                   clerk: str, customer: str | None = None, counter: str | None = None,
                   attempts: int | None = None, backoff: float = DEFAULT_BACKOFF,
                   stats: RetryStats | None = None) -> BookingRecord:
    """``booking.sell`` retried with the same request key: one booking at most, or SeatsTaken."""
    wanted = list(seats)
    return with_retries(
        lambda: booking.sell(db, show_id, wanted, clerk=clerk, customer=customer,
                             counter=counter, request_key=request_key),
        **_window(db, attempts), backoff=backoff, what="The sale", stats=stats)


def hold_resilient(db: Database, show_id: int, seats: Iterable[str], *, request_key: str,
                   clerk: str, customer: str | None = None, counter: str | None = None,
                   hold_seconds: int | None = None, attempts: int | None = None,
                   backoff: float = DEFAULT_BACKOFF,
                   stats: RetryStats | None = None) -> BookingRecord:
    """``booking.hold`` retried with the same request key."""
    wanted = list(seats)
    return with_retries(
        lambda: booking.hold(db, show_id, wanted, clerk=clerk, customer=customer,
                             counter=counter, request_key=request_key,
                             hold_seconds=hold_seconds),
        **_window(db, attempts), backoff=backoff, what="The hold", stats=stats)


def _settled(action: Callable[[], BookingRecord], done_status: str, booking_id: int,
             db: Database) -> Callable[[], BookingRecord]:
    """Repeat ``action``; if an earlier attempt already did it, answer with the booking."""
    tried = False

    def attempt() -> BookingRecord:
        nonlocal tried
        first, tried = not tried, True
        try:
            return action()
        except WrongBookingState as exc:
            if not first and exc.status == done_status:
                # The lost attempt committed: the booking is already where we sent it.
                return booking.get_booking(db, booking_id)
            raise

    return attempt


def confirm_resilient(db: Database, booking_id: int, *, clerk: str, counter: str | None = None,
                      customer: str | None = None, attempts: int | None = None,
                      backoff: float = DEFAULT_BACKOFF,
                      stats: RetryStats | None = None) -> BookingRecord:
    """Confirm, retried; a confirm whose answer was lost is recognised by CONFIRMED."""
    return with_retries(
        _settled(lambda: booking.confirm(db, booking_id, clerk=clerk, counter=counter,
                                         customer=customer),
                 "CONFIRMED", booking_id, db),
        **_window(db, attempts), backoff=backoff, what="The confirmation", stats=stats)


def release_resilient(db: Database, booking_id: int, *, clerk: str, counter: str | None = None,
                      attempts: int | None = None, backoff: float = DEFAULT_BACKOFF,
                      stats: RetryStats | None = None) -> BookingRecord:
    """Release, retried; FAILED after a lost answer means the seats are free either way."""
    return with_retries(
        _settled(lambda: booking.release(db, booking_id, clerk=clerk, counter=counter),
                 "FAILED", booking_id, db),
        **_window(db, attempts), backoff=backoff, what="The release", stats=stats)


def cancel_resilient(db: Database, booking_id: int, *, clerk: str, counter: str | None = None,
                     attempts: int | None = None, backoff: float = DEFAULT_BACKOFF,
                     stats: RetryStats | None = None) -> BookingRecord:
    """Cancel, retried; a cancel whose answer was lost is recognised by CANCELLED."""
    return with_retries(
        _settled(lambda: booking.cancel(db, booking_id, clerk=clerk, counter=counter),
                 "CANCELLED", booking_id, db),
        **_window(db, attempts), backoff=backoff, what="The cancellation", stats=stats)


__all__ = ["RetryStats", "is_connection_loss", "observe_retries", "with_retries", "new_request_key",
           "sell_resilient", "hold_resilient", "confirm_resilient", "release_resilient",
           "cancel_resilient"]
