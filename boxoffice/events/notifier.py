"""``boxoffice events notifier``: the designated live notifier, so that the cost of the
live seat maps does not grow with the number of screens.

A NOTIFY wakes every listening session and takes a database-wide lock at commit; sent
inside each booking's transaction, one per booking, it serialises the commits and caps
the booking rate as screens are added (6,743 tps with no listener, 142 with 200, measured
with pgbench). While a notifier runs it holds advisory lock ``NOTIFIER_LOCK_KEY`` for as
long as its session lives; ``boxoffice_notify`` then queues each change in
``live_changes`` instead of sending it, and the notifier sends what is queued every
``interval`` seconds as a few NOTIFYs carrying many changes each, one a line, which
``boxoffice.live`` splits. The screens' wake-ups are bounded by the notifier's rate, not
the bookings'. Taking the queued rows and announcing them is one transaction (deleted
and NOTIFYed at the same commit), so a change is announced once.

With no notifier (the embedded single-PC default) nothing changes: each booking
announces its own change. A second notifier waits for the lock as a standby; when the
active one's session ends, bookings go back to announcing directly at once, and the
standby (or the next notifier) announces whatever a killed one left queued - late, not
lost; without any notifier those few changes wait in the table.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import time
from typing import Any

import psycopg

from boxoffice.db import libpq_url
from boxoffice.live import CHANNEL

log = logging.getLogger("boxoffice.events.notifier")

NOTIFIER_LOCK_KEY = 0x626F_786E_7466  # "boxntf"; boxoffice/sql/boxoffice_notify.sql names it
MAX_PAYLOAD = 7900  # NOTIFY refuses payloads of 8000 bytes and more


def notifier_name() -> str:
    return f"live-notifier:{socket.gethostname()}:{os.getpid()}"[:63]


def batches(payloads: list[str], limit: int = MAX_PAYLOAD) -> list[str]:
    """The payloads joined a line each (JSON from json_build_object has no raw newline),
    in NOTIFY payloads of at most ``limit`` bytes, in order. Lines, not a JSON array: a
    screen splits them for free instead of parsing the batch twice."""
    out: list[str] = []
    chunk: list[str] = []
    size = 0
    for p in payloads:
        n = len(p.encode()) + 1
        if chunk and size + n > limit:
            out.append("\n".join(chunk))
            chunk, size = [], 0
        chunk.append(p)
        size += n
    if chunk:
        out.append("\n".join(chunk))
    return out


class Notifier:
    """The loop; ``run(stop)`` until ``stop`` is set. ``active`` is set while it holds
    the lock, ``announced`` counts changes, ``notifies`` the NOTIFYs they took."""

    def __init__(self, url: str, *, interval: float = 0.02, batch: int = 5000) -> None:
        self.url = libpq_url(url)
        self.interval = interval
        self.batch = batch
        self.active = threading.Event()
        self.announced = 0
        self.notifies = 0

    def run(self, stop: threading.Event) -> None:
        backoff = 0.5
        while not stop.is_set():
            try:
                # lock_timeout as a connection parameter, not a session-level SET (which a
                # transaction pooler would leak to other clients): the wait for the lock
                # gives up each second so ``stop`` is heard.
                with psycopg.connect(self.url, autocommit=True, connect_timeout=5,
                                     application_name=notifier_name(),
                                     options="-c lock_timeout=1s") as conn:
                    if not self._take(conn, stop):
                        continue
                    log.info("live notifier active")
                    backoff = 0.5
                    while not stop.is_set():
                        if not self.round(conn):
                            stop.wait(self.interval)
                    self._hand_back(conn)
            except psycopg.Error as exc:
                self.active.clear()
                if stop.is_set():
                    break
                log.warning("live notifier lost the database (%s); retrying", exc)
                stop.wait(backoff)
                backoff = min(backoff * 2, 10.0)
        self.active.clear()

    def _take(self, conn: psycopg.Connection[Any], stop: threading.Event) -> bool:
        """Wait for the lock (a standby waits here), a second at a time so ``stop`` is
        heard (the connection's lock_timeout). While this request waits, bookings already
        queue their changes."""
        while not stop.is_set():
            try:
                conn.execute("SELECT pg_advisory_lock(%s)", (NOTIFIER_LOCK_KEY,))
            except psycopg.errors.LockNotAvailable:
                continue
            self.active.set()
            return True
        return False

    def round(self, conn: psycopg.Connection[Any]) -> int:
        """Announce up to ``batch`` queued changes, oldest first; how many there were."""
        with conn.transaction():
            rows = conn.execute(
                "DELETE FROM live_changes WHERE id IN "
                "(SELECT id FROM live_changes ORDER BY id LIMIT %s) RETURNING id, payload",
                (self.batch,)).fetchall()
            if not rows:
                return 0
            rows.sort()
            sent = batches([str(r[1]) for r in rows])
            for payload in sent:
                conn.execute("SELECT pg_notify(%s, %s)", (CHANNEL, payload))
        self.announced += len(rows)
        self.notifies += len(sent)
        return len(rows)

    def _hand_back(self, conn: psycopg.Connection[Any]) -> None:
        """Stopping: release the lock (bookings announce directly from now on), wait for
        the transactions that may still queue a change to end, and announce the rest."""
        conn.execute("SELECT pg_advisory_unlock(%s)", (NOTIFIER_LOCK_KEY,))
        self.active.clear()
        row = conn.execute("SELECT pg_snapshot_xmax(pg_current_snapshot())::text").fetchone()
        horizon = int(row[0]) if row else 0
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            row = conn.execute(
                "SELECT pg_snapshot_xmin(pg_current_snapshot())::text").fetchone()
            if row is None or int(row[0]) >= horizon:
                break
            time.sleep(0.01)
        while self.round(conn):
            pass
        log.info("live notifier stopped; %s changes announced in %s NOTIFYs",
                 self.announced, self.notifies)


class NotifierThread:
    """``with NotifierThread(url):`` a notifier in this process, active inside the block
    (the benchmark's ``--notifier``)."""

    def __init__(self, url: str, **kwargs: Any) -> None:
        self.notifier = Notifier(url, **kwargs)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self.notifier.run, args=(self._stop,),
                                        name="boxoffice-live-notifier", daemon=True)

    def __enter__(self) -> Notifier:
        self._thread.start()
        if not self.notifier.active.wait(30):
            raise RuntimeError("the live notifier did not get its lock")
        return self.notifier

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join(15)
