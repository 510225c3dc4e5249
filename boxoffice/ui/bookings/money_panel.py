"""A booking's money in the bookings window: its tickets, payments and refunds, and the
controls a manager uses to cancel some seats (or all) and refund them.

The panel shows what ``money.booking_money`` read; the dialog runs the cancel. The
refund amount in the question is what the selected tickets were sold for; the database
computes the real refund in the cancelling transaction and the answer is shown after.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from boxoffice import counter as counter_ops
from boxoffice import money
from boxoffice.money.sale import BookingMoney
from boxoffice.statuses import BookingStatus

SeatRole = Qt.ItemDataRole.UserRole + 1
MANAGERS_ONLY = "Only a manager can cancel seats and refund them."
REFUNDED_COLOUR = "#b3261e"
MUTED = "#6b7280"
# The bookings window's tabs and lists, in the look of the app's tables and tabs.
TABS_STYLE = (
    "QTabBar::tab { padding: 7px 16px; border: none; color: #4b5563; }"
    "QTabBar::tab:selected { color: #1d4ed8; font-weight: 600;"
    " border-bottom: 2px solid #2563eb; }"
    "QTabWidget::pane { border: none; }"
    "QTreeWidget { background: #ffffff; border: 1px solid #e5e7eb; border-radius: 8px;"
    " alternate-background-color: #f9fafb; selection-background-color: #2563eb; }"
    "QTreeWidget::item { padding: 3px 2px; }")


def seat_order(label: str) -> tuple[str, int]:
    prefix = label.rstrip("0123456789")
    digits = label[len(prefix):]
    return prefix, int(digits) if digits else -1


def paid_method(m: BookingMoney | None) -> str | None:
    """How the booking was paid (its last payment), the default for a refund."""
    if m is None:
        return None
    return next((r.method for r in reversed(m.records) if r.kind == "payment"), None)


def refund_amount(m: BookingMoney | None, seats: Iterable[str] | None) -> int:
    """What cancelling ``seats`` (None: all) gives back: their tickets' sold price."""
    if m is None:
        return 0
    wanted = None if seats is None else set(seats)
    return sum(t.price or 0 for t in m.tickets
               if not t.refunded and (wanted is None or t.seat in wanted))


def cancel_call(booking_id: int, seats: list[str] | None, *, clerk: str, counter: str | None,
                reason: str | None, method: str | None) -> Any:
    """The cancel as a function for the runner (``seats=None``: the whole booking)."""

    def fn(db: Any) -> money.Refund:
        if seats is None:
            return counter_ops.cancel(db, booking_id, clerk=clerk, counter=counter,
                                      reason=reason, method=method).result
        return counter_ops.refund_seats(db, booking_id, seats, clerk=clerk, counter=counter,
                                        reason=reason, method=method).result
    return fn


def _when(value: Any) -> str:
    return value.astimezone().strftime("%d %b, %H:%M") if value is not None else "—"


