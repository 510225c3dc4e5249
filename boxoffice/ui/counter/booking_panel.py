"""The selling panel beside the grid: best available, hold, confirm, sell, release, exchange.

A sale is for money: the ticket lines (``ticket_box``) price the seats with
``money.price_tickets``, the payment box takes the method and the cash given, and Sell now /
Confirm sale take the payment in the same transaction as the sale. The panel keeps the
state of the sale and runs the actions; what it shows is built from the cards
(``panel_cards``, ``hold_card``, ``sale_card``).
Every action is one of the counter's operations (``boxoffice.counter``), run through the
runner; the change records it answers with are shown at once, and the outcome is told
in plain words in the message line at the top of the panel. The live feed confirms them
a moment later, and the panel asks for the affected seats to be refetched after a
failure so it is right even before the feed has spoken.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QFrame,
    QMessageBox,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

from boxoffice import booking
from boxoffice import counter as counter_ops
from boxoffice.booking import BookingRecord
from boxoffice.changes import Change, PricesChanged, SeatsChanged, SeatState
from boxoffice.counter import Done
from boxoffice.errors import BoxOfficeError, HoldExpired, InvalidRequest, SeatsTaken
from boxoffice.exchange import ExchangeQuote
from boxoffice.exchange import quote as exchange_quote
from boxoffice.money import PaidSale, Payment
from boxoffice.statuses import LIVE_STATUSES
from boxoffice.ui.common.live_bridge import LiveBridge
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.counter.exchange_box import ask_exchange
from boxoffice.ui.counter.hold_card import HoldCard
from boxoffice.ui.counter.panel_cards import (
    SHORTCUTS,
    ActionBar,
    BookingCard,
    PanelHeader,
    SeatsCard,
    seat_list,
)
from boxoffice.ui.counter.payment_box import receipt_text
from boxoffice.ui.counter.sale_card import SaleCard
from boxoffice.ui.counter.seat_grid_model import SeatGridModel

log = logging.getLogger(__name__)


class BookingPanel(QWidget):
    """Acts on the grid's selection for the open show, as this counter and clerk."""

    refresh_seats = Signal(list)  # labels to refetch now (after a conflict or expiry)
    message_changed = Signal(str, str)  # text, level (info / success / error)
    booking_done = Signal(object)  # BookingRecord after a hold, sale, confirm, release, exchange
    print_wanted = Signal(int, bool)  # a sale's booking id; ask (the print dialog) or not

    SHORTCUTS = SHORTCUTS

    def __init__(self, runner: OperationRunner, model: SeatGridModel, *, counter: str | None,
                 clerk: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("BookingPanel")
        self.runner = runner
        self.model = model
        self.counter = counter
        self.clerk = clerk
        self.live: LiveBridge | None = None  # see follow()
        self.hold_view: BookingRecord | None = None
        self.focus_booking: BookingRecord | None = None  # what Print prints
        self.sale_booking: BookingRecord | None = None  # the sale the receipt strip shows
        self._best: tuple[int, bool, list[str]] | None = None  # n, wheelchair, seats picked
        self._online = True
        self._can_sell = True  # what PostgreSQL allows this login (see set_can_sell)
        self._working = False
        self._had_selection = False
        self.message = ""
        self.message_level = "info"
        self._message_show: int | None = None

        # Everything scrolls as one column when the window is short; the grid keeps its room.
        self._scroll = scroll = QScrollArea(self)
        scroll.setObjectName("PanelScroll")
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QFrame.Shape.NoFrame)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        content = QWidget()
        content.setObjectName("PanelContent")
        scroll.setWidget(content)
        scroll.setStyleSheet("#PanelScroll, #PanelContent { background: transparent; }")
        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(8)
        root.addWidget(scroll, 1)
        outer = QVBoxLayout(content)
        outer.setContentsMargins(0, 0, 4, 0)
        outer.setSpacing(10)

        self.header = PanelHeader()
        outer.addWidget(self.header)

        # -- selection and best available
        self.seats_card = SeatsCard(self.pick_best, self.model.clear_selection)
        self.best_count = self.seats_card.best_count
        self.best_button = self.seats_card.best_button
        outer.addWidget(self.seats_card)

        # -- the open hold
        self.hold_card = HoldCard()
        self.hold_card.expired.connect(self._hold_ran_out)
        self.countdown = self.hold_card.countdown
        outer.addWidget(self.hold_card)

        # -- tickets, payment, customer and the actions
        self.sale_card = SaleCard(runner)
        self.ticket_box = self.sale_card.ticket_box
        self.payment_box = self.sale_card.payment_box
        self.ticket_box.failed.connect(lambda e: self._failed(e, []))
        self.payment_box.submitted.connect(self._customer_enter)
        outer.addWidget(self.sale_card)

        # -- pinned under the scrolling part: the last receipt, the customer, the actions
        self.action_bar = ActionBar(hold=self.hold, sell=self.sell_now, confirm=self.confirm,
                                    release=self.release, customer_enter=self._customer_enter,
                                    print_sale=self._print_sale)
        self.receipt = self.action_bar.receipt
        self.print_button = self.action_bar.print_button
        self.print_on_sale = self.sale_card.print_on_sale
        self.customer = self.action_bar.customer
        self.hold_button = self.action_bar.hold_button
        self.sell_button = self.action_bar.sell_button
        self.confirm_button = self.action_bar.confirm_button
        self.release_button = self.action_bar.release_button
        root.addWidget(self.action_bar)
        self.setTabOrder(self.payment_box.given, self.customer)

        # -- a booking picked on the grid: pinned above the actions, never scrolled away (not
        # under the sale, where a short window cut it off)
        self.booking_card = BookingCard(self.exchange, self.close_booking)
        self.booking_label = self.booking_card.booking_label
        self.exchange_button = self.booking_card.exchange_button
        self.booking_card.hide()
        root.insertWidget(root.indexOf(self.action_bar), self.booking_card)
        self.exchange_box: QMessageBox | None = None
        outer.addStretch(1)

        model.selection_changed.connect(self._selection_changed)
        model.selection_lost.connect(self._selection_lost)
        model.seats_changed.connect(lambda _i: self._update_figures())
        model.reset.connect(self._model_reset)
        self._update_enabled()

    # -- state ---------------------------------------------------------------------

    def set_online(self, online: bool) -> None:
        self._online = online
        self._update_enabled()

    def set_can_sell(self, can_sell: bool) -> None:
        """A viewer's login may look but not sell: the sale card goes, buttons stay off."""
        self._can_sell = can_sell
        self.sale_card.setVisible(can_sell)
        self.action_bar.setVisible(can_sell)
        self._update_enabled()

    def _update_enabled(self) -> None:
        has_show = self.model.show_id is not None
        can = self._online and self._can_sell and has_show and not self._working
        n = self.model.selection_count()
        held = self.hold_view is not None
        moving = self.moving()
        # best available only picks seats to sell: a viewer's login has nothing to pick for
        self.best_button.setEnabled(self._online and has_show and self._can_sell)
        self.seats_card.best_count.setEnabled(self._can_sell)
        self.hold_button.setEnabled(can and n > 0 and not held and not moving)
        self.sell_button.setEnabled(can and n > 0 and not held and not moving)
        self.confirm_button.setEnabled(can and held)
        self.release_button.setEnabled(can and held)
        self.action_bar.set_held(held, moving=moving)
        self.sale_card.setVisible(self._can_sell and not (moving and not held))
        # While a hold is open its seats are fixed: the Seats card gives its room to the
        # hold and its payment, which then fit a 1400×900 window without scrolling.
        self.seats_card.setVisible(not held)
        self.ticket_box.setEnabled(can)
        self.payment_box.setEnabled(can)
        self.exchange_button.setEnabled(
            can and n > 0 and self.focus_booking is not None
            and self.focus_booking.status in LIVE_STATUSES)
        self.seats_card.clear_button.setEnabled(n > 0)

    def _model_reset(self) -> None:
        m = self.model
        self.header.show_show(m)
        # An open hold of another show stays open: shown until confirmed, released or expired.
        if self.focus_booking is not None and self.focus_booking.show_id != m.show_id:
            self.focus_booking = None
            self.booking_card.hide()
        # The receipt and the message line belong to the show they were said about.
        if self.sale_booking is not None and self.sale_booking.show_id != m.show_id:
            self._clear_receipt()
        if m.show_id != self._message_show and self.hold_view is None:
            self.tell("")
        self._message_show = m.show_id
        before = self.ticket_box.show_id
        self._selection_changed()
        if before is not None and before == self.ticket_box.show_id == m.show_id:
            self.ticket_box.reload_prices()  # a reload (resync, reconnect): prices too
        self._update_figures()

    def _update_figures(self) -> None:
        self.header.show_figures(self.model)

    def _selection_changed(self) -> None:
        labels = self.model.selected_labels()
        if labels and not self._had_selection:
            # the clerk starts on the next customer: the last sale's receipt and whatever
            # the message line said about the previous one are not about this one
            self._clear_receipt()
            if self.hold_view is None:
                self.tell("")
        self._had_selection = bool(labels)
        if self._best is not None and labels != self._best[2]:
            self._best = None  # the clerk changed the pick: hold exactly what is selected
        self.seats_card.show_selection(labels)
        self._sync_lines()
        self._update_enabled()

    def _sync_lines(self) -> None:
        """The ticket lines are the open hold's seats, else the selection."""
        hold = self.hold_view
        if hold is not None:
            self.ticket_box.set_lines(hold.show_id, hold.seats)
        else:
            self.ticket_box.set_lines(self.model.show_id, self.model.selected_labels())

    def _show_payment(self) -> None:
        """Scroll the payment into view once the layout has taken in what just appeared."""
        QTimer.singleShot(0, self, lambda: self._scroll.ensureWidgetVisible(self.payment_box, 0, 8))

    def follow(self, live: LiveBridge) -> None:
        """Our own writes go out through ``live``; a new price plan of the show on sale
        comes in."""
        self.live = live
        live.subscribe(PricesChanged, self.on_prices_changed,
                       show=lambda: self.ticket_box.show_id)
        live.subscribe(SeatsChanged, self._on_seats_changed)

    def _on_seats_changed(self, change: SeatsChanged) -> None:
        """The receipt's sale gave seats back (refunded, cancelled): its amount is no
        longer what was paid, so the strip goes."""
        sale = self.sale_booking
        if sale is not None and change.booking_id == sale.id and change.state == SeatState.FREE:
            self._clear_receipt()

    def publish(self, changes: Change | Iterable[Change]) -> None:
        """What our own write changed: every view shows it now, not when the feed speaks."""
        if self.live is not None:
            self.live.publish(changes)

    def on_prices_changed(self, change: PricesChanged) -> None:
        """A new price plan of the show on sale re-prices the sale on screen."""
        self.ticket_box.prices_changed(change.show_id)
        if self.ticket_box.model.rowCount() and change.counter != self.counter:
            self.tell("The prices of this show were just changed; the total is updated.",
                      "info")

    def _selection_lost(self, labels: list[str]) -> None:
        word = "Seat" if len(labels) == 1 else "Seats"
        verb = "was" if len(labels) == 1 else "were"
        self.tell(f"{word} {seat_list(labels)} {verb} just taken at another counter and "
                  "left your selection.", "error")

    def tell(self, text: str, level: str = "info") -> None:
        """Show a message for the clerk at the top of the panel."""
        self.message = text
        self.message_level = level
        self.header.show_message(text, level)
        self.message_changed.emit(text, level)
        if level == "error":
            log.info("clerk told: %s", text)

    # -- actions -------------------------------------------------------------------

    def pick_best(self, n: int | None = None) -> None:
        """Select the best ``n`` seats together (the clerk can change it afterwards)."""
        if self.model.show_id is None or not self._can_sell:
            return
        n = self.seats_card.wanted(n)
        labels = self.seats_card.best_seats(self.model.seat_states(), n)
        if not labels:
            self.tell(f"No {n} seats together are free in one row.", "error")
            return
        self.model.select_labels(labels)
        self._best = (n, self.seats_card.wheelchair.isChecked(), labels)
        self.tell(f"Best {n}: {seat_list(labels)}.", "info")

    def _customer_name(self) -> str | None:
        name = self.customer.text().strip()
        return name or None

    def _run(self, fn: Callable[..., Done], ok: Callable, seats: list[str], label: str) -> None:
        self._working = True
        self._update_enabled()

        def success(done: Done) -> None:
            self._working = False
            self._show_locally(done.changes)
            result = done.result
            ok(result)
            self._update_enabled()
            self.booking_done.emit(result.booking if isinstance(result, PaidSale) else result)

        def failure(error: BaseException) -> None:
            self._working = False
            self._failed(error, seats)
            self._update_enabled()

        self.runner.run(fn, success=success, failure=failure, label=label)

    def hold(self) -> None:
        seats = self.model.selected_labels()
        if not seats or self.hold_view is not None or self.model.show_id is None:
            return
        if not self._can_sell:  # Enter on the grid: say so rather than ask PostgreSQL
            self.tell("Your login may look at the seats but not hold or sell them.", "info")
            return
        show_id, clerk, counter, customer = (self.model.show_id, self.clerk, self.counter,
                                             self._customer_name())
        best = self._best
        if best is not None and best[2] == seats:
            # the seats are best available's pick: lost to another counter, it picks again
            n, wheelchair = best[0], best[1]
            self._run(lambda db: counter_ops.hold_best_available(
                          db, show_id, n, clerk=clerk, counter=counter, customer=customer,
                          wheelchair=wheelchair, first=seats),
                      lambda view: self._held(view, picked=seats), seats,
                      f"hold best {n} of show {show_id}")
            return
        self._run(lambda db: counter_ops.hold(db, show_id, seats, clerk=clerk,
                                              counter=counter, customer=customer),
                  self._held, seats, f"hold {seats} of show {show_id}")

    def _show_locally(self, changes: tuple[Change, ...]) -> None:
        """Our own write is known the moment it commits: every view shows what it changed
        without waiting for the feed (whose notification of it is then dropped as its echo)."""
        self.publish(changes)

    def _held(self, view: BookingRecord, picked: list[str] | None = None) -> None:
        """``picked``: best available's pick, when the hold was asked for it (another
        counter may have taken it first, and the next best were held)."""
        self._best = None
        self.hold_view = view
        self._clear_receipt()
        self.model.clear_selection()
        self.hold_card.start(view, self.model.show_name)
        self._sync_lines()
        self._show_payment()
        lost = [s for s in picked or () if s not in view.seats]
        moved = (f" {seat_list(lost)} went to another counter first, so the next best "
                 "were held." if lost else "")
        self.tell(f"Held {seat_list(view.seats)} (booking {view.id}).{moved} Enter the "
                  "customer's name and confirm the sale.", "success")
        # a new hold starts clean: its own customer's name (if given with it), all selected
        # so what the clerk types replaces it
        self.customer.setText(view.customer_name or "")
        self.customer.setFocus()
        self.customer.selectAll()

    def _hold_ran_out(self) -> None:
        view = self.hold_view
        if view is None:
            return
        self._close_hold()
        self.customer.clear()
        self.tell(f"The hold on booking {view.id} expired; seats {seat_list(view.seats)} "
                  "went back on sale. Select them again to sell them.", "error")
        self.refresh_seats.emit(list(view.seats))

    def _close_hold(self) -> None:
        self.hold_view = None
        self.hold_card.stop()
        self._sync_lines()
        self._update_enabled()

    def _payment(self) -> Payment | None:
        """The payment as typed, or None after telling the clerk why it cannot be sent."""
        try:
            return self.sale_card.payment()
        except InvalidRequest as e:
            self.tell(e.message, "error")
            if e.field == "amount":
                self._show_payment()
                self.payment_box.focus_amount()
            return None

    def confirm(self) -> None:
        """Confirm the open hold and take its payment in one transaction."""
        view = self.hold_view
        if view is None or self._working:
            return
        tickets = self.sale_card.tickets_for(view.seats)
        payment = self._payment()
        if payment is None:
            return
        clerk, counter, customer = self.clerk, self.counter, self._customer_name()
        self._run(lambda db: counter_ops.pay_hold(db, view.id, tickets, payment,
                                                  clerk=clerk, counter=counter,
                                                  customer=customer),
                  self._sold, list(view.seats), f"confirm booking {view.id}")

    def sell_now(self) -> None:
        seats = self.model.selected_labels()
        if not seats or self.model.show_id is None or self.hold_view is not None \
                or self._working:
            return
        tickets = self.sale_card.tickets_for(seats)
        payment = self._payment()
        if payment is None:
            return
        show_id, clerk, counter, customer = (self.model.show_id, self.clerk, self.counter,
                                             self._customer_name())
        self._run(lambda db: counter_ops.sell_for_money(db, show_id, tickets, payment,
                                                        clerk=clerk, counter=counter,
                                                        customer=customer),
                  self._sold, seats, f"sell {seats} of show {show_id}")

    def _sold(self, sale: PaidSale) -> None:
        view = sale.booking
        if self.hold_view is not None and self.hold_view.id == view.id:
            self._close_hold()
        self.model.set_selection(i for i in self.model.selection_set()
                                 if self.model.labels[i] not in view.seats)
        who = f" to {view.customer_name}" if view.customer_name else ""
        self.tell(f"Sold {seat_list(view.seats)}{who}. Booking {view.id}.", "success")
        self._had_selection = bool(self.model.selection_count())
        self.action_bar.sold(receipt_text(sale))
        self.sale_booking = view
        # Print prints this sale now, not a booking opened before it
        self.focus_booking = view
        if self.booking_card.isVisible():
            self.booking_card.show_booking(view)
        self.payment_box.reset()
        if self.print_on_sale.isChecked():
            self.print_wanted.emit(view.id, False)

    def _print_sale(self) -> None:
        """The receipt strip's Print: this sale's tickets, through the print dialog."""
        if self.sale_booking is not None:
            self.print_wanted.emit(self.sale_booking.id, True)

    def _clear_receipt(self) -> None:
        self.sale_booking = None
        self.action_bar.clear_receipt()

    def release(self) -> None:
        view = self.hold_view
        if view is None:
            return
        clerk, counter, seats = self.clerk, self.counter, view.seats
        self._run(lambda db: counter_ops.release(db, view.id, clerk=clerk,
                                                 counter=counter, seats=seats),
                  lambda released: self._released(released, seats), list(seats),
                  f"release booking {view.id}")

    def _released(self, view: BookingRecord, seats: tuple[str, ...]) -> None:
        """``seats``: the hold's, as it had them (a released booking owns none)."""
        self._close_hold()
        self.customer.clear()
        self.tell(f"Released {seat_list(seats)} (booking {view.id}).", "info")

    def moving(self) -> bool:
        """Seats are being picked to move the booking picked on the grid to (not to be
        sold). A sale just made is the focused booking too (Print prints it), but its card
        is not open: the next selection is the next customer's."""
        fb = self.focus_booking
        return (fb is not None and not self.booking_card.isHidden()
                and fb.status in LIVE_STATUSES and self.model.selection_count() > 0)

    def close_booking(self) -> None:
        """Put the picked booking away: the selection is for selling again."""
        self.focus_booking = None
        self.booking_card.hide()
        self._update_enabled()

    def exchange(self) -> None:
        """Price the move first; money to take or give back is confirmed, by method."""
        fb = self.focus_booking
        seats = self.model.selected_labels()
        if fb is None or not seats or self._working:
            return
        self.runner.run(lambda db: exchange_quote(db, fb.id, seats),
                        success=lambda q: self._exchange_priced(fb, seats, q),
                        failure=lambda e: self._failed(e, seats),
                        label=f"price exchange of booking {fb.id}")

    def _exchange_priced(self, fb: BookingRecord, seats: list[str], q: ExchangeQuote) -> None:
        if q.unpriced:
            t = q.unpriced[0]
            self.tell(f"There is no price for {t.ticket_type} in {t.new_category} (seat "
                      f"{t.new_seat}) at this show. Ask a manager to set it.", "error")
            return
        if q.difference == 0:
            self._move(fb, seats, None, 0)
            return
        self.exchange_box = ask_exchange(
            self, fb.id, list(fb.seats), seats, q,
            lambda method: self._move(fb, seats, method, q.difference))

    def _move(self, fb: BookingRecord, seats: list[str], method: str | None,
              difference: int) -> None:
        clerk, counter = self.clerk, self.counter
        payment = Payment(method) if method else None
        self._run(lambda db: counter_ops.exchange(db, fb.id, seats, clerk=clerk,
                                                  counter=counter, old_seats=fb.seats,
                                                  payment=payment,
                                                  expected_difference=difference),
                  self._exchanged, seats, f"exchange booking {fb.id}")

    def _exchanged(self, view: BookingRecord) -> None:
        old = self.focus_booking.seats if self.focus_booking else ()
        self.model.clear_selection()
        self.show_booking(view)
        if self.hold_view is not None and self.hold_view.id == view.id:
            self.hold_view = view
            self.hold_card.set_view(view)
        self.tell(f"Booking {view.id} moved from {seat_list(old)} to {seat_list(view.seats)}.",
                  "success")

    def show_booking_of_seat(self, label: str) -> None:
        """A taken seat was clicked: fetch its booking for the details card."""
        s = self.model.seat(label)
        if s is None or s.booking_id is None:
            if s is not None and s.state == "blocked":
                self.tell(f"Seat {label} is blocked and cannot be sold.", "info")
            return
        booking_id = s.booking_id
        self.runner.run(lambda db: booking.get_booking(db, booking_id),
                        success=self.show_booking, failure=lambda e: self._failed(e, []),
                        label=f"get booking {booking_id}")

    def show_booking(self, view: BookingRecord) -> None:
        self.focus_booking = view
        self.booking_card.show_booking(view)
        self._update_enabled()

    def _customer_enter(self) -> None:
        if self.hold_view is not None and self.confirm_button.isEnabled():
            self.confirm()
        elif self.sell_button.isEnabled():
            self.sell_now()

    # -- errors --------------------------------------------------------------------

    def _failed(self, error: BaseException, seats: list[str]) -> None:
        if isinstance(error, SeatsTaken):
            kept = [s for s in seats if s not in error.taken]
            self.refresh_seats.emit(list(error.taken))
            rest = (f" Still selected: {seat_list(kept)}." if kept else "")
            if self.hold_view is None:  # a lost hold or sale: nobody's name carries on
                self.customer.clear()
            self.tell(f"{error.message}{rest}", "error")
            # the seats lost leave the selection; the rest stays for another try
            self.model.select_labels([s for s in self.model.selected_labels()
                                      if s not in error.taken])
        elif isinstance(error, HoldExpired):
            view = self.hold_view
            if view is not None and view.id == error.booking_id:
                self._close_hold()
                self.customer.clear()
                self.refresh_seats.emit(list(view.seats))
                self.tell(f"The hold on booking {view.id} had expired: seats "
                          f"{seat_list(view.seats)} went back on sale and nothing was sold. "
                          "Select them again to sell them.", "error")
            else:
                self.tell(error.message, "error")
        elif isinstance(error, BoxOfficeError):
            self.tell(error.message, "error")
        else:
            self.tell("Something went wrong; nothing was changed. The details are in the log.",
                      "error")
            self.runner.unexpected_error.emit(error)

    # -- closing -------------------------------------------------------------------

    def release_open_hold(self) -> BookingRecord | None:
        """On close: release the open hold (the clerk is told by the caller)."""
        view = self.hold_view
        if view is None:
            return None
        clerk, counter = self.clerk, self.counter
        self.runner.run(lambda db: counter_ops.release(db, view.id, clerk=clerk, counter=counter,
                                                   seats=view.seats),
                        failure=lambda e: log.warning("booking %s: release on close failed: %s",
                                                      view.id, e),
                        label=f"release booking {view.id} on close")
        self._close_hold()
        return view
