"""The bookings window shows a booking's tickets and money; managers cancel seats and refund."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from boxoffice import booking, money, seatmap, shows
from boxoffice.db import Database
from boxoffice.money import Payment, PriceCategory
from boxoffice.ui.bookings.dialog import BookingsDialog
from boxoffice.ui.bookings.money_panel import MANAGERS_ONLY, refund_amount
from boxoffice.ui.common.runner import OperationRunner
from tests import dbutil
from tests.conftest import table_snapshot
from tests.money.test_exchange_money import clerks  # noqa: F401  (the fixture)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

STALLS = {"Adult": 2500, "Child": 1250}
CIRCLE = {"Adult": 3500, "Child": 1750}


@pytest.fixture
def sale(db: Database, show: shows.ShowView) -> money.PaidSale:
    """Ada's cash sale: E1 Adult and E2 Child in the stalls, J5 Adult in the circle."""
    money.set_price_plan(db, show.id, [
        PriceCategory("Stalls", STALLS),
        PriceCategory("Circle", CIRCLE, seats=tuple(f"J{n}" for n in range(1, 13)))])
    return money.sell(db, show.id, {"E1": "Adult", "E2": "Child", "J5": "Adult"},
                      Payment("cash", tendered=10000), clerk="ann", counter="Till 1",
                      customer="Ada Lovelace")


def open_dialog(qtbot, runner: OperationRunner, booking_id: int,  # type: ignore[no-untyped-def]
                can_cancel: bool = True) -> BookingsDialog:
    d = BookingsDialog(runner, counter="Office", clerk="meg", can_cancel=can_cancel)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    d.search_edit.setText(f"#{booking_id}")
    d.search()
    qtbot.waitUntil(lambda: d.money_panel.money is not None and not runner.busy)
    return d


def ticket_rows(d: BookingsDialog) -> list[tuple[str, ...]]:
    t = d.money_panel.tickets
    return [tuple(t.topLevelItem(i).text(c) for c in range(5)) for i in range(t.topLevelItemCount())]


def record_rows(d: BookingsDialog) -> list[tuple[str, ...]]:
    r = d.money_panel.records
    return [tuple(r.topLevelItem(i).text(c) for c in range(7))
            for i in range(r.topLevelItemCount())]


def answer_yes(qtbot, d: BookingsDialog) -> str:  # type: ignore[no-untyped-def]
    box = d.confirm_box
    assert box is not None and box.isVisible()
    text = box.text()
    qtbot.mouseClick(d.confirm_yes, Qt.MouseButton.LeftButton)
    return text


def test_a_paid_booking_shows_its_tickets_and_payment(qtbot, runner: OperationRunner,  # type: ignore[no-untyped-def]
                                                      sale: money.PaidSale) -> None:
    d = open_dialog(qtbot, runner, sale.booking.id)
    assert ticket_rows(d) == [
        ("E1", "Stalls", "Adult", "EUR 25.00", ""),
        ("E2", "Stalls", "Child", "EUR 12.50", ""),
        ("J5", "Circle", "Adult", "EUR 35.00", "")]
    assert record_rows(d) == [
        ("Payment", "Cash", "EUR 72.50", "EUR 100.00", "EUR 27.50", "ann", "Till 1")]
    assert "Paid <b>EUR 72.50</b>" in d.money_panel.summary.text()
    assert d.money_panel.method_combo.currentText() == "as paid (cash)"
    assert not d.money_panel.cancel_seats_button.isEnabled()  # nothing selected yet
    qtbot.waitUntil(lambda: d.history.topLevelItemCount() == 3)
    assert d.history.topLevelItem(2).text(1) == "Paid by cash"


