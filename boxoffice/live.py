"""The live change feed: what changed anywhere, as PostgreSQL tells every instance.

Each write calls ``pg_notify`` inside its own transaction, so a message arrives only
once its change is committed. ``LiveFeed`` listens on its own autocommit connection in a
small thread, turns each message into a typed change record (``boxoffice.changes``) and
hands it to subscribers. When the connection drops it reconnects with backoff and then
sends every subscriber ``Resync``: messages sent meanwhile are lost, so views refetch
what they show.

Payloads (small JSON objects, see ``boxoffice_notify`` in the migrations):

- ``boxoffice_changes`` carries ``{"show", "seats", "state", "booking", "counter"}``:
  ``state`` sold/held/free is a seat change (``refetch: true`` instead of ``seats`` when
  the list was too long for one message); show_created/show_changed/show_deleted/
  layout_changed a show change; prices_changed a new price plan; money a payment,
  refund or till count (``show`` and ``booking`` may be null).
- ``boxoffice_checkins`` carries ``{"show", "booking", "seat"}``: a door let a guest in.

A payload that does not parse is logged and dropped: one bad message must not stop the
feed, and no view can act on it.

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
from enum import Enum
from typing import Any

import psycopg

from boxoffice.changes import (
    Change,
    CheckedIn,
    MoneyChanged,
    PricesChanged,
    Resync,
    SeatsChanged,
    SeatState,
    ShowChange,
    ShowChanged,
)
from boxoffice.connections import server_of
from boxoffice.db import libpq_url

log = logging.getLogger(__name__)

CHANNEL = "boxoffice_changes"
CHECKIN_CHANNEL = "boxoffice_checkins"  # door check-ins (migration 0004)

PRICES_CHANGED = "prices_changed"
MONEY = "money"
_SHOW_WORDS = frozenset(c.value for c in ShowChange)

Subscriber = Callable[[Change], None]


class _Malformed(ValueError):
    """A payload that is JSON but not one of ours."""


def _object(payload: str) -> dict[str, Any]:
    data = json.loads(payload)
    if not isinstance(data, dict):
        raise _Malformed("not a JSON object")
    return data


def _id(value: object) -> int | None:
    """An id field: null stays None; anything else must be a whole number."""
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise _Malformed(f"not an id: {value!r}")
    return int(value)


class FeedState(Enum):
    """Where the feed stands, for the banner and ``/health``."""

    CONNECTING = "connecting"
    LIVE = "live"  # connected, and its own probe notification came back
    DEAF = "deaf"  # connected, but notifications are not delivered (a pooled LISTEN)
    LOST = "lost"  # no connection; reconnecting


PROBE_SECONDS = 1.0


class ChannelDeaf(Exception):
    """The probe notification did not come back: LISTEN here delivers nothing."""



def _required_id(value: object) -> int:
    found = _id(value)
    if found is None:
        raise _Malformed("no show")
    return found


def _text(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise _Malformed(f"not text: {value!r}")
    return value


def _seats(value: object) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list) or not all(isinstance(s, str) for s in value):
        raise _Malformed(f"not a list of seats: {value!r:.80}")
    return tuple(value)


def parse(payload: str) -> SeatsChanged | ShowChanged | PricesChanged | MoneyChanged | None:
    """One ``boxoffice_changes`` message as its record; None (logged) if malformed."""
    try:
        data = _object(payload)
        word = data.get("state")
        if not isinstance(word, str):
            raise _Malformed("no state")
        counter = _text(data.get("counter"))
        if word == MONEY:
            return MoneyChanged(_id(data.get("show")), _id(data.get("booking")), counter)
        show_id = _required_id(data.get("show"))
        if word == PRICES_CHANGED:
            return PricesChanged(show_id, counter)
        if word in _SHOW_WORDS:
            return ShowChanged(show_id, ShowChange(word), counter)
        return SeatsChanged(show_id, _seats(data.get("seats")), SeatState(word),
                            _id(data.get("booking")), counter,
                            refetch=data.get("refetch", False) is True)
    except (ValueError, TypeError) as exc:  # json.JSONDecodeError and _Malformed are ValueErrors
        log.warning("ignored malformed change notification (%s): %.200s", exc, payload)
        return None


def unbatch(payload: str) -> list[str]:
    """The designated notifier (boxoffice/events/notifier.py) sends many changes in one
    NOTIFY, one payload a line (a booking's own payload is one line of JSON)."""
    return payload.split("\n")


def parse_checkin(payload: str) -> CheckedIn | None:
    """One ``boxoffice_checkins`` message as its record; None (logged) if malformed."""
    try:
        data = _object(payload)
        seat = data.get("seat")
        if not isinstance(seat, str) or not seat:
            raise _Malformed("no seat")
        return CheckedIn(_required_id(data.get("show")), seat, _id(data.get("booking")))
    except (ValueError, TypeError) as exc:
        log.warning("ignored malformed check-in notification (%s): %.200s", exc, payload)
        return None


def parse_notification(channel: str, payload: str) -> Change | None:
    """A message of either channel we listen on, as its record (None if malformed)."""
    return parse_checkin(payload) if channel == CHECKIN_CHANNEL else parse(payload)


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

    def _publish(self, change: Change) -> None:
        with self._lock:
            subscribers = list(self._subscribers)
        for fn in subscribers:
            try:
                fn(change)
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
        for payload in unbatch(note.payload):  # one change a line (the notifier batches)
            change = parse_notification(note.channel, payload)
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
