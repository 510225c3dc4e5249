"""The counter's retries last the failover window (BOXOFFICE_FAILOVER_SECONDS), not a
count of attempts: a promote takes longer than the old five-second budget."""

from __future__ import annotations

import itertools

import psycopg
import pytest

from boxoffice import resilience
from boxoffice.config import load_settings
from boxoffice.errors import DatabaseUnavailable, InvalidRequest
from tests import dbutil
from tests.ha.selling import sell_with_key


def test_the_window_decides_when_to_give_up() -> None:
    ticks = itertools.count()
    calls: list[float] = []
    told: list[tuple[str, float]] = []
    stop = resilience.observe_retries(lambda what, seconds: told.append((what, seconds)))

    def down() -> None:
        calls.append(1)
        raise psycopg.OperationalError("connection refused")

    try:
        with pytest.raises(DatabaseUnavailable, match="after 10 s"):
            resilience.with_retries(down, attempts=2, backoff=0.5, window=10,
                                    sleep=lambda s: None, clock=lambda: float(next(ticks)))
    finally:
        stop()
    assert len(calls) > 2  # more than ``attempts``: the window decided
    assert told and told[0][0] == "The request" and told[-1][1] < 10


def test_the_window_is_a_setting_with_a_60_second_default() -> None:
    assert load_settings(env={}).failover_seconds == 60
    assert load_settings(env={"BOXOFFICE_FAILOVER_SECONDS": "120"}).failover_seconds == 120
    with pytest.raises(InvalidRequest):
        load_settings(env={"BOXOFFICE_FAILOVER_SECONDS": "soon"})


def test_counter_requests_retry_for_the_window_not_six_attempts(db_url: str) -> None:
    """A sale against a database that never answers gives up after the window."""
    dead = "postgresql://postgres@127.0.0.1:1/nowhere?connect_timeout=1"
    db = dbutil.open_db(dead, failover_seconds=2)
    stats = resilience.RetryStats()
    try:
        with pytest.raises(DatabaseUnavailable, match="after 2 s"):
            sell_with_key(db, 1, ["A1"], request_key="k", clerk="ann",
                                      backoff=0.01, stats=stats)
    finally:
        db.dispose()
    assert stats.connection_errors > resilience.DEFAULT_ATTEMPTS
