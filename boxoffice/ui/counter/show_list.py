"""The list of shows: a cached table model kept current by the live feed.

A seat or show change refetches the summary of that one show and updates its row with
``dataChanged`` (a deleted show's row goes); only a resync (the feed was interrupted)
reloads the whole list.
Filtering by day and by text happens in a proxy over the cached rows.
"""

from __future__ import annotations

import logging
from datetime import UTC, date, datetime, timedelta
from typing import Any

from PySide6.QtCore import (
    QEvent,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QRectF,
    QSortFilterProxyModel,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QColor, QKeyEvent, QPainter
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boxoffice import shows
from boxoffice.changes import Resync, SeatsChanged, ShowChanged
from boxoffice.errors import ShowNotFound
from boxoffice.shows import ShowSummary
from boxoffice.ui.common import style
from boxoffice.ui.common.live_bridge import LiveBridge
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.common.table_model import RowsTableModel

log = logging.getLogger(__name__)

DATE, TIME, NAME, HALL, LEFT, OCCUPANCY = range(6)
HEADERS = ["Date", "Time", "Show", "Hall", "Left", "Occupancy"]
ShowIdRole = Qt.ItemDataRole.UserRole + 1
SummaryRole = Qt.ItemDataRole.UserRole + 2
OccupancyRole = Qt.ItemDataRole.UserRole + 3
StartRole = Qt.ItemDataRole.UserRole + 4

_Index = QModelIndex | QPersistentModelIndex
# the bar and its percentage; narrow, so the show's name has the room
OCCUPANCY_WIDTH = 84


class ShowListModel(RowsTableModel):
    """Rows of ``ShowSummary`` in start-time order."""

    headers = HEADERS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        col = index.column()
        if role == Qt.ItemDataRole.DisplayRole:
            local = s.start_time.astimezone()
            if col == DATE:
                return f"{local:%d %b}"
            if col == TIME:
                return f"{local:%H:%M}"
            if col == NAME:
                return s.name
            if col == HALL:
                return s.hall_name
            if col == LEFT:
                return str(s.seats_left)
            if col == OCCUPANCY:
                return f"{round(s.taken_share * 100)}%"
        elif role == Qt.ItemDataRole.ToolTipRole:
            return (f"{s.name} — {s.hall_name}\n{s.start_time.astimezone():%A %d %B %Y, %H:%M}\n"
                    f"{s.sold} sold, {s.held} held, {s.seats_left} of {s.total_seats} left")
        elif role == Qt.ItemDataRole.TextAlignmentRole and col in (LEFT, OCCUPANCY):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == ShowIdRole:
            return s.id
        elif role == SummaryRole:
            return s
        elif role == OccupancyRole:
            return s.taken_share
        elif role == StartRole:
            return s.start_time
        return None

    def set_shows(self, rows: list[ShowSummary]) -> None:
        self.beginResetModel()
        self._rows = sorted(rows, key=lambda s: (s.start_time, s.id))
        self.endResetModel()

    def rows(self) -> list[ShowSummary]:
        return list(self._rows)

    def row_of(self, show_id: int) -> int:
        for r, s in enumerate(self._rows):
            if s.id == show_id:
                return r
        return -1

    def summary(self, show_id: int) -> ShowSummary | None:
        r = self.row_of(show_id)
        return self._rows[r] if r >= 0 else None

    def update_show(self, summary: ShowSummary) -> None:
        """One show's new figures: ``dataChanged`` for its row, or insert it in order."""
        r = self.row_of(summary.id)
        if r >= 0 and self._rows[r].start_time == summary.start_time:
            self._rows[r] = summary
            self.dataChanged.emit(self.index(r, 0), self.index(r, len(HEADERS) - 1))
            return
        if r >= 0:
            self.remove_show(summary.id)
        key = (summary.start_time, summary.id)
        pos = 0
        while pos < len(self._rows) and (self._rows[pos].start_time, self._rows[pos].id) < key:
            pos += 1
        self.beginInsertRows(QModelIndex(), pos, pos)
        self._rows.insert(pos, summary)
        self.endInsertRows()

    def remove_show(self, show_id: int) -> None:
        r = self.row_of(show_id)
        if r >= 0:
            self.beginRemoveRows(QModelIndex(), r, r)
            del self._rows[r]
            self.endRemoveRows()


class ShowFilter(QSortFilterProxyModel):
    """By day (local calendar day of the start) and by a piece of the name or hall."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.day: date | None = None
        self.text = ""

    def set_day(self, day: date | None) -> None:
        self.beginFilterChange()
        self.day = day
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def set_text(self, text: str) -> None:
        self.beginFilterChange()
        self.text = text.strip().lower()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def filterAcceptsRow(self, row: int, parent: _Index) -> bool:
        s = self.sourceModel().index(row, 0, parent).data(SummaryRole)
        if s is None:
            return False
        if self.day is not None and s.start_time.astimezone().date() != self.day:
            return False
        return not self.text or self.text in s.name.lower() or self.text in s.hall_name.lower()


class OccupancyDelegate(QStyledItemDelegate):
    """A small bar: sold and held share of the hall, with the percentage beside it."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: _Index) -> None:
        value = index.data(OccupancyRole) or 0.0
        s: ShowSummary | None = index.data(SummaryRole)
        self.initStyleOption(option, index)
        style_ = option.widget.style() if option.widget else None
        option.text = ""
        if style_ is not None:
            style_.drawControl(QStyle.ControlElement.CE_ItemViewItem, option, painter,
                               option.widget)
        r = option.rect.adjusted(6, 0, -6, 0)
        bar = QRectF(r.left(), r.center().y() - 4, r.width() - 38, 8)
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(255, 255, 255, 80) if selected else QColor("#e5e7eb"))
        painter.drawRoundedRect(bar, 4, 4)
        if s is not None and s.total_seats:
            sold_w = bar.width() * s.sold / s.total_seats
            held_w = bar.width() * s.held / s.total_seats
            colour = style.occupancy_colour(value)  # never the seat grid's "Selected" blue
            painter.setBrush(QColor("#ffffff") if selected else QColor(colour))
            painter.drawRoundedRect(QRectF(bar.left(), bar.top(), sold_w, bar.height()), 4, 4)
            painter.setBrush(QColor(style.SEAT_COLOURS[style.HELD_MINE][0]))
            painter.drawRect(QRectF(bar.left() + sold_w, bar.top(), held_w, bar.height()))
        painter.setPen(option.palette.highlightedText().color() if selected
                       else QColor("#374151"))
        painter.drawText(QRectF(bar.right() + 4, r.top(), 36, r.height()),
                         Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                         f"{round(value * 100)}%")
        painter.restore()


