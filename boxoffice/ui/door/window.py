"""Door check-in: staff at the hall doors scan tickets; each seat gets in once.

A keyboard-wedge scanner "types" the QR code's text and presses Enter into the big scan
box, which keeps the focus; typing the code printed under the QR works the same way.
Every scan runs ``boxoffice.checkin.check_in`` on the operation runner; the answer fills
the window: green WELCOME, or red with the reason (already used - when and by whom -,
cancelled, another show, unknown, mistyped or forged). Door staff are viewers: they can
do this and nothing else. With a live bridge the "checked in of sold" count follows the
other doors' check-ins and the counters' sales and refunds of the show at this door.
"""

from __future__ import annotations

import html
import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from boxoffice import changes, checkin, shows
from boxoffice.changes import Resync, SeatsChanged
from boxoffice.errors import BoxOfficeError
from boxoffice.ui.common import style
from boxoffice.ui.common.dialogs import close_keys
from boxoffice.ui.common.live_bridge import LiveBridge

log = logging.getLogger(__name__)

OK_COLOURS = ("#0f7b3a", "#ffffff")
REFUSED_COLOURS = ("#b00020", "#ffffff")
IDLE_COLOURS = ("#e7e9ee", "#1f2a44")
RECENT = 50


def door_shows(db: Any) -> list[shows.ShowSummary]:
    """Shows a door may be checking in: those to come and those started in the last
    hours (late arrivals), soonest first - the counter's own show list."""
    return shows.list_shows(db)


