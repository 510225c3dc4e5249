"""Find a booking by number or customer name, see who sold it, its tickets, payments and
history; cancel it, or some of its seats, and refund them.

Searching, loading a booking and cancelling all go through the operation runner; the
dialog never waits. A cancel asks first, names the seats that go back on sale and the
refund, and a refusal (the booking changed meanwhile, it is only a hold) is shown in
plain words. The money part lives in ``booking_money_panel``, the list in ``bookings_model``.
"""

from __future__ import annotations

import getpass
import logging
from typing import Any

from PySide6.QtCore import (
    QItemSelection,
    Qt,
    QTimer,
)
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QTableView,
    QTabWidget,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boxoffice import booking, money
from boxoffice import counter as counter_ops
from boxoffice.customers import rename_customer
from boxoffice.errors import BoxOfficeError, InvalidRequest
from boxoffice.history import booking_history
from boxoffice.statuses import BookingStatus
from boxoffice.ui.bookings.model import (
    STATUS_COLOURS,
    STATUS_WORDS,
    BookingRole,
    BookingRow,
    BookingSearch,
    BookingsModel,
    event_row,
    search_bookings,
    seats_text,
    when_text,
)
from boxoffice.ui.bookings.money_panel import TABS_STYLE, MoneyPanel, cancel_call
from boxoffice.ui.common.dialogs import confirm
from boxoffice.validation import MAX_NAME

log = logging.getLogger(__name__)


def _details(booking_id: int) -> Any:
    def fn(db: Any) -> tuple[booking.BookingRecord, list[Any], money.BookingMoney]:
        return (booking.get_booking(db, booking_id), booking_history(db, booking_id),
                money.booking_money(db, booking_id))
    return fn


