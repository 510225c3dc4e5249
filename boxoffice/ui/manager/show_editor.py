"""The shows page: the list of coming shows and the dialogs that create, edit and delete them.

A dialog stays open when the database refuses the change (a start in the past, a hall
whose layout would drop a sold seat) and says why; nothing is written then.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any

from PySide6.QtCore import (
    QDateTime,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QTime,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from boxoffice import shows
from boxoffice.ui.common.date_edit import DateTimeBox
from boxoffice.ui.common.dialogs import confirm
from boxoffice.ui.common.table_model import RowsTableModel
from boxoffice.ui.manager.layout_editor import LayoutEditor, explain

log = logging.getLogger(__name__)

COL_DATE, COL_TIME, COL_NAME, COL_HALL, COL_SOLD, COL_LEFT = range(6)
HEADERS = ("Date", "Time", "Show", "Hall", "Sold", "Seats left")
ShowRole = Qt.ItemDataRole.UserRole + 1
_Index = QModelIndex | QPersistentModelIndex


class ShowsModel(RowsTableModel):
    """Coming shows as ``ShowSummary`` rows; ``ShowRole`` gives the summary itself."""

    headers = HEADERS

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        s = self._rows[index.row()]
        col = index.column()
        local = s.start_time.astimezone()
        if role == Qt.ItemDataRole.DisplayRole:
            return {
                COL_DATE: local.strftime("%a %d %b %Y"),
                COL_TIME: local.strftime("%H:%M"),
                COL_NAME: s.name,
                COL_HALL: s.hall_name,
                COL_SOLD: f"{s.sold:,}",
                COL_LEFT: f"{s.seats_left:,} of {s.total_seats:,}",
            }.get(col)
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (COL_SOLD, COL_LEFT):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == ShowRole:
            return s
        if role == Qt.ItemDataRole.UserRole:  # sort key
            return {COL_DATE: local, COL_TIME: local.time(), COL_NAME: s.name.lower(),
                    COL_HALL: s.hall_name.lower(), COL_SOLD: s.sold,
                    COL_LEFT: s.seats_left}.get(col)
        return None

    def set_shows(self, items: list[shows.ShowSummary]) -> None:
        self.beginResetModel()
        self._rows = list(items)
        self.endResetModel()

    def row_of(self, show_id: int) -> int:
        return next((i for i, s in enumerate(self._rows) if s.id == show_id), -1)

    def shows(self) -> list[shows.ShowSummary]:
        return list(self._rows)


def to_qdatetime(value: datetime) -> QDateTime:
    return QDateTime.fromSecsSinceEpoch(int(value.timestamp()))


def from_qdatetime(value: QDateTime) -> datetime:
    """The edited local time as an aware datetime (the database compares it to its now())."""
    return datetime.fromtimestamp(value.toSecsSinceEpoch()).astimezone()


class ShowDialog(QDialog):
    """Create a show, or edit one's name, start time and hall."""

    def __init__(self, runner: Any, halls: list[shows.HallView], parent: QWidget | None = None,
                 *, show: shows.ShowSummary | None = None, counter: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("showDialog")
        self.runner = runner
        self.counter = counter
        self.show_summary = show
        self.result_view: shows.ShowView | None = None
        self.unchanged = False  # OK pressed with nothing changed
        self.move_box: QMessageBox | None = None
        self.move_yes: QPushButton | None = None
        self.setWindowTitle("Edit show" if show else "New show")
        self.name_edit = QLineEdit(objectName="showName", placeholderText="e.g. Hamlet")
        self.start_edit = DateTimeBox(objectName="showStart", calendarPopup=True)
        self.start_edit.setDisplayFormat("ddd dd MMM yyyy  HH:mm")
        self.hall_combo = QComboBox(objectName="hallCombo")
        for h in halls:
            self.hall_combo.addItem(f"{h.name}  ({h.total_seats:,} seats)", h.id)
        self._halls = {h.id: h for h in halls}
        self.error_label = QLabel(objectName="Message", wordWrap=True)
        self.error_label.setProperty("level", "error")
        self.error_label.setVisible(False)
        self.note = QLabel(objectName="Muted", wordWrap=True)
        form = QFormLayout()
        form.addRow("&Name", self.name_edit)
        form.addRow("&Starts", self.start_edit)
        form.addRow("&Hall", self.hall_combo)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Ok
                                        | QDialogButtonBox.StandardButton.Cancel)
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create show" if show is None else "Save changes")
        self.buttons.accepted.connect(self.submit)
        self.buttons.rejected.connect(self.reject)
        v = QVBoxLayout(self)
        v.addLayout(form)
        v.addWidget(self.note)
        v.addWidget(self.error_label)
        v.addWidget(self.buttons)
        if show is not None:
            self.name_edit.setText(show.name)
            self.start_edit.setDateTime(to_qdatetime(show.start_time))
            i = self.hall_combo.findData(show.hall_id)
            if i < 0:  # the hall was renamed or is gone: show what the show says
                self.hall_combo.addItem(show.hall_name, show.hall_id)
                i = self.hall_combo.count() - 1
            self.hall_combo.setCurrentIndex(i)
            # A show keeps its own copy of the hall's seats; moving it to another hall is
            # not a service yet, so the seats change through Change layout instead.
            self.hall_combo.setEnabled(False)
            self.note.setText("A show keeps the seats it was created with. To change them, "
                              "use Change layout in the show list.")
        else:
            tomorrow = QDateTime.currentDateTime().addDays(1)
            tomorrow.setTime(QTime(19, 30))
            self.start_edit.setDateTime(tomorrow)
            self.note.setVisible(False)
        self.resize(440, self.sizeHint().height())

    def submit(self) -> None:
        name = self.name_edit.text()
        start = from_qdatetime(self.start_edit.dateTime())
        hall_id = self.hall_combo.currentData()
        counter = self.counter
        if hall_id is None:
            self._fail_text("Create a hall first: a show needs a hall.")
            return
        s = self.show_summary
        self.error_label.setVisible(False)
        if s is None:
            def fn(db: Any) -> shows.ShowView:
                return shows.create_show(db, name, start, hall=hall_id, counter=counter)
        else:
            moved = abs((start - s.start_time).total_seconds()) >= 1  # the editor drops µs
            if name.strip() == s.name and not moved:
                self.unchanged = True  # no write, and the page says so, not "Saved"
                self.accept()
                return
            fn = _edit_show(s, name, start if moved else None, counter)
            if moved and s.sold + s.held > 0:
                self._ask_before_moving(s, start, fn)
                return
        self._save(fn)

    def _save(self, fn: Any) -> None:
        self.ok_button.setEnabled(False)
        self.runner.run(fn, success=self._done, failure=self._failed, label="save show")

    def _ask_before_moving(self, s: shows.ShowSummary, start: datetime, fn: Any) -> None:
        """A show with bookings moves only once the manager has seen who is affected."""
        self.ok_button.setEnabled(False)
        show_id = s.id

        def asked(audience: shows.ShowAudience) -> None:
            self.ok_button.setEnabled(True)
            self.move_box, self.move_yes = confirm(
                self, "Move show", move_question(s, start, audience),
                "Move the show", "Keep the time", lambda: self._save(fn))

        self.runner.run(lambda db: shows.show_audience(db, show_id), success=asked,
                        failure=self._failed, label=f"bookings of show {show_id}")

    def _done(self, view: shows.ShowView) -> None:
        self.result_view = view
        self.ok_button.setEnabled(True)
        self.accept()

    def _failed(self, error: BaseException) -> None:
        self.ok_button.setEnabled(True)
        self._fail_text(explain(error, self.runner))

    def _fail_text(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(True)


def move_question(s: shows.ShowSummary, start: datetime, audience: shows.ShowAudience) -> str:
    """The question before a show with bookings moves: how many bookings and customers,
    and some names, so the manager knows whom to tell."""
    when = f"{s.start_time.astimezone():%a %d %b %H:%M}"
    to = f"{start.astimezone():%a %d %b %H:%M}"
    b, c = audience.bookings, audience.customers
    people = f"{b} booking{'s' if b != 1 else ''}"
    people += f" ({c} named customer{'s' if c != 1 else ''}" + (
        f": {', '.join(audience.names)}{', …' if c > len(audience.names) else ''})"
        if audience.names else ")")
    return (f"Move {s.name} from {when} to {to}?\n\n{people} "
            f"{'hold' if b != 1 else 'holds'} {s.sold + s.held} seats for it "
            + (f"({s.sold} sold, {s.held} held)" if s.held else f"(all {s.sold} sold)")
            + ". Their tickets show the old time: tell them.")


def _edit_show(s: shows.ShowSummary, name: str, start: datetime | None,
               counter: str | None) -> Any:
    """One edit as a function for the runner: name and time in one transaction, so a
    refused edit (a start in the past) writes nothing."""

    def fn(db: Any) -> shows.ShowView:
        return shows.update_show(db, s.id, name=name, start_time=start, counter=counter)

    return fn


class ShowLayoutDialog(QDialog):
    """The layout editor on one show's own copy of its hall's layout."""

    def __init__(self, runner: Any, show: shows.ShowView, parent: QWidget | None = None, *,
                 counter: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("showLayoutDialog")
        self.setWindowTitle(f"Layout of {show.name}")
        self.editor = LayoutEditor(runner, counter=counter)
        self.editor.load_show(show)
        self.editor.saved.connect(lambda _view: self.accept())
        note = QLabel("Changes apply to this show only; the hall keeps its layout. Seats that "
                      "are sold or held cannot be removed or blocked.", wordWrap=True,
                      objectName="Muted")
        v = QVBoxLayout(self)
        v.addWidget(note)
        v.addWidget(self.editor, 1)
        self.resize(1100, 720)


class ShowsPage(QWidget):
    def __init__(self, runner: Any, parent: QWidget | None = None, *,
                 counter: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("showsPage")
        self.runner = runner
        self.counter = counter
        self.halls: list[shows.HallView] = []
        self.model = ShowsModel(self)
        self.proxy = QSortFilterProxyModel(self)
        self.proxy.setSourceModel(self.model)
        self.proxy.setSortRole(Qt.ItemDataRole.UserRole)
        self.proxy.setFilterKeyColumn(-1)
        self.proxy.setFilterCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.table = QTableView(objectName="showsTable")
        self.table.setModel(self.proxy)
        self.table.setSortingEnabled(True)
        self.table.sortByColumn(COL_DATE, Qt.SortOrder.AscendingOrder)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setSectionResizeMode(COL_NAME, QHeaderView.ResizeMode.Stretch)
        self.table.setWordWrap(False)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.filter_edit = QLineEdit(objectName="showFilter", placeholderText="Filter shows…",
                                     clearButtonEnabled=True)
        self.new_button = QPushButton("&New show…", objectName="newShowButton")
        self.edit_button = QPushButton("&Edit…", objectName="editShowButton")
        self.layout_button = QPushButton("Change &layout…", objectName="showLayoutButton")
        self.prices_button = QPushButton("&Prices…", objectName="showPricesButton")
        self.prices_button.setToolTip("Price categories, ticket prices and which seats each "
                                      "category covers")
        self.can_price = False  # managers only: set_can_price once the login's rights are known
        self.delete_button = QPushButton("&Delete", objectName="deleteShowButton")
        self.status = QLabel(objectName="Muted", wordWrap=True)
        bar = QHBoxLayout()
        bar.addWidget(self.filter_edit, 1)
        for b in (self.new_button, self.edit_button, self.layout_button, self.prices_button,
                  self.delete_button):
            bar.addWidget(b)
        v = QVBoxLayout(self)
        v.addLayout(bar)
        v.addWidget(self.table, 1)
        v.addWidget(self.status)
        self.filter_edit.textChanged.connect(self.proxy.setFilterFixedString)
        self.new_button.clicked.connect(self.new_show)
        self.edit_button.clicked.connect(self.edit_show)
        self.layout_button.clicked.connect(self.edit_layout)
        self.prices_button.clicked.connect(self.edit_prices)
        self.delete_button.clicked.connect(self.delete_show)
        self.table.doubleClicked.connect(lambda _i: self.edit_show())
        self.table.selectionModel().selectionChanged.connect(self._update_buttons)
        self.dialog: QDialog | None = None
        self._select_after: int | None = None
        self._update_buttons()

    # -- data -----------------------------------------------------------------------

    def refresh(self) -> None:

        def load(db: Any) -> tuple[list[shows.ShowSummary], list[shows.HallView]]:
            return shows.list_shows(db), shows.list_halls(db)

        self.runner.run(load, success=self._loaded, failure=self._failed, label="list shows")

    def _loaded(self, result: tuple[list[shows.ShowSummary], list[shows.HallView]]) -> None:
        current = self.selected()
        target = self._select_after or (current.id if current is not None else None)
        self._select_after = None
        items, self.halls = result
        self.model.set_shows(items)
        if not self.status.text().startswith(("Saved", "Deleted")):
            self.status.setText(f"{len(items)} coming shows." if items else
                                "No coming shows: create one with New show.")
        if target is not None:
            self.select(target)
        self._update_buttons()

    def _failed(self, error: BaseException) -> None:
        self.status.setText(explain(error, self.runner))

    def selected(self) -> shows.ShowSummary | None:
        rows = self.table.selectionModel().selectedRows()
        return rows[0].data(ShowRole) if rows else None

    def select(self, show_id: int) -> None:
        row = self.model.row_of(show_id)
        if row >= 0:
            self.table.selectRow(self.proxy.mapFromSource(self.model.index(row, 0)).row())

    def _update_buttons(self) -> None:
        has = self.selected() is not None
        for b in (self.edit_button, self.layout_button, self.delete_button):
            b.setEnabled(has)
        self.prices_button.setEnabled(has and self.can_price)

    def set_can_price(self, can: bool) -> None:
        self.can_price = can
        self.prices_button.setVisible(can)
        self._update_buttons()

    # -- actions --------------------------------------------------------------------

    def new_show(self) -> None:
        self._open(ShowDialog(self.runner, self.halls, self, counter=self.counter))

    def edit_show(self) -> None:
        s = self.selected()
        if s is not None:
            self._open(ShowDialog(self.runner, self.halls, self, show=s, counter=self.counter))

    def _open(self, dialog: ShowDialog) -> None:
        self.dialog = dialog
        dialog.accepted.connect(lambda: self._after_save(dialog.result_view,
                                                         unchanged=dialog.unchanged))
        dialog.open()

    def _after_save(self, view: shows.ShowView | None, *, unchanged: bool = False) -> None:
        if unchanged:
            self.status.setText("Nothing changed.")
            return
        if view is not None:
            self.status.setText(f"Saved {view.name}.")
            self._select_after = view.id
        self.refresh()

    def edit_layout(self) -> None:
        s = self.selected()
        if s is None:
            return
        self.status.setText("Opening the layout…")
        self.runner.run(lambda db: shows.get_show(db, s.id), success=self._open_layout,
                        failure=self._failed, label="open show layout")

    def _open_layout(self, view: shows.ShowView) -> None:
        self.status.setText("")
        dialog = ShowLayoutDialog(self.runner, view, self, counter=self.counter)
        self.dialog = dialog
        dialog.accepted.connect(self.refresh)
        dialog.open()

    def edit_prices(self) -> None:
        from boxoffice.ui.manager.price_editor import PriceEditor

        s = self.selected()
        if s is None or not self.can_price:
            return
        dialog = PriceEditor(self.runner, s.id, self, counter=self.counter)
        self.dialog = dialog
        dialog.open()

    def delete_show(self) -> None:
        s = self.selected()
        delete = getattr(shows, "delete_show", None)
        if s is None or delete is None:
            return
        when = f"{s.name} on {s.start_time.astimezone():%a %d %b %H:%M}"
        if s.sold or s.held:
            # nothing to offer: the database refuses it, so the box only explains
            box = QMessageBox(QMessageBox.Icon.Information, "Show cannot be deleted",
                              f"{when} has {s.sold} seat{'' if s.sold == 1 else 's'} sold "
                              f"and {s.held} held, so it "
                              "cannot be deleted.\nKeep it, or move it to another date "
                              "(Edit show).", QMessageBox.StandardButton.Ok, self)
            self.confirm_box, self.confirm_yes = box, None
            box.open()
            return
        box = QMessageBox(QMessageBox.Icon.Warning, "Delete show",
                          f"Delete {when}?\nNo seats of it are sold or held.",
                          QMessageBox.StandardButton.Cancel, self)
        yes = box.addButton("Delete show", QMessageBox.ButtonRole.DestructiveRole)
        box.setDefaultButton(QMessageBox.StandardButton.Cancel)
        self.confirm_box, self.confirm_yes = box, yes

        def answered(button: Any) -> None:
            if button is yes:
                counter = self.counter
                self.runner.run(lambda db: delete(db, s.id, counter=counter),
                                success=lambda _r: self._deleted(s), failure=self._failed,
                                label="delete show")

        box.buttonClicked.connect(answered)
        box.open()

    def _deleted(self, s: shows.ShowSummary) -> None:
        self.status.setText(f"Deleted {s.name}.")
        self.refresh()
