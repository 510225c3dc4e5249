"""The live change feed: who changed which seats, as PostgreSQL tells every instance.

Each seat change calls ``pg_notify('boxoffice_changes', …)`` inside its own
transaction, so a message arrives only once its change is committed. ``LiveFeed``
listens on its own autocommit connection in a small thread and hands each change to
subscribers. When the connection drops it reconnects with backoff and then sends every
subscriber ``Resync``: messages sent meanwhile are lost, so views refetch what they show.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass

import psycopg

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


def unbatch(payload: str) -> list[str]:
    """The designated notifier (boxoffice/events/notifier.py) sends many changes in one
    NOTIFY, one payload a line (a booking's own payload is one line of JSON)."""
    return payload.split("\n")


def parse(payload: str) -> SeatChange | None:
    try:
        data = json.loads(payload)
        if data.get("state") == "money":
            return None  # money notices (migration 0006) are for the cash-up, not seats
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

    def _run(self) -> None:
        backoff = 0.5
        first = True
        while not self._stop.is_set():
            try:
                with psycopg.connect(self.url, autocommit=True,
                                     application_name="boxoffice-live") as conn:
                    self._conn = conn
                    conn.execute(f"LISTEN {CHANNEL}")
                    conn.execute(f"LISTEN {CHECKIN_CHANNEL}")
                    self.connected.set()
                    backoff = 0.5
                    if not first:
                        self.reconnects += 1
                        log.info("live feed reconnected")
                        self._publish(Resync("reconnected"))
                    first = False
                    while not self._stop.is_set():
                        for note in conn.notifies(timeout=0.5):
                            for payload in unbatch(note.payload):
                                change = (parse_checkin(payload)
                                          if note.channel == CHECKIN_CHANNEL else parse(payload))
                                if change is not None:
                                    self._publish(change)
            except psycopg.Error as exc:
                if self._stop.is_set():
                    break
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
