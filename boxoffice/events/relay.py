"""``boxoffice events relay``: every committed booking event published to NATS JetStream.

One relay is active per database: it holds a session advisory lock on a connection of
its own (``pg_try_advisory_lock``), and any other relay waits as a standby, trying the
lock every ``standby_seconds``; when the active one dies its session ends, the lock with
it, and a standby takes over from the position kept in the database. The relay reads the
gap-free stream (``boxoffice.events.stream``), publishes a batch in order, waits for the
broker's acknowledgements, and only then moves its position (``event_relay_positions``):
delivery is at-least-once, and each message's ``Nats-Msg-Id`` is the event's stable id,
so a batch published again after a crash is dropped by the broker as duplicates (within
the stream's duplicate window). Bookings never wait for any of this: they only insert
the event row, as before; with the broker down the backlog grows and drains when it
returns.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import threading
import time
from collections import deque
from dataclasses import dataclass, field
from typing import Any

import psycopg

from boxoffice.db import Database, libpq_url
from boxoffice.events import stream
from boxoffice.events.stream import Position, StreamEvent

log = logging.getLogger("boxoffice.events.relay")

RELAY_LOCK_KEY = 0x626F_7872_6C79  # "boxrly": one active relay per database
CONSUMER = "nats-relay"  # its row in event_relay_positions
STREAM = "BOXOFFICE"
SUBJECTS = "boxoffice.>"
DUPLICATE_WINDOW_SECONDS = 600.0  # covers a takeover plus a slow restart


@dataclass(frozen=True, slots=True)
class RelaySettings:
    nats_url: str
    stream: str = STREAM
    batch: int = 500
    poll_seconds: float = 0.05
    standby_seconds: float = 1.0
    ack_timeout_seconds: float = 5.0
    duplicate_window_seconds: float = DUPLICATE_WINDOW_SECONDS
    name: str = field(default_factory=lambda: relay_name())


def relay_name() -> str:
    """The relay's application_name: who holds the lock, as pg_stat_activity shows it."""
    return f"events-relay:{socket.gethostname()}:{os.getpid()}"[:63]


@dataclass(frozen=True, slots=True)
class RelayStatus:
    """What /health and /metrics show; taken by the loop, read by the HTTP thread."""

    role: str  # "starting", "active", "standby"
    database_up: bool
    broker_up: bool
    position: Position
    backlog: int
    lag_seconds: float
    published: int
    duplicates: int
    failures: int
    published_per_second: float

    def as_json(self) -> dict[str, Any]:
        return {"ready": self.ready, "role": self.role, "database": self.database_up,
                "broker": self.broker_up,
                "position": {"txid": self.position.txid, "event_id": self.position.event_id},
                "backlog": self.backlog, "lag_seconds": round(self.lag_seconds, 3),
                "published": self.published, "duplicates": self.duplicates,
                "failures": self.failures,
                "published_per_second": round(self.published_per_second, 2)}

    @property
    def ready(self) -> bool:
        """A standby is healthy while it can take over; the active relay needs both ends."""
        if not self.database_up:
            return False
        return self.role == "standby" or (self.role == "active" and self.broker_up)


class _Leadership:
    """The advisory lock on a session of its own; losing the session loses the lock."""

    def __init__(self, url: str, name: str) -> None:
        self.url = url
        self.name = name
        self.conn: psycopg.Connection[Any] | None = None

    def try_take(self) -> bool:
        if self.conn is None or self.conn.closed:
            self.conn = psycopg.connect(self.url, autocommit=True, application_name=self.name,
                                        connect_timeout=5)
        row = self.conn.execute("SELECT pg_try_advisory_lock(%s)", (RELAY_LOCK_KEY,)).fetchone()
        return bool(row and row[0])

    def still_held(self) -> bool:
        if self.conn is None or self.conn.closed:
            return False
        try:
            self.conn.execute("SELECT 1")
            return True
        except psycopg.Error:
            self.release()
            return False

    def release(self) -> None:
        if self.conn is not None:
            try:
                self.conn.close()
            except psycopg.Error:
                pass
        self.conn = None


