"""The tickets of a sale: each seat with its price category, ticket type and price, and the total.

The show's price plan and the ticket types are read once through the runner (again when
a price change is announced); every change of the lines is then priced from that plan by
``money.price_tickets``, the rule ``boxoffice_pay`` applies, with no round trip. The
table's model and delegates are in ``ticket_lines_model``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boxoffice import money
from boxoffice.errors import DatabaseUnavailable, ShowNotFound
from boxoffice.money import Currency, PricePlan, Quote, TicketType
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.counter.ticket_lines_model import (
    PRICE,
    SEAT,
    TYPE,
    SeatDelegate,
    TicketLinesModel,
    TypeDelegate,
)

QUICK_KEYS = 9  # Alt+1 … Alt+9 choose the ticket type by its order


def quick_key(n: int) -> str:
    """The shortcut for the ``n``-th ticket type (1-based)."""
    return f"Alt+{n}"


class TicketBox(QWidget):
    """The lines, their total and the quick keys, priced from the show's plan."""

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
        tickets = self.model.tickets()
        plan = self.plan
        if plan is None or plan.show_id != self.show_id or not tickets or not self.model.names:
            self.model.set_quote(None)  # nothing to price, or the plan is on its way
            self._show_total()
            self.quote_changed.emit(None)
            return
        q = money.price_tickets(plan, tickets)
        self.currency = q.currency
        self.model.set_quote(q)
        self._show_total()
        self.quote_changed.emit(self.current_quote())

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
