"""The Sale card of the booking panel: the ticket lines with their total, and the payment.

It joins the two boxes (a new quote sets the total the payment is checked against) and
says whether the payment as typed may be sent; the panel sends it (``counter.sell_for_money``
or ``counter.pay_hold``).
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtWidgets import QCheckBox, QFrame, QWidget

from boxoffice.errors import InvalidRequest
from boxoffice.money import Payment, Quote
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.counter.panel_cards import card_layout
from boxoffice.ui.counter.payment_box import PaymentBox
from boxoffice.ui.counter.ticket_box import TicketBox


class SaleCard(QFrame):
    """``ticket_box`` (the lines, priced by ``money.price_tickets``) over ``payment_box``,
    and whether a sale prints its tickets by itself (``print_on_sale``)."""

    def __init__(self, runner: OperationRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        g = card_layout(self, "Sale")
        self.ticket_box = TicketBox(runner)
        self.ticket_box.quote_changed.connect(self._quote_changed)
        g.addWidget(self.ticket_box)
        self.payment_box = PaymentBox()
        g.addWidget(self.payment_box)
        # On, a sale prints its tickets as it completes: the quick sale needs no extra key.
        # The main window keeps the choice in QSettings (counter/print_on_sale).
        self.print_on_sale = QCheckBox("Print tickets on sale")
        self.print_on_sale.setObjectName("PrintOnSale")
        self.print_on_sale.setToolTip(
            "Send each sale's tickets to the default printer (or, with no printer, to a PDF "
            "in the tickets folder) as soon as it is paid")
        g.addWidget(self.print_on_sale)

    def _quote_changed(self, q: Quote | None) -> None:
        self.payment_box.set_total(None if q is None or q.unpriced else q.total,
                                   q.currency if q is not None else None)

    def tickets_for(self, seats: Iterable[str]) -> dict[str, str]:
        """Each seat with the ticket type its line has."""
        return {s: self.ticket_box.model.type_of(s) for s in seats}

    def payment(self) -> Payment:
        """The payment as typed, for the lines as priced now.

        Raises InvalidRequest with the clerk's message when it must not be sent; its
        ``field`` is "amount" when the amount typed is why (the clerk is taken there).
        """
        q = self.ticket_box.current_quote()
        if q is not None and q.unpriced:
            line = q.unpriced[0]
            raise InvalidRequest(f"{line.ticket_type} is not sold in {line.category} (seat "
                                 f"{line.seat}) at this show. Choose another ticket type.",
                                 field="tickets")
        if q is not None:
            self.payment_box.set_total(q.total, q.currency)
        problem = self.payment_box.problem()
        if problem is not None:
            raise InvalidRequest(problem, field="amount")
        try:
            return self.payment_box.payment()
        except InvalidRequest as e:  # problem() has said it; kept for a race with typing
            raise InvalidRequest(e.message) from e