class BookingsDialog(QDialog):
    """Booking lookup for the counter: search, details, history, cancel or release."""

    def __init__(self, runner: Any, parent: QWidget | None = None, counter: str | None = None,
                 clerk: str | None = None, can_cancel: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("bookingsDialog")
        # Refunds are for managers; PostgreSQL refuses anyone else, so the button goes.
        self.can_cancel = can_cancel
        self.setWindowTitle("Bookings")
        self.runner = runner
        self.counter = counter
        self.clerk = clerk or counter or getpass.getuser()
        self._search_token = 0
        self._found_rows: list[BookingRow] = []
        self._found_total = 0
        self._query = ""
        self._current: BookingRow | None = None
        self.confirm_box: QMessageBox | None = None
        self.confirm_yes: QPushButton | None = None

        self.search_edit = QLineEdit(objectName="bookingSearch", clearButtonEnabled=True,
                                     placeholderText="Booking number or customer name")
        self.search_button = QPushButton("&Search", objectName="PrimaryButton")
        self.all_check = QCheckBox("Show &released and failed", objectName="showAllBookings")
        self.all_check.setToolTip("Also list holds that were released or expired and attempts "
                                  "that lost their seats to another counter")
        self.search_button.setDefault(True)
        self.status_label = QLabel(objectName="Muted")
        self.error_label = QLabel(objectName="Message", wordWrap=True)
        self.error_label.setProperty("level", "error")
        self.error_label.setVisible(False)
        self.error_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)

        self.model = BookingsModel(self)
        self.table = QTableView(objectName="bookingsTable")
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.setAlternatingRowColors(True)
        self.table.verticalHeader().setVisible(False)
        header = self.table.horizontalHeader()
        # Every column as wide as what it shows (a stretched Seats column was squeezed to
        # "eat" by long show names); the last one takes what room is left.
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.table.setWordWrap(False)

        # details
        self.title_label = QLabel("No booking selected", objectName="PanelTitle")
        self.status_pill = QLabel(objectName="statusPill")
        self.fields: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignRight)
        for key, text in (("show", "Show"), ("seats", "Seats"), ("customer", "Customer"),
                          ("clerk", "Sold by"), ("counter", "Counter"), ("created", "Booked"),
                          ("updated", "Last change"), ("deadline", "Held until")):
            value = QLabel("—", objectName=f"detail_{key}", wordWrap=True)
            value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
            self.fields[key] = value
            form.addRow(f"{text}:", value)
        self.hint_label = QLabel(objectName="Muted", wordWrap=True)
        self.reason_edit = QLineEdit(objectName="cancelReason",
                                     placeholderText="Reason for cancelling (optional)")
        self.cancel_button = QPushButton("&Cancel booking…", objectName="dangerButton")
        self.cancel_button.setVisible(self.can_cancel)
        self.reason_edit.setVisible(self.can_cancel)  # a reason only goes with a cancel
        self.release_button = QPushButton("&Release hold…", objectName="releaseButton")
        # A name mistyped under time pressure is corrected here; the history keeps both.
        self.rename_button = QPushButton("Correct &name…", objectName="renameButton")
        self.rename_button.setToolTip("Correct the customer's name; the history keeps the "
                                      "old one")
        self.rename_edit: QLineEdit | None = None  # the open correction box, for tests
        actions = QHBoxLayout()
        actions.addWidget(self.reason_edit, 1)
        actions.addWidget(self.rename_button)
        actions.addWidget(self.release_button)
        actions.addWidget(self.cancel_button)
        self.history = QTreeWidget(objectName="bookingHistory")
        self.history.setHeaderLabels(["When", "What", "Who", "Counter", "Seats"])
        self.history.setRootIsDecorated(False)
        self.history.setAlternatingRowColors(True)
        self.history.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.history.header().setStretchLastSection(True)
        self.money_panel = MoneyPanel(can_cancel=self.can_cancel)
        self.tabs = QTabWidget(objectName="bookingTabs")
        self.tabs.setDocumentMode(True)
        self.tabs.setStyleSheet(TABS_STYLE)
        self.tabs.addTab(self.money_panel, "&Tickets and payments")
        self.tabs.addTab(self.history, "Histor&y")

        details = QFrame(objectName="detailsPane")
        details.setFrameShape(QFrame.Shape.StyledPanel)
        dv = QVBoxLayout(details)
        top = QHBoxLayout()
        top.addWidget(self.title_label, 1)
        top.addWidget(self.status_pill)
        dv.addLayout(top)
        dv.addLayout(form)
        dv.addWidget(self.hint_label)
        dv.addLayout(actions)
        dv.addWidget(self.tabs, 1)

        search_row = QHBoxLayout()
        search_row.addWidget(self.search_edit, 1)
        search_row.addWidget(self.search_button)
        search_row.addWidget(self.all_check)
        left = QWidget()
        lv = QVBoxLayout(left)
        lv.setContentsMargins(0, 0, 0, 0)
        lv.addLayout(search_row)
        lv.addWidget(self.table, 1)
        lv.addWidget(self.status_label)
        split = QSplitter(objectName="bookingsSplitter")
        split.addWidget(left)
        split.addWidget(details)
        split.setStretchFactor(0, 1)
        split.setStretchFactor(1, 1)
        split.setSizes([560, 660])
        split.setChildrenCollapsible(False)
        v = QVBoxLayout(self)
        v.addWidget(split, 1)
        v.addWidget(self.error_label)

        self._typing = QTimer(self, singleShot=True, interval=350)
        self._typing.timeout.connect(self._search_if_worth_it)
        self.search_edit.textEdited.connect(lambda _t: self._typing.start())
        self.search_edit.returnPressed.connect(self.search)
        self.search_button.clicked.connect(self.search)
        self.all_check.toggled.connect(self._refilter)
        self.table.selectionModel().selectionChanged.connect(self._selection_changed)
        self.cancel_button.clicked.connect(self.ask_cancel)
        self.release_button.clicked.connect(self.ask_release)
        self.rename_button.clicked.connect(self.ask_rename)
        self.money_panel.cancel_seats_requested.connect(self.ask_cancel_seats)
        QShortcut(QKeySequence.StandardKey.Find, self, self.search_edit.setFocus)
        self._show_details(None)
        self.resize(1240, 760)

    # -- searching ------------------------------------------------------------------

    def _search_if_worth_it(self) -> None:
        text = self.search_edit.text().strip()
        if text.lstrip("#").isdigit() or len(text) >= 2:
            self.search()

    def search(self) -> None:
        self._typing.stop()
        query = self.search_edit.text().strip()
        if not query:
            self._error("Type a booking number or part of the customer's name.")
            return
        self._search_token += 1
        token = self._search_token
        self.status_label.setText("Searching…")
        self.runner.run(search_bookings(query),
                        success=lambda found: self._found(token, query, found),
                        failure=self._failed, label="find bookings")

    def _found(self, token: int, query: str, found: BookingSearch) -> None:
        if token != self._search_token:
            return  # a newer search is on its way
        self._found_rows, self._query = list(found.rows), query
        self._found_total = found.total
        self._refilter()

    def _refilter(self) -> None:
        rows, query = self._found_rows, self._query
        keep = self._current.booking.id if self._current else None
        shown = rows if self.all_check.isChecked() else [
            r for r in rows if r.booking.status != BookingStatus.FAILED]
        self.model.set_rows(shown)
        self._clear_error()
        n, hidden = len(shown), len(rows) - len(shown)
        text = (f"No booking matches “{query}”." if not n else
                f"{n} booking{'s' if n != 1 else ''} found.")
        if hidden:
            text += f" {hidden} released or failed not shown."
        if self._found_total > len(rows):
            text = (f"Showing the newest {len(rows)} of {self._found_total} bookings that "
                    f"match “{query}”: refine the search (a longer name, or the booking "
                    "number) to find the rest." + (f" {hidden} released or failed not shown."
                                                   if hidden else ""))
        self.status_label.setText(text if query else "")
        row = self.model.row_of(keep) if keep is not None else -1
        if row < 0 and n:
            row = 0
        if row >= 0:
            self.table.selectRow(row)
        else:
            self._show_details(None)

    # -- details --------------------------------------------------------------------

    def _selection_changed(self, selected: QItemSelection, deselected: QItemSelection) -> None:
        rows = self.table.selectionModel().selectedRows()
        row = rows[0].data(BookingRole) if rows else None
        self._show_details(row)
        if row is not None:
            self._load_details(row.booking.id)

    def _load_details(self, booking_id: int) -> None:
        self.runner.run(_details(booking_id), success=self._details_loaded,
                        failure=self._failed, label="booking details")

    def _details_loaded(self, result: tuple[booking.BookingRecord, list[Any] | None,
                                            money.BookingMoney]) -> None:
        view, history, paid = result
        self.model.update_booking(view)
        if self._current is None or self._current.booking.id != view.id:
            return
        self._show_details(BookingRow(view, self._current.show_name, self._current.show_start,
                                      self._current.hall_name), history)
        self.money_panel.show_money(paid, view.status)

    def current(self) -> BookingRow | None:
        return self._current

    def _show_details(self, row: BookingRow | None, history: list[Any] | None = None) -> None:
        if row is None or self._current is None or self._current.booking.id != row.booking.id:
            self.money_panel.show_money(None, "")  # until this booking's money is loaded
        self._current = row
        f = self.fields
        if row is None:
            self.title_label.setText("No booking selected")
            self.status_pill.setText("")
            for label in f.values():
                label.setText("—")
            self.hint_label.setText("Search for a booking by its number or the customer's name.")
            self.cancel_button.setEnabled(False)
            self.release_button.setEnabled(False)
            self.rename_button.setEnabled(False)
            self.reason_edit.setEnabled(False)
            self.history.clear()
            self.money_panel.show_money(None, "")
            return
        b = row.booking
        self.title_label.setText(f"Booking #{b.id}")
        colour = STATUS_COLOURS.get(b.status, "#6b737c")
        self.status_pill.setText(STATUS_WORDS.get(b.status, b.status.title()))
        self.status_pill.setStyleSheet(
            f"color: white; background: {colour}; border-radius: 8px; padding: 2px 10px;"
            "font-weight: 600;")
        hall = f" — {row.hall_name}" if row.hall_name else ""
        f["show"].setText(f"{row.show_name}, {when_text(row.show_start)}{hall}")
        f["seats"].setText(seats_text(b.seats) if b.seats else
                           f"none now ({b.seats_requested} requested)")
        f["customer"].setText(b.customer_name or "—")
        f["clerk"].setText(b.user_name)
        f["counter"].setText(b.counter or "—")
        f["created"].setText(when_text(b.created_at))
        f["updated"].setText(when_text(b.updated_at))
        f["deadline"].setText(when_text(b.hold_deadline)
                              if b.status == BookingStatus.PENDING else "—")
        self.cancel_button.setEnabled(b.status == BookingStatus.CONFIRMED and self.can_cancel)
        self.reason_edit.setEnabled(b.status == BookingStatus.CONFIRMED and self.can_cancel)
        self.release_button.setEnabled(b.status == BookingStatus.PENDING)
        self.rename_button.setEnabled(b.status != BookingStatus.FAILED)
        self.hint_label.setText({
            BookingStatus.CONFIRMED:
                "Cancelling refunds the sale and puts its seats back on sale."
                if self.can_cancel else "A manager can cancel this sale and refund it.",
            BookingStatus.PENDING:
                "This is a hold, not a sale: there is nothing to cancel or refund. "
                "Release the hold to put its seats back on sale.",
            BookingStatus.CANCELLED: "This booking was cancelled; its seats are back on sale.",
            BookingStatus.FAILED:
                "This booking holds no seats: its hold was released or expired, "
                "or the seats were taken by another counter first.",
        }.get(b.status, ""))
        self.cancel_button.setToolTip("" if b.status == BookingStatus.CONFIRMED
                                      else "Only a sold booking can be cancelled.")
        self.history.clear()
        for e in history or []:
            QTreeWidgetItem(self.history, event_row(e, b))

    # -- cancel and release -----------------------------------------------------------

    def ask_cancel(self) -> None:
        row = self._current
        if row is None:
            return
        b = row.booking
        who = f" for {b.customer_name}" if b.customer_name else ""
        self._confirm(
            "Cancel booking",
            f"Cancel booking #{b.id}{who}?\n\nSeats {seats_text(b.seats)} of {row.show_name} "
            f"({when_text(row.show_start)}) go back on sale. "
            f"{self.money_panel.refund_sentence(None).rstrip('.')}. This cannot be undone.",
            "Cancel booking", lambda: self._cancel(b.id, None))

    def ask_cancel_seats(self) -> None:
        """Cancel the seats selected in the tickets list; the rest stays sold."""
        row, seats = self._current, self.money_panel.selected_seats()
        if row is None or not seats:
            return
        b = row.booking
        rest = ("The whole booking is cancelled." if set(seats) >= set(b.seats) else
                f"The rest of booking #{b.id} stays sold.")
        self._confirm(
            "Cancel seats",
            f"{self.money_panel.refund_sentence(seats)} for seats {seats_text(tuple(seats))}?"
            f"\n\nThey go back on sale. {rest} This cannot be undone.",
            "Cancel and refund", lambda: self._cancel(b.id, seats))

    def ask_release(self) -> None:
        row = self._current
        if row is None:
            return
        b = row.booking
        self._confirm("Release hold",
                      f"Release the hold #{b.id}? Seats {seats_text(b.seats)} go back on sale.",
                      "Release hold", lambda: self._release(b.id))

    def ask_rename(self) -> None:
        """A small box with the name as it is; Save corrects it (logged in the history)."""
        row = self._current
        if row is None:
            return
        b = row.booking
        box = QDialog(self)
        box.setWindowTitle(f"Customer of booking #{b.id}")
        edit = QLineEdit(b.customer_name or "", objectName="renameEdit")
        edit.setMaxLength(MAX_NAME)
        edit.selectAll()
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(box.accept)
        buttons.rejected.connect(box.reject)
        layout = QVBoxLayout(box)
        layout.addWidget(QLabel("The customer's name (the old one stays in the history):"))
        layout.addWidget(edit)
        layout.addWidget(buttons)
        box.accepted.connect(lambda: self._rename(b.id, edit.text()))
        self.rename_edit = edit
        box.open()

    def _rename(self, booking_id: int, name: str) -> None:
        clerk, counter = self.clerk, self.counter
        self.runner.run(lambda db: rename_customer(db, booking_id, name, clerk=clerk,
                                                   counter=counter),
                        success=lambda v: self._changed(v, "has its customer name corrected"),
                        failure=self._action_failed, label="correct customer name")

    def _confirm(self, title: str, text: str, yes_text: str, action: Any) -> None:
        self.confirm_box, self.confirm_yes = confirm(self, title, text, yes_text, "Keep it",
                                                     action)

    def _cancel(self, booking_id: int, seats: list[str] | None) -> None:
        reason = self.reason_edit.text().strip() or None
        self.cancel_button.setEnabled(False)
        self.money_panel.cancel_seats_button.setEnabled(False)
        how = self.money_panel.method_words()
        self.runner.run(cancel_call(booking_id, seats, clerk=self.clerk, counter=self.counter,
                                    reason=reason, method=self.money_panel.refund_method()),
                        success=lambda r: self._refunded(r, how), failure=self._action_failed,
                        label="cancel booking" if seats is None else "cancel seats")

    def _refunded(self, refund: money.Refund, how: str) -> None:
        gone = seats_text(refund.seats)
        words = ("cancelled; its seats are back on sale" if refund.whole_booking else
                 f"had seats {gone} cancelled (back on sale)")
        if refund.amount:
            words += f"; {refund.currency.format(refund.amount)} refunded {how}"
            self.money_panel.show_result(
                f"Refunded {refund.currency.format(refund.amount)} {how} for {gone}.")
        self._changed(refund.booking, words)

    def _release(self, booking_id: int) -> None:
        clerk, counter = self.clerk, self.counter
        self.release_button.setEnabled(False)
        self.runner.run(lambda db: counter_ops.release(db, booking_id, clerk=clerk,
                                                       counter=counter).result,
                        success=lambda v: self._changed(v, "released; its seats are back on sale"),
                        failure=self._action_failed, label="release hold")

    def _changed(self, view: booking.BookingRecord, words: str) -> None:
        self._clear_error()
        self.reason_edit.clear()
        self.status_label.setText(f"Booking #{view.id} {words}.")
        self.model.update_booking(view)
        self._load_details(view.id)

    def _action_failed(self, error: BaseException) -> None:
        self._failed(error)
        if self._current is not None:  # show what the booking is now
            self._load_details(self._current.booking.id)

    # -- errors ---------------------------------------------------------------------

    def _failed(self, error: BaseException) -> None:
        self.status_label.setText("")
        if isinstance(error, InvalidRequest) and error.field == "search":
            self._error("Type a booking number or part of the customer's name.")
        elif isinstance(error, BoxOfficeError):
            self._error(error.message)
        else:
            log.error("bookings dialog: unexpected error", exc_info=error)
            signal = getattr(self.runner, "unexpected_error", None)
            if signal is not None:
                signal.emit(error)
            self._error("Something went wrong and the error has been logged. "
                        "Search for the booking again to see where it stands.")

    def _error(self, text: str) -> None:
        self.error_label.setText(text)
        self.error_label.setVisible(True)

    def _clear_error(self) -> None:
        self.error_label.clear()
        self.error_label.setVisible(False)
