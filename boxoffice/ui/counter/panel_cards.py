"""The booking panel's building blocks that only show things: the card look, the Seats
card, the Booking card and the action bar pinned under the panel.

They hold no state of the sale and never call the database: the panel
(``booking_panel``) decides what is enabled and what the buttons do, and hands each card
the slots its buttons call.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent, QKeySequence, QValidator
from PySide6.QtWidgets import (
    QCheckBox,
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from boxoffice.booking import BookingRecord
from boxoffice.seatmap import SeatState, best_available
from boxoffice.statuses import BookingStatus
from boxoffice.ui.common import style
from boxoffice.ui.counter.seat_grid_model import SeatGridModel
from boxoffice.validation import MAX_NAME

# The panel's keyboard shortcuts (the main window shows them in the Sell menu and help).
SHORTCUTS = {
    "best": "Ctrl+B",
    "hold": "Ctrl+H",
    "sell": "Ctrl+S",
    "confirm": "Ctrl+Return",
    "release": "Ctrl+Shift+R",
    "exchange": "Ctrl+E",
}

SELECTION_HINT = "Click seats, drag a block, or ask for the best."


def seat_list(labels: list[str] | tuple[str, ...]) -> str:
    return ", ".join(labels)


def shortcut_button(text: str, key: str, slot: Callable[[], None]) -> QPushButton:
    """A button with the icon and the shortcut (in its tooltip) of the action ``key``."""
    button = QPushButton(style.icon(key), text)
    button.setObjectName(f"{key.capitalize()}Button")
    seq = QKeySequence(SHORTCUTS[key])
    button.setToolTip(f"{text} ({seq.toString(QKeySequence.SequenceFormat.NativeText)})")
    button.clicked.connect(lambda _checked=False: slot())
    return button


def card_layout(frame: QFrame, title: str) -> QVBoxLayout:
    """Make ``frame`` a white card with a small capitalised title, as every panel section
    is; returns its layout for the card's content."""
    frame.setObjectName("Card")
    v = QVBoxLayout(frame)
    v.setContentsMargins(12, 10, 12, 12)
    v.setSpacing(8)
    t = QLabel(title.upper())
    t.setObjectName("CardTitle")
    v.addWidget(t)
    return v


def card(title: str) -> QFrame:
    """A new card frame (``card_layout``), for a section with no widget class of its own."""
    frame = QFrame()
    card_layout(frame, title)
    return frame


class SeatCountBox(QSpinBox):
    """How many seats best available looks for.

    A plain spin box drops the keys that would pass its maximum, so 999 became 9 without
    a word; this one lets the number be typed, sets it to the most one booking may hold
    and says so (``over_limit``). Enter runs best available (``entered``).
    """

    over_limit = Signal(int)  # what was typed, above the maximum
    entered = Signal()

    def _typed(self, text: str) -> int | None:
        digits = text.removeprefix(self.prefix()).removesuffix(self.suffix()).strip()
        return int(digits) if digits.isdigit() else None

    def validate(self, text: str, pos: int) -> object:
        n = self._typed(text)
        if n is not None and n > self.maximum():
            return QValidator.State.Intermediate, text, pos
        return super().validate(text, pos)

    def fixup(self, text: str) -> str:
        n = self._typed(text)
        if n is not None and n > self.maximum():
            self.over_limit.emit(n)
            return f"{self.prefix()}{self.maximum()}{self.suffix()}"
        return super().fixup(text)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        limited: list[int] = []
        self.over_limit.connect(limited.append)
        try:
            super().keyPressEvent(event)
        finally:
            self.over_limit.disconnect(limited.append)
        # a number that was just cut down is read first, not acted on
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not limited:
            self.entered.emit()


