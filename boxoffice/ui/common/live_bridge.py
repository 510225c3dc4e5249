"""Change records, delivered on the GUI thread to the views that subscribed to them.

Two sources feed one bridge. The live feed (``boxoffice.live.LiveFeed``) calls back on
its own thread; emitting a Qt signal from there queues the record to the GUI thread, so
there is no polling anywhere. The clerk's own operations ``publish`` the records their
result answered, so the clerk's screen shows its own write the moment it commits.

Each view subscribes to the kinds it shows, optionally for one show::

    live.subscribe(SeatsChanged, self.on_seats, show=lambda: self.show_id)
    live.subscribe(MoneyChanged, self.on_money)
    live.subscribe(Resync, self.on_resync)

and gets only those (in the spirit of Anki's ``OpChanges``). ``Resync`` — the feed was
interrupted and anything may have changed — goes to whoever subscribed to it; every view
that shows anything does, and refetches.

One change seen from both sources (an operation's own record, then a moment later its
notification, or the other way round) reaches the views once: the second is its
"echo" and is dropped. Without that every sale would refetch its seats and its show's
summary twice; and a late own record could undo a newer change the feed already showed.

The feed's records are delivered in batches, once per turn of the event loop: during an
on-sale hundreds arrive a second, and a view subscribed with ``batch=True`` gets them as
one list, so it updates its model and repaints once per batch instead of once per sale.

A bridge made without a database URL has no feed: its views still follow what this
window's own operations publish (tests, and windows opened with ``live=False``).
"""

from __future__ import annotations

import dataclasses
import logging
import sys
import time
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TypeVar, overload

import shiboken6
from PySide6.QtCore import QObject, QThread, QTimer, Signal, Slot

from boxoffice.changes import Change, Resync, SeatsChanged
from boxoffice.live import LiveFeed

log = logging.getLogger(__name__)

C = TypeVar("C", bound=Change)
ShowFilter = int | Callable[[], int | None] | None
"""Which show a subscriber follows: a fixed id, a function asked at each delivery (the
show open now), or None for every show."""

ECHO_SECONDS = 30.0  # how long a change waits for its twin from the other source
ECHO_LIMIT = 512  # and how many may wait (a feed that is down never sends the twins)


@dataclass(eq=False, slots=True)
class _Subscription:
    kinds: tuple[type[Change], ...]
    fn: Callable[[Any], None]
    show: ShowFilter
    owner: QObject | None
    batch: bool = False  # fn takes a list: every matching change of one frame at once

    def alive(self) -> bool:
        return self.owner is None or shiboken6.isValid(self.owner)

    def wants(self, change: Change) -> bool:
        if not isinstance(change, self.kinds):
            return False
        if self.show is None or isinstance(change, Resync):
            return True
        wanted = self.show() if callable(self.show) else self.show
        return wanted is not None and getattr(change, "show_id", None) == wanted


def _twin_key(change: Change) -> Change:
    """What makes two records the same change: every field, seats in any order."""
    if isinstance(change, SeatsChanged):
        return dataclasses.replace(change, seats=tuple(sorted(change.seats)))
    return change


class _Echoes:
    """Changes delivered from one source, each waiting (for a while) for its twin."""

    def __init__(self) -> None:
        self._waiting: dict[Change, deque[float]] = {}  # change → when each copy came
        self._order: deque[tuple[float, Change]] = deque()  # oldest first, for forgetting

    def add(self, key: Change) -> None:
        now = time.monotonic()
        self._waiting.setdefault(key, deque()).append(now)
        self._order.append((now, key))
        self._forget_old(now)

    def take(self, key: Change) -> bool:
        """True (and forgotten) if ``key`` is waiting: the record is an echo."""
        self._forget_old(time.monotonic())
        times = self._waiting.get(key)
        if not times:
            return False
        times.popleft()
        if not times:
            del self._waiting[key]
        return True

    def _forget_old(self, now: float) -> None:
        while self._order and (len(self._order) > ECHO_LIMIT
                               or self._order[0][0] < now - ECHO_SECONDS):
            at, key = self._order.popleft()
            times = self._waiting.get(key)
            if times and times[0] == at:  # not taken meanwhile
                times.popleft()
                if not times:
                    del self._waiting[key]

    def clear(self) -> None:
        self._waiting.clear()
        self._order.clear()