class ShowListPanel(QWidget):
    """Day and text filters over the show table; emits ``show_selected(id)``."""

    show_selected = Signal(int)
    show_chosen = Signal(int)  # Enter on the search or the table: go to its seats
    loaded = Signal()
    summary_updated = Signal(object)  # ShowSummary, after a live change

    def __init__(self, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ShowListPanel")
        self.runner = runner
        self.model = ShowListModel(self)
        self.proxy = ShowFilter(self)
        self.proxy.setSourceModel(self.model)
        self._inflight: set[int] = set()
        self._dirty: set[int] = set()
        self._want: int | None = None
        # A hold that runs out is free at once by the database's rule, though nobody may
        # announce it (no expiry runner yet): refetch a show's row at its next deadline.
        self._expiry_timer = QTimer(self, singleShot=True)
        self._expiry_timer.timeout.connect(self._holds_ran_out)
        self.model.modelReset.connect(self._arm_expiry)
        self.model.dataChanged.connect(lambda *_a: self._arm_expiry())
        self.model.rowsInserted.connect(lambda *_a: self._arm_expiry())

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(8)
        title = QLabel("Shows")
        title.setObjectName("PanelTitle")
        layout.addWidget(title)
        filters = QHBoxLayout()
        self.day_box = QComboBox()
        self.day_box.setObjectName("DayFilter")
        self.day_box.setToolTip("Show only one day")
        self._fill_days()
        self.day_box.currentIndexChanged.connect(
            lambda _i: self.proxy.set_day(self.day_box.currentData()))
        filters.addWidget(self.day_box)
        self.search = QLineEdit()
        self.search.setObjectName("ShowSearch")
        self.search.setPlaceholderText("Search shows…  (Ctrl+K)")
        self.search.setClearButtonEnabled(True)
        self.search.addAction(style.icon("search"), QLineEdit.ActionPosition.LeadingPosition)
        self.search.textChanged.connect(self.proxy.set_text)
        self.search.returnPressed.connect(self._choose_from_search)
        self.search.installEventFilter(self)
        filters.addWidget(self.search, 1)
        layout.addLayout(filters)

        self.view = QTableView()
        self.view.setObjectName("ShowTable")
        self.view.setModel(self.proxy)
        self.view.setItemDelegateForColumn(OCCUPANCY, OccupancyDelegate(self.view))
        self.view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.verticalHeader().hide()
        # a long name wraps onto a second line rather than losing its end
        self.view.verticalHeader().setMinimumSectionSize(30)
        self.view.verticalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.view.setShowGrid(False)
        self.view.setAlternatingRowColors(True)
        self.view.setWordWrap(True)
        self.view.setTextElideMode(Qt.TextElideMode.ElideNone)
        header = self.view.horizontalHeader()
        header.setSectionResizeMode(NAME, QHeaderView.ResizeMode.Stretch)
        for col in (DATE, TIME, HALL, LEFT):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(OCCUPANCY, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(OCCUPANCY, OCCUPANCY_WIDTH)
        header.setHighlightSections(False)
        self.view.setColumnHidden(HALL, True)  # in the tooltip; the pane stays narrow
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.selectionModel().currentRowChanged.connect(self._current_changed)
        self.view.activated.connect(lambda idx: self.show_chosen.emit(idx.data(ShowIdRole)))
        layout.addWidget(self.view, 1)

    def _fill_days(self) -> None:
        self.day_box.addItem("All days", None)
        today = date.today()
        for n in range(14):
            d = today + timedelta(days=n)
            text = "Today" if n == 0 else "Tomorrow" if n == 1 else f"{d:%a %d %b}"
            self.day_box.addItem(text, d)

    # -- data ----------------------------------------------------------------------

    def reload(self, select: int | None = None) -> None:
        """Fetch every show (start-up, or after a resync)."""
        if select is not None:
            self._want = select
        self.runner.run(lambda db: shows.list_shows(db), success=self._loaded,
                        label="list shows")

    def _loaded(self, rows: list[ShowSummary]) -> None:
        current = self.current_show_id()
        self.model.set_shows(rows)
        want = self._want if self._want is not None else current
        self._want = None
        if want is not None:
            self.select_show(want)
        self.loaded.emit()

    def follow(self, live: LiveBridge) -> None:
        """Seat and show changes refetch their show's row; a resync the whole list."""
        live.subscribe((SeatsChanged, ShowChanged), self.on_shows_changed, batch=True)
        live.subscribe(Resync, lambda _r: self.reload(), owner=self)

    def on_shows_changed(self, batch: list[SeatsChanged | ShowChanged]) -> None:
        """A frame's changes: each show's row refetched once, however many sales it had."""
        for show_id in dict.fromkeys(c.show_id for c in batch):
            self._refresh(show_id)

    def on_show_changed(self, change: SeatsChanged | ShowChanged) -> None:
        self._refresh(change.show_id)

    def _refresh(self, show_id: int) -> None:
        """Refetch the summary of the one show that changed (coalesced while in flight)."""
        self.refresh_show(show_id)

    def refresh_show(self, show_id: int) -> None:
        """Refetch one show's row (a change, or the show just opened: its grid and header
        are fresh from the database, and the row must say the same)."""
        if show_id in self._inflight:
            self._dirty.add(show_id)
            return
        self._fetch(show_id)

    def _fetch(self, show_id: int) -> None:
        self._inflight.add(show_id)

        def done(summary: ShowSummary) -> None:
            self._inflight.discard(show_id)
            self.model.update_show(summary)
            self.summary_updated.emit(summary)
            if show_id in self._dirty:
                self._dirty.discard(show_id)
                self._fetch(show_id)

        def failed(error: BaseException) -> None:
            self._inflight.discard(show_id)
            self._dirty.discard(show_id)
            if isinstance(error, ShowNotFound):
                self.model.remove_show(show_id)
            else:
                log.warning("show %s: summary not refreshed: %s", show_id, error)

        self.runner.run(lambda db: shows.show_summary(db, show_id), success=done, failure=failed,
                        label=f"summary of show {show_id}")

    def _arm_expiry(self) -> None:
        """Wake at the earliest hold deadline of any listed show."""
        deadlines = [s.next_expiry for s in self.model.rows() if s.next_expiry is not None]
        if not deadlines:
            self._expiry_timer.stop()
            return
        wait = (min(deadlines) - datetime.now(UTC)).total_seconds()
        # a little after the deadline, so the database's now() has passed it too (and
        # not in a tight loop while this PC's clock runs ahead of the database's)
        ms = int(wait * 1000) + 250 if wait > 0 else 1000
        self._expiry_timer.start(min(ms, 3_600_000))

    def _holds_ran_out(self) -> None:
        now = datetime.now(UTC)
        due = [s.id for s in self.model.rows()
               if s.next_expiry is not None and s.next_expiry <= now]
        for show_id in due:
            if show_id in self._inflight:
                self._dirty.add(show_id)
            else:
                self._fetch(show_id)
        if not due:
            self._arm_expiry()

    # -- selection -----------------------------------------------------------------

    def current_show_id(self) -> int | None:
        idx = self.view.currentIndex()
        return idx.data(ShowIdRole) if idx.isValid() else None

    def select_show(self, show_id: int) -> bool:
        r = self.model.row_of(show_id)
        if r < 0:
            return False
        idx = self.proxy.mapFromSource(self.model.index(r, 0))
        if not idx.isValid():
            self.day_box.setCurrentIndex(0)
            self.search.clear()
            idx = self.proxy.mapFromSource(self.model.index(r, 0))
        self.view.setCurrentIndex(idx)
        self.view.scrollTo(idx)
        return True

    # -- keys from the search box ---------------------------------------------------

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        """Down (or Page Down) in the search box goes into the list of what it found."""
        if watched is self.search and event.type() == QEvent.Type.KeyPress \
                and isinstance(event, QKeyEvent) \
                and event.key() in (Qt.Key.Key_Down, Qt.Key.Key_PageDown):
            if self.proxy.rowCount():
                self._first_match_current()
                self.view.setFocus()
            return True
        return super().eventFilter(watched, event)

    def _first_match_current(self) -> None:
        """The current row is one the filter shows: kept if it is, else the first."""
        if not self.view.currentIndex().isValid():
            self.view.setCurrentIndex(self.proxy.index(0, NAME))

    def _choose_from_search(self) -> None:
        """Enter in the search box opens the (first) show it found."""
        if not self.proxy.rowCount():
            return
        self._first_match_current()
        show_id = self.current_show_id()
        if show_id is not None:
            self.show_chosen.emit(show_id)

    def _current_changed(self, current: QModelIndex, _previous: QModelIndex) -> None:
        if current.isValid():
            self.show_selected.emit(current.data(ShowIdRole))