class SeatsCard(QFrame):
    """The selection in words, best available (how many, wheelchair) and Clear."""

    def __init__(self, best: Callable[[], None], clear: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        grid = card_layout(self, "Seats")
        self.selection_label = QLabel(SELECTION_HINT)
        self.selection_label.setObjectName("SelectionLabel")
        self.selection_label.setWordWrap(True)
        grid.addWidget(self.selection_label)
        best_row = QHBoxLayout()
        self.best_count = SeatCountBox()
        self.best_count.setObjectName("BestCount")
        self.best_count.setRange(1, 20)
        self.best_count.setValue(2)
        self.best_count.setSuffix(" seats")
        self.best_count.setMinimumWidth(96)
        self.best_count.setToolTip("How many seats together (type a digit on the grid too)")
        best_row.addWidget(self.best_count)
        self.best_count.over_limit.connect(lambda n: self.selection_label.setText(
            f"At most {self.best_count.maximum()} seats go in one booking, not {n}: "
            f"set to {self.best_count.maximum()}."))
        self.best_count.entered.connect(lambda: self.best_button.isEnabled() and best())
        self.best_button = shortcut_button("Best available", "best", best)
        best_row.addWidget(self.best_button, 1)
        grid.addLayout(best_row)
        options = QHBoxLayout()
        self.wheelchair = QCheckBox("Include a wheelchair space")
        self.wheelchair.setObjectName("WheelchairBox")
        options.addWidget(self.wheelchair, 1)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("FlatButton")
        self.clear_button.setToolTip("Clear the selection (Esc on the grid)")
        self.clear_button.clicked.connect(clear)
        options.addWidget(self.clear_button)
        grid.addLayout(options)

    def wanted(self, n: int | None) -> int:
        """How many seats: ``n`` if given (the spin box then says so), else the spin box's."""
        if n is None or isinstance(n, bool):  # bool: a button's clicked(checked)
            return self.best_count.value()
        self.best_count.setValue(n)
        return n

    def best_seats(self, states: list[SeatState], n: int) -> list[str]:
        """The best ``n`` seats together, with a wheelchair space if that box is ticked."""
        try:
            return best_available(states, n, wheelchair=self.wheelchair.isChecked())
        except TypeError:  # an older booking core without the wheelchair rule
            return best_available(states, n)

    def show_selection(self, labels: list[str]) -> None:
        if labels:
            shown = seat_list(labels[:12]) + (" …" if len(labels) > 12 else "")
            self.selection_label.setText(
                f"<b>{len(labels)} seat{'s' if len(labels) != 1 else ''}</b>: {shown}")
        else:
            self.selection_label.setText(SELECTION_HINT)


class BookingCard(QFrame):
    """A booking picked on the grid: who, which seats, and moving it (exchange).

    Pinned above the action bar, so "Move to selected seats" is on screen however
    long the panel is; Close puts the panel back to selling."""

    def __init__(self, exchange: Callable[[], None], close: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        b = card_layout(self, "Booking")
        self.booking_label = QLabel("")
        self.booking_label.setObjectName("BookingLabel")
        self.booking_label.setWordWrap(True)
        self.booking_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        b.addWidget(self.booking_label)
        row = QHBoxLayout()
        self.exchange_button = shortcut_button("Move to selected seats", "exchange", exchange)
        self.exchange_button.setToolTip(
            "Exchange: move this booking to the seats now selected, in one step; a price "
            f"difference is shown before it is made ({SHORTCUTS['exchange']})")
        row.addWidget(self.exchange_button, 1)
        self.close_button = QPushButton("Close")
        self.close_button.setObjectName("FlatButton")
        self.close_button.setToolTip("Put this booking away and sell the selected seats")
        self.close_button.clicked.connect(lambda _checked=False: close())
        row.addWidget(self.close_button)
        b.addLayout(row)

    def show_booking(self, view: BookingRecord) -> None:
        status = {BookingStatus.PENDING: "held",
                  BookingStatus.CONFIRMED: "sold"}.get(view.status, view.status.lower())
        lines = [f"<b>Booking {view.id}</b> · {status}",
                 f"Seats: {seat_list(view.seats)}"]
        if view.customer_name:
            lines.append(f"Customer: {view.customer_name}")
        lines.append(f"By {view.user_name}" + (f" at {view.counter}" if view.counter else "")
                     + f", {view.created_at.astimezone():%d %b %H:%M}")
        lines.append("<span style='color:#6b7280'>To move it, select the new seats and "
                     "press “Move to selected seats”; to sell seats to someone else, "
                     "Close it.</span>")
        self.booking_label.setText("<br>".join(lines))
        self.show()


class ActionBar(QWidget):
    """Pinned under the scrolling part: the last receipt, the customer, the four actions."""

    def __init__(self, *, hold: Callable[[], None], sell: Callable[[], None],
                 confirm: Callable[[], None], release: Callable[[], None],
                 customer_enter: Callable[[], None], print_sale: Callable[[], None],
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("ActionBar")
        g = QVBoxLayout(self)
        g.setContentsMargins(0, 0, 4, 0)
        g.setSpacing(8)
        # The receipt strip belongs to one sale: its booking, total and change, and Print.
        self.receipt_strip = QFrame()
        self.receipt_strip.setObjectName("Receipt")
        self.receipt_strip.setStyleSheet(
            "#Receipt { background: #f0fdf4; border: 1px solid #bbf7d0; border-radius: 8px; }"
            " #Receipt QLabel { color: #14532d; }")
        strip = QHBoxLayout(self.receipt_strip)
        strip.setContentsMargins(8, 4, 4, 4)
        self.receipt = QLabel("")
        self.receipt.setObjectName("ReceiptText")
        self.receipt.setWordWrap(True)
        self.receipt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        strip.addWidget(self.receipt, 1)
        self.print_button = QPushButton("Print")
        self.print_button.setObjectName("PrintSale")
        self.print_button.setToolTip("Print this sale's tickets (Ctrl+P)")
        self.print_button.clicked.connect(print_sale)
        strip.addWidget(self.print_button)
        self.receipt_strip.hide()
        g.addWidget(self.receipt_strip)
        self.customer = QLineEdit()
        self.customer.setObjectName("CustomerName")
        self.customer.setPlaceholderText("Customer name")
        # what the database takes (bookings.customer_name_valid); more is not typed at all
        self.customer.setMaxLength(MAX_NAME)
        self.customer.returnPressed.connect(customer_enter)
        g.addWidget(self.customer)
        buttons = QGridLayout()
        buttons.setSpacing(6)
        self.hold_button = shortcut_button("Hold", "hold", hold)
        self.sell_button = shortcut_button("Sell now", "sell", sell)
        self.sell_button.setObjectName("PrimaryButton")
        self.confirm_button = shortcut_button("Confirm sale", "confirm", confirm)
        self.confirm_button.setObjectName("PrimaryButton")
        self.release_button = shortcut_button("Release", "release", release)
        buttons.addWidget(self.hold_button, 0, 0)
        buttons.addWidget(self.sell_button, 0, 1)
        buttons.addWidget(self.release_button, 1, 0)
        buttons.addWidget(self.confirm_button, 1, 1)
        buttons.setColumnStretch(1, 1)
        g.addLayout(buttons)

    def set_held(self, held: bool, *, moving: bool = False) -> None:
        """A hold is open: Confirm and Release instead of Hold and Sell now. Seats picked
        to move a booking to (``moving``) are not offered for sale at all."""
        for button in (self.hold_button, self.sell_button):
            button.setVisible(not held and not moving)
        for button in (self.confirm_button, self.release_button):
            button.setVisible(held)

    def sold(self, receipt: str) -> None:
        """A sale went through: its receipt, and an empty name for the next customer."""
        self.receipt.setText(receipt)
        self.receipt_strip.show()
        self.customer.clear()

    def clear_receipt(self) -> None:
        """The next sale begins (or this one was refunded): the strip is not its receipt."""
        self.receipt.setText("")
        self.receipt_strip.hide()


class PanelHeader(QWidget):
    """The top of the panel: the open show, its free / held / sold figures, and the message
    line where the clerk is told the outcome of every action."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(10)  # as the panel's column, so the header reads as part of it
        self.show_title = QLabel("No show open")
        self.show_title.setObjectName("PanelTitle")
        self.show_title.setWordWrap(True)
        v.addWidget(self.show_title)
        self.show_info = QLabel("")
        self.show_info.setObjectName("Muted")
        self.show_info.setWordWrap(True)
        v.addWidget(self.show_info)
        self.figures = QLabel("")
        self.figures.setObjectName("Figures")
        v.addWidget(self.figures)
        self.message_label = QLabel("")
        self.message_label.setObjectName("Message")
        self.message_label.setWordWrap(True)
        self.message_label.setProperty("level", "info")
        self.message_label.hide()
        v.addWidget(self.message_label)

    def show_show(self, model: SeatGridModel) -> None:
        """The open show's name, time and hall (or that none is open)."""
        if model.show_id is None:
            self.show_title.setText("No show open")
            self.show_info.setText("")
            return
        self.show_title.setText(model.show_name)
        when = model.start_time.astimezone() if model.start_time else None
        self.show_info.setText(f"{when:%A %d %B, %H:%M} · {model.hall_name}" if when
                               else model.hall_name)

    def show_figures(self, model: SeatGridModel) -> None:
        if model.show_id is None:
            self.figures.setText("")
            return
        c = model.counts()
        free = c[style.FREE]
        held = c[style.HELD_MINE] + c[style.HELD_OTHER]
        self.figures.setText(
            f"<span style='color:#15803d'><b>{free}</b> free</span> &nbsp; "
            f"<span style='color:#a16207'><b>{held}</b> held</span> &nbsp; "
            f"<span style='color:#4b5563'><b>{c[style.SOLD]}</b> sold</span>")

    def show_message(self, text: str, level: str) -> None:
        style.show_message(self.message_label, text, level)
