"""A show's prices: categories in order, a price per category × ticket type, and which
seats each category covers, painted on the show's seat map.

Nothing is written until Save, which hands the whole plan to ``money.set_price_plan``
through the runner. Amounts are parsed with the venue currency's own rules before
anything is sent; a bad one is shown (and its cell selected) and nothing is saved.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass, field
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPalette, QPixmap
from PySide6.QtWidgets import (
    QAbstractItemView,
    QDialog,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMenu,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boxoffice import money, shows
from boxoffice.errors import BoxOfficeError
from boxoffice.ui.common import style
from boxoffice.ui.common.dialogs import confirm
from boxoffice.ui.manager.category_map import CategoryMap, colour_of, text_colour
from boxoffice.ui.manager.layout_editor import explain
from boxoffice.ui.manager.layout_preview import COMPANION, WHEELCHAIR, Draft, kind_of_blocked
from boxoffice.ui.manager.ticket_types import TicketTypesDialog

log = logging.getLogger(__name__)

NAME_COL = 0


@dataclass
class Category:
    """One category as edited: ``key`` stays while the name changes."""

    key: int
    name: str
    prices: dict[str, str] = field(default_factory=dict)  # type name -> text as typed


@dataclass(frozen=True)
class Loaded:
    show: shows.ShowView
    plan: money.PricePlan
    types: list[money.TicketType]
    others: list[shows.ShowSummary]


def _load(show_id: int) -> Any:
    def fn(db: Any) -> Loaded:
        others = [s for s in shows.list_shows(db) if s.id != show_id]
        return Loaded(shows.get_show(db, show_id), money.price_plan(db, show_id),
                      money.list_ticket_types(db, include_retired=True), others)
    return fn


def swatch(colour: str, number: int) -> QIcon:
    pm = QPixmap(18, 18)
    pm.fill(Qt.GlobalColor.transparent)
    p = QPainter(pm)
    p.setRenderHint(QPainter.RenderHint.Antialiasing)
    p.setBrush(QColor(colour))
    p.setPen(QColor(colour).darker(135))
    p.drawRoundedRect(1, 1, 16, 16, 3, 3)
    p.setPen(text_colour(colour))
    p.drawText(pm.rect(), Qt.AlignmentFlag.AlignCenter, str(number))
    p.end()
    return QIcon(pm)


class PriceDelegate(QStyledItemDelegate):
    """An empty price cell reads "not sold" in grey, so it is not mistaken for free."""

    def initStyleOption(self, option: QStyleOptionViewItem,
                        index: QModelIndex | QPersistentModelIndex) -> None:
        super().initStyleOption(option, index)
        if index.column() != NAME_COL and not option.text:
            option.text = "not sold"
            option.palette.setColor(QPalette.ColorRole.Text, QColor("#9ca3af"))


def row_spec(text: str, rows: list[str]) -> list[str]:
    """``"A-C, J"`` → ``["A", "B", "C", "J"]`` in the hall's row order; unknown rows refused."""
    out: list[str] = []
    for part in filter(None, re.split(r"[,\s]+", text.strip())):
        a, _, b = part.partition("-")
        a, b = a.upper(), (b or a).upper()
        if a not in rows or b not in rows:
            bad = a if a not in rows else b
            raise ValueError(f"There is no row {bad} in this hall.")
        i, j = sorted((rows.index(a), rows.index(b)))
        out.extend(r for r in rows[i:j + 1] if r not in out)
    return out


