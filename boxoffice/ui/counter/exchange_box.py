"""Confirming an exchange that moves money: the difference, and how it is settled.

An exchange across price categories re-prices the tickets (``exchange.quote`` said by
how much, before anything is written); the clerk sees the difference here and picks the
method by the button they press, so there is no method to forget. A voucher taken for
a dearer seat needs its code, which this box cannot ask for: the customer pays the
difference another way.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtWidgets import QMessageBox, QWidget

from boxoffice.exchange import ExchangeQuote

# The methods offered, in the order of the buttons; a refund may go back as a voucher.
TAKE_BY = ("cash", "card", "invoice")
REFUND_BY = ("cash", "card", "voucher")


def exchange_text(booking_id: int, old: list[str], new: list[str], q: ExchangeQuote) -> str:
    """The question: which booking moves where, and what that costs or gives back."""
    moves = "<br>".join(
        f"{t.old_seat} ({t.old_category or 'no category'}, "
        f"{q.currency.format(t.old_price)}) → {t.new_seat} "
        f"({t.new_category or 'no category'}, {q.currency.format(t.new_price or 0)})"
        for t in q.moved if t.old_category != t.new_category)
    return (f"Move booking {booking_id} from {', '.join(old)} to {', '.join(new)}?"
            f"<br><br>{moves}<br><br><b>{q.describe()}</b>")


def ask_exchange(parent: QWidget, booking_id: int, old: list[str], new: list[str],
                 q: ExchangeQuote, action: Callable[[str], object]) -> QMessageBox:
    """Open the question window-modal (never blocking the runner's replies); ``action``
    runs with the method of the button pressed. Cancel is the default and Escape."""
    d = q.difference
    box = QMessageBox(QMessageBox.Icon.Question, "Move booking",
                      exchange_text(booking_id, old, new, q),
                      QMessageBox.StandardButton.NoButton, parent)
    box.setObjectName("ExchangeBox")
    amount = q.currency.format(abs(d))
    methods = TAKE_BY if d > 0 else REFUND_BY
    buttons = {}
    for method in methods:
        label = (f"Take {amount} by {method}" if d > 0 else f"Refund {amount} by {method}")
        b = box.addButton(label, QMessageBox.ButtonRole.AcceptRole)
        b.setObjectName(f"Exchange_{method}")
        buttons[b] = method
    cancel = box.addButton("Cancel", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(cancel)
    box.setEscapeButton(cancel)

    def answered(button: object) -> None:
        method = buttons.get(button)  # type: ignore[call-overload]
        if method is not None:
            action(method)

    box.buttonClicked.connect(answered)
    box.open()
    return box
