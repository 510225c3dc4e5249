"""``/health`` and ``/metrics`` of the expiry worker, and the monitor behind them.

``OpsMonitor.refresh`` reads everything in one short transaction (statement timeout 2 s):
schema revision, expiry lag, lock waits, expiry workers connected, the event log since
the last refresh (for the booking counters), conflict rate over the alert window. It
sets the gauges, evaluates the alerts and logs each alert once at ERROR when it trips
and at INFO when it clears. The worker refreshes on an APScheduler job; a request
refreshes too unless the last check is under a second old and found nothing wrong.

Readiness means: the database answers, the schema is at head, and this worker's expiry
job has run (or skipped because another worker held the lock) within three intervals.
The lock is a transaction-scoped advisory lock taken per batch, so "who else runs
expiry" is read from ``pg_stat_activity`` (workers name their sessions
``boxoffice-expiry-worker:<host>:<pid>``) and ``pg_locks`` (whoever holds it now).
"""

from __future__ import annotations

import json
import logging
import socket
import threading
import time
from dataclasses import asdict, dataclass, field
from datetime import timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Protocol

from sqlalchemy import Connection, event, text

from boxoffice.connections import server_of
from boxoffice.db import Database, head_revision
from boxoffice.expiry import EXPIRY_APP_PREFIX, ExpiryRound, ExpiryRunner
from boxoffice.live import FeedState, LiveFeed
from boxoffice.ops import alerts, figures, metrics

log = logging.getLogger(__name__)

# A booking transaction lasts milliseconds; one still uncommitted after this long is
# taken as never committing (its event, if it ever appears, is not counted).
SETTLE_SECONDS = 30.0


def instance_name() -> str:
    """This worker's application_name: findable by prefix, unique per process."""
    import os

    return f"{EXPIRY_APP_PREFIX}-worker:{socket.gethostname()}:{os.getpid()}"[:63]


def name_sessions(db: Database, application_name: str) -> None:
    """Give every new connection of ``db`` this application_name (dispose the pool first
    if it already has connections).

    A connection parameter, not a session-level ``set_config``: through a PgBouncer in
    transaction pooling a session setting stays on the server connection and names
    whichever client gets it next, while PgBouncer passes application_name on itself.
    """

    @event.listens_for(db.engine, "do_connect")
    def _name(_dialect: Any, _record: Any, _cargs: list[Any],
              cparams: dict[str, Any]) -> None:
        cparams["application_name"] = application_name


@dataclass(frozen=True, slots=True)
class HealthReport:
    live: bool
    ready: bool
    database: bool
    schema: dict[str, str | None]
    expiry: dict[str, Any]
    alerts: list[alerts.Alert] = field(default_factory=list)
    checked_at: float = 0.0
    server: str | None = None  # host:port the checks ran on (which host of a list)
    feed: str | None = None  # the live feed's state, when this process listens

    def as_json(self) -> dict[str, Any]:
        out = asdict(self)
        out["alerts"] = [asdict(a) for a in self.alerts]
        return out


