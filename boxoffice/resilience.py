"""Bounded retries for writes whose answer was lost on the way back.

When the connection breaks between a request and its answer (a killed backend, a
restarted server, a network cut after COMMIT), the client cannot know whether the write
happened. A sale or hold carries a request key, so asking again with the same key is
safe: the database answers with the booking the first attempt made, re-raises its
``SeatsTaken``, or (when it never arrived) does the work once. Which operation settles
how (by its request key, or by the booking's state) is declared by each counter
operation (``boxoffice.counter``); this module is only the mechanism: which failures
leave the outcome in doubt, and the bounded backoff.

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
from typing import TypeVar

import psycopg
from sqlalchemy import exc as sa_exc

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


def with_retries(
    fn: Callable[[], T],
    *,
    attempts: int = DEFAULT_ATTEMPTS,
    backoff: float = DEFAULT_BACKOFF,
    max_backoff: float = MAX_BACKOFF,
    what: str = "The request",
    stats: RetryStats | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``fn`` until it answers, retrying only lost connections, at most ``attempts`` times.

    ``fn`` must be safe to repeat (a request key, or a check of the state first). A
    ``BoxOfficeError`` such as ``SeatsTaken`` is an answer and is raised at once.

    Raises:
        DatabaseUnavailable: every attempt lost the connection; the outcome is unknown.
    """
    if attempts < 1:
        raise ValueError("attempts must be at least 1")
    delay = backoff
    lost = 0
    for attempt in range(1, attempts + 1):
        try:
            result = fn()
        except Exception as exc:
            if not is_connection_loss(exc):
                if lost and stats is not None:
                    stats.resolved += 1
                raise
            lost += 1
            if stats is not None:
                stats.connection_errors += 1
                stats.unknown += lost == 1
                if len(stats.errors) < 20:
                    stats.errors.append(type(exc).__name__)
            if attempt == attempts:
                if stats is not None:
                    stats.gave_up += 1
                raise DatabaseUnavailable(
                    f"{what} could not reach the database after {attempts} attempts, so "
                    "BoxOffice cannot tell whether it was done. Nothing was kept to send "
                    "later. When the database is back, repeat it: it will not be done twice."
                ) from exc
            log.warning("%s lost its connection (attempt %s of %s): %s; retrying in %.1f s",
                        what, attempt, attempts, type(exc).__name__, delay)
            sleep(delay)
            delay = min(delay * 2, max_backoff)
        else:
            if lost and stats is not None:
                stats.resolved += 1
            return result
    raise AssertionError("unreachable")


def new_request_key() -> str:
    """A key for one clerk's request; keep it until an answer is known."""
    return f"bo-{uuid.uuid4().hex}"


__all__ = ["DEFAULT_ATTEMPTS", "DEFAULT_BACKOFF", "MAX_BACKOFF", "RetryStats",
           "is_connection_loss", "new_request_key", "with_retries"]
