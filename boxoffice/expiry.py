"""Releasing holds whose customers never paid.

One designated instance runs ``expire_holds`` every few seconds (APScheduler). Each
batch is one transaction that first takes a transaction-scoped advisory lock: if another
instance holds it, this one skips the round. Stale holds are picked FOR UPDATE SKIP
LOCKED, so a confirm that holds the booking's row lock wins and expiry leaves it alone;
a hold that expiry has taken is FAILED when confirm gets its lock, and confirm reports
``HoldExpired``. Exactly one of them wins.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import text

from boxoffice.db import Database

log = logging.getLogger(__name__)

EXPIRY_APP_PREFIX = "boxoffice-expiry"  # application_name of expiry runners' sessions
EXPIRY_LOCK_KEY = 0x626F_7865_7870  # "boxexp": one expiry runner at a time, cluster-wide

# One batch, server-side (migration 0003, ``boxoffice_expire``): take the advisory lock
# or skip; pick up to N overdue holds FOR UPDATE SKIP LOCKED; FAILED, seats deleted,
# events and NOTIFYs, all in one transaction. The ``boxoffice_expiry`` role may run it.
_EXPIRE = text("SELECT * FROM boxoffice_expire(:key, :batch)")


@dataclass(frozen=True, slots=True)
class ExpiryRound:
    """What one run of the job did: ``ran`` is False when another instance had the lock."""

    ran: bool
    bookings: int = 0
    seats: int = 0
    batches: int = 0


def expire_batch(db: Database, batch_size: int | None = None) -> tuple[bool, int, int]:
    """One transaction: take the expiry lock or skip; release up to ``batch_size`` holds."""
    size = batch_size or db.settings.expiry_batch_size
    with db.engine.begin() as conn:
        row = conn.execute(_EXPIRE, {"key": EXPIRY_LOCK_KEY, "batch": size}).one()
    return bool(row.ran), int(row.bookings), int(row.seats)


def expire_holds(db: Database, *, batch_size: int | None = None, max_batches: int = 1000,
                 should_stop: Callable[[], bool] = lambda: False) -> ExpiryRound:
    """Release every overdue hold, batch after batch, until none is left."""
    total_b = total_s = batches = 0
    size = batch_size or db.settings.expiry_batch_size
    for _ in range(max_batches):
        ran, b, s = expire_batch(db, size)
        if not ran:
            return ExpiryRound(False, total_b, total_s, batches)
        batches += 1
        total_b += b
        total_s += s
        if b < size or should_stop():
            break
    if total_b:
        log.info("expired %s holds (%s seats) in %s batches", total_b, total_s, batches)
    return ExpiryRound(True, total_b, total_s, batches)


def app_runner_name() -> str:
    """The application_name of a counter app's own expiry runner: found by the prefix the
    operations view and its alerts look for, unique per process."""
    import os
    import socket

    return f"{EXPIRY_APP_PREFIX}-app:{socket.gethostname()}:{os.getpid()}"[:63]


def _named_database(db: Database, application_name: str) -> Database:
    """A one-connection pool of its own, under ``application_name``, so PostgreSQL (and
    so the operations view) sees this runner while it is idle between rounds. The name is
    a connection parameter, not a session-level SET, which a transaction pooler would
    leak to other clients (docs/high-availability.md)."""
    from boxoffice.db import make_engine

    engine = make_engine(db.url, pool_size=1,
                         transaction_pooling=db.settings.transaction_pooling,
                         application_name=application_name)
    return Database(engine, db.settings, db.url)


class ExpiryRunner:
    """The APScheduler job of the designated instance (or ``boxoffice expiry-worker``).

    ``application_name``: run the rounds on a connection of their own under that name
    (a counter app's runner, whose shared pool is named plain ``boxoffice``).
    """

    def __init__(self, db: Database, *, interval: float | None = None,
                 on_round: Callable[[ExpiryRound], None] | None = None,
                 application_name: str | None = None) -> None:
        from apscheduler.schedulers.background import BackgroundScheduler

        self._own_db = application_name is not None
        db = _named_database(db, application_name) if application_name else db
        self.db = db
        self.interval = interval or db.settings.expiry_interval_seconds
        self.on_round = on_round
        self._stopping = threading.Event()
        self.scheduler = BackgroundScheduler(daemon=True)
        self.scheduler.add_job(self.run_once, "interval", seconds=self.interval,
                               id="boxoffice-expiry", max_instances=1, coalesce=True,
                               next_run_time=None)

    def run_once(self) -> ExpiryRound:
        try:
            result = expire_holds(self.db, should_stop=self._stopping.is_set)
        except Exception:
            log.exception("expiry round failed; retrying next interval")
            result = ExpiryRound(False)
        if self.on_round is not None:
            self.on_round(result)
        return result

    def start(self) -> None:
        from datetime import datetime

        self.scheduler.start()
        self.scheduler.modify_job("boxoffice-expiry", next_run_time=datetime.now().astimezone())
        log.info("expiry runner started (every %ss)", self.interval)

    def stop(self, wait: bool = True) -> None:
        self._stopping.set()
        if self.scheduler.running:
            self.scheduler.shutdown(wait=wait)
        if self._own_db:
            self.db.dispose()
        log.info("expiry runner stopped")