class LiveBridge(QObject):
    """Subscriptions to change records, fed by the live feed and by ``publish``."""

    delivered = Signal(object)  # a Change, after it reached its subscribers (tests wait on it)
    connected_changed = Signal(bool)
    _from_feed = Signal(object)  # emitted on the feed's thread, received on the GUI thread
    _from_elsewhere = Signal(object)  # publish() called off the GUI thread
    state_changed = Signal(str)  # a FeedState's value: "live", "deaf", "lost", ...

    def __init__(self, url: str | None, parent: QObject | None = None, *,
                 start: bool = True) -> None:
        super().__init__(parent)
        self._subscriptions: list[_Subscription] = []
        self._queue: deque[list[Change]] = deque()
        self._draining = False
        self._local = _Echoes()  # published here, the feed's twin not seen yet
        self._remote = _Echoes()  # from the feed, the operation's twin not seen yet
        self._inbox: list[Change] = []  # from the feed, waiting for this frame's flush
        self._flush_timer = QTimer(self)
        self._flush_timer.setSingleShot(True)
        self._flush_timer.setInterval(0)
        self._flush_timer.timeout.connect(self._flush)
        self._from_feed.connect(self._feed_arrived)
        self._from_elsewhere.connect(self.publish)
        self.feed: LiveFeed | None = LiveFeed(url) if url is not None else None
        self._unsubscribe: Callable[[], None] | None = None
        if self.feed is not None:
            self._unsubscribe = self.feed.subscribe(self._from_feed.emit)
            # Told on the feed's thread; the signal crosses to the GUI thread.
            self.feed.on_state(lambda state: self.state_changed.emit(state.value))
            if start:
                self.feed.start()

    # -- subscribing ---------------------------------------------------------------

    @overload
    def subscribe(self, kinds: type[C], fn: Callable[[C], None], *,
                  show: ShowFilter = None, owner: QObject | None = None,
                  batch: bool = False) -> Callable[[], None]:
        ...

    @overload
    def subscribe(self, kinds: tuple[type[Change], ...], fn: Callable[[Any], None], *,
                  show: ShowFilter = None, owner: QObject | None = None,
                  batch: bool = False) -> Callable[[], None]:
        ...

    def subscribe(self, kinds: type[Change] | tuple[type[Change], ...],
                  fn: Callable[[Any], None], *, show: ShowFilter = None,
                  owner: QObject | None = None, batch: bool = False) -> Callable[[], None]:
        """Call ``fn(change)`` on the GUI thread for each record of ``kinds`` (of ``show``,
        if given; ``Resync`` has no show and always passes).

        With ``batch=True``, ``fn(changes)`` gets a list instead: every matching record
        that arrived from the feed since the last frame, at once (an on-sale brings
        hundreds a second; a view then updates and repaints once per batch, not once per
        sale). A record this window's own operation publishes is a batch of one.

        The subscription ends when ``owner`` is deleted (by default the QObject a bound
        method belongs to; give it for a lambda) or when the returned function is called.
        """
        if owner is None:
            bound = getattr(fn, "__self__", None)
            owner = bound if isinstance(bound, QObject) else None
        sub = _Subscription(kinds if isinstance(kinds, tuple) else (kinds,), fn, show, owner,
                            batch)
        self._subscriptions.append(sub)

        def unsubscribe() -> None:
            if sub in self._subscriptions:
                self._subscriptions.remove(sub)

        return unsubscribe

    # -- delivering ----------------------------------------------------------------

    @Slot(object)
    def publish(self, changes: Change | Iterable[Change]) -> None:
        """Deliver what this app's own operation changed (its answer's change records).

        On the GUI thread the subscribers have it before ``publish`` returns, so the
        caller may rely on the views being up to date; from another thread it is queued.
        """
        batch = [changes] if isinstance(changes, Change) else list(changes)
        if QThread.currentThread() != self.thread():
            self._from_elsewhere.emit(batch)
            return
        if self._inbox:
            self.flush()  # what the feed brought earlier goes first
        for change in batch:
            if isinstance(change, Resync):
                self._forget_echoes()
                self._deliver(change)
            elif not self._remote.take(_twin_key(change)):
                self._local.add(_twin_key(change))
                self._deliver(change)

    @Slot(object)
    def _feed_arrived(self, change: Change) -> None:
        """A record from the feed: kept for this frame's flush, so that everything the
        feed queued meanwhile goes out as one batch."""
        self._inbox.append(change)
        if not self._flush_timer.isActive():
            self._flush_timer.start()

    def flush(self) -> None:
        """Deliver what the feed sent so far now, not at the end of this frame."""
        self._flush_timer.stop()
        self._flush()

    @Slot()
    def _flush(self) -> None:
        inbox, self._inbox = self._inbox, []
        batch = [c for c in (self._from_feed_record(c) for c in inbox) if c is not None]
        if batch:
            self._deliver_all(batch)

    def _feed_change(self, change: Change) -> None:
        """One record from the feed, delivered at once (as the flush does for a batch)."""
        got = self._from_feed_record(change)
        if got is not None:
            self._deliver(got)

    def _from_feed_record(self, change: Change) -> Change | None:
        """The record to deliver, or None for the echo of one this app published."""
        if isinstance(change, Resync):
            log.info("live feed resync: %s", change.reason)
            self._forget_echoes()
            self.connected_changed.emit(self.connected)
        elif self._local.take(_twin_key(change)):
            return None  # this app published it already
        else:
            self._remote.add(_twin_key(change))
        return change

    def _forget_echoes(self) -> None:
        self._local.clear()
        self._remote.clear()

    def _deliver(self, change: Change) -> None:
        self._deliver_all([change])

    def _deliver_all(self, batch: list[Change]) -> None:
        # A subscriber that publishes (or a nested event loop) must not reorder records.
        self._queue.append(batch)
        if self._draining:
            return
        self._draining = True
        try:
            while self._queue:
                self._hand_out(self._queue.popleft())
        finally:
            self._draining = False

    def _hand_out(self, batch: list[Change]) -> None:
        # A resync splits a batch: what came before it, it, then what came after.
        run: list[Change] = []
        for change in batch:
            if isinstance(change, Resync):
                if run:
                    self._hand_out_run(run)
                    run = []
                self._hand_out_run([change])
            else:
                run.append(change)
        if run:
            self._hand_out_run(run)

    def _hand_out_run(self, run: list[Change]) -> None:
        self._subscriptions = [s for s in self._subscriptions if s.alive()]
        for sub in list(self._subscriptions):
            if sub not in self._subscriptions or not sub.alive():
                continue
            wanted = [c for c in run if sub.wants(c)]
            if not wanted:
                continue
            for arg in ([wanted] if sub.batch else wanted):
                try:
                    sub.fn(arg)
                except Exception as error:
                    # As for a Qt slot: the other views still get the change, and the bug
                    # reaches the app's one crash path (and fails the test).
                    sys.excepthook(type(error), error, error.__traceback__)
        for change in run:
            self.delivered.emit(change)

    # -- the feed ------------------------------------------------------------------

    @property
    def connected(self) -> bool:
        return self.feed is not None and self.feed.connected.is_set()

    def wait_connected(self, timeout: float = 10.0) -> bool:
        """True once the feed listens; False at once for a bridge without a feed."""
        return self.feed is not None and self.feed.wait_connected(timeout)

    def stop(self) -> None:
        if self._unsubscribe is not None:
            self._unsubscribe()
            self._unsubscribe = None
        if self.feed is not None:
            self.feed.stop()
