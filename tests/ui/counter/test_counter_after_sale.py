"""After a sale and between customers (issue 13 items 2 and 3): Print prints the sale just
made, a sale can print by itself, and nothing of one customer is left for the next."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication, QFileDialog, QScrollArea
from sqlalchemy import text

from boxoffice import booking, counter, shows
from boxoffice.db import Database
from tests.tickets.test_tickets import pdf_pages
from tests.ui.counter.test_counter_flow import click_seat, open_show

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def printed(db: Database) -> list[tuple[int, bool]]:
    with db.engine.connect() as conn:
        return [(b, d["reprint"]) for b, d in conn.execute(text(
            "SELECT booking_id, details FROM booking_events WHERE kind = 'ticket_printed' "
            "ORDER BY id"))]


def sell_clicked(qtbot, w, *seats: str) -> int:  # type: ignore[no-untyped-def]
    for s in seats:
        click_seat(qtbot, w, s)
    qtbot.mouseClick(w.panel.sell_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.message.startswith("Sold"))
    return int(w.panel.message.rsplit("Booking ", 1)[1].rstrip("."))


def test_print_after_a_sale_prints_that_sale_not_the_booking_opened_before(  # type: ignore[no-untyped-def]
        qtbot, counter_window, show: shows.ShowView, db: Database, tmp_path: Path,
        monkeypatch):
    earlier = booking.sell(db, show.id, ["C1"], clerk="zoe", counter="Counter 9")
    w = counter_window()
    open_show(qtbot, w, show.id)
    qtbot.waitUntil(lambda: w.model.seat("C1").booking_id == earlier.id)
    click_seat(qtbot, w, "C1")  # a sold seat: its booking opens in the card
    qtbot.waitUntil(lambda: w.panel.focus_booking is not None)
    assert w.panel.focus_booking.id == earlier.id
    # With its card open, seats picked are for moving that booking (issue 13 item 4): the
    # clerk puts it away to sell the next customer's seats.
    qtbot.mouseClick(w.panel.booking_card.close_button, Qt.MouseButton.LeftButton)
    sold = sell_clicked(qtbot, w, "D4", "D5")

    out = tmp_path / "sale.pdf"
    monkeypatch.setattr(QFileDialog, "getSaveFileName", lambda *_a: (str(out), "PDF"))
    w.act_pdf.trigger()  # Ctrl+Shift+P
    qtbot.waitUntil(lambda: "saved to" in w.panel.message, timeout=10_000)
    assert pdf_pages(out) == 2  # the sale's two seats, not C1
    assert printed(db) == [(sold, False)]
    assert w.panel.print_button.isVisible()  # the receipt strip has its Print button


def test_print_on_sale_prints_the_quick_sale_with_no_extra_input(  # type: ignore[no-untyped-def]
        qtbot, counter_window, show: shows.ShowView, db: Database, tmp_path: Path,
        monkeypatch):
    monkeypatch.setenv("BOXOFFICE_TICKETS_DIR", str(tmp_path / "tickets"))
    w = counter_window()
    open_show(qtbot, w, show.id)
    w.panel.print_on_sale.setChecked(True)
    assert QSettings().value("counter/print_on_sale", type=bool) is True
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.grid.hasFocus())
    qtbot.keyClick(w.grid, Qt.Key.Key_2)
    qtbot.keyClick(w.grid, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: w.panel.hold_view is not None)
    qtbot.keyClicks(w.panel.customer, "Ada Lovelace")
    qtbot.keyClick(w.panel.customer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: "saved to" in w.panel.message, timeout=10_000)
    (b,) = booking.find_bookings(db, "Ada Lovelace")
    assert w.panel.message.startswith("Sold ")  # what was sold stays said
    assert f"Booking {b.id}." in w.panel.message
    assert pdf_pages(tmp_path / "tickets" / f"tickets-{b.id}.pdf") == 2
    assert printed(db) == [(b.id, False)]
    # the box is this counter's choice, there again in the next session
    w2 = counter_window("Counter 2", "bob")
    assert w2.panel.print_on_sale.isChecked()


def test_the_receipt_strip_belongs_to_its_sale_only(  # type: ignore[no-untyped-def]
        qtbot, counter_window, show: shows.ShowView, db: Database):
    other = shows.create_show(db, "Other Show", show.start_time, hall=show.hall_id)
    w = counter_window()
    open_show(qtbot, w, show.id)
    sold = sell_clicked(qtbot, w, "E1")
    assert w.panel.receipt.isVisible() and f"Booking {sold}" in w.panel.receipt.text()
    click_seat(qtbot, w, "E5")  # the next customer: the strip is not theirs
    assert not w.panel.receipt.isVisible() and w.panel.message == ""

    w.model.clear_selection()
    sold = sell_clicked(qtbot, w, "E7")
    open_show(qtbot, w, other.id)  # another show: neither the strip nor its message
    assert not w.panel.receipt.isVisible() and w.panel.message == ""

    open_show(qtbot, w, show.id)
    sold = sell_clicked(qtbot, w, "E9")
    assert w.panel.receipt.isVisible()
    counter.refund_seats(db, sold, None, clerk="root", reason="ill")  # at another till
    qtbot.waitUntil(lambda: not w.panel.receipt.isVisible())  # its amount is not paid now


def test_no_customer_name_carries_over_to_the_next_hold(  # type: ignore[no-untyped-def]
        qtbot, counter_window, show: shows.ShowView, db: Database):
    w = counter_window()
    open_show(qtbot, w, show.id)
    p = w.panel

    def hold(*seats: str) -> None:
        for s in seats:
            click_seat(qtbot, w, s)
        qtbot.mouseClick(p.hold_button, Qt.MouseButton.LeftButton)
        qtbot.waitUntil(lambda: p.hold_view is not None)

    hold("F1")
    qtbot.keyClicks(p.customer, "Grace")
    qtbot.mouseClick(p.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.hold_view is None)
    assert p.customer.text() == ""  # released
    assert p.message.startswith("Released F1 (booking ")  # its seats named

    hold("F3")
    qtbot.keyClicks(p.customer, "Grace")
    with db.engine.begin() as conn:  # the hold runs out while the customer decides
        conn.execute(text("UPDATE bookings SET created_at = now() - interval '10 minutes', "
                          "updated_at = now() - interval '10 minutes', "
                          "hold_deadline = now() - interval '1 second' WHERE id = :b"),
                     {"b": p.hold_view.id})
    qtbot.mouseClick(p.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "expired" in p.message)
    assert p.customer.text() == ""  # expired

    click_seat(qtbot, w, "F6")
    p.customer.setText("Grace")
    booking.hold(db, show.id, ["F6"], clerk="zoe", counter="Counter 9")
    qtbot.mouseClick(p.sell_button, Qt.MouseButton.LeftButton)  # before the grid has heard
    qtbot.waitUntil(lambda: "no longer free" in p.message)
    assert p.customer.text() == ""  # the race was lost

    hold("F8")
    qtbot.keyClicks(p.customer, "Grace Hopper")
    qtbot.keyClick(p.customer, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: p.message.startswith("Sold"))
    assert p.message.startswith("Sold F8 to Grace Hopper.")


def test_a_hold_and_its_payment_fit_the_default_window_without_scrolling(  # type: ignore[no-untyped-def]
        qtbot, counter_window, show: shows.ShowView):
    """Issue 13 item 23: at 1400×900 the panel scrolled and cut off the payment."""
    w = counter_window()
    w.resize(1400, 900)
    open_show(qtbot, w, show.id)
    p = w.panel
    for s in ("G3", "G4", "G5", "G6", "G7", "G8"):
        click_seat(qtbot, w, s)
    qtbot.mouseClick(p.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.hold_view is not None)
    bar = p.findChild(QScrollArea, "PanelScroll").verticalScrollBar()
    qtbot.waitUntil(lambda: p.ticket_box.model.rowCount() == 6)
    qtbot.waitUntil(lambda: p.payment_box.isVisible())
    QApplication.processEvents()  # the layout takes in the six lines
    qtbot.waitUntil(lambda: bar.maximum() == 0)
    assert p.payment_box.visibleRegion().boundingRect().height() == p.payment_box.height()