class CheckInWindow(QWidget):
    """A standalone window for one door. ``verdict`` is emitted for each answered scan:
    ("ok" | "refused", message)."""

    verdict = Signal(str, str)

    def __init__(self, runner: Any, show_id: int | None = None,
                 parent: QWidget | None = None, *, door: str | None = None,
                 live: LiveBridge | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("CheckInWindow")
        self.setWindowTitle("Door check-in")  # Qt adds "— BoxOffice"
        close_keys(self)
        self.setWindowIcon(style.icon("app"))
        self.runner = runner
        self.door = door
        self.show_id: int | None = None
        self._wanted_show = show_id
        self.verdict_state = "idle"
        self.verdict_message = ""

        outer = QVBoxLayout(self)
        outer.setContentsMargins(24, 18, 24, 18)
        outer.setSpacing(14)

        top = QHBoxLayout()
        caption = QLabel("Show at this door:")
        self.show_picker = QComboBox()
        self.show_picker.setObjectName("CheckInShow")
        self.show_picker.setMinimumWidth(420)
        self.show_picker.currentIndexChanged.connect(self._show_chosen)
        self.reload_button = QPushButton("Reload shows")
        self.reload_button.clicked.connect(self.reload_shows)
        top.addWidget(caption)
        top.addWidget(self.show_picker, 1)
        top.addWidget(self.reload_button)
        outer.addLayout(top)

        self.scan = QLineEdit()
        self.scan.setObjectName("CheckInScan")
        self.scan.setPlaceholderText("Scan a ticket, or type its code and press Enter")
        # Sizes in the widgets' own style sheets: the app's style sheet would override
        # setFont, and the door needs big type read from a step away.
        self.scan.setStyleSheet("QLineEdit#CheckInScan { font-size: 22pt; padding: 8px; }")
        self.scan.setMinimumHeight(64)
        self.scan.returnPressed.connect(self._scanned)
        outer.addWidget(self.scan)

        self.result = QLabel("Ready. Choose the show, then scan tickets.")
        self.result.setObjectName("CheckInResult")
        self.result.setWordWrap(True)
        self.result.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.result.setMinimumHeight(180)
        self.result.setTextFormat(Qt.TextFormat.RichText)
        outer.addWidget(self.result, 1)

        self.count = QLabel("—")
        self.count.setObjectName("CheckInCount")
        self.count.setStyleSheet("QLabel#CheckInCount { font-size: 18pt; font-weight: 600; }")
        outer.addWidget(self.count)

        self.recent = QListWidget()
        self.recent.setObjectName("CheckInRecent")
        self.recent.setMaximumHeight(160)
        self.recent.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        outer.addWidget(self.recent)

        self._paint_result("idle", self.result.text())
        self.resize(900, 640)
        self.live = live
        self._counting = False
        self._count_again = False
        if live is not None:
            live.subscribe((changes.CheckedIn, SeatsChanged, Resync), self._on_change,
                           show=lambda: self.show_id)
        self.reload_shows()

    # -- shows -----------------------------------------------------------------------

    def reload_shows(self) -> None:
        self.runner.run(door_shows, success=self._got_shows, failure=self._failed,
                        label="door shows")

    def _got_shows(self, rows: list[shows.ShowSummary]) -> None:
        keep = self.show_id if self.show_id is not None else self._wanted_show
        self.show_picker.blockSignals(True)
        self.show_picker.clear()
        for s in rows:
            when = s.start_time.astimezone()
            self.show_picker.addItem(f"{when:%a %d %b %H:%M} · {s.name} · {s.hall_name}", s.id)
        self.show_picker.blockSignals(False)
        index = self.show_picker.findData(keep) if keep is not None else -1
        if index < 0 and keep is not None:
            # A show outside the usual window was asked for by id: offer it anyway.
            self.show_picker.addItem(f"Show {keep}", keep)
            index = self.show_picker.count() - 1
        self.show_picker.setCurrentIndex(max(index, 0) if rows or index >= 0 else -1)
        self._show_chosen(self.show_picker.currentIndex())

    def _show_chosen(self, index: int) -> None:
        data = self.show_picker.itemData(index) if index >= 0 else None
        self.show_id = int(data) if data is not None else None
        self.refresh_count()
        self.scan.setFocus()

    def select_show(self, show_id: int) -> bool:
        index = self.show_picker.findData(show_id)
        if index < 0:
            return False
        self.show_picker.setCurrentIndex(index)
        return True

    def _on_change(self, _change: changes.CheckedIn | SeatsChanged | Resync) -> None:
        self.refresh_count()

    def refresh_count(self) -> None:
        """Read the count; asks while one is read fold into one more read after it."""
        show_id = self.show_id
        if show_id is None:
            self.count.setText("No show chosen")
            return
        if self._counting:
            self._count_again = True
            return
        self._counting = True
        self.runner.run(lambda db: checkin.checkin_counts(db, show_id),
                        success=lambda c: self._got_count(show_id, c),
                        failure=self._count_failed,
                        label=f"check-in count of show {show_id}", owner=self)

    def _count_done(self) -> None:
        self._counting = False
        if self._count_again:
            self._count_again = False
            self.refresh_count()

    def _got_count(self, show_id: int, counts: checkin.CheckInCounts) -> None:
        if show_id == self.show_id:
            self.count.setText(f"Checked in: {counts.checked_in} of {counts.sold} sold")
        self._count_done()

    def _count_failed(self, error: BaseException) -> None:
        self._failed(error)
        self._count_done()

    # -- scanning ----------------------------------------------------------------------

    def _scanned(self) -> None:
        code = self.scan.text()
        self.scan.clear()  # ready for the next ticket at once
        if not code.strip():
            return
        show_id = self.show_id
        if show_id is None:
            self._show_verdict("refused", "Choose the show at this door first.")
            return
        door = self.door
        self.runner.run(lambda db: checkin.check_in(db, code, show_id=show_id, door=door),
                        success=self._checked_in, failure=self._refused,
                        label=f"check-in at show {show_id}")

    def _checked_in(self, ok: checkin.CheckedIn) -> None:
        self._show_verdict("ok", f"✔ {ok.message}")
        if self.live is not None:  # every view of this app, this window's count included
            self.live.publish(changes.CheckedIn(ok.show_id, ok.seat, ok.booking_id))
        else:
            self.refresh_count()

    def _refused(self, error: BaseException) -> None:
        if isinstance(error, BoxOfficeError):
            self._show_verdict("refused", f"✖ {error.message}")
            return
        log.error("check-in failed", exc_info=error)
        self._show_verdict("refused", f"✖ Check-in failed: {error}. Let the guest wait and "
                                      "call the box office.")

    def _failed(self, error: BaseException) -> None:
        message = getattr(error, "message", None) or str(error)
        self._show_verdict("refused", f"✖ {message}")

    def _show_verdict(self, state: str, message: str) -> None:
        self._paint_result(state, message)
        item = QListWidgetItem(f"{datetime.now():%H:%M:%S}  {message}")
        item.setForeground(Qt.GlobalColor.darkGreen if state == "ok" else Qt.GlobalColor.darkRed)
        self.recent.insertItem(0, item)
        while self.recent.count() > RECENT:
            self.recent.takeItem(self.recent.count() - 1)
        if state == "refused" and QApplication.platformName() not in ("offscreen", "minimal"):
            QApplication.beep()
        self.scan.setFocus()
        self.verdict.emit(state, message)

    def _paint_result(self, state: str, message: str) -> None:
        self.verdict_state = state
        self.verdict_message = message
        bg, fg = {"ok": OK_COLOURS, "refused": REFUSED_COLOURS}.get(state, IDLE_COLOURS)
        self.result.setProperty("verdict", state)
        self.result.setStyleSheet(f"QLabel#CheckInResult {{ background: {bg}; color: {fg}; "
                                  "border-radius: 10px; padding: 18px; }")
        # "ALREADY USED: seat C3 was …" → the verdict huge, the reason under it.
        # A long verdict gets a smaller type so its end (what to do) stays on screen.
        head, sep, rest = message.partition(": ")
        if not sep or len(head) > 60:
            head, rest = message, ""
        size = 40 if len(head) <= 40 else 28 if len(head) <= 70 else 20
        self.result.setText(
            f"<div style='font-size:{size}pt; font-weight:800'>{html.escape(head)}</div>"
            + (f"<div style='font-size:20pt; font-weight:500'>{html.escape(rest)}</div>"
               if rest else ""))
