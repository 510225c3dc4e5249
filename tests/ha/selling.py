"""A counter's plain sale with its request key, retried for the failover window: what the
counter operations do around ``booking.sell`` (``boxoffice.counter``'s retry rule for a
request key), for the tests that sell on shows without a price plan."""

from __future__ import annotations

from collections.abc import Sequence

from boxoffice import booking, resilience
from boxoffice.db import Database
from boxoffice.records import BookingRecord


def sell_with_key(db: Database, show_id: int, seats: Sequence[str], *, request_key: str,
                  clerk: str, counter: str | None = None,
                  backoff: float = resilience.DEFAULT_BACKOFF,
                  stats: resilience.RetryStats | None = None) -> BookingRecord:
    wanted = list(seats)
    return resilience.with_retries(
        lambda: booking.sell(db, show_id, wanted, clerk=clerk, counter=counter,
                             request_key=request_key),
        **resilience.retry_limit(db, None), backoff=backoff, what="The sale", stats=stats)