class PriceEditor(QDialog):
    """Edits one show's price plan; ``saved`` with the stored ``PricePlan``."""

    saved = Signal(object)

    def __init__(self, runner: Any, show_id: int, parent: QWidget | None = None, *,
                 counter: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("priceEditor")
        self.setWindowTitle("Prices")
        self.runner = runner
        self.show_id = show_id
        self.counter = counter
        self.currency = money.Currency()
        self.categories: list[Category] = []
        self.seat_key: dict[str, int] = {}  # every seat -> its category's key
        self.rows: list[str] = []
        self._all_seats: list[str] = []
        self._unsold: set[str] = set()
        self._copy_name: str | None = None
        self.columns: list[str] = []  # ticket type per price column (from 1)
        self.types: list[money.TicketType] = []
        self.loaded = False
        self.dirty = False
        self._next_key = 1
        self._filling = False
        self.dialog: QDialog | None = None
        self.confirm_box: QMessageBox | None = None
        self.confirm_yes: QPushButton | None = None

        self.title = QLabel("Loading…", objectName="PanelTitle")
        self.subtitle = QLabel(objectName="Muted")
        self.copy_button = QPushButton("Copy from &show…", objectName="copyPlanButton")
        self.copy_menu = QMenu(self.copy_button)
        self.copy_button.setMenu(self.copy_menu)
        self.types_button = QPushButton("&Ticket types and currency…",
                                        objectName="ticketTypesButton")

        self.table = QTableWidget(0, 1, objectName="priceTable")
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectItems)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.verticalHeader().setVisible(False)
        self.table.setAlternatingRowColors(True)
        self.table.setItemDelegate(PriceDelegate(self.table))
        self.table.horizontalHeader().setSectionResizeMode(
            QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setMinimumSectionSize(84)
        self.add_button = QPushButton("&Add category", objectName="addCategory")
        self.remove_button = QPushButton("&Remove", objectName="removeCategory")
        self.up_button = QPushButton("Move &up", objectName="categoryUp")
        self.down_button = QPushButton("Move do&wn", objectName="categoryDown")
        cat_bar = QHBoxLayout()
        for b in (self.add_button, self.remove_button, self.up_button, self.down_button):
            cat_bar.addWidget(b)
        cat_bar.addStretch(1)
        self.table_note = QLabel(objectName="Muted", wordWrap=True)

        self.map = CategoryMap()
        self.map_note = QLabel(objectName="Muted", wordWrap=True)
        self.rows_edit = QLineEdit(objectName="rowsEdit", placeholderText="Rows, e.g. A-C, J")
        self.rows_button = QPushButton("Assign &rows", objectName="assignRows")
        rows_bar = QHBoxLayout()
        rows_bar.addWidget(self.map_note, 1)
        rows_bar.addWidget(self.rows_edit)
        rows_bar.addWidget(self.rows_button)

        self.message = QLabel(objectName="Message", wordWrap=True)
        self.message.setVisible(False)
        self.save_button = QPushButton("&Save prices", objectName="PrimaryButton")
        self.close_button = QPushButton("Close", objectName="closePrices")

        head = QHBoxLayout()
        titles = QVBoxLayout()
        titles.addWidget(self.title)
        titles.addWidget(self.subtitle)
        head.addLayout(titles, 1)
        head.addWidget(self.copy_button, 0, Qt.AlignmentFlag.AlignBottom)
        head.addWidget(self.types_button, 0, Qt.AlignmentFlag.AlignBottom)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 6, 0)
        lv.addWidget(QLabel("Categories and prices", objectName="CardTitle"))
        lv.addWidget(self.table, 1)
        lv.addLayout(cat_bar)
        lv.addWidget(self.table_note)
        right = QWidget()
        rv = QVBoxLayout(right)
        rv.setContentsMargins(6, 0, 0, 0)
        rv.addWidget(QLabel("Seats by category", objectName="CardTitle"))
        rv.addWidget(self.map, 1)
        rv.addLayout(rows_bar)
        split = QSplitter(objectName="pricesSplitter")
        split.addWidget(left)
        split.addWidget(right)
        split.setChildrenCollapsible(False)
        split.setSizes([560, 600])
        bottom = QHBoxLayout()
        bottom.addStretch(1)
        bottom.addWidget(self.close_button)
        bottom.addWidget(self.save_button)
        v = QVBoxLayout(self)
        v.addLayout(head)
        v.addWidget(split, 1)
        v.addWidget(self.message)
        v.addLayout(bottom)

        self.table.itemChanged.connect(self._item_changed)
        self.table.currentCellChanged.connect(lambda *_: self._current_changed())
        self.add_button.clicked.connect(lambda: self.add_category())
        self.remove_button.clicked.connect(self.remove_category)
        self.up_button.clicked.connect(lambda: self.move_category(-1))
        self.down_button.clicked.connect(lambda: self.move_category(1))
        self.map.seat_clicked.connect(self.assign_seat)
        self.map.seat_dragged.connect(self.assign_seat)
        self.map.row_clicked.connect(lambda row: self.assign_rows([row]))
        self.rows_button.clicked.connect(self._assign_typed_rows)
        self.rows_edit.returnPressed.connect(self._assign_typed_rows)
        # Enter in the rows field assigns rows and nothing else: an auto-default button
        # of the dialog would be pressed too (adding a category, or worse).
        for button in self.findChildren(QPushButton):
            button.setAutoDefault(False)
        self.save_button.clicked.connect(self.save)
        self.close_button.clicked.connect(self.reject)
        self.types_button.clicked.connect(self.open_ticket_types)
        self.resize(1180, 720)
        self._update_buttons()
        self.reload()

    # -- loading --------------------------------------------------------------------

    def reload(self) -> None:
        self.save_button.setEnabled(False)
        self.runner.run(_load(self.show_id), success=self._loaded, failure=self._load_failed,
                        label="load prices")

    def _loaded(self, data: Loaded) -> None:
        s = data.show
        self.setWindowTitle(f"Prices of {s.name}")
        self.title.setText(f"Prices of {s.name}")
        self.subtitle.setText(f"{s.start_time.astimezone():%a %d %b %Y, %H:%M} — {s.hall_name}"
                              f" · {s.total_seats:,} seats")
        if s.layout is not None:
            layout = s.layout
            self.rows = [r.label for r in layout.rows]
            marks = {seat: kind_of_blocked(layout.blocked_reasons.get(seat))
                     for seat in layout.blocked}
            marks.update({seat: WHEELCHAIR for seat in layout.wheelchair})
            marks.update({seat: COMPANION for seat in layout.companion})
            self._unsold = set(layout.blocked)  # not counted as a category's seats
            self.map.set_draft(Draft(tuple((r.label, r.positions) for r in layout.rows), marks,
                                     dict(layout.blocked_reasons)))
            self._all_seats = [f"{r.label}{n}" for r in layout.rows for n in r.positions
                               if n is not None]
        else:  # an imported chart: no grid to draw; its categories were mapped at import
            self.rows = list(dict.fromkeys(p.row for p in s.chart.placed()))
            self._unsold = set()
            self.map.set_draft(Draft((), {}, {}))
            self._all_seats = [p.seat.id for p in s.chart.placed()] + [
                place for _, _, a in s.chart.standing_areas() for place in a.place_ids()]
        self.copy_menu.clear()
        for o in data.others:
            action = self.copy_menu.addAction(
                f"{o.name} — {o.start_time.astimezone():%a %d %b %H:%M} ({o.hall_name})")
            action.triggered.connect(lambda _c=False, o=o: self.ask_copy(o))
        self.copy_button.setEnabled(bool(data.others))
        self._apply_plan(data.plan, data.types)
        self.loaded = True
        self.save_button.setEnabled(True)

    def _apply_plan(self, plan: money.PricePlan, types: list[money.TicketType]) -> None:
        self.currency = plan.currency
        self.categories = []
        by_name: dict[str, int] = {}
        for c in plan.categories:
            cat = Category(self._take_key(), c.name,
                           {t: plan.currency.format(a, code=False).replace(",", "")
                            for t, a in c.prices.items()})
            self.categories.append(cat)
            by_name[c.name] = cat.key
        self.seat_key = {}
        if self.categories:
            for seat in self._all_seats:
                self.seat_key[seat] = by_name[plan.category_of(seat) or plan.categories[0].name]
        self.types = types
        self.dirty = False
        self._fill(select=0 if self.categories else -1)

    def _load_failed(self, error: BaseException) -> None:
        self._say(explain(error, self.runner), "error")

    def _take_key(self) -> int:
        self._next_key += 1
        return self._next_key

    # -- the table ------------------------------------------------------------------

    def _fill(self, select: int = -1, column: int = NAME_COL) -> None:
        """Rebuild the table from ``categories`` (names, prices) and repaint the map."""
        used = {t for c in self.categories for t, text in c.prices.items() if text.strip()}
        self.columns = [t.name for t in self.types if t.active or t.name in used]
        retired = {t.name for t in self.types if not t.active}
        self._filling = True
        self.table.clear()
        self.table.setColumnCount(1 + len(self.columns))
        self.table.setHorizontalHeaderLabels(
            ["Category"] + [f"{t} (retired)" if t in retired else t for t in self.columns])
        self.table.setRowCount(len(self.categories))
        counts = self._counts()
        for r, c in enumerate(self.categories):
            name = QTableWidgetItem(c.name)
            name.setIcon(swatch(colour_of(r), r + 1))
            name.setToolTip(f"{counts.get(c.key, 0):,} seats. Double-click to rename.")
            self.table.setItem(r, NAME_COL, name)
            for col, t in enumerate(self.columns, start=1):
                item = QTableWidgetItem(c.prices.get(t, ""))
                item.setTextAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
                item.setToolTip(f"{t} in {c.name}, in {self.currency.code}; "
                                "empty: not sold in this category")
                self.table.setItem(r, col, item)
        self._filling = False
        if 0 <= select < len(self.categories):
            self.table.setCurrentCell(select, column)
        self.table_note.setText(
            f"Prices in {self.currency.code}, typed like 12.50. Leave a price empty when the "
            "ticket type is not sold in that category. The first category covers every seat "
            "not given to another. Tickets already sold keep the price they were sold at.")
        self._repaint_map()
        self._update_buttons()

    def _counts(self) -> dict[int, int]:
        counts: dict[int, int] = {}
        for seat, key in self.seat_key.items():
            if seat not in self._unsold:  # blocked and house seats are never sold
                counts[key] = counts.get(key, 0) + 1
        return counts

    def _item_changed(self, item: QTableWidgetItem) -> None:
        if self._filling:
            return
        r, col = item.row(), item.column()
        if not 0 <= r < len(self.categories):
            return
        cat = self.categories[r]
        if col == NAME_COL:
            cat.name = item.text().strip()
            self._repaint_map()
        else:
            cat.prices[self.columns[col - 1]] = item.text().strip()
        self._changed()

    def current_index(self) -> int:
        r = self.table.currentRow()
        return r if 0 <= r < len(self.categories) else -1

    def _current_changed(self) -> None:
        self._repaint_map()
        self._update_buttons()

    def _update_buttons(self) -> None:
        r = self.current_index()
        n = len(self.categories)
        self.remove_button.setEnabled(r >= 0)
        self.up_button.setEnabled(r > 0)
        self.down_button.setEnabled(0 <= r < n - 1)
        has = r >= 0
        self.rows_button.setEnabled(has)
        self.rows_edit.setEnabled(has)
        self.map_note.setText(
            f"Click or drag across seats, or click a row's letter, to put them in "
            f"<b>{self.categories[r].name or 'this category'}</b>." if has else
            "Add a category to price this show; it covers every seat until you add another.")

    def _repaint_map(self) -> None:
        index = {c.key: i for i, c in enumerate(self.categories)}
        self.map.set_categories([c.name for c in self.categories],
                                [colour_of(i) for i in range(len(self.categories))],
                                {s: index[k] for s, k in self.seat_key.items() if k in index},
                                self.current_index())

    def _changed(self) -> None:
        self.dirty = True
        self.message.setVisible(False)

    # -- categories -----------------------------------------------------------------

    def add_category(self, name: str | None = None) -> Category:
        taken = {c.name.lower() for c in self.categories}
        n = len(self.categories) + 1
        while name is None or name.lower() in taken:
            name = "Standard" if n == 1 and "standard" not in taken else f"Category {n}"
            n += 1
        cat = Category(self._take_key(), name)
        self.categories.append(cat)
        if len(self.categories) == 1:  # the first covers the whole hall
            self.seat_key = dict.fromkeys(self._all_seats, cat.key)
        self._changed()
        self._fill(select=len(self.categories) - 1)
        return cat

    def remove_category(self) -> None:
        r = self.current_index()
        if r < 0:
            return
        gone = self.categories.pop(r)
        first = self.categories[0].key if self.categories else None
        if first is None:
            self.seat_key = {}
        else:  # its seats go back to the first category
            self.seat_key = {s: first if k == gone.key else k for s, k in self.seat_key.items()}
        self._changed()
        self._fill(select=min(r, len(self.categories) - 1))

    def move_category(self, step: int) -> None:
        r = self.current_index()
        to = r + step
        if r < 0 or not 0 <= to < len(self.categories):
            return
        cats = self.categories
        cats[r], cats[to] = cats[to], cats[r]
        self._changed()
        self._fill(select=to)

    # -- seats ----------------------------------------------------------------------

    def assign_seat(self, seat: str) -> None:
        self.assign_seats([seat])

    def assign_seats(self, seats: list[str]) -> None:
        r = self.current_index()
        if r < 0 or not seats:
            return
        key = self.categories[r].key
        for s in seats:
            if s in self.seat_key:
                self.seat_key[s] = key
        self._changed()
        self._repaint_map()
        self.table.item(r, NAME_COL).setToolTip(
            f"{self._counts().get(key, 0):,} seats. Double-click to rename.")

    def assign_rows(self, rows: list[str]) -> None:
        wanted = set(rows)
        self.assign_seats([s for s in self.seat_key if s.rstrip("0123456789") in wanted])

    def _assign_typed_rows(self) -> None:
        try:
            rows = row_spec(self.rows_edit.text(), self.rows)
        except ValueError as e:
            self._say(str(e), "error")
            return
        if rows:
            self.assign_rows(rows)
            self.rows_edit.clear()

    # -- saving ---------------------------------------------------------------------

    def plan(self) -> list[money.PriceCategory]:
        """The plan as edited; ``InvalidRequest`` (with the cell selected) for a bad amount."""
        out: list[money.PriceCategory] = []
        for r, c in enumerate(self.categories):
            prices: dict[str, int] = {}
            for col, t in enumerate(self.columns, start=1):
                text = c.prices.get(t, "").strip()
                if not text:
                    continue
                try:
                    prices[t] = self.currency.parse(text, f"price of {t} in {c.name}")
                except BoxOfficeError:
                    self.table.setCurrentCell(r, col)
                    raise
            seats = () if r == 0 else tuple(s for s, k in self.seat_key.items() if k == c.key)
            out.append(money.PriceCategory(c.name, prices, seats))
        return out

    def save(self) -> None:
        if not self.loaded:
            return
        try:
            plan = self.plan()
        except BoxOfficeError as e:
            r = self.current_index()
            where = f"{self.categories[r].name}, {self.columns[self.table.currentColumn() - 1]}: " \
                if r >= 0 and self.table.currentColumn() > 0 else ""
            self._say(where + e.message, "error")
            return
        show_id, counter = self.show_id, self.counter
        self.save_button.setEnabled(False)
        self.runner.run(lambda db: money.set_price_plan(db, show_id, plan, counter=counter),
                        success=self._saved, failure=self._save_failed, label="save prices")

    def _saved(self, plan: money.PricePlan, words: str | None = None) -> None:
        current = max(self.current_index(), 0)
        self._apply_plan(plan, self.types)
        if self.categories:
            self.table.setCurrentCell(min(current, len(self.categories) - 1), NAME_COL)
        self.save_button.setEnabled(True)
        names = ", ".join(c.name for c in plan.categories) or "no categories (free)"
        self._say(words or f"Saved: {names}.", "success")
        self.saved.emit(plan)

    def _save_failed(self, error: BaseException) -> None:
        self.save_button.setEnabled(True)
        self._say(explain(error, self.runner), "error")

    def _say(self, text: str, level: str) -> None:
        style.show_message(self.message, text, level)

    # -- copy, ticket types, closing ---------------------------------------------------

    def ask_copy(self, other: shows.ShowSummary) -> None:
        self._copy_name = other.name
        self._confirm("Copy prices",
                      f"Give this show the prices and categories of {other.name} "
                      f"({other.start_time.astimezone():%a %d %b %H:%M})?\n\nThis replaces the "
                      "prices saved now and any changes not yet saved.",
                      "Copy prices", lambda: self.copy_from(other.id))

    def copy_from(self, other_id: int) -> None:
        to, counter = self.show_id, self.counter
        source = self._copy_name or f"show {other_id}"

        def copied(plan: money.PricePlan) -> None:
            self._saved(plan, f"Copied and saved the prices of {source}: "
                              f"{', '.join(c.name for c in plan.categories) or 'none'}.")

        self.runner.run(lambda db: money.copy_price_plan(db, other_id, to, counter=counter),
                        success=copied, failure=self._save_failed, label="copy prices")

    def open_ticket_types(self) -> None:
        dialog = TicketTypesDialog(self.runner, self)
        self.dialog = dialog
        dialog.changed.connect(self._types_changed)
        dialog.open()

    def _types_changed(self) -> None:
        def fn(db: Any) -> tuple[list[money.TicketType], money.Currency]:
            return money.list_ticket_types(db, include_retired=True), money.get_currency(db)

        def done(result: tuple[list[money.TicketType], money.Currency]) -> None:
            self.types, self.currency = result
            self._fill(select=self.current_index())

        self.runner.run(fn, success=done, failure=self._load_failed, label="list ticket types")

    def reject(self) -> None:
        if not self.dirty:
            super().reject()
            return
        self._confirm("Unsaved prices", "Close without saving the changed prices?",
                      "Discard changes", self._discard)

    def _discard(self) -> None:
        self.dirty = False
        super().reject()

    def _confirm(self, title: str, text: str, yes_text: str, action: Any) -> None:
        self.confirm_box, self.confirm_yes = confirm(self, title, text, yes_text,
                                                     "Keep editing", action)
