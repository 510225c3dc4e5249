"""The open hold beside the grid: its booking, seats and show, and the time left.

The countdown runs on the clerk's clock from the deadline PostgreSQL gave; when it runs
out the card says so (``expired``) and the panel tells the clerk. The expiry runner is
what actually frees the seats.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QLabel, QProgressBar, QWidget

from boxoffice.booking import BookingRecord
from boxoffice.ui.counter.panel_cards import card_layout


class HoldCard(QFrame):
    expired = Signal()  # the countdown reached zero

    URGENT_SECONDS = 30

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        v = card_layout(self, "Hold")
        self.label = QLabel("")
        self.label.setObjectName("HoldLabel")
        self.label.setWordWrap(True)
        v.addWidget(self.label)
        self.countdown = QProgressBar()
        self.countdown.setObjectName("Countdown")
        self.countdown.setRange(0, 1000)
        self.countdown.setTextVisible(True)
        v.addWidget(self.countdown)
        self._ends = 0.0
        self._total = 1.0
        self._show = ""
        self._tick = QTimer(self)
        self._tick.setInterval(250)
        self._tick.timeout.connect(self._update)
        self.hide()

    def start(self, view: BookingRecord, show_name: str) -> None:
        seconds = (view.hold_deadline - view.updated_at).total_seconds() \
            if view.hold_deadline else 0
        self._total = max(1.0, seconds)
        self._ends = time.monotonic() + seconds
        self._show = show_name
        self.set_view(view)
        self.show()
        self._tick.start()
        self._update()

    def set_view(self, view: BookingRecord) -> None:
        """The hold's seats changed (an exchange): same deadline, new seats."""
        self.label.setText(f"<b>Booking {view.id}</b>: {', '.join(view.seats)}"
                           + (f"<br><span style='color:#6b7280'>{self._show}</span>"
                              if self._show else ""))

    def stop(self) -> None:
        self._tick.stop()
        self.hide()

    def _update(self) -> None:
        left = self._ends - time.monotonic()
        if left <= 0:
            self.stop()
            self.expired.emit()
            return
        self.countdown.setValue(int(1000 * left / self._total))
        self.countdown.setFormat(f"{int(left) // 60}:{int(left) % 60:02d} left")
        urgent = left < self.URGENT_SECONDS
        if self.countdown.property("urgent") != urgent:
            self.countdown.setProperty("urgent", urgent)
            self.countdown.style().unpolish(self.countdown)
            self.countdown.style().polish(self.countdown)
