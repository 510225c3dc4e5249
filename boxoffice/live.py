"""The live change feed: who changed which seats, as PostgreSQL tells every instance.

Each seat change calls ``pg_notify('boxoffice_changes', …)`` inside its own
transaction, so a message arrives only once its change is committed. ``LiveFeed``
listens on its own autocommit connection in a small thread and hands each change to
subscribers. When the connection drops it reconnects with backoff and then sends every
subscriber ``Resync``: messages sent meanwhile are lost, so views refetch what they show.

A LISTEN that is accepted is not proof that notifications arrive: through a PgBouncer in
transaction pooling the LISTEN lands on whichever server connection was free and nothing
is ever delivered. So on every connect the feed proves its channel: it listens on a
probe channel of its own, sends the probe from a second connection and waits a second
for it. Until it arrives the feed is not ``LIVE``; a probe that never comes makes it
``DEAF`` (logged at ERROR, shown on the banner, ``/health`` not ready) and it tries
again with backoff, instead of reporting itself connected while every seat map freezes.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum

import psycopg

from boxoffice.connections import server_of
from boxoffice.db import libpq_url

log = logging.getLogger(__name__)

CHANNEL = "boxoffice_changes"
# Door check-ins (migration 0004): {"show", "booking", "seat"} → state "checked_in".
CHECKIN_CHANNEL = "boxoffice_checkins"


@dataclass(frozen=True, slots=True)
class SeatChange:
    """Seats of one show became ``state`` (sold, held, free); ``refetch`` when the list
    was too long for one message. Show-level changes carry ``state`` show_created etc."""

    show_id: int
    seats: tuple[str, ...]
    state: str
    booking_id: int | None
    counter: str | None
    refetch: bool = False


@dataclass(frozen=True, slots=True)
class Resync:
    """The feed was interrupted: anything may have changed; refetch."""

    reason: str


class FeedState(Enum):
    """Where the feed stands, for the banner and ``/health``."""

    CONNECTING = "connecting"
    LIVE = "live"  # connected, and its own probe notification came back
    DEAF = "deaf"  # connected, but notifications are not delivered (a pooled LISTEN)
    LOST = "lost"  # no connection; reconnecting


PROBE_SECONDS = 1.0


class ChannelDeaf(Exception):
    """The probe notification did not come back: LISTEN here delivers nothing."""


Event = SeatChange | Resync
Subscriber = Callable[[Event], None]


def parse_checkin(payload: str) -> SeatChange | None:
    try:
        data = json.loads(payload)
        return SeatChange(int(data["show"]), (str(data["seat"]),), "checked_in",
                          data.get("booking"), None)
    except (ValueError, KeyError, TypeError):
        log.warning("ignored malformed check-in notification: %.200s", payload)
        return None


def parse(payload: str) -> SeatChange | None:
    try:
        data = json.loads(payload)
        return SeatChange(
            show_id=int(data["show"]),
            seats=tuple(data.get("seats") or ()),
            state=str(data.get("state")),
            booking_id=data.get("booking"),
            counter=data.get("counter"),
            refetch=bool(data.get("refetch", False)),
        )
    except (ValueError, KeyError, TypeError):
        log.warning("ignored malformed change notification: %.200s", payload)
        return None


class LiveFeed:
    """LISTEN in a background thread; subscribers are called on that thread."""

    def __init__(self, url: str, *, max_backoff: float = 10.0) -> None:
        self.url = libpq_url(url)
        self.max_backoff = max_backoff
        self._subscribers: list[Subscriber] = []
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._conn: psycopg.Connection[tuple[object, ...]] | None = None
        self.connected = threading.Event()
        self.reconnects = 0
        self.state = FeedState.CONNECTING
        self.server: str | None = None  # host:port the feed listens on
        self._probe_channel = f"boxoffice_probe_{uuid.uuid4().hex[:16]}"
        self._state_listeners: list[Callable[[FeedState], None]] = []

    def on_state(self, fn: Callable[[FeedState], None]) -> None:
        """Call ``fn(state)`` (on the feed's thread) whenever the state changes."""
        self._state_listeners.append(fn)

    def _set_state(self, state: FeedState) -> None:
        if state is self.state:
            return
        self.state = state
        for fn in list(self._state_listeners):
            try:
                fn(state)
            except Exception:
                log.exception("live feed state listener failed")

    def _prove_channel(self, conn: psycopg.Connection[tuple[object, ...]]) -> None:
        """Send this feed a probe from another connection; raise ``ChannelDeaf`` unless it
        arrives within ``PROBE_SECONDS``."""
        token = uuid.uuid4().hex
        # The same server the feed listens on, not whichever host of a list answers.
        same: dict[str, str] = {"host": conn.info.host, "port": str(conn.info.port)}
        given = psycopg.conninfo.conninfo_to_dict(self.url)
        if "hostaddr" in given:
            same["hostaddr"] = conn.info.hostaddr
        if "load_balance_hosts" in given:
            same["load_balance_hosts"] = "disable"
        target = psycopg.conninfo.make_conninfo(self.url, **same)
        with psycopg.connect(target, autocommit=True, connect_timeout=5,
                             application_name="boxoffice-live-probe") as other:
            other.execute("SELECT pg_notify(%s, %s)", (self._probe_channel, token))
        for note in conn.notifies(timeout=PROBE_SECONDS):
            if note.channel == self._probe_channel:
                if note.payload == token:
                    return
            else:
                self._deliver(note)  # a change that came in meanwhile is not lost
        raise ChannelDeaf(
            f"LISTEN on {self.server} accepted but its probe notification did not arrive "
            f"within {PROBE_SECONDS:.0f} s: live changes cannot reach this counter. "
            "Is this a PgBouncer in transaction pooling? Set BOXOFFICE_LIVE_URL to a "
            "direct address of the database.")

    def subscribe(self, fn: Subscriber) -> Callable[[], None]:
        with self._lock:
            self._subscribers.append(fn)

        def unsubscribe() -> None:
            with self._lock:
                if fn in self._subscribers:
                    self._subscribers.remove(fn)

        return unsubscribe

    def _publish(self, event: Event) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for fn in subscribers:
            try:
                fn(event)
            except Exception:
                log.exception("live feed subscriber failed")

    def start(self) -> LiveFeed:
        self._thread = threading.Thread(target=self._run, name="boxoffice-live", daemon=True)
        self._thread.start()
        return self

    def wait_connected(self, timeout: float = 10.0) -> bool:
        return self.connected.wait(timeout)

    def stop(self) -> None:
        self._stop.set()
        conn = self._conn
        if conn is not None:
            try:
                conn.cancel_safe()
            except Exception:
                pass
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _deliver(self, note: psycopg.Notify) -> None:
        change = (parse_checkin(note.payload)
                  if note.channel == CHECKIN_CHANNEL else parse(note.payload))
        if change is not None:
            self._publish(change)

    def _run(self) -> None:
        backoff = 0.5
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True,
                                     application_name="boxoffice-live") as conn:
                    self._conn = conn
                    self.server = server_of(conn)
                    conn.execute(f"LISTEN {self._probe_channel}")
                    conn.execute(f"LISTEN {CHANNEL}")
                    conn.execute(f"LISTEN {CHECKIN_CHANNEL}")
                    try:
                        self._prove_channel(conn)
                    except ChannelDeaf as exc:
                        if self.state is not FeedState.DEAF:
                            log.error("live feed is deaf: %s", exc)
                            self._set_state(FeedState.DEAF)
                            self._publish(Resync(f"live changes not delivered: {exc}"))
                        first = False
                        self._stop.wait(backoff)
                        backoff = min(backoff * 2, self.max_backoff)
                        continue
                    log.info("live feed listening on %s", self.server)
                    self._set_state(FeedState.LIVE)
                    self.connected.set()
                    backoff = 0.5
                    if not first:
                        self.reconnects += 1
                        log.info("live feed reconnected")
                        self._publish(Resync("reconnected"))
                    first = False
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            if note.channel != self._probe_channel:
                                self._deliver(note)
            except psycopg.Error as exc:
                if self._stop.is_set():
                    break
                self._set_state(FeedState.LOST)
                if self.connected.is_set():
                    self.connected.clear()
                    self._publish(Resync(f"connection lost: {exc}"))
                    log.warning("live feed lost its connection: %s", exc)
                first = False
                self._stop.wait(backoff)
                backoff = min(backoff * 2, self.max_backoff)
            finally:
                self._conn = None
        self.connected.clear()
