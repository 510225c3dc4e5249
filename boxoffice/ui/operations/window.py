"""The managers' operations window: is selling healthy, now and over the day.

Figures for the last hour and the last day (bookings by outcome, conflict rate, seats per
second, expiry lag, lock waits), a line chart of sales and conflicts per minute, a bar
chart per show, the counters PostgreSQL sees connected, and the tripped alerts. Every
read is one ``operations_snapshot`` through the operation runner. A seat or show change
(or a resync) asks for a refresh, coalesced by ``coalesce.CoalescedRefresh`` (at most
one in flight and one queued, one start a second, so a rush does not crowd the counter's
own work off the runner); a slow timer refreshes the time-based figures such as expiry lag.
"""

from __future__ import annotations

import html
import logging
from dataclasses import dataclass

from PySide6.QtCharts import (
    QBarCategoryAxis,
    QBarSet,
    QChart,
    QChartView,
    QHorizontalBarSeries,
    QLineSeries,
    QValueAxis,
)
from PySide6.QtCore import QMargins, QPointF, Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QColor, QHideEvent, QPainter, QShowEvent
from PySide6.QtWidgets import (
    QGridLayout,
    QGroupBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QListWidget,
    QSplitter,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boxoffice import shows
from boxoffice.changes import Resync, SeatsChanged, ShowChanged
from boxoffice.db import Database
from boxoffice.errors import BoxOfficeError
from boxoffice.ops import alerts
from boxoffice.ops.figures import OperationsSnapshot, ShowFigures, operations_snapshot
from boxoffice.ui.common import style
from boxoffice.ui.common.alert_banner import PLAIN_WORDS, AlertWatcher
from boxoffice.ui.common.coalesce import CoalescedRefresh
from boxoffice.ui.common.live_bridge import LiveBridge
from boxoffice.ui.common.runner import OperationRunner

log = logging.getLogger(__name__)

SLOW_REFRESH_MS = 15_000
MAX_BARS = 8  # shows in the bar chart: the busiest of the day

SOLD_COLOUR = "#15803d"
CONFLICT_COLOUR = "#b91c1c"
HELD_COLOUR = "#d97706"


@dataclass(frozen=True, slots=True)
class OperationsData:
    snapshot: OperationsSnapshot
    show_names: dict[int, str]


def read_operations(db: Database) -> OperationsData:
    """Runs on the runner's thread: the snapshot and the names of the shows in it."""
    with db.reads.begin() as conn:  # figures may come from a standby (BOXOFFICE_READ_URL)
        snap = operations_snapshot(conn)
    titles = shows.show_titles(db, [*snap.hour, *snap.day])
    return OperationsData(snap, {i: t.name for i, t in titles.items()})


# Row keys of the figures grid: (caption, how to read it from ShowFigures). Every count
# is of bookings (one customer's seats at a time), said once in the box's title; a sale
# is sold at once or a hold confirmed, so "Held" and "Sold" are not two halves of a total.
FIGURE_ROWS: list[tuple[str, str]] = [
    ("Sales", "sales"),
    ("   sold at once", "sold"),
    ("   holds confirmed", "confirmed"),
    ("Holds made", "held"),
    ("   expired unpaid", "expired"),
    ("   released", "released"),
    ("Lost to another counter", "conflicts"),
    ("Sales cancelled", "cancelled"),
    ("Conflict rate", "conflict_rate"),
    ("Seats sold or held", "seats_per_second"),
]


def _format(f: ShowFigures, key: str) -> str:
    if key == "sales":
        return str(f.sold + f.confirmed)
    if key == "conflict_rate":
        return f"{f.conflict_rate:.0%}" if f.attempts else "—"
    if key == "seats_per_second":
        return f"{f.seats_per_second * 60:.1f} a minute"
    return str(getattr(f, key))


class OperationsWindow(QWidget):
    """A top-level window; keep a reference (it is not deleted on close)."""

    refreshed = Signal()  # after each snapshot is shown (tests wait on it)

    def __init__(self, runner: OperationRunner, live: LiveBridge | None = None,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("OperationsWindow")
        self.setWindowTitle("Operations")  # Qt adds "— BoxOffice"
        self.setWindowIcon(style.icon("app"))
        self.setWindowFlag(Qt.WindowType.Window)
        self.runner = runner
        self.live = live
        self.data: OperationsData | None = None
        self.refresher = CoalescedRefresh(self._start, parent=self)
        self._build()

        self.timer = QTimer(self)
        self.timer.setInterval(SLOW_REFRESH_MS)
        self.timer.timeout.connect(self.refresh)
        self.alert_watcher = AlertWatcher(runner, interval_ms=SLOW_REFRESH_MS, parent=self)
        self.alert_watcher.alerts_changed.connect(self._show_alerts)
        if live is not None:
            live.subscribe((SeatsChanged, ShowChanged, Resync), self._on_change)
        self.resize(1200, 820)

    # -- construction --------------------------------------------------------------

    def _build(self) -> None:
        outer = QVBoxLayout(self)
        outer.setContentsMargins(16, 14, 16, 14)
        outer.setSpacing(10)
        self.status = QLabel("Reading the figures…")
        self.status.setObjectName("Muted")
        outer.addWidget(self.status)

        top = QHBoxLayout()
        box = QGroupBox("Bookings (counted per booking, not per seat)")
        grid = QGridLayout(box)
        grid.addWidget(QLabel("<b>Last hour</b>"), 0, 1, Qt.AlignmentFlag.AlignRight)
        grid.addWidget(QLabel("<b>Last day</b>"), 0, 2, Qt.AlignmentFlag.AlignRight)
        self.hour_labels: dict[str, QLabel] = {}
        self.day_labels: dict[str, QLabel] = {}
        for row, (caption, key) in enumerate(FIGURE_ROWS, start=1):
            grid.addWidget(QLabel(caption), row, 0)
            for col, labels, prefix in ((1, self.hour_labels, "Hour"), (2, self.day_labels, "Day")):
                label = QLabel("—")
                label.setObjectName(f"Ops{prefix}_{key}")
                label.setAlignment(Qt.AlignmentFlag.AlignRight)
                labels[key] = label
                grid.addWidget(label, row, col)
        top.addWidget(box)

        health = QGroupBox("Now")
        hv = QGridLayout(health)
        self.expiry_label = QLabel("—")
        self.lock_label = QLabel("—")
        self.workers_label = QLabel("—")
        for row, (caption, label) in enumerate((("Expiry lag", self.expiry_label),
                                                ("Lock waits", self.lock_label),
                                                ("Expiry workers", self.workers_label))):
            label.setWordWrap(True)
            hv.addWidget(QLabel(caption), row, 0, Qt.AlignmentFlag.AlignTop)
            hv.addWidget(label, row, 1)
        hv.addWidget(QLabel("Alerts"), 3, 0, Qt.AlignmentFlag.AlignTop)
        self.alert_list = QListWidget()
        self.alert_list.setObjectName("OpsAlerts")
        self.alert_list.setWordWrap(True)
        self.alert_list.addItem("No alert tripped.")
        hv.addWidget(self.alert_list, 3, 1)
        hv.setColumnStretch(1, 1)
        top.addWidget(health, 1)

        counters = QGroupBox("Counters connected now (as PostgreSQL sees them)")
        cv = QVBoxLayout(counters)
        self.counters = QTableWidget(0, 4)
        self.counters.setObjectName("OpsCounters")
        self.counters.setHorizontalHeaderLabels(["Login", "Machine", "Sessions", "Since"])
        header = self.counters.horizontalHeader()
        for col, mode in enumerate((QHeaderView.ResizeMode.ResizeToContents,  # whole logins
                                    QHeaderView.ResizeMode.Stretch,
                                    QHeaderView.ResizeMode.ResizeToContents,
                                    QHeaderView.ResizeMode.ResizeToContents)):
            header.setSectionResizeMode(col, mode)
        self.counters.verticalHeader().hide()
        self.counters.setEditTriggers(QTableWidget.EditTrigger.NoEditTriggers)
        cv.addWidget(self.counters)
        top.addWidget(counters, 1)
        outer.addLayout(top)

        charts = QSplitter(Qt.Orientation.Horizontal)
        self.sold_series = QLineSeries(name="Sold")
        self.held_series = QLineSeries(name="Held")
        self.conflict_series = QLineSeries(name="Conflicts")
        self.minute_chart = QChart()
        self.minute_chart.setTitle("Last hour, per minute")
        for series, colour in ((self.sold_series, SOLD_COLOUR), (self.held_series, HELD_COLOUR),
                               (self.conflict_series, CONFLICT_COLOUR)):
            series.setColor(QColor(colour))
            self.minute_chart.addSeries(series)
        self.minute_x = QValueAxis()
        self.minute_x.setRange(-60, 0)
        self.minute_x.setLabelFormat("%d")
        self.minute_x.setTitleText("minutes ago")
        self.minute_y = QValueAxis()
        self.minute_y.setLabelFormat("%d")
        self.minute_y.setRange(0, 5)
        self.minute_chart.addAxis(self.minute_x, Qt.AlignmentFlag.AlignBottom)
        self.minute_chart.addAxis(self.minute_y, Qt.AlignmentFlag.AlignLeft)
        for series in (self.sold_series, self.held_series, self.conflict_series):
            series.attachAxis(self.minute_x)
            series.attachAxis(self.minute_y)
        self.minute_chart.setMargins(QMargins(4, 4, 4, 4))
        self.minute_view = QChartView(self.minute_chart)
        self.minute_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        charts.addWidget(self.minute_view)

        # bars lie down: the shows' names read along the left, not cut to "T…" under bars
        self.bar_series = QHorizontalBarSeries()
        self.show_chart = QChart()
        self.show_chart.setTitle("Last day, per show (bookings)")
        self.show_chart.addSeries(self.bar_series)
        self.show_x = QBarCategoryAxis()  # the shows
        self.show_y = QValueAxis()  # how many
        self.show_y.setLabelFormat("%d")
        self.show_y.setRange(0, 5)
        self.show_chart.addAxis(self.show_x, Qt.AlignmentFlag.AlignLeft)
        self.show_chart.addAxis(self.show_y, Qt.AlignmentFlag.AlignBottom)
        self.bar_series.attachAxis(self.show_x)
        self.bar_series.attachAxis(self.show_y)
        self.show_chart.setMargins(QMargins(4, 4, 4, 4))
        self.show_view = QChartView(self.show_chart)
        self.show_view.setRenderHint(QPainter.RenderHint.Antialiasing)
        charts.addWidget(self.show_view)
        outer.addWidget(charts, 1)

    # -- refreshing ----------------------------------------------------------------

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.timer.start()
        self.alert_watcher.start()
        self.refresh()

    def hideEvent(self, event: QHideEvent) -> None:
        self.timer.stop()
        self.alert_watcher.stop()
        super().hideEvent(event)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.timer.stop()
        self.alert_watcher.stop()
        super().closeEvent(event)

    def _on_change(self, _change: SeatsChanged | ShowChanged | Resync) -> None:
        if self.isVisible():
            self.refresh()

    def refresh(self) -> None:
        """Ask for a snapshot: one in flight at most, and one queued behind it."""
        self.refresher.request()

    def _start(self) -> None:
        self.runner.run(read_operations, success=self._shown, failure=self._failed,
                        label="operations figures", owner=self)

    def _failed(self, error: BaseException) -> None:
        self.refresher.finished()
        if not isinstance(error, BoxOfficeError):
            self.timer.stop()  # a bug: reported once, not every 15 s
            self.runner.unexpected_error.emit(error)
            return
        self.status.setText(f"<span style='color:{CONFLICT_COLOUR}'>The figures could not be "
                            f"read: {html.escape(error.message)}</span>")

    def _shown(self, data: OperationsData) -> None:
        self.refresher.finished()
        self.data = data
        snap = data.snapshot
        for key, label in self.hour_labels.items():
            label.setText(_format(snap.hour_total, key))
        for key, label in self.day_labels.items():
            label.setText(_format(snap.day_total, key))
        lag = snap.expiry
        self.expiry_label.setText(
            f"{lag.overdue_holds} overdue holds, oldest {lag.oldest_seconds:.0f} s"
            if lag.overdue_holds else "none: every hold past its deadline is released")
        waits = snap.lock_waits
        self.lock_label.setText(
            f"{len(waits)} sessions waiting, longest {max(w.seconds for w in waits):.1f} s"
            if waits else "none")
        self.workers_label.setText(
            ", ".join(f"{w.application} ({w.client})" for w in snap.expiry_workers)
            or "none connected")
        self.counters.setRowCount(len(snap.counters))
        for row, c in enumerate(snap.counters):
            for col, value in enumerate((c.user, c.client, str(c.sessions),
                                         c.since.astimezone().strftime("%H:%M:%S"))):
                item = QTableWidgetItem(value)
                item.setToolTip(value)
                self.counters.setItem(row, col, item)
        self._chart_minutes(snap)
        self._chart_shows(data)
        self.status.setText(f"Updated {_now()} · live: refreshed on every sale, "
                            f"time-based figures every {SLOW_REFRESH_MS // 1000} s")
        self.refreshed.emit()

    def _chart_minutes(self, snap: OperationsSnapshot) -> None:
        buckets = snap.last_hour
        n = len(buckets)
        top = 1
        for series, key in ((self.sold_series, "sold"), (self.held_series, "held"),
                            (self.conflict_series, "conflicts")):
            points = [QPointF(i - n + 1, getattr(b, key)) for i, b in enumerate(buckets)]
            series.replace(points)
            top = max([top] + [int(p.y()) for p in points])
        self.minute_y.setRange(0, max(5, top + 1))
        self.minute_y.applyNiceNumbers()  # whole-number ticks under "%d" labels

    def _chart_shows(self, data: OperationsData) -> None:
        day = sorted(data.snapshot.day.values(), key=lambda f: -(f.sold + f.held + f.conflicts))
        day = day[:MAX_BARS]
        self.bar_series.clear()
        sets = []
        for caption, key, colour in (("Sold", "sold", SOLD_COLOUR), ("Held", "held", HELD_COLOUR),
                                     ("Conflicts", "conflicts", CONFLICT_COLOUR)):
            bar = QBarSet(caption)
            bar.setColor(QColor(colour))
            bar.append([float(getattr(f, key)) for f in day])
            sets.append(bar)
        self.bar_series.append(sets)
        names = [_short(data.show_names.get(f.show_id, f"Show {f.show_id}")) for f in day]
        self.show_x.clear()
        self.show_x.append(names or ["(no bookings today)"])
        top = max([0] + [max(f.sold, f.held, f.conflicts) for f in day])
        self.show_y.setRange(0, max(5, top + 1))
        self.show_y.applyNiceNumbers()

    def _show_alerts(self, tripped: list[alerts.Alert]) -> None:
        self.alert_list.clear()
        if not tripped:
            self.alert_list.addItem("No alert tripped.")
            return
        for a in tripped:
            self.alert_list.addItem(f"{PLAIN_WORDS.get(a.name, a.name)} {a.message}")


def _short(name: str, most: int = 24) -> str:
    """A show's name for a chart axis: whole when it fits, else cut at a word."""
    if len(name) <= most:
        return name
    cut = name[:most].rsplit(" ", 1)[0]
    return f"{cut}…"


def _now() -> str:
    from datetime import datetime

    return datetime.now().strftime("%H:%M:%S")
