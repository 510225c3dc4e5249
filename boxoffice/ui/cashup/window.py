"""The end-of-day cash-up window: what the day sold and took, and the till count.

Managers pick a day and, if they like, one counter and one clerk; a clerk sees only
their own figures (PostgreSQL's row-level security decides that; the window just says
so). Headline figures, takings by method, each till with its expected and counted cash,
tickets by show and type, occupancy, and two charts. The clerk types the cash counted
in the till; the difference follows. Every read and write goes through the operation
runner. Money moving (a payment, a refund, a till count: ``MoneyChanged``) or a resync
asks for a refresh, coalesced like the operations view; a hold or a release moves no
money and refreshes nothing.
CSV and PDF exports are written from the figures on screen.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

from PySide6.QtCharts import QChartView
from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtGui import QPainter, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QSizePolicy,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from boxoffice import money
from boxoffice.changes import MoneyChanged, Resync
from boxoffice.db import Database
from boxoffice.errors import BoxOfficeError
from boxoffice.money.cashup import CashUp
from boxoffice.staff import Rights, my_rights
from boxoffice.ui.cashup.charts import CashUpCharts
from boxoffice.ui.cashup.count import TillCount
from boxoffice.ui.cashup.tables import CashUpTables, diff_colour
from boxoffice.ui.common import style
from boxoffice.ui.common.coalesce import CoalescedRefresh
from boxoffice.ui.common.date_edit import DateBox
from boxoffice.ui.common.dialogs import close_keys
from boxoffice.ui.common.live_bridge import LiveBridge
from boxoffice.ui.common.runner import OperationRunner

log = logging.getLogger(__name__)

ALL = "All"


@dataclass(frozen=True, slots=True)
class CashUpData:
    """One refresh: the filtered cash-up and the day's counters and clerks to filter by."""

    cashup: CashUp
    counters: tuple[str, ...]
    clerks: tuple[str, ...]


def read_cashup(db: Database, day: date, counter: str | None, clerk: str | None) -> CashUpData:
    """Runs on the runner's thread."""
    cu = money.cash_up(db, day, counter=counter, clerk=clerk)
    tills = ([(t.counter, t.clerk) for t in cu.tills] if counter is None and clerk is None
             else money.tills_of_day(db, day))
    return CashUpData(cu, tuple(sorted({c for c, _ in tills if c})),
                      tuple(sorted({k for _, k in tills})))


