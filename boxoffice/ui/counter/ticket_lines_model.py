"""The ticket lines of a sale as a table: the model and the two delegates that draw it.

One row per seat: the seat and its price category, the ticket type (a combo box kept open
on every line) and its price. The model never prices anything itself: ``TicketBox`` prices
the lines with ``money.price_tickets`` and gives it the quote.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetrics, QPainter
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from boxoffice import money
from boxoffice.money import Quote

SEAT, TYPE, PRICE = range(3)
TYPES_ROLE = Qt.ItemDataRole.UserRole + 1  # the ticket type names on sale, for the editor
CATEGORY_ROLE = Qt.ItemDataRole.UserRole + 2  # the seat's price category (None: no plan)


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
