"""Coalesced refreshes: one read in flight at most, one queued behind it, a minimum gap.

The live feed asks a figures window to refresh on every sale. During a rush that would
stack identical reads on the operation runner's single worker and crowd the counter's
own sales off it; the window only needs the latest figures, so extra asks fold into one
queued refresh, started no sooner than ``min_gap_ms`` after the previous one started.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QElapsedTimer, QObject, QTimer

MIN_GAP_MS = 1_000


class CoalescedRefresh(QObject):
    """Calls ``start`` for a refresh, at most one at a time and one queued behind it.

    The owner calls ``request()`` whenever it wants fresh figures, has ``start`` launch
    the read (``start`` reads the owner's filters then, so a queued refresh uses the
    latest), and calls ``finished()`` from both the read's success and its failure.
    """

    def __init__(self, start: Callable[[], None], min_gap_ms: int = MIN_GAP_MS,
                 parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._start_read = start
        self.min_gap_ms = min_gap_ms
        self._in_flight = False
        self._queued = False
        self._since_start = QElapsedTimer()
        self._gap = QTimer(self)
        self._gap.setSingleShot(True)
        self._gap.timeout.connect(self._start)

    @property
    def in_flight(self) -> bool:
        return self._in_flight

    @property
    def queued(self) -> bool:
        return self._queued

    def request(self) -> None:
        """Start a refresh now, or fold this ask into the one queued refresh."""
        if self._in_flight or self._gap.isActive():
            self._queued = True
            return
        self._start()

    def finished(self) -> None:
        """The read in flight came back (either way); start the queued one after the gap."""
        self._in_flight = False
        if self._queued:
            self._gap.start(max(0, self.min_gap_ms - self._since_start.elapsed()))

    def _start(self) -> None:
        self._queued = False
        self._in_flight = True
        self._since_start.start()
        self._start_read()
