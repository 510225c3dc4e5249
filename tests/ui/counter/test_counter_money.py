"""Selling for money at the counter: ticket types, the total, cash and change, card, live prices."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QComboBox

from boxoffice import booking, money, shows
from boxoffice.db import Database
from boxoffice.money import PriceCategory
from boxoffice.ui.common import style
from boxoffice.ui.counter.ticket_lines_model import SEAT, TYPE, TicketLinesModel
from tests.conftest import table_snapshot
from tests.ui.counter.test_counter_flow import click_seat, open_show, state_of

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")

STALLS = {"Adult": 2500, "Child": 1250, "Concession": 1800, "Complimentary": 0}
CIRCLE = {"Adult": 3500, "Child": 1750, "Complimentary": 0}


@pytest.fixture
def priced(db: Database, show: shows.ShowView) -> shows.ShowView:
    money.set_price_plan(db, show.id, [
        PriceCategory("Stalls", STALLS),
        PriceCategory("Circle", CIRCLE, seats=tuple(f"{r}{n}" for r in "IJ" for n in range(1, 13))),
    ])
    return show


def total_is(window, text: str):  # type: ignore[no-untyped-def]
    return lambda: window.panel.ticket_box.total_label.text() == text


def click_line(qtbot, window, row: int) -> None:  # type: ignore[no-untyped-def]
    table = window.panel.ticket_box.table
    rect = table.visualRect(table.model().index(row, SEAT))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, Qt.KeyboardModifier.NoModifier,
                     rect.center())


def test_cash_sale_with_a_quick_key_type_and_change(qtbot, counter_window, priced,  # type: ignore[no-untyped-def]
                                                    db: Database):
    w = counter_window()
    open_show(qtbot, w, priced.id)
    for seat in ("C5", "C6", "J1"):
        click_seat(qtbot, w, seat)
    tb, pay = w.panel.ticket_box, w.panel.payment_box
    qtbot.waitUntil(total_is(w, "EUR 85.00"))  # Adult by default: 25 + 25 + 35 (Circle)
    assert [tb.model.index(r, SEAT).data() for r in range(3)] == ["C5", "C6", "J1"]
    assert tb.model.index(2, SEAT).data(Qt.ItemDataRole.UserRole + 2) == "Circle"
    assert "Alt+2" in tb.keys_label.text() and "Child" in tb.keys_label.text()

    w.activateWindow()
    click_line(qtbot, w, 1)  # C6 is a child: select its line, Alt+2
    qtbot.keyClick(tb.table, Qt.Key.Key_2, Qt.KeyboardModifier.AltModifier)
    assert tb.tickets() == {"C5": "Adult", "C6": "Child", "J1": "Adult"}
    qtbot.waitUntil(total_is(w, "EUR 72.50"))
    assert tb.model.index(1, 2).data() == "12.50"
    assert isinstance(tb.table.indexWidget(tb.model.index(1, TYPE)), QComboBox)
    assert tb.table.indexWidget(tb.model.index(1, TYPE)).currentText() == "Child"

    qtbot.keyClicks(pay.given, "100")
    assert pay.change_label.text() == "EUR 27.50"
    w.panel.customer.setText("Ada Lovelace")
    qtbot.mouseClick(w.panel.sell_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.message.startswith("Sold"))
    assert all(state_of(w, s) == style.SOLD for s in ("C5", "C6", "J1"))
    (b,) = booking.find_bookings(db, "Ada Lovelace")
    receipt = w.panel.receipt.text()
    assert w.panel.receipt.isVisible()
    assert f"Booking {b.id}" in receipt and "EUR 72.50" in receipt and "cash" in receipt \
        and "EUR 27.50" in receipt

    m = money.booking_money(db, b.id)
    assert sorted((t.seat, t.category, t.ticket_type, t.price) for t in m.tickets) == [
        ("C5", "Stalls", "Adult", 2500), ("C6", "Stalls", "Child", 1250),
        ("J1", "Circle", "Adult", 3500)]
    assert [(r.kind, r.method, r.amount, r.tendered, r.change_due, r.counter)
            for r in m.records] == [("payment", "cash", 7250, 10000, 2750, "Counter 1")]
    assert pay.given.text() == "" and pay.method() == "cash"  # ready for the next customer


def test_short_cash_is_refused_before_anything_is_sent(qtbot, counter_window, priced,  # type: ignore[no-untyped-def]
                                                       db: Database):
    w = counter_window()
    open_show(qtbot, w, priced.id)
    click_seat(qtbot, w, "C1")
    qtbot.waitUntil(total_is(w, "EUR 25.00"))
    pay = w.panel.payment_box
    qtbot.keyClicks(pay.given, "20")
    assert pay.change_label.text() == "Short by EUR 5.00"
    before = table_snapshot(db)
    qtbot.keyClick(pay.given, Qt.Key.Key_Return)  # Enter sells, or says why it cannot
    assert w.panel.message_level == "error"
    assert "gave EUR 20.00" in w.panel.message and "EUR 5.00 is missing" in w.panel.message
    assert not w.runner.busy  # nothing was sent
    assert pay.given.hasFocus()
    w.runner.wait_idle()
    assert table_snapshot(db) == before
    assert w.model.selected_labels() == ["C1"] and state_of(w, "C1") == style.FREE

    pay.given.setText("abc")  # not an amount: said in the clerk's words, nothing sent
    qtbot.mouseClick(w.panel.sell_button, Qt.MouseButton.LeftButton)
    assert "not an amount" in w.panel.message and not w.runner.busy
    assert table_snapshot(db) == before


def test_confirm_a_hold_with_card_records_the_payment(qtbot, counter_window, priced,  # type: ignore[no-untyped-def]
                                                      db: Database):
    w = counter_window()
    open_show(qtbot, w, priced.id)
    click_seat(qtbot, w, "D1")
    click_seat(qtbot, w, "D2")
    qtbot.mouseClick(w.panel.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.hold_view is not None)
    hold_id = w.panel.hold_view.id
    assert w.panel.confirm_button.isVisible() and not w.panel.sell_button.isVisible()
    tb = w.panel.ticket_box
    assert tb.tickets() == {"D1": "Adult", "D2": "Adult"}  # the hold's seats are the lines
    combo = tb.table.indexWidget(tb.model.index(1, TYPE))
    combo.setCurrentIndex(combo.findText("Concession"))
    qtbot.waitUntil(total_is(w, "EUR 43.00"))
    qtbot.mouseClick(w.panel.payment_box.buttons["card"], Qt.MouseButton.LeftButton)
    assert w.panel.payment_box.method() == "card"
    qtbot.mouseClick(w.panel.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.hold_view is None)
    assert w.panel.message.startswith("Sold") and f"Booking {hold_id}" in w.panel.message
    assert "card" in w.panel.receipt.text() and "change" not in w.panel.receipt.text()
    m = money.booking_money(db, hold_id)
    assert {t.seat: (t.ticket_type, t.price) for t in m.tickets} == {
        "D1": ("Adult", 2500), "D2": ("Concession", 1800)}
    assert [(r.kind, r.method, r.amount, r.tendered) for r in m.records] == [
        ("payment", "card", 4300, None)]
    assert booking.get_booking(db, hold_id).status == "CONFIRMED"


def test_a_type_not_sold_in_the_category_is_refused_and_the_hold_stays(  # type: ignore[no-untyped-def]
        qtbot, counter_window, priced, db: Database):
    w = counter_window()
    open_show(qtbot, w, priced.id)
    click_seat(qtbot, w, "J5")  # Circle: no Concession price
    qtbot.mouseClick(w.panel.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.hold_view is not None)
    tb = w.panel.ticket_box
    tb.set_type("Concession", [0])
    qtbot.waitUntil(lambda: tb.model.index(0, 2).data() == "not sold")
    assert "not sold in Circle" in tb.note.text()
    qtbot.mouseClick(w.panel.confirm_button, Qt.MouseButton.LeftButton)
    assert w.panel.message_level == "error" and "Concession is not sold in Circle" in w.panel.message
    assert w.panel.hold_view is not None
    assert booking.get_booking(db, w.panel.hold_view.id).status == "PENDING"
    assert money.booking_money(db, w.panel.hold_view.id).records == ()


def test_a_price_change_elsewhere_requotes_the_panel_live(qtbot, counter_window, priced,  # type: ignore[no-untyped-def]
                                                          db: Database):
    w = counter_window()
    open_show(qtbot, w, priced.id)
    click_seat(qtbot, w, "E3")
    click_seat(qtbot, w, "E4")
    qtbot.waitUntil(total_is(w, "EUR 50.00"))
    money.set_price_plan(db, priced.id, [PriceCategory("Stalls", {**STALLS, "Adult": 3000})],
                         counter="Office")
    qtbot.waitUntil(total_is(w, "EUR 60.00"))
    assert "prices of this show were just changed" in w.panel.message
    assert w.panel.ticket_box.model.index(0, 2).data() == "30.00"


def test_a_show_without_prices_sells_at_zero_and_says_so_quietly(qtbot, counter_window, show,  # type: ignore[no-untyped-def]
                                                                 db: Database):
    w = counter_window()
    open_show(qtbot, w, show.id)
    click_seat(qtbot, w, "B5")
    qtbot.waitUntil(total_is(w, "EUR 0.00"))
    tb = w.panel.ticket_box
    assert tb.note.text() == "No prices set for this show" and tb.note.property("level") != "error"
    assert w.panel.message == ""  # not an error
    w.panel.customer.setText("Free Guest")
    qtbot.mouseClick(w.panel.sell_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.message.startswith("Sold"))
    (b,) = booking.find_bookings(db, "Free Guest")
    m = money.booking_money(db, b.id)
    assert m.records == () and [(t.seat, t.price) for t in m.tickets] == [("B5", 0)]
    assert "no charge" in w.panel.receipt.text()


def test_ticket_lines_model_is_a_valid_qt_model(qtmodeltester) -> None:  # type: ignore[no-untyped-def]
    model = TicketLinesModel()
    model.set_names(["Adult", "Child"])
    model.set_seats(["B10", "B2", "A7"])
    assert model.seats == ["A7", "B2", "B10"]  # seat order, not text order
    assert model.setData(model.index(1, TYPE), "Child")
    assert not model.setData(model.index(1, TYPE), "Pensioner")
    assert model.tickets() == {"A7": "Adult", "B2": "Child", "B10": "Adult"}
    assert model.index(0, 2).data() == "…"  # no quote yet
    qtmodeltester.check(model)
    model.set_names(["Adult"])  # Child retired: its seats go back to the first type
    assert model.tickets()["B2"] == "Adult"
