"""Bounded retries for writes whose answer was lost on the way back.

When the connection breaks between a request and its answer (a killed backend, a
restarted server, a network cut after COMMIT), the client cannot know whether the write
happened. A sale or hold carries a request key, so asking again with the same key is
safe: the database answers with the booking the first attempt made, re-raises its
``SeatsTaken``, or (when it never arrived) does the work once. Which operation settles
how (by its request key, or by the booking's state) is declared by each counter
operation (``boxoffice.counter``); this module is only the mechanism: which failures
leave the outcome in doubt, and the bounded backoff.

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
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

import psycopg
from sqlalchemy import exc as sa_exc

from boxoffice.db import Database
from boxoffice.errors import DatabaseUnavailable

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


def retry_limit(db: Database, attempts: int | None) -> dict[str, Any]:
    """``with_retries``' limit: a count of attempts when the caller gives one, else the
    configured failover window (a count alone would give up while a standby is promoted)."""
    if attempts is not None:
        return {"attempts": attempts}
    return {"attempts": DEFAULT_ATTEMPTS, "window": db.settings.failover_seconds}


def new_request_key() -> str:
    """A key for one clerk's request; keep it until an answer is known."""
    return f"bo-{uuid.uuid4().hex}"


__all__ = ["DEFAULT_ATTEMPTS", "DEFAULT_BACKOFF", "MAX_BACKOFF", "RetryStats",
           "is_connection_loss", "new_request_key", "observe_retries", "retry_limit",
           "with_retries"]
