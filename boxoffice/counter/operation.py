"""How every counter operation runs: its declared metric, its retry rule, its answer.

An operation is a checked request (its input validated once, when it is made) that knows
three things about itself: the name its latency is kept under
(``boxoffice_booking_latency_seconds{operation=...}``), how an attempt whose answer was
lost is settled (``RetryRule``), and which change records its result means for the
screens (``boxoffice.changes``). ``run`` times it, retries it through
``boxoffice.resilience`` and answers ``Done(result, changes)``.
"""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass
from enum import StrEnum
from typing import ClassVar, Generic, TypeVar

from boxoffice import resilience
from boxoffice.changes import Change
from boxoffice.db import Database
from boxoffice.errors import WrongBookingState
from boxoffice.ops import metrics
from boxoffice.resilience import DEFAULT_BACKOFF, RetryStats

T = TypeVar("T")


class SettledBy(StrEnum):
    """How the attempt after a lost answer learns whether the lost one was done."""

    # The same request key is sent again: the booking core answers with what the key
    # already did (the booking, or its SeatsTaken), or does it once.
    REQUEST_KEY = "request key"
    # The booking's status says it: the action refused for "already <done_status>" after
    # a lost attempt means that attempt committed, so the booking is read instead.
    BOOKING_STATUS = "booking status"
    # The booking's seats say it: they already are what was asked for.
    BOOKING_SEATS = "booking seats"


@dataclass(frozen=True, slots=True)
class RetryRule:
    """What counts as in doubt and how it settles. In doubt is always a lost connection
    (``resilience.is_connection_loss``): the request may or may not have committed. Any
    answer from the database (a refusal included) is final and never retried."""

    settled_by: SettledBy
    done_status: str | None = None  # BOOKING_STATUS: where a committed attempt left it

    @staticmethod
    def in_doubt(error: BaseException) -> bool:
        return resilience.is_connection_loss(error)


@dataclass(frozen=True, slots=True)
class Done(Generic[T]):
    """An operation's answer: its result, and what it changed, for the screens."""

    result: T
    changes: tuple[Change, ...]


class CounterOperation(ABC, Generic[T]):
    """One clerk action, checked and ready to run (safe to repeat by its ``retry`` rule)."""

    metric: ClassVar[str]  # the operation label of the latency metric
    retry: ClassVar[RetryRule]
    what: ClassVar[str]  # how a message names it: "The sale could not reach ..."

    @abstractmethod
    def attempt(self, db: Database, *, retry: bool) -> T:
        """One try; ``retry``: an earlier try lost its answer (settle by ``self.retry``)."""

    @abstractmethod
    def changes(self, result: T) -> tuple[Change, ...]:
        """The change records ``result`` means."""

    def run(self, db: Database, *, attempts: int | None = None,
            backoff: float = DEFAULT_BACKOFF, stats: RetryStats | None = None) -> Done[T]:
        """Run it, retrying lost answers; time it under ``metric``. Without ``attempts``
        it retries for the failover window (``BOXOFFICE_FAILOVER_SECONDS``).

        Raises:
            DatabaseUnavailable: every attempt lost its connection; the outcome is unknown
                until it is run again (its rule settles it then).
            BoxOfficeError: the database's answer (SeatsTaken, HoldExpired, ...).
        """
        tries = 0

        def once() -> T:
            nonlocal tries
            tries += 1
            return self.attempt(db, retry=tries > 1)

        with metrics.timed(self.metric):
            result = resilience.with_retries(once, **resilience.retry_limit(db, attempts),
                                             backoff=backoff, what=self.what, stats=stats)
        return Done(result, self.changes(result))

    def settled_status(self, error: WrongBookingState, *, retry: bool) -> bool:
        """True when ``error`` only says a lost earlier attempt already did the work."""
        return (retry and self.retry.settled_by is SettledBy.BOOKING_STATUS
                and error.status == self.retry.done_status)