class OpsMonitor:
    """Checks, metrics and alerts of one expiry worker (thread-safe)."""

    def __init__(self, db: Database, *, interval: float, name: str | None = None,
                 limits: alerts.Thresholds | None = None, runs_expiry: bool = True,
                 outbox_cursor: str | None = None, feed: LiveFeed | None = None) -> None:
        self.db = db
        self.feed = feed  # a process that listens is not ready while its feed is deaf
        self.server: str | None = None
        self.outbox_cursor = outbox_cursor  # a consumer's "[schema.]table.column", if any
        if outbox_cursor:
            figures.outbox_cursor(outbox_cursor)  # refuse a malformed one at start-up
        self.runs_expiry = runs_expiry  # False: a watcher (the app) that expires nothing
        self.interval = interval
        self.name = name or instance_name()
        self.limits = limits or alerts.Thresholds()
        self.head = head_revision()
        self._lock = threading.Lock()
        self._low_water: int | None = None  # every event at or below it is counted
        self._seen: set[int] = set()  # counted events above it
        self._last_round: tuple[float, ExpiryRound] | None = None
        self._started = time.monotonic()
        self._tripped: dict[str, alerts.Alert] = {}
        self._report: HealthReport | None = None
        self.schema_ok = False

    # -- fed by the expiry runner ---------------------------------------------------
    def on_round(self, result: ExpiryRound) -> None:
        metrics.observe_expiry_round(result.ran, result.bookings, result.seats, result.batches,
                                     self.db.settings.expiry_batch_size, time.time())
        self._last_round = (time.monotonic(), result)

    # -- checks ---------------------------------------------------------------------
    def refresh(self) -> HealthReport:
        with self._lock:
            report = self._check()
            self._report = report
        return report

    def report(self, max_age: float = 1.0) -> HealthReport:
        """The last check if it is fresh and found nothing wrong; otherwise a new one (a
        scraper polling a healthy worker costs a query set per second at most)."""
        cached = self._report
        if (cached is None or not cached.ready or cached.alerts
                or time.monotonic() - cached.checked_at > max_age):
            return self.refresh()
        return cached

    def _check(self) -> HealthReport:
        now = time.monotonic()
        expiry: dict[str, Any] = {"instance": self.name, "interval_seconds": self.interval}
        try:
            state, others = self._read(expiry)
        except Exception as exc:  # the database is down or refuses: that is the finding
            first = (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
            log.debug("health check: the database did not answer", exc_info=True)
            metrics.DATABASE_UP.set(0)
            state, others = alerts.OpsState(database_up=False, error=first), []
        else:
            metrics.DATABASE_UP.set(1)
        self.schema_ok = state.database_up and state.schema_current == state.schema_head
        expiry["other_runners"] = others
        last = self._last_round
        if last is None:
            expiry["last_round"] = None
            round_ok = False
        else:
            age = max(now - last[0], 0.0)
            expiry["last_round"] = {"seconds_ago": round(age, 3), "ran": last[1].ran,
                                    "lock": "taken" if last[1].ran else "busy: another worker",
                                    "released": last[1].bookings}
            round_ok = age <= 3 * self.interval
        expiry["round_within_3_intervals"] = round_ok
        tripped = alerts.evaluate(state, self.limits)
        self._announce(tripped)
        ready = state.database_up and self.schema_ok and (round_ok or not self.runs_expiry)
        feed = self.feed.state if self.feed is not None else None
        ready = ready and feed in (None, FeedState.LIVE)
        return HealthReport(
            live=True, ready=ready, database=state.database_up,
            schema={"current": state.schema_current, "head": state.schema_head},
            expiry=expiry, alerts=tripped, checked_at=now,
            server=self.server if state.database_up else None,
            feed=feed.value if feed is not None else None)

    def _read(self, expiry: dict[str, Any]) -> tuple[alerts.OpsState, list[dict[str, Any]]]:
        with self.db.engine.begin() as conn:
            conn.execute(text("SET LOCAL statement_timeout = '2s'"))
            raw = conn.connection.dbapi_connection
            self.server = server_of(raw) if raw is not None else None  # type: ignore[arg-type]
            conn.execute(text("SELECT 1"))
            current = conn.execute(text(
                "SELECT CASE WHEN to_regclass('alembic_version') IS NULL THEN NULL "
                "ELSE (SELECT version_num FROM alembic_version LIMIT 1) END")).scalar()
            lag = figures.expiry_lag(conn)
            waits = figures.lock_waits(conn)
            runners = figures.expiry_sessions(conn)
            counters = figures.counters_connected(conn)
            self._count_events(conn)
            if self.outbox_cursor:
                metrics.OUTBOX_BACKLOG.labels(consumer=self.outbox_cursor).set(
                    figures.outbox_backlog(conn, self.outbox_cursor))
            recent = figures.show_figures(conn, timedelta(seconds=self.limits.window_seconds))
        total = figures.totals(recent, timedelta(seconds=self.limits.window_seconds))
        metrics.EXPIRY_LAG.set(lag.oldest_seconds)
        metrics.OVERDUE_HOLDS.set(lag.overdue_holds)
        by_lock: dict[str, int] = {}
        for w in waits:
            by_lock[w.lock] = by_lock.get(w.lock, 0) + 1
        metrics.LOCK_WAITS.clear()
        for lock, n in by_lock.items():
            metrics.LOCK_WAITS.labels(lock=lock).set(n)
        longest = max((w.seconds for w in waits), default=0.0)
        metrics.LOCK_WAIT_MAX.set(longest)
        metrics.COUNTERS_CONNECTED.set(len(counters))
        metrics.SEATS_PER_SECOND.set(total.seats_per_second)
        metrics.CONFLICT_RATE.clear()
        for f in recent.values():
            metrics.CONFLICT_RATE.labels(show=str(f.show_id)).set(f.conflict_rate)
        metrics.SCHEMA_AT_HEAD.set(1 if current == self.head else 0)
        names = {s.application for s in runners}
        others = [{"pid": s.pid, "application": s.application, "client": s.client,
                   "holds_lock_now": s.holds_expiry_lock}
                  for s in runners if s.application != self.name]
        alive = len({n for n in names if n.startswith(EXPIRY_APP_PREFIX)})
        if self.runs_expiry and self.name not in names:
            alive += 1  # this worker, whose pool may be idle between rounds
        metrics.EXPIRY_RUNNERS.set(alive)
        expiry["workers_connected"] = alive
        state = alerts.OpsState(
            database_up=True, schema_current=current, schema_head=self.head,
            attempts=total.attempts, conflicts=total.conflicts,
            expiry_lag_seconds=lag.oldest_seconds, overdue_holds=lag.overdue_holds,
            expiry_runners=alive, lock_waits=len(waits), lock_wait_max_seconds=longest)
        return state, others

    def _count_events(self, conn: Connection) -> None:
        """Count each event-log row once. Ids come from a sequence, so a row can become
        visible after a higher id was read (its transaction committed later): rows stay
        re-read until they are SETTLE_SECONDS old, and ids already counted are skipped."""
        if self._low_water is None:
            self._low_water = figures.last_event_id(conn)  # count what happens from now on
        rows = figures.events_after(conn, self._low_water)
        fresh = [r for r in rows if r.id not in self._seen]
        metrics.count_events((r.kind, r.show_id, 1, r.seats) for r in fresh)
        self._seen.update(r.id for r in fresh)
        settled = [r.id for r in rows if r.age_seconds > SETTLE_SECONDS]
        if settled:
            self._low_water = max(settled)
            self._seen = {i for i in self._seen if i > self._low_water}

    def _announce(self, tripped: list[alerts.Alert]) -> None:
        now = {a.name: a for a in tripped}
        for name, alert in now.items():
            if name not in self._tripped:
                log.error("alert %s: %s", name, alert.message,
                          extra={"alert": name, "value": alert.value})
        for name in self._tripped.keys() - now.keys():
            log.info("alert %s cleared", name, extra={"alert": name})
        self._tripped = now
        metrics.ALERTS.clear()
        for name in now:
            metrics.ALERTS.labels(alert=name).set(1)


class GatedExpiryRunner(ExpiryRunner):
    """The expiry job, run only while the monitor saw the schema at head (an old schema
    may lack ``boxoffice_expire``); every round is reported to the monitor."""

    def __init__(self, db: Database, monitor: OpsMonitor, *, interval: float) -> None:
        super().__init__(db, interval=interval, on_round=monitor.on_round)
        self.monitor = monitor
        self.scheduler.add_job(monitor.refresh, "interval", seconds=interval,
                               id="boxoffice-ops-refresh", max_instances=1, coalesce=True)

    def run_once(self) -> ExpiryRound:
        if not self.monitor.schema_ok:
            return ExpiryRound(False)
        return super().run_once()


# -- HTTP -------------------------------------------------------------------------------


class Report(Protocol):
    @property
    def ready(self) -> bool: ...

    def as_json(self) -> dict[str, Any]: ...


class Monitored(Protocol):
    """What the HTTP server asks: the expiry worker's OpsMonitor, the events relay."""

    def report(self) -> Report: ...


def _handler(monitor: Monitored) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        server_version = "BoxOffice-ops"

        def do_GET(self) -> None:
            path = self.path.split("?", 1)[0].rstrip("/") or "/"
            if path == "/metrics":
                monitor.report()
                self._send(200, metrics.exposition(),
                           "text/plain; version=0.0.4; charset=utf-8")
            elif path in ("/health", "/health/ready"):
                report = monitor.report()
                self._send(200 if report.ready else 503,
                           json.dumps(report.as_json()).encode(), "application/json")
            elif path == "/health/live":
                self._send(200, b'{"live": true}', "application/json")
            else:
                self._send(404, b'{"error": "not found"}', "application/json")

        def _send(self, status: int, body: bytes, content_type: str) -> None:
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:
            log.debug("http %s", format % args)

    return Handler


class OpsServer:
    """The HTTP server on a daemon thread; ``port`` is the bound one (``0`` picks one)."""

    def __init__(self, monitor: Monitored, host: str = "127.0.0.1", port: int = 9187) -> None:
        self.httpd = ThreadingHTTPServer((host, port), _handler(monitor))
        self.httpd.daemon_threads = True
        self.host, self.port = self.httpd.server_address[:2]
        self._thread = threading.Thread(target=self.httpd.serve_forever, name="boxoffice-ops",
                                        daemon=True)

    def start(self) -> OpsServer:
        self._thread.start()
        return self

    def stop(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()
        self._thread.join(timeout=5)
