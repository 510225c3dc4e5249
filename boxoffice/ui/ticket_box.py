"""The tickets of a sale: each seat with its price category, ticket type and price, and the total.

Prices are never computed here: the lines go to ``money.quote`` through the runner and the
answer is shown, so the panel says what ``boxoffice_pay`` will charge. Quotes are
coalesced (one in flight; a change meanwhile sends one more when it answers), and an
answer for lines that changed since is dropped.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QKeySequence, QPainter, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boxoffice import money
from boxoffice.errors import BoxOfficeError, DatabaseUnavailable, ShowNotFound
from boxoffice.money import Currency, PricePlan, Quote, TicketType
from boxoffice.ui.runner import OperationRunner

log = logging.getLogger(__name__)

SEAT, TYPE, PRICE = range(3)
TYPES_ROLE = Qt.ItemDataRole.UserRole + 1  # the ticket type names on sale, for the editor
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 2  # the seat's price category (None: no plan)
QUICK_KEYS = 9  # Alt+1 … Alt+9 choose the ticket type by its order


def quick_key(n: int) -> str:
    """The shortcut for the ``n``-th ticket type (1-based)."""
    return f"Alt+{n}"


def _natural(label: str) -> tuple[str, int, str]:
    head = label.rstrip("0123456789")
    digits = label[len(head):]
    return (head, int(digits) if digits else 0, label)


class TicketLinesModel(QAbstractTableModel):
    """One row per seat: seat and category, ticket type (editable), price."""

    HEADERS = ("Seat", "Type", "Price")
    types_changed = Signal()  # the clerk chose another type for some line

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.seats: list[str] = []
        self.types: dict[str, str] = {}  # seat → ticket type; kept while a seat comes and goes
        self.names: list[str] = []  # ticket types on sale, in their order
        self.quote: Quote | None = None

    # -- reading -------------------------------------------------------------------

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.seats)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.HEADERS)

    def headerData(self, section: int, orientation: Qt.Orientation,
                   role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.DisplayRole \
                and 0 <= section < len(self.HEADERS):
            return self.HEADERS[section].upper()
        if orientation == Qt.Orientation.Horizontal and role == Qt.ItemDataRole.TextAlignmentRole \
                and section == PRICE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        f = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        return f | Qt.ItemFlag.ItemIsEditable if index.column() == TYPE else f

    def line(self, row: int) -> money.TicketLine | None:
        q = self.quote
        if q is None or not 0 <= row < len(self.seats):
            return None
        seat = self.seats[row]
        found = next((x for x in q.lines if x.seat == seat), None)
        return found if found is not None and found.ticket_type == self.type_of(seat) else None

    def type_of(self, seat: str) -> str:
        return self.types.get(seat) or (self.names[0] if self.names else "Adult")

    def data(self, index: QModelIndex | QPersistentModelIndex,
             role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self.seats):
            return None
        row, col = index.row(), index.column()
        seat = self.seats[row]
        line = self.line(row)
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            if col == SEAT:
                return seat
            if col == TYPE:
                return self.type_of(seat)
            if col == PRICE:
                if line is None:
                    return "…"
                if line.price is None:
                    return "not sold"
                return self.quote.currency.format(line.price, code=False) if self.quote else ""
        elif role == Qt.ItemDataRole.TextAlignmentRole and col == PRICE:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        elif role == Qt.ItemDataRole.ForegroundRole and col == PRICE:
            if line is None:
                return QBrush(QColor("#9ca3af"))
            if line.price is None:
                return QBrush(QColor("#b91c1c"))
        elif role == CATEGORY_ROLE and col == SEAT:
            return line.category if line is not None else None
        elif role == Qt.ItemDataRole.ToolTipRole and line is not None and line.price is None:
            return (f"{line.ticket_type} is not sold in {line.category} at this show; "
                    "choose another type or ask a manager to set its price.")
        elif role == Qt.ItemDataRole.ToolTipRole and col == SEAT and line and line.category:
            return f"Seat {seat}, {line.category}"
        elif role == TYPES_ROLE and col == TYPE:
            return list(self.names)
        return None

    def setData(self, index: QModelIndex | QPersistentModelIndex, value: object,
                role: int = Qt.ItemDataRole.EditRole) -> bool:
        if role != Qt.ItemDataRole.EditRole or not index.isValid() or index.column() != TYPE \
                or not isinstance(value, str) or value not in self.names:
            return False
        return bool(self.set_types([index.row()], value))

    # -- changing ------------------------------------------------------------------

    def set_seats(self, seats: Sequence[str]) -> bool:
        """The seats of the sale (selection or hold); True if the lines changed."""
        wanted = sorted(dict.fromkeys(seats), key=_natural)
        if wanted == self.seats:
            return False
        self.beginResetModel()
        self.seats = wanted
        self.endResetModel()
        return True

    def set_names(self, names: Sequence[str]) -> None:
        """The ticket types on sale; a seat whose type was retired goes back to the first."""
        self.names = list(names)
        self.types = {s: t for s, t in self.types.items() if t in self.names}
        if self.seats:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self.seats) - 1, PRICE))

    def set_types(self, rows: Iterable[int], name: str) -> list[int]:
        """Give these rows the ticket type ``name``; returns the rows that changed."""
        changed = []
        for row in rows:
            if 0 <= row < len(self.seats) and self.type_of(self.seats[row]) != name:
                self.types[self.seats[row]] = name
                changed.append(row)
        for row in changed:
            self.dataChanged.emit(self.index(row, SEAT), self.index(row, PRICE))
        if changed:
            self.types_changed.emit()
        return changed

    def set_quote(self, quote: Quote | None) -> None:
        self.quote = quote
        if self.seats:
            self.dataChanged.emit(self.index(0, SEAT), self.index(len(self.seats) - 1, PRICE))

    def tickets(self) -> dict[str, str]:
        return {seat: self.type_of(seat) for seat in self.seats}


class SeatDelegate(QStyledItemDelegate):
    """The seat in bold and its price category after it in grey, elided to fit."""

    def paint(self, painter: QPainter, option: QStyleOptionViewItem,
              index: QModelIndex | QPersistentModelIndex) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        seat, category = opt.text, index.data(CATEGORY_ROLE)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        rect = opt.rect.adjusted(8, 0, -4, 0)
        painter.save()
        bold = QFont(opt.font)
        bold.setBold(True)
        painter.setFont(bold)
        painter.setPen(QColor("#ffffff" if selected else "#111827"))
        align = Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter
        painter.drawText(rect, align, seat)
        if category:
            x = QFontMetrics(bold).horizontalAdvance(seat) + 7
            rest = rect.adjusted(x, 0, 0, 0)
            painter.setFont(opt.font)
            painter.setPen(QColor("#dbeafe" if selected else "#6b7280"))
            text = QFontMetrics(opt.font).elidedText(category, Qt.TextElideMode.ElideRight,
                                                      max(0, rest.width()))
            painter.drawText(rest, align, text)
        painter.restore()


class TypeDelegate(QStyledItemDelegate):
    """A combo box of the ticket types, kept open on every line, committing at once."""

    def createEditor(self, parent: QWidget, option: object,
                     index: QModelIndex | QPersistentModelIndex) -> QWidget:
        combo = QComboBox(parent)
        combo.setObjectName("TicketTypeCombo")
        combo.setFocusPolicy(Qt.FocusPolicy.ClickFocus)
        combo.addItems(index.data(TYPES_ROLE) or [])
        combo.currentTextChanged.connect(lambda _t, c=combo: self.commitData.emit(c))
        return combo

    def setEditorData(self, editor: QWidget, index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        names = index.data(TYPES_ROLE) or []
        if [editor.itemText(i) for i in range(editor.count())] != names:
            editor.blockSignals(True)
            editor.clear()
            editor.addItems(names)
            editor.blockSignals(False)
        i = editor.findText(str(index.data(Qt.ItemDataRole.EditRole)))
        if i >= 0 and i != editor.currentIndex():
            editor.blockSignals(True)
            editor.setCurrentIndex(i)
            editor.blockSignals(False)

    def setModelData(self, editor: QWidget, model: QAbstractTableModel,
                     index: QModelIndex | QPersistentModelIndex) -> None:
        assert isinstance(editor, QComboBox)
        model.setData(index, editor.currentText(), Qt.ItemDataRole.EditRole)

    def updateEditorGeometry(self, editor: QWidget, option: object,
                             index: QModelIndex | QPersistentModelIndex) -> None:
        editor.setGeometry(option.rect.adjusted(2, 2, -2, -2))  # type: ignore[attr-defined]


class TicketBox(QWidget):
    """The lines, their total and the quick keys; asks ``money.quote`` for every change."""

    quote_changed = Signal(object)  # Quote for the lines as they are now, or None (pending)
    failed = Signal(object)  # an error the panel shows (or reports as a bug)

    ROW_HEIGHT = 34
    MAX_ROWS_SHOWN = 6

    def __init__(self, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("TicketBox")
        self.runner = runner
        self.show_id: int | None = None
        self.plan: PricePlan | None = None
        self.ticket_types: list[TicketType] = []
        self.currency = Currency()
        self._in_flight = False
        self._again = False
        self._plan_for: int | None = None

        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(6)
        self.model = TicketLinesModel(self)
        self.table = QTableView()
        self.table.setObjectName("TicketLines")
        self.table.setModel(self.model)
        self.table.setItemDelegateForColumn(SEAT, SeatDelegate(self.table))
        self.table.setItemDelegateForColumn(TYPE, TypeDelegate(self.table))
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setShowGrid(False)
        self.table.setWordWrap(False)
        self.table.verticalHeader().hide()
        self.table.verticalHeader().setDefaultSectionSize(self.ROW_HEIGHT)
        self.table.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(SEAT, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(TYPE, QHeaderView.ResizeMode.Fixed)
        header.setSectionResizeMode(PRICE, QHeaderView.ResizeMode.Fixed)
        header.resizeSection(TYPE, 130)
        header.resizeSection(PRICE, 56)
        header.setDefaultAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter)
        header.setHighlightSections(False)
        self.table.setToolTip("Select lines, then choose their type with Alt+1 … Alt+9 "
                              "(no line selected: every line)")
        v.addWidget(self.table)

        total_row = QHBoxLayout()
        total_row.setSpacing(8)
        self.note = QLabel("")
        self.note.setObjectName("TicketNote")
        self.note.setWordWrap(True)
        total_row.addWidget(self.note, 1)
        self.total_label = QLabel("")
        self.total_label.setObjectName("TicketTotal")
        self.total_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        total_row.addWidget(self.total_label)
        v.addLayout(total_row)
        self.keys_label = QLabel("")
        self.keys_label.setObjectName("QuickKeys")
        self.keys_label.setWordWrap(True)
        v.addWidget(self.keys_label)

        self.setStyleSheet(
            "#TicketTotal { font-size: 17px; font-weight: 700; color: #111827; }"
            "#TicketNote { color: #6b7280; font-size: 12px; }"
            "#TicketNote[level='error'] { color: #b91c1c; }"
            "#QuickKeys { color: #6b7280; font-size: 11px; }"
            "#TicketLines QComboBox { padding: 2px 6px; border-radius: 5px; }"
            "#TicketLines QComboBox:focus { padding: 1px 5px; }"
            "#TicketLines QComboBox::drop-down { width: 16px; }")

        self.shortcuts: list[QShortcut] = []
        for n in range(1, QUICK_KEYS + 1):
            sc = QShortcut(QKeySequence(quick_key(n)), self)
            sc.setContext(Qt.ShortcutContext.WindowShortcut)
            sc.activated.connect(lambda n=n: self.quick_type(n))
            self.shortcuts.append(sc)

        self._timer = QTimer(self)  # gathers a burst of changes (a drag) into one quote
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self._send_quote)
        self.model.modelReset.connect(self._lines_reset)
        self.model.types_changed.connect(self.requote)
        self._lines_reset()

    # -- what the panel tells it -----------------------------------------------------

    def set_lines(self, show_id: int | None, seats: Sequence[str]) -> None:
        """The sale's seats (the selection, or the open hold) of ``show_id``."""
        if show_id != self.show_id:
            self.show_id = show_id
            self.plan = None
            self.reload_prices()
        if self.model.set_seats(seats if show_id is not None else ()):
            self.requote()

    def reload_prices(self) -> None:
        """Fetch the ticket types and the show's plan again (show opened, prices changed)."""
        show_id = self.show_id
        self._plan_for = show_id

        def load(db):  # type: ignore[no-untyped-def]
            types = money.list_ticket_types(db)
            return types, (money.price_plan(db, show_id) if show_id is not None else None)

        def done(answer: tuple[list[TicketType], PricePlan | None]) -> None:
            if self._plan_for != show_id:
                return
            self.ticket_types, self.plan = answer
            if self.plan is not None:
                self.currency = self.plan.currency
            self.model.set_names([t.name for t in self.ticket_types])
            self._update_keys()
            self.requote()

        def failed(error: BaseException) -> None:
            if self._plan_for == show_id:
                self._failed(error)

        self.runner.run(load, success=done, failure=failed, label=f"prices of show {show_id}")

    def prices_changed(self, show_id: int) -> None:
        """A price plan was saved (here or elsewhere): re-read it if it is this sale's."""
        if show_id == self.show_id:
            self.reload_prices()

    def tickets(self) -> dict[str, str]:
        return self.model.tickets()

    def current_quote(self) -> Quote | None:
        """The quote of the lines exactly as they are now (None while one is on its way)."""
        q = self.model.quote
        if q is None or q.show_id != self.show_id or \
                {x.seat: x.ticket_type for x in q.lines} != self.model.tickets():
            return None
        return q

    # -- ticket types ----------------------------------------------------------------

    def type_names(self) -> list[str]:
        return list(self.model.names)

    def quick_type(self, n: int) -> None:
        """Alt+n: the n-th ticket type for the selected lines, or every line."""
        names = self.model.names
        if not self.isVisible() or not self.isEnabled() or not 1 <= n <= len(names):
            return
        rows = sorted({i.row() for i in self.table.selectionModel().selectedRows()})
        self.set_type(names[n - 1], rows or range(self.model.rowCount()))

    def set_type(self, name: str, rows: Iterable[int]) -> None:
        self.model.set_types(rows, name)  # types_changed asks for a new quote

    def select_rows(self, rows: Iterable[int]) -> None:
        sm = self.table.selectionModel()
        sm.clearSelection()
        for row in rows:
            sm.select(self.model.index(row, SEAT), QItemSelectionModel.SelectionFlag.Select
                      | QItemSelectionModel.SelectionFlag.Rows)

    # -- quoting -----------------------------------------------------------------------

    def requote(self) -> None:
        self._show_total()
        self._timer.start()

    def _send_quote(self) -> None:
        if self._in_flight:
            self._again = True
            return
        tickets = self.model.tickets()
        show_id = self.show_id
        if show_id is None or not tickets or not self.model.names:
            self.model.set_quote(None)
            self._show_total()
            self.quote_changed.emit(None)
            return
        self._in_flight = True

        def done(q: Quote) -> None:
            self._in_flight = False
            if self._again:
                self._again = False
                self._send_quote()
                return
            self.currency = q.currency
            self.model.set_quote(q)
            self._show_total()
            self.quote_changed.emit(self.current_quote())

        def failed(error: BaseException) -> None:
            self._in_flight = False
            if self._again:
                self._again = False
                self._send_quote()
                return
            if show_id != self.show_id:
                return  # the sale moved on to another show meanwhile
            if isinstance(error, BoxOfficeError) and "ticket type" in error.message:
                self.reload_prices()  # a type was retired meanwhile: the list is stale
            self._failed(error)

        self.runner.run(lambda db: money.quote(db, show_id, tickets), success=done,
                        failure=failed, label=f"quote {len(tickets)} seats of show {show_id}")

    def _failed(self, error: BaseException) -> None:
        if isinstance(error, DatabaseUnavailable | ShowNotFound):
            return  # the banner, or the grid (a deleted show), says so already
        self.failed.emit(error)

    # -- showing -----------------------------------------------------------------------

    def _lines_reset(self) -> None:
        for row in range(self.model.rowCount()):
            self.table.openPersistentEditor(self.model.index(row, TYPE))
        rows = max(1, min(self.model.rowCount(), self.MAX_ROWS_SHOWN))
        self.table.setFixedHeight(self.table.horizontalHeader().sizeHint().height()
                                  + rows * self.ROW_HEIGHT + 4)
        self._show_total()

    def _update_keys(self) -> None:
        names = self.model.names[:QUICK_KEYS]
        self.keys_label.setText(" · ".join(f"<b>{quick_key(n)}</b> {name}"
                                           for n, name in enumerate(names, 1)))
        self.keys_label.setToolTip("Quick keys: set the type of the selected lines "
                                   "(none selected: every line)")

    def _show_total(self) -> None:
        q = self.current_quote()
        n = self.model.rowCount()
        note, level = "", "info"
        if n == 0:
            total = ""
        elif q is None:
            total = "…"
        elif q.unpriced:
            total = "—"
            line = q.unpriced[0]
            note, level = f"{line.ticket_type} is not sold in {line.category}.", "error"
        else:
            total = q.currency.format(q.total)
        if n and self.plan is not None and not self.plan.priced:
            note = "No prices set for this show"
        self.total_label.setText(total)
        self.note.setText(note if note else (f"{n} ticket{'s' if n != 1 else ''}" if n else ""))
        if self.note.property("level") != level:
            self.note.setProperty("level", level)
            self.note.style().unpolish(self.note)
            self.note.style().polish(self.note)