class MoneyPanel(QWidget):
    """Tickets (seat, category, type, price, refunded) and payments of one booking."""

    cancel_seats_requested = Signal()

    def __init__(self, parent: QWidget | None = None, *, can_cancel: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("bookingMoney")
        self.can_cancel = can_cancel
        self.money: BookingMoney | None = None
        self.status = ""

        self.tickets = QTreeWidget(objectName="bookingTickets")
        self.tickets.setHeaderLabels(["Seat", "Category", "Type", "Price", ""])
        self.tickets.setRootIsDecorated(False)
        self.tickets.setAlternatingRowColors(True)
        self.tickets.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.tickets.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.tickets.header().setStretchLastSection(True)
        self.records = QTreeWidget(objectName="bookingPayments")
        self.records.setHeaderLabels(["", "Method", "Amount", "Given", "Change", "Who",
                                      "Counter", "When"])
        self.records.setRootIsDecorated(False)
        self.records.setAlternatingRowColors(True)
        self.records.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.records.header().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.records.header().setStretchLastSection(True)
        self.summary = QLabel(objectName="moneySummary", wordWrap=True)
        self.summary.setTextFormat(Qt.TextFormat.RichText)
        self.method_combo = QComboBox(objectName="refundMethod")
        # "as paid (voucher)" is the longest item; it must never be cut to "as paid ("
        self.method_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToContents)
        self.method_combo.setMinimumContentsLength(len("as paid (voucher)"))
        self.cancel_seats_button = QPushButton("Cancel &selected seats…",
                                               objectName="cancelSeatsButton")
        self.result = QLabel(objectName="Message", wordWrap=True)
        self.result.setProperty("level", "success")
        self.result.setVisible(False)

        # Refunding is a manager's job: a clerk's login does not see the controls at all.
        self.refund_controls = QWidget(objectName="refundControls")
        refund_row = QHBoxLayout(self.refund_controls)
        refund_row.setContentsMargins(0, 0, 0, 0)
        refund_row.addWidget(QLabel("Refund by"))
        refund_row.addWidget(self.method_combo)
        refund_row.addStretch(1)
        refund_row.addWidget(self.cancel_seats_button)
        v = QVBoxLayout(self)
        v.setContentsMargins(0, 6, 0, 0)
        v.addWidget(self.summary)
        v.addWidget(self.tickets, 3)
        v.addWidget(self.refund_controls)
        v.addWidget(self.result)
        v.addWidget(QLabel("Payments and refunds", objectName="CardTitle"))
        v.addWidget(self.records, 2)

        self.tickets.itemSelectionChanged.connect(self._update_controls)
        self.cancel_seats_button.clicked.connect(self.cancel_seats_requested)
        self.show_money(None, "")

    # -- showing --------------------------------------------------------------------

    def show_money(self, m: BookingMoney | None, status: str) -> None:
        """One booking's money (None: nothing selected, or not loaded yet)."""
        same = (m is not None and self.money is not None
                and m.booking_id == self.money.booking_id)
        if not same:
            self.result.setVisible(False)
        self.money, self.status = m, status
        self.tickets.clear()
        self.records.clear()
        if m is None:
            self.summary.setText("")
            self._fill_methods(None)
            self._update_controls()
            return
        cur = m.currency
        for t in sorted(m.tickets, key=lambda t: (t.refunded, seat_order(t.seat))):
            price = cur.format(t.price) if t.price is not None else "—"
            item = QTreeWidgetItem([t.seat, t.category or "—", t.ticket_type, price,
                                    "Refunded" if t.refunded else ""])
            item.setData(0, SeatRole, t.seat)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            if t.refunded:  # gone back: shown, not selectable again
                item.setFlags(Qt.ItemFlag.ItemIsEnabled)
                for col in range(4):
                    item.setForeground(col, QColor(MUTED))
                item.setForeground(4, QColor(REFUNDED_COLOUR))
            self.tickets.addTopLevelItem(item)
        for r in m.records:
            refund = r.kind == "refund"
            item = QTreeWidgetItem([
                "Refund" if refund else "Payment", r.method.capitalize(),
                ("−" if refund else "") + cur.format(r.amount),
                cur.format(r.tendered) if r.tendered is not None else "—",
                cur.format(r.change_due) if r.change_due is not None else "—",
                r.user_name, r.counter or "—", _when(r.created_at)])
            for col in (2, 3, 4):
                item.setTextAlignment(col, Qt.AlignmentFlag.AlignRight
                                      | Qt.AlignmentFlag.AlignVCenter)
            if refund:
                item.setForeground(0, QColor(REFUNDED_COLOUR))
                item.setForeground(2, QColor(REFUNDED_COLOUR))
            if r.reference:
                item.setToolTip(0, r.reference)
            self.records.addTopLevelItem(item)
        parts = [f"Paid <b>{cur.format(m.paid)}</b>"]
        if m.paid_elsewhere:  # row-level security hides another clerk's payment rows
            parts[0] += (" (paid at another till)" if m.paid_elsewhere == m.paid else
                         f" ({cur.format(m.paid_elsewhere)} of it at another till)")
        if m.refunded:
            parts.append(f"refunded <b style='color:{REFUNDED_COLOUR}'>"
                         f"{cur.format(m.refunded)}</b>")
        kept = sum(1 for t in m.tickets if not t.refunded)
        if m.tickets:
            parts.append(f"{kept} of {len(m.tickets)} ticket{'s' if len(m.tickets) != 1 else ''}"
                         f" kept, worth <b>{cur.format(m.sold_value)}</b>")
        elif status == BookingStatus.PENDING:
            parts = ["A hold: nothing is paid until it is confirmed."]
        else:
            parts = ["No tickets were sold for money on this booking."]
        self.summary.setText(" · ".join(parts))
        self._fill_methods(paid_method(m))
        self._update_controls()

    def _fill_methods(self, paid: str | None) -> None:
        keep = self.method_combo.currentData()
        self.method_combo.clear()
        self.method_combo.addItem(f"as paid ({paid})" if paid else "as paid", None)
        for method in money.PAYMENT_METHODS:
            self.method_combo.addItem(method.capitalize(), method)
        i = self.method_combo.findData(keep)
        self.method_combo.setCurrentIndex(max(i, 0))

    def show_result(self, text: str) -> None:
        self.result.setText(text)
        self.result.setVisible(True)

    # -- choosing ---------------------------------------------------------------------

    def set_can_cancel(self, can: bool) -> None:
        self.can_cancel = can
        self._update_controls()

    def _update_visible(self) -> None:
        self.refund_controls.setVisible(self.can_cancel)

    def selected_seats(self) -> list[str]:
        return sorted((i.data(0, SeatRole) for i in self.tickets.selectedItems()), key=seat_order)

    def select_seats(self, seats: Iterable[str]) -> None:
        wanted = set(seats)
        for i in range(self.tickets.topLevelItemCount()):
            item = self.tickets.topLevelItem(i)
            item.setSelected(item.data(0, SeatRole) in wanted
                             and bool(item.flags() & Qt.ItemFlag.ItemIsSelectable))

    def refund_method(self) -> str | None:
        """The chosen refund method; None: as the booking was paid."""
        return self.method_combo.currentData()

    def method_words(self) -> str:
        method = self.refund_method() or paid_method(self.money)
        return f"by {method}" if method else "as paid"

    def refund_sentence(self, seats: list[str] | None) -> str:
        """``"Refund EUR 12.50 by card"`` for the confirmation (None: the whole booking)."""
        if self.money is None or not self.money.tickets:
            return "Nothing was paid, so nothing is refunded."
        amount = refund_amount(self.money, seats)
        return f"Refund {self.money.currency.format(amount)} {self.method_words()}"

    def _update_controls(self) -> None:
        sold = self.status == BookingStatus.CONFIRMED
        kept = self.money is not None and any(not t.refunded for t in self.money.tickets)
        chosen = bool(self.tickets.selectedItems())
        self._update_visible()
        self.method_combo.setEnabled(self.can_cancel and sold and kept)
        self.cancel_seats_button.setEnabled(self.can_cancel and sold and chosen)
        if not self.can_cancel:
            tip = MANAGERS_ONLY
        elif not sold:
            tip = "Only seats of a sold booking can be cancelled."
        elif not chosen:
            tip = "Select the seats to cancel in the list above (Ctrl+click for several)."
        else:
            tip = ""
        self.cancel_seats_button.setToolTip(tip)
        self.method_combo.setToolTip(MANAGERS_ONLY if not self.can_cancel else
                                     "How the refund is given back; as paid by default")
