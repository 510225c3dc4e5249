"""Two designated expiry instances at once, and one of them killed mid-run."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time

import pytest
from sqlalchemy import text

from boxoffice import shows
from boxoffice.audit import violations
from boxoffice.db import Database
from boxoffice.layout import Layout
from tests.dbutil import seed_stale_holds, tomorrow

HOLDS = 20_000


def counts(db: Database) -> tuple[int, int]:
    with db.engine.connect() as conn:
        pending = conn.execute(text("SELECT count(*) FROM bookings WHERE status = 'PENDING'")
                               ).scalar_one()
        expired = conn.execute(text("SELECT count(*) FROM booking_events "
                                    "WHERE kind = 'booking_expired'")).scalar_one()
    return int(pending), int(expired)


def worker(url: str) -> subprocess.Popen[bytes]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("BOXOFFICE_")}
    env["BOXOFFICE_EXPIRY_BATCH"] = "250"
    return subprocess.Popen([sys.executable, "-m", "boxoffice.cli", "expiry-worker",
                             "--interval", "0.2", "--database-url", url, "--log-level", "WARNING"],
                            env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def wait_for(cond, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    give_up = time.monotonic() + timeout
    while time.monotonic() < give_up:
        if cond():
            return True
        time.sleep(0.05)
    return False


@pytest.mark.slow
def test_two_runners_one_killed_mid_run(db: Database) -> None:
    hall = shows.create_hall(db, "Stadium", Layout.grid(100, 200))
    show = shows.create_show(db, "Final", tomorrow(), hall=hall.id)
    seed_stale_holds(db, show.id, HOLDS)
    assert counts(db) == (HOLDS, 0)
    a, b = worker(db.url), worker(db.url)
    try:
        assert wait_for(lambda: counts(db)[1] > 0, 60), "no runner started expiring"
        a.send_signal(signal.SIGKILL)  # mid-run: batches keep coming until the backlog is gone
        a.wait(10)
        killed_at = counts(db)[1]
        started = time.monotonic()
        assert wait_for(lambda: counts(db)[0] == 0, 120), f"left pending: {counts(db)}"
        print(f"\nexpiry: killed after {killed_at} of {HOLDS}; the survivor released the rest "
              f"in {time.monotonic() - started:.1f} s")
        assert b.poll() is None  # the survivor is still running
    finally:
        for p in (a, b):
            if p.poll() is None:
                p.terminate()
                p.wait(30)
    assert counts(db) == (0, HOLDS)  # each hold expired exactly once
    with db.engine.connect() as conn:
        assert violations(conn) == {}


def test_a_counter_apps_own_expiry_runner_is_seen_by_the_operations_figures(
        db: Database) -> None:
    from boxoffice.expiry import ExpiryRunner, app_runner_name
    from boxoffice.ops.figures import expiry_sessions

    name = app_runner_name()
    runner = ExpiryRunner(db, application_name=name)
    try:
        runner.run_once()  # idle now, between rounds: its connection stays in its pool
        with db.engine.connect() as conn:
            seen = [s.application for s in expiry_sessions(conn)]
        assert name in seen
    finally:
        runner.stop()
