"""Through a real PgBouncer in transaction pooling: sales, holds and expiry work with
``BOXOFFICE_TRANSACTION_POOLING`` (no server-side prepared statements), sessions are
named by connection parameter, and a pooled LISTEN is caught by the live feed's probe
instead of freezing every seat map."""

from __future__ import annotations

import logging
import queue
import re
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text

from boxoffice import booking, expiry, resilience, shows
from boxoffice.changes import SeatsChanged, SeatState
from boxoffice.config import load_settings
from boxoffice.connections import address
from boxoffice.db import Database, make_engine
from boxoffice.live import FeedState, LiveFeed
from boxoffice.ops.health import OpsMonitor, name_sessions
from tests import dbutil
from tests.ha.pgbouncer import Bouncer, skip_reason
from tests.ha.selling import sell_with_key

ROWS = "BCDEFGHI"  # eight counters, one row each (A1 is blocked, J has wheelchair seats)


@pytest.fixture(scope="module")
def bouncer(pg_admin: str) -> Iterator[Bouncer]:
    reason = skip_reason()
    if reason:
        pytest.skip(reason)
    b = Bouncer(pg_admin)
    yield b
    b.stop()


def pooled(db: Database, bouncer: Bouncer, *, transaction_pooling: bool = True) -> Database:
    name = address(db.url).dbname
    assert name
    url = bouncer.url(name)
    settings = load_settings(env={"BOXOFFICE_DATABASE_URL": url,
                                  "BOXOFFICE_TRANSACTION_POOLING":
                                  "1" if transaction_pooling else ""})
    assert settings.transaction_pooling is transaction_pooling
    return Database(make_engine(url, pool_size=3,
                                transaction_pooling=settings.transaction_pooling),
                    dbutil.test_settings(url), url)


def _sell_from_eight_counters(through: Database, show_id: int,
                              stats: resilience.RetryStats | None = None,
                              ) -> tuple[int, list[str]]:
    sold: list[int] = []
    errors: list[str] = []
    lock = threading.Lock()

    def counter(row: str) -> None:
        for col in range(1, 11):
            try:
                if stats is None:
                    b = booking.sell(through, show_id, [f"{row}{col}"], clerk="ann")
                else:
                    b = sell_with_key(through, show_id, [f"{row}{col}"],
                                                  request_key=resilience.new_request_key(),
                                                  clerk="ann", counter=f"Counter {row}",
                                                  stats=stats)
                with lock:
                    sold.append(b.id)
            except Exception as exc:
                with lock:
                    errors.append(f"{type(exc).__name__}: {exc}")

    threads = [threading.Thread(target=counter, args=(r,)) for r in ROWS]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    return len(sold), errors


def test_sales_holds_and_expiry_through_transaction_pooling(
        db: Database, show: shows.ShowView, bouncer: Bouncer) -> None:
    through = pooled(db, bouncer)
    try:
        stats = resilience.RetryStats()
        sold, errors = _sell_from_eight_counters(through, show.id, stats)
        assert (sold, errors, stats.connection_errors) == (80, [], 0)
        held = booking.hold(through, show.id, ["B11", "C11"], clerk="ann")
        kept = booking.hold(through, show.id, ["B12"], clerk="ann")
        assert booking.confirm(through, kept.id, clerk="ann").status == "CONFIRMED"
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1s' "
                              "WHERE id = :b"), {"b": held.id})
        assert expiry.expire_holds(through).bookings == 1
        assert booking.get_booking(through, held.id).status == "FAILED"
        with db.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM booking_seats bs JOIN bookings b "
                                     "ON b.id = bs.booking_id WHERE b.show_id = :s"),
                                {"s": show.id}).scalar() == 81
    finally:
        through.dispose()


def test_prepared_statements_break_transaction_pooling_without_the_setting(
        db: Database, show: shows.ShowView, bouncer: Bouncer) -> None:
    """Why the setting exists: psycopg prepares a statement after five uses, on whichever
    server connection it was on; the next transaction may get another one."""
    through = pooled(db, bouncer, transaction_pooling=False)
    try:
        _, errors = _sell_from_eight_counters(through, show.id)
        assert any("prepared statement" in e for e in errors), errors[:3]
    finally:
        through.dispose()


def test_sessions_are_named_by_connection_parameter_through_the_pooler(
        db: Database, bouncer: Bouncer) -> None:
    through = pooled(db, bouncer)
    other = pooled(db, bouncer)
    try:
        name_sessions(through, "boxoffice-expiry-worker:pooled")
        with through.engine.connect() as conn:
            assert conn.exec_driver_sql("SHOW application_name").scalar() == (
                "boxoffice-expiry-worker:pooled")
        with other.engine.connect() as conn:  # nothing leaked to the next client
            assert conn.exec_driver_sql("SHOW application_name").scalar() == "boxoffice"
    finally:
        through.dispose()
        other.dispose()


SESSION_SET = re.compile(r"""["']\s*SET\s+(?!LOCAL\b|TRANSACTION\b)\w+\s*(=|TO\b)""")
SESSION_CONFIG = re.compile(r"set_config\([^)]*,\s*(false|0)\s*\)", re.IGNORECASE)


def test_no_session_level_settings_in_the_application() -> None:
    """A session SET stays on a pooled server connection and reaches the next client."""
    root = Path(__file__).resolve().parents[2] / "boxoffice"
    found = []
    for path in root.rglob("*.py"):
        for n, line in enumerate(path.read_text().splitlines(), 1):
            if SESSION_SET.search(line) or SESSION_CONFIG.search(line):
                found.append(f"{path.relative_to(root)}:{n}: {line.strip()}")
    assert found == []


def test_a_pooled_listen_is_caught_and_a_direct_one_delivers(
        db: Database, show: shows.ShowView, bouncer: Bouncer,
        caplog: pytest.LogCaptureFixture) -> None:
    through = pooled(db, bouncer)
    deaf = LiveFeed(through.url, max_backoff=0.5)
    states: queue.Queue[FeedState] = queue.Queue()
    deaf.on_state(states.put)
    caplog.set_level(logging.ERROR, logger="boxoffice.live")
    direct_url = load_settings(env={"BOXOFFICE_DATABASE_URL": through.url,
                                    "BOXOFFICE_LIVE_URL": db.url}).listen_url
    assert direct_url == db.url
    assert load_settings(env={"BOXOFFICE_DATABASE_URL": through.url}).listen_url == through.url
    direct = LiveFeed(direct_url or "", max_backoff=0.5)
    changes: queue.Queue[object] = queue.Queue()
    direct.subscribe(changes.put)
    try:
        started = time.monotonic()
        deaf.start()
        assert states.get(timeout=10) is FeedState.DEAF
        assert time.monotonic() - started < 5
        assert not deaf.connected.is_set()
        assert any("live feed is deaf" in r.getMessage() and "BOXOFFICE_LIVE_URL"
                   in r.getMessage() for r in caplog.records)
        report = OpsMonitor(through, interval=5, runs_expiry=False, feed=deaf).refresh()
        assert (report.ready, report.feed, report.database) == (False, "deaf", True)

        direct.start()
        assert direct.wait_connected() and direct.state is FeedState.LIVE
        sold = booking.sell(through, show.id, ["D5"], clerk="ann")
        assert changes.get(timeout=10) == SeatsChanged(show.id, ("D5",), SeatState.SOLD, sold.id, None)
        assert OpsMonitor(through, interval=5, runs_expiry=False, feed=direct).refresh().ready
    finally:
        deaf.stop()
        direct.stop()
        through.dispose()
