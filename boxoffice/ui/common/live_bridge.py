"""The live change feed, brought onto the GUI thread.

``LiveFeed`` calls its subscribers on its own thread; emitting a Qt signal from there
queues the call to receivers on the GUI thread, so every view gets ``seat_change`` and
``resync`` like any other Qt signal, with no polling anywhere.
"""

from __future__ import annotations

import logging

from PySide6.QtCore import QObject, Signal

from boxoffice.live import Event, LiveFeed, Resync, SeatChange

log = logging.getLogger(__name__)


class LiveBridge(QObject):
    seat_change = Signal(object)  # SeatChange
    resync = Signal(str)  # reason: the feed was interrupted, refetch what you show
    connected_changed = Signal(bool)
    state_changed = Signal(str)  # a FeedState's value: "live", "deaf", "lost", ...

    def __init__(self, url: str, parent: QObject | None = None, *, start: bool = True) -> None:
        super().__init__(parent)
        self.feed = LiveFeed(url)
        self._unsubscribe = self.feed.subscribe(self._on_event)
        self.feed.on_state(lambda state: self.state_changed.emit(state.value))
        if start:
            self.feed.start()

    def _on_event(self, event: Event) -> None:
        # Called on the feed's thread: only emit, the signal crosses to the GUI thread.
        if isinstance(event, SeatChange):
            self.seat_change.emit(event)
        elif isinstance(event, Resync):
            log.info("live feed resync: %s", event.reason)
            self.connected_changed.emit(self.feed.connected.is_set())
            self.resync.emit(event.reason)

    def wait_connected(self, timeout: float = 10.0) -> bool:
        return self.feed.wait_connected(timeout)

    def stop(self) -> None:
        self._unsubscribe()
        self.feed.stop()