def test_partial_cancel_refunds_that_seat_then_full_cancel_refunds_the_rest(
        qtbot, runner: OperationRunner, db: Database, show: shows.ShowView,  # type: ignore[no-untyped-def]
        sale: money.PaidSale) -> None:
    b = sale.booking.id
    d = open_dialog(qtbot, runner, b)
    panel = d.money_panel
    panel.select_seats(["E2"])
    assert panel.selected_seats() == ["E2"]
    panel.method_combo.setCurrentIndex(panel.method_combo.findData("card"))
    qtbot.mouseClick(panel.cancel_seats_button, Qt.MouseButton.LeftButton)
    question = answer_yes(qtbot, d)
    assert question.startswith("Refund EUR 12.50 by card for seats E2?")
    assert "The rest of booking" in question

    qtbot.waitUntil(lambda: panel.result.isVisible() and not runner.busy)
    assert panel.result.text() == "Refunded EUR 12.50 by card for E2."
    m = money.booking_money(db, b)
    assert m.refunded == 1250 and m.paid == 7250 and m.sold_value == 6000
    assert [(r.kind, r.method, r.amount) for r in m.records] == [
        ("payment", "cash", 7250), ("refund", "card", 1250)]
    assert {t.seat for t in m.tickets if t.refunded} == {"E2"}
    by = seatmap.seat_map(db, show.id).by_label()
    assert by["E2"].state == seatmap.FREE and by["E1"].state == seatmap.SOLD
    qtbot.waitUntil(lambda: ("E2", "Stalls", "Child", "EUR 12.50", "Refunded") in ticket_rows(d))
    assert record_rows(d)[1][:3] == ("Refund", "Card", "−EUR 12.50")
    assert "refunded <b" in panel.summary.text() and "EUR 60.00" in panel.summary.text()
    assert "had seats E2 cancelled" in d.status_label.text()
    assert d.status_pill.text() == "Sold"

    # the refunded ticket cannot be chosen again; the rest goes with the whole booking
    panel.select_seats(["E2"])
    assert panel.selected_seats() == []
    assert panel.method_combo.currentData() == "card"  # the choice stays for this booking
    panel.method_combo.setCurrentIndex(0)  # as paid
    qtbot.mouseClick(d.cancel_button, Qt.MouseButton.LeftButton)
    question = answer_yes(qtbot, d)
    assert "Refund EUR 60.00 by cash." in question and "E1, J5" in question
    qtbot.waitUntil(lambda: d.status_pill.text() == "Cancelled" and not runner.busy)
    m = money.booking_money(db, b)
    assert m.refunded == 7250 and m.sold_value == 0
    assert [(r.kind, r.method, r.amount) for r in m.records][-1] == ("refund", "cash", 6000)
    assert booking.get_booking(db, b).status == "CANCELLED"
    assert panel.result.text() == "Refunded EUR 60.00 by cash for E1, J5."
    assert not panel.cancel_seats_button.isEnabled() and not panel.method_combo.isEnabled()


def test_saying_no_to_a_seat_cancel_writes_nothing(qtbot, runner: OperationRunner,  # type: ignore[no-untyped-def]
                                                    db: Database, sale: money.PaidSale) -> None:
    d = open_dialog(qtbot, runner, sale.booking.id)
    d.money_panel.select_seats(["E1", "J5"])
    before = table_snapshot(db)
    qtbot.mouseClick(d.money_panel.cancel_seats_button, Qt.MouseButton.LeftButton)
    assert d.confirm_box.text().startswith("Refund EUR 60.00 by cash for seats E1, J5?")
    d.confirm_box.reject()
    assert not runner.busy and table_snapshot(db) == before
    assert money.booking_money(db, sale.booking.id).refunded == 0


def test_a_clerk_sees_the_money_but_cannot_cancel(qtbot, runner: OperationRunner,  # type: ignore[no-untyped-def]
                                                  sale: money.PaidSale) -> None:
    d = open_dialog(qtbot, runner, sale.booking.id, can_cancel=False)
    assert len(ticket_rows(d)) == 3 and len(record_rows(d)) == 1
    d.money_panel.select_seats(["E1"])
    assert d.money_panel.selected_seats() == ["E1"]
    assert not d.money_panel.cancel_seats_button.isEnabled()
    assert not d.money_panel.method_combo.isEnabled()
    assert d.money_panel.cancel_seats_button.toolTip() == MANAGERS_ONLY


def test_a_sale_without_prices_refunds_nothing(qtbot, runner: OperationRunner,  # type: ignore[no-untyped-def]
                                               db: Database, show: shows.ShowView) -> None:
    sold = booking.sell(db, show.id, ["F1"], clerk="ann", customer="Free Guest")
    d = open_dialog(qtbot, runner, sold.id)
    assert ticket_rows(d) == [] and record_rows(d) == []
    assert d.money_panel.summary.text() == "No tickets were sold for money on this booking."
    qtbot.mouseClick(d.cancel_button, Qt.MouseButton.LeftButton)
    assert "Nothing was paid, so nothing is refunded." in d.confirm_box.text()
    d.confirm_box.reject()
    assert refund_amount(None, None) == 0


def test_a_clerk_sees_a_sale_paid_at_another_till_as_paid(  # type: ignore[no-untyped-def]
        qtbot, db: Database, show: shows.ShowView, clerks) -> None:  # noqa: F811
    """Issue 13 item 7: on a clerk's login, another clerk's sale read "Paid EUR 0.00"
    (row-level security hides the payment rows). It says what was paid, and where."""
    from tests.test_roles import as_login

    money.set_price_plan(db, show.id, [PriceCategory("Stalls", STALLS)])
    ann, ben = as_login(db, clerks["ann"]), as_login(db, clerks["ben"])
    runner = OperationRunner(ben)
    try:
        with dbutil.seeding():
            sale = money.sell(ann, show.id, {"E1": "Adult", "E2": "Adult"}, Payment("card"),
                              clerk="ann")
        d = open_dialog(qtbot, runner, sale.booking.id, can_cancel=False)
        summary = d.money_panel.summary.text()
        assert "EUR 50.00" in summary and "paid at another till" in summary
        assert "EUR 0.00" not in summary
        assert d.money_panel.records.topLevelItemCount() == 0  # still not ann's rows
    finally:
        runner.shutdown()
        ann.dispose()
        ben.dispose()