class CashUpWindow(QWidget):
    """A top-level window; keep a reference (it is not deleted on close)."""

    refreshed = Signal()  # after each cash-up is shown (tests wait on it)
    exported = Signal(str)  # the path of a CSV or PDF written

    def __init__(self, runner: OperationRunner, live: LiveBridge | None = None, *,
                 counter: str | None, clerk: str, rights: Rights | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("CashUpWindow")
        self.setWindowTitle("Cash-up")  # Qt adds "— BoxOffice"
        close_keys(self)
        self.setWindowIcon(style.icon("app"))
        self.setWindowFlag(Qt.WindowType.Window)
        self.runner = runner
        self.counter = counter
        self.clerk = clerk
        self.rights: Rights | None = None
        self.data: CashUpData | None = None
        self.refresher = CoalescedRefresh(self._start, parent=self)
        self._build()
        if live is not None:
            live.subscribe((MoneyChanged, Resync), self._on_change)
        self.resize(1320, 920)
        if rights is not None:
            self.apply_rights(rights)
        else:
            runner.run(my_rights, success=self.apply_rights, failure=self._failed,
                       label="rights of this login", owner=self)

    # -- construction --------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(18, 14, 18, 14)
        outer.setSpacing(10)

        top = QHBoxLayout()
        self.title = QLabel("Cash-up")
        self.title.setObjectName("PanelTitle")
        top.addWidget(self.title)
        top.addSpacing(18)
        self.day = DateBox(QDate.currentDate())
        self.day.setObjectName("CashUpDay")
        self.day.setCalendarPopup(True)
        self.day.setDisplayFormat("ddd d MMM yyyy")
        self.day.setMaximumDate(QDate.currentDate().addDays(1))
        self.day.setFocusPolicy(Qt.FocusPolicy.ClickFocus)  # not focused (selected) on open
        self.day.setStyleSheet(
            "QDateEdit::drop-down { border: none; width: 22px; }"
            f"QDateEdit::down-arrow {{ image: url({(style.RESOURCES / 'icons').as_posix()}"
            "/chevron-down.svg); width: 10px; height: 10px; }")
        self.day.dateChanged.connect(lambda _d: self.refresh())
        self.counter_box = QComboBox()
        self.counter_box.setObjectName("CashUpCounter")
        self.clerk_box = QComboBox()
        self.clerk_box.setObjectName("CashUpClerk")
        for box in (self.counter_box, self.clerk_box):
            box.addItem(ALL)
            box.setMinimumWidth(150)
            box.activated.connect(lambda _i: self.refresh())
        self.clerk_caption = QLabel("Clerk")
        for caption, widget in (("Day", self.day), ("Counter", self.counter_box),
                                (self.clerk_caption, self.clerk_box)):
            top.addWidget(caption if isinstance(caption, QLabel) else QLabel(caption))
            top.addWidget(widget)
            top.addSpacing(6)
        top.addStretch(1)
        self.refresh_button = QPushButton(style.icon("refresh"), "Refresh")
        self.refresh_button.clicked.connect(self.refresh)
        self.csv_button = QPushButton("Export CSV…")
        self.csv_button.clicked.connect(lambda: self.export_csv())
        self.pdf_button = QPushButton("Export PDF…")
        self.pdf_button.setObjectName("PrimaryButton")
        self.pdf_button.clicked.connect(lambda: self.export_pdf())
        for b in (self.refresh_button, self.csv_button, self.pdf_button):
            top.addWidget(b)
        outer.addLayout(top)
        self.status = QLabel("Reading the cash-up…")
        self.status.setObjectName("Muted")
        outer.addWidget(self.status)

        cards_row = QWidget()
        cards = QHBoxLayout(cards_row)
        cards.setContentsMargins(0, 0, 0, 0)
        cards.setSpacing(10)
        self.cards: dict[str, tuple[QLabel, QLabel]] = {}
        for key, caption in (("tickets", "TICKETS SOLD"), ("taken", "TAKINGS"),
                             ("refunded", "REFUNDS"), ("net", "NET TAKINGS"),
                             ("expired", "EXPIRED HOLDS"), ("difference", "CASH DIFFERENCE")):
            card = QFrame()
            card.setObjectName("Card")
            v = QVBoxLayout(card)
            v.setContentsMargins(14, 10, 14, 10)
            v.setSpacing(2)
            cap = QLabel(caption)
            cap.setObjectName("CardTitle")
            value = QLabel("—")
            value.setObjectName(f"CashUp_{key}")
            value.setStyleSheet("font-size: 22px; font-weight: 700; color: #111827;")
            sub = QLabel("")
            sub.setObjectName("Muted")
            sub.setWordWrap(True)
            for w in (cap, value, sub):
                v.addWidget(w)
            self.cards[key] = (value, sub)
            cards.addWidget(card, 1)
        outer.addWidget(cards_row)

        self.tables = CashUpTables()
        self.charts = CashUpCharts()
        self.method_view = QChartView(self.charts.method_chart)
        self.hour_view = QChartView(self.charts.hour_chart)
        charts = QWidget()
        ch = QHBoxLayout(charts)
        ch.setContentsMargins(0, 0, 0, 0)
        for view in (self.method_view, self.hour_view):
            view.setRenderHint(QPainter.RenderHint.Antialiasing)
            view.setMinimumSize(300, 220)
            ch.addWidget(view, 1)
        top_widget = QWidget()
        top_row = QHBoxLayout(top_widget)
        top_row.setContentsMargins(0, 0, 0, 0)
        top_row.addWidget(_boxed("Takings by payment method", self.tables.methods), 5)
        top_row.addWidget(_boxed("Charts", charts), 6)
        outer.addWidget(top_widget, 3)

        tills = _boxed("Tills (counter and clerk)", self.tables.tills)
        self.count = TillCount(self.runner, self.selected_day,
                               lambda: self.data.cashup.currency if self.data else None)
        self.count.counted.connect(lambda _c: self.refresh())
        # the names the tests and the shortcuts use
        self.counted = self.count.counted
        self.till_box, self.count_edit = self.count.till_box, self.count.edit
        self.count_button, self.count_message = self.count.button, self.count.message
        tills.layout().addWidget(self.count)
        tills.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        outer.addWidget(tills, 0)

        bottom = QSplitter(Qt.Orientation.Horizontal)
        bottom.setChildrenCollapsible(False)
        bottom.addWidget(_boxed("Tickets by show and type", self.tables.tickets))
        bottom.addWidget(_boxed("Occupancy of the day's shows", self.tables.occupancy))
        bottom.setSizes([780, 500])
        outer.addWidget(bottom, 4)
        # A blind count: the clerk counts the till before seeing what it should hold.
        self.blind_note = QLabel("Blind count: count the cash in the till and record it; "
                                 "the cash-up, with the cash expected, appears once the count "
                                 "is recorded.", objectName="Muted", wordWrap=True)
        tills.layout().addWidget(self.blind_note)
        self._blind_space = QWidget()  # takes the room of the hidden report
        self._blind_space.setSizePolicy(QSizePolicy.Policy.Preferred,
                                        QSizePolicy.Policy.Expanding)
        outer.addWidget(self._blind_space, 1)
        self._revealing = (cards_row, top_widget, self.tables.tills, bottom, self.csv_button,
                           self.pdf_button)
        self.count.blind.toggled.connect(self._set_blind)
        self.count.counted.connect(lambda _c: self.count.blind.setChecked(False))
        self._set_blind(False)

    def _set_blind(self, blind: bool) -> None:
        """Hide every figure that tells the cash expected, or show them again."""
        for widget in self._revealing:
            widget.setVisible(not blind)
        self.blind_note.setVisible(blind)
        self._blind_space.setVisible(blind)

    # -- rights --------------------------------------------------------------------

    def apply_rights(self, rights: Rights) -> None:
        """A clerk gets their own cash-up; managers choose counter and clerk."""
        self.rights = rights
        own = self.is_clerk_view
        self.title.setText("Your cash-up" if own else "Cash-up")
        self.clerk_caption.setVisible(not own)
        self.clerk_box.setVisible(not own)
        self.count.set_allowed(rights.can_sell)
        # a clerk counts their till blind by default; one click shows the figures
        self.count.blind.setChecked(own and rights.can_sell)
        if rights.can_sell:
            self.count_edit.setFocus()
        self._fill_tills()
        if self.isVisible():
            self.refresh()

    @property
    def is_clerk_view(self) -> bool:
        return self.rights is not None and not self.rights.can_cancel \
            and self.rights.role != "owner"

    @property
    def my_clerk(self) -> str:
        """Whose till this login counts: a staff login is itself, whatever the app says."""
        if self.rights is None or self.rights.role == "owner":
            return self.clerk
        return self.rights.login

    # -- refreshing ----------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh()

    def _on_change(self, _change: MoneyChanged | Resync) -> None:
        if self.isVisible() and self.selected_day() == date.today():
            self.refresh()

    def selected_day(self) -> date:
        return self.day.date().toPython()

    def filters(self) -> tuple[str | None, str | None]:
        counter = self.counter_box.currentText()
        clerk = self.my_clerk if self.is_clerk_view else self.clerk_box.currentText()
        return (None if counter == ALL else counter), (None if clerk == ALL else clerk)

    def refresh(self) -> None:
        """Ask for the cash-up: one in flight at most, and one queued behind it."""
        if self.rights is None:
            return  # apply_rights refreshes
        self.refresher.request()

    def _start(self) -> None:
        day = self.selected_day()
        counter, clerk = self.filters()
        self.runner.run(lambda db: read_cashup(db, day, counter, clerk), success=self._shown,
                        failure=self._failed, label="cash-up", owner=self)

    def _failed(self, error: BaseException) -> None:
        self.refresher.finished()
        if not isinstance(error, BoxOfficeError):
            self.runner.unexpected_error.emit(error)
            return
        self.status.setText(f"<span style='color:#b91c1c'>The cash-up could not be read: "
                            f"{html.escape(error.message)}</span>")

    def _shown(self, data: CashUpData) -> None:
        self.refresher.finished()
        self.data = data
        cu = data.cashup
        _refill(self.counter_box, data.counters)
        _refill(self.clerk_box, data.clerks)
        c = cu.currency
        self._card("tickets", f"{cu.tickets_sold:,}", f"{cu.tickets_refunded:,} refunded")
        self._card("taken", c.format(cu.taken), f"{sum(m.payments for m in cu.methods)} payments")
        self._card("refunded", c.format(cu.refunded),
                   f"{cu.refunds} refund{'' if cu.refunds == 1 else 's'}")
        self._card("net", c.format(cu.net), "taken minus refunded")
        self._card("expired", str(cu.expired_holds), "ran out unpaid")
        diff = cu.cash_difference
        expected = c.format(cu.cash_expected, code=False)
        self._card("difference", "—" if diff is None else c.format(diff),
                   f"{expected} expected, not counted" if cu.cash_counted is None else
                   ", ".join(filter(None, [f"counted {c.format(cu.cash_counted, code=False)} "
                                           f"of {expected}", cu.not_counted_text()])),
                   diff_colour(diff))
        self.tables.show(cu)
        self.charts.update(cu)
        self._fill_tills()
        scope = "your own sales" if self.is_clerk_view else \
            f"counter: {cu.counter or 'all'} · clerk: {cu.clerk or 'all'}"
        self.status.setText(f"{cu.day:%A} {cu.day.day} {cu.day:%B %Y} · {scope} · amounts in "
                            f"{c.code} · updated {datetime.now():%H:%M:%S}, and on every sale")
        self.refreshed.emit()

    def _card(self, key: str, value: str, sub: str, colour: str = "#111827") -> None:
        label, caption = self.cards[key]
        label.setText(value)
        label.setStyleSheet(f"font-size: 22px; font-weight: 700; color: {colour};")
        caption.setText(sub)

    # -- the till count ------------------------------------------------------------

    def _fill_tills(self) -> None:
        """Your own till first; the owner of a single-user database counts any till."""
        tills: list[tuple[str | None, str]] = [(self.counter, self.my_clerk)]
        if self.rights is not None and self.rights.role == "owner" and self.data is not None:
            tills += [(t.counter, t.clerk) for t in self.data.cashup.tills
                      if (t.counter, t.clerk) not in tills]
        self.count.set_tills(tills)

    # -- exports -------------------------------------------------------------------

    def _target(self, path: Path | str | None, kind: str, pattern: str) -> Path | None:
        if path is not None:
            return Path(path)
        assert self.data is not None
        chosen, _ = QFileDialog.getSaveFileName(
            self, f"Export the cash-up as {kind}", f"cashup-{self.data.cashup.day}.{kind.lower()}",
            pattern)
        return Path(chosen) if chosen else None

    def export_csv(self, path: Path | str | None = None) -> Path | None:
        if self.data is None:
            return None
        target = self._target(path, "CSV", "CSV (*.csv)")
        if target is None:
            return None
        try:
            target.write_text(money.cash_up_csv(self.data.cashup), encoding="utf-8", newline="")
        except OSError as exc:
            self.status.setText(f"<span style='color:#b91c1c'>{html.escape(str(exc))}</span>")
            return None
        self.status.setText(f"CSV written to {html.escape(str(target))}")
        self.exported.emit(str(target))
        return target

    def export_pdf(self, path: Path | str | None = None) -> Path | None:
        from boxoffice.ui.cashup.pdf import write_cashup_pdf

        if self.data is None:
            return None
        target = self._target(path, "PDF", "PDF (*.pdf)")
        if target is None:
            return None
        try:
            pages = write_cashup_pdf(self.data.cashup, target, by=self.my_clerk)
        except BoxOfficeError as exc:
            self.status.setText(f"<span style='color:#b91c1c'>{html.escape(exc.message)}</span>")
            return None
        self.status.setText(f"PDF written to {html.escape(str(target))} "
                            f"({pages} page{'s' if pages != 1 else ''})")
        self.exported.emit(str(target))
        return target


def _boxed(title: str, widget: QWidget) -> QGroupBox:
    box = QGroupBox(title)
    v = QVBoxLayout(box)
    v.setContentsMargins(8, 8, 8, 8)
    v.addWidget(widget)
    return box


def _refill(box: QComboBox, names: tuple[str, ...]) -> None:
    """Keep the choice; offer the day's names (and the chosen one even if it has none)."""
    current = box.currentText()
    wanted = [ALL, *names] + ([current] if current not in (ALL, *names) else [])
    if [box.itemText(i) for i in range(box.count())] == wanted:
        return
    box.blockSignals(True)
    box.clear()
    box.addItems(wanted)
    box.setCurrentText(current)
    box.blockSignals(False)
