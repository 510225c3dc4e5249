"""How the customer pays: the method, for cash the amount given and the change due.

The change is worked out here only to show it; ``boxoffice_pay`` computes the one that
is recorded. An amount given that is short or not an amount is told at once and the
sale is not sent (``problem``). Short and change are the money rule's
(``money.short_by``, ``money.change_due``, ``money.too_little``), never worked out here.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from boxoffice import money
from boxoffice.errors import InvalidRequest
from boxoffice.money import PAYMENT_METHODS, Currency, PaidSale, Payment

REFERENCE_HINTS = {
    "voucher": "Voucher code (required)",
    "invoice": "Invoice number (optional)",
}

VOUCHER_NEEDS_CODE = "Type the voucher's code: a voucher payment is recorded with it."


class PaymentBox(QWidget):
    """Method buttons (Cash, Card, Voucher, Invoice) and what each needs."""

    submitted = Signal()  # Enter in the amount or reference field: sell / confirm
    changed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("PaymentBox")
        self.currency = Currency()
        self.total: int | None = None  # None: not known yet (a quote is on its way)

        v = QVBoxLayout(self)
        v.setContentsMargins(0, 0, 0, 0)
        v.setSpacing(8)
        row = QHBoxLayout()
        row.setSpacing(0)
        self.group = QButtonGroup(self)
        self.group.setExclusive(True)
        self.buttons: dict[str, QPushButton] = {}
        for i, method in enumerate(PAYMENT_METHODS):
            b = QPushButton(method.capitalize())
            b.setObjectName("MethodButton")
            b.setCheckable(True)
            b.setMinimumWidth(56)  # the style's 80 px minimum would not fit four in the panel
            b.setProperty("pos", "first" if i == 0 else
                          "last" if i == len(PAYMENT_METHODS) - 1 else "middle")
            b.setToolTip(f"The customer pays by {method}")
            self.group.addButton(b, i)
            self.buttons[method] = b
            row.addWidget(b, 1)
        self.buttons["cash"].setChecked(True)
        self.group.idToggled.connect(lambda _id, on: on and self._method_changed())
        v.addLayout(row)

        self.stack = QStackedWidget()
        cash = QWidget()
        ch = QHBoxLayout(cash)
        ch.setContentsMargins(0, 0, 0, 0)
        ch.setSpacing(10)
        given_box = QVBoxLayout()
        given_box.setSpacing(2)
        caption = QLabel("AMOUNT GIVEN")
        caption.setObjectName("PayCaption")
        given_box.addWidget(caption)
        self.given = QLineEdit()
        self.given.setObjectName("AmountGiven")
        self.given.setPlaceholderText("Exact amount")
        self.given.setMaximumWidth(130)
        self.given.setToolTip("What the customer hands over; leave it empty for the exact "
                              "amount. Enter sells.")
        self.given.textChanged.connect(lambda _t: self._update_change())
        self.given.returnPressed.connect(self.submitted.emit)
        given_box.addWidget(self.given)
        given_box.addStretch(1)
        ch.addLayout(given_box)
        change_box = QVBoxLayout()
        change_box.setSpacing(2)
        self.change_caption = QLabel("CHANGE DUE")
        self.change_caption.setObjectName("PayCaption")
        self.change_caption.setAlignment(Qt.AlignmentFlag.AlignRight)
        change_box.addWidget(self.change_caption)
        self.change_label = QLabel("—")
        self.change_label.setObjectName("ChangeDue")
        self.change_label.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.change_label.setProperty("level", "none")
        self.change_label.setWordWrap(True)  # "Short by EUR 1,047.50" may take two lines
        change_box.addWidget(self.change_label)
        change_box.addStretch(1)
        ch.addLayout(change_box, 1)
        self.stack.addWidget(cash)

        card = QLabel("Take the card payment on the terminal, then sell.")
        card.setObjectName("PayHint")
        card.setWordWrap(True)
        self.stack.addWidget(card)

        ref = QWidget()
        rv = QVBoxLayout(ref)
        rv.setContentsMargins(0, 0, 0, 0)
        rv.setSpacing(2)
        self.reference_caption = QLabel("REFERENCE")
        self.reference_caption.setObjectName("PayCaption")
        rv.addWidget(self.reference_caption)
        self.reference = QLineEdit()
        self.reference.setObjectName("PaymentReference")
        self.reference.setMaxLength(200)
        self.reference.returnPressed.connect(self.submitted.emit)
        self.reference.textChanged.connect(lambda _t: self.changed.emit())
        rv.addWidget(self.reference)
        self.stack.addWidget(ref)
        v.addWidget(self.stack)

        self.setStyleSheet(
            "#MethodButton { border-radius: 0; padding: 6px 2px; margin: 0; }"
            "#MethodButton[pos='first'] { border-top-left-radius: 7px; "
            "border-bottom-left-radius: 7px; }"
            "#MethodButton[pos='last'] { border-top-right-radius: 7px; "
            "border-bottom-right-radius: 7px; }"
            "#MethodButton[pos='middle'], #MethodButton[pos='last'] { border-left: none; }"
            "#MethodButton:checked { background: #eff6ff; color: #1d4ed8; font-weight: 600; "
            "border-color: #93c5fd; }"
            "#MethodButton:focus { border: 1px solid #2563eb; padding: 6px 2px; }"
            "#PayCaption { color: #6b7280; font-size: 10px; font-weight: 600; "
            "letter-spacing: 1px; }"
            "#PayHint { color: #6b7280; }"
            "#ChangeDue { font-size: 20px; font-weight: 700; color: #9ca3af; }"
            "#ChangeDue[level='change'] { color: #15803d; }"
            "#ChangeDue[level='exact'] { color: #111827; }"
            "#ChangeDue[level='short'] { color: #b91c1c; font-size: 15px; }"
            "#ChangeDue[level='bad'] { color: #b91c1c; font-size: 12px; font-weight: 600; }")
        self._method_changed()

    # -- reading -----------------------------------------------------------------------

    def method(self) -> str:
        return PAYMENT_METHODS[max(0, self.group.checkedId())]

    def set_method(self, method: str) -> None:
        self.buttons[method].setChecked(True)

    def tendered(self) -> int | None:
        """The amount given in minor units (None: exact or not cash).

        Raises:
            InvalidRequest: what was typed is not an amount (the message says why).
        """
        if self.method() != "cash" or not self.given.text().strip():
            return None
        return self.currency.parse(self.given.text(), "amount given")

    def payment(self) -> Payment:
        """The payment as typed. Raises InvalidRequest for an amount that is not one, or
        a voucher without its code (field "amount": the panel then focuses the code)."""
        method = self.method()
        reference = self.reference.text().strip() or None if method in REFERENCE_HINTS else None
        if method == "voucher" and reference is None and self.total != 0:
            raise InvalidRequest(VOUCHER_NEEDS_CODE, field="amount")
        return Payment(method, self.tendered(), reference)

    def problem(self) -> str | None:
        """Why the sale must not be sent as typed (None: it may be)."""
        try:
            given = self.payment().tendered
        except InvalidRequest as e:
            return e.message
        if self.total is None:
            return None
        return money.too_little(self.currency, self.total, given)

    def change_due(self) -> int | None:
        try:
            given = self.tendered()
        except InvalidRequest:
            return None
        if self.total is None:
            return None
        return money.change_due(self.total, given)

    # -- changing ----------------------------------------------------------------------

    def set_total(self, total: int | None, currency: Currency | None = None) -> None:
        self.total = total
        if currency is not None:
            self.currency = currency
        self._update_change()

    def reset(self) -> None:
        """After a sale: cash, nothing typed."""
        self.given.clear()
        self.reference.clear()
        self.set_method("cash")

    def focus_amount(self) -> None:
        w = self.given if self.method() == "cash" else self.reference
        w.setFocus()
        w.selectAll()

    def _method_changed(self) -> None:
        method = self.method()
        self.stack.setCurrentIndex(0 if method == "cash" else 1 if method == "card" else 2)
        if method in REFERENCE_HINTS:
            self.reference.setPlaceholderText(REFERENCE_HINTS[method])
            self.reference_caption.setText(f"{method.upper()} REFERENCE")
        self._update_change()

    def _update_change(self) -> None:
        text, level = "—", "none"
        try:
            given = self.tendered()
        except InvalidRequest:
            text, level = "Not an amount", "bad"
        else:
            if given is None:
                text, level = ("Exact amount", "exact") if self.total else ("—", "none")
            elif self.total is None:
                text, level = "…", "none"
            elif money.short_by(self.total, given):
                text = f"Short by {self.currency.format(money.short_by(self.total, given))}"
                level = "short"
            else:
                text = self.currency.format(money.change_due(self.total, given) or 0)
                level = "change"
        self.change_caption.setText("CHANGE DUE" if level != "short" else "NOT ENOUGH")
        self.change_label.setText(text)
        if self.change_label.property("level") != level:
            self.change_label.setProperty("level", level)
            self.change_label.style().unpolish(self.change_label)
            self.change_label.style().polish(self.change_label)
        self.changed.emit()


def receipt_text(sale: PaidSale) -> str:
    """One line for the clerk after a sale: booking, total, method, change due."""
    cur = sale.currency
    parts = [f"<b>Booking {sale.booking.id}</b>", f"<b>{cur.format(sale.total)}</b>"]
    if sale.method is None:
        parts.append("no charge" if sale.total == 0 else "not paid")
    else:
        parts.append(sale.method)
    if sale.change_due is not None:
        parts.append(f"change <b style='font-size:15px'>{cur.format(sale.change_due)}</b>")
    return " · ".join(parts)