class Relay:
    """The relay loop (``run``), its counters, and ``report()`` for the HTTP server."""

    def __init__(self, db: Database, settings: RelaySettings) -> None:
        self.db = db
        self.settings = settings
        self._lead = _Leadership(libpq_url(db.url), settings.name)
        self._stop = asyncio.Event()
        self._lock = threading.Lock()
        self._recent: deque[tuple[float, int]] = deque()
        self._nc: Any = None
        self._js: Any = None
        self.position = stream.START
        self.role = "starting"
        self.database_up = False
        self.published = 0
        self.duplicates = 0
        self.failures = 0
        self._backlog = stream.Backlog(0, 0.0)
        self._backlog_at = 0.0

    # -- the loop ------------------------------------------------------------------------

    def stop(self) -> None:
        self._stop.set()

    async def run(self) -> None:
        """Until ``stop()``: be the active relay when the lock is free, else stand by."""
        try:
            while not self._stop.is_set():
                try:
                    await self._round()
                except psycopg.Error as exc:
                    self._failed("database", exc)
                    self._lead.release()
                    self.database_up = False
                    self.role = "starting"
                    await self._pause(self.settings.standby_seconds)
                except Exception as exc:  # the broker: timeouts, no responders, refusals
                    if "sqlalchemy" in type(exc).__module__:
                        self._failed("database", exc)
                        self.database_up = False
                    else:
                        self._failed("broker", exc)
                    await self._pause(min(2.0, self.settings.standby_seconds))
        finally:
            self._lead.release()
            await self._close_broker()

    async def _round(self) -> None:
        if self.role != "active":
            if not await asyncio.to_thread(self._lead.try_take):
                self.role = "standby"
                self.database_up = True
                await asyncio.to_thread(self._refresh_backlog, True)
                await self._pause(self.settings.standby_seconds)
                return
            self.position = await asyncio.to_thread(self._load_position)
            self.role = "active"
            self.database_up = True
            log.info("events relay active from position %s", self.position,
                     extra={"txid": self.position.txid, "event_id": self.position.event_id})
        await self._ensure_broker()
        events = await asyncio.to_thread(self._read)
        self.database_up = True
        if not events:
            await asyncio.to_thread(self._refresh_backlog, False)
            await self._pause(self.settings.poll_seconds)
            return
        await self._publish(events)
        if not await asyncio.to_thread(self._lead.still_held):
            # The session (and its lock) went away: another relay may be active now. What
            # was just published is acknowledged, and duplicates of it are dropped.
            self.role = "starting"
            log.warning("events relay lost its lock; standing by")
            return
        await asyncio.to_thread(self._save, events[-1].position)
        self.position = events[-1].position
        self._count(len(events))
        await asyncio.to_thread(self._refresh_backlog, False)

    async def _pause(self, seconds: float) -> None:
        try:
            await asyncio.wait_for(self._stop.wait(), timeout=seconds)
        except TimeoutError:
            pass

    # -- the database ----------------------------------------------------------------------

    def _load_position(self) -> Position:
        with self.db.engine.connect() as conn:
            return stream.load_position(conn, CONSUMER)

    def _read(self) -> list[StreamEvent]:
        with self.db.engine.connect() as conn:
            return stream.read_after(conn, self.position, self.settings.batch)

    def _save(self, position: Position) -> None:
        with self.db.engine.begin() as conn:
            stream.save_position(conn, CONSUMER, position)

    def _refresh_backlog(self, standby: bool) -> None:
        """At most once a second: a count over the unread tail is cheap, not free."""
        now = time.monotonic()
        if now - self._backlog_at < 1.0:
            return
        with self.db.engine.connect() as conn:
            if standby:
                self.position = stream.load_position(conn, CONSUMER)
            backlog = stream.backlog(conn, self.position)
        with self._lock:
            self._backlog, self._backlog_at = backlog, now

    # -- the broker ------------------------------------------------------------------------

    async def _ensure_broker(self) -> None:
        if self._js is not None:
            return
        await self._close_broker()  # a connection whose stream set-up failed
        import nats

        self._nc = await nats.connect(
            self.settings.nats_url, name=self.settings.name, connect_timeout=2,
            allow_reconnect=True, max_reconnect_attempts=-1, reconnect_time_wait=0.5,
            error_cb=self._quiet, disconnected_cb=self._disconnected,
            reconnected_cb=self._reconnected)
        self._js = self._nc.jetstream(timeout=self.settings.ack_timeout_seconds)
        await ensure_stream(self._js, self.settings.stream,
                            self.settings.duplicate_window_seconds)
        log.info("events relay connected to %s, stream %s", self.settings.nats_url,
                 self.settings.stream)

    async def _publish(self, events: list[StreamEvent]) -> None:
        """The batch in order on one connection, then every acknowledgement: a missing
        one fails the whole batch, which is published again (the broker drops what it
        already has)."""
        js = self._js
        acks: list[asyncio.Future[Any]] = []
        try:
            for e in events:
                acks.append(await js.publish_async(e.subject(), e.payload(),
                                                   headers={"Nats-Msg-Id": e.message_id}))
            done = await asyncio.wait_for(asyncio.gather(*acks),
                                          timeout=self.settings.ack_timeout_seconds)
        except BaseException:
            for f in acks:  # frees their slots in the client's pending window
                f.cancel()
            raise
        self.duplicates += sum(1 for ack in done if getattr(ack, "duplicate", False))

    async def _close_broker(self) -> None:
        if self._nc is not None:
            try:
                await self._nc.close()
            except Exception:  # closing a connection to a dead broker
                pass
        self._nc = self._js = None

    async def _quiet(self, exc: Exception) -> None:
        log.debug("nats: %s", exc)

    async def _disconnected(self) -> None:
        log.warning("events relay lost the broker; the backlog waits in the database")

    async def _reconnected(self) -> None:
        log.info("events relay reconnected to the broker")

    # -- figures ---------------------------------------------------------------------------

    def _failed(self, where: str, exc: BaseException) -> None:
        self.failures += 1
        log.error("events relay: %s failed (%s: %s); retrying", where, type(exc).__name__,
                  exc, extra={"failures": self.failures})

    def _count(self, n: int) -> None:
        now = time.monotonic()
        with self._lock:
            self.published += n
            self._recent.append((now, n))
            while self._recent and self._recent[0][0] < now - 10:
                self._recent.popleft()

    def report(self) -> RelayStatus:
        now = time.monotonic()
        with self._lock:
            recent = sum(n for t, n in self._recent if t >= now - 10)
            backlog = self._backlog
        broker = self._nc is not None and bool(self._nc.is_connected)
        return RelayStatus(self.role, self.database_up, broker, self.position,
                           backlog.events, backlog.lag_seconds, self.published,
                           self.duplicates, self.failures, recent / 10.0)


async def ensure_stream(js: Any, name: str, duplicate_window: float) -> None:
    """The stream of every ``boxoffice.>`` subject, on file storage, deduplicating by
    ``Nats-Msg-Id`` over ``duplicate_window`` seconds; created, or brought to that."""
    from nats.js.api import StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    config = StreamConfig(name=name, subjects=[SUBJECTS], storage=StorageType.FILE,
                          duplicate_window=duplicate_window)
    try:
        await js.stream_info(name)
    except NotFoundError:
        await js.add_stream(config)
    else:
        await js.update_stream(config)
