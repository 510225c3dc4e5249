"""Exchange at the counter across price categories (issue 13 item 4): the difference is
shown before the move, settled by the method the clerk presses, and the seats picked
to move to are never offered for sale."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from boxoffice import money
from boxoffice.db import Database
from boxoffice.money import Payment
from boxoffice.ui.common import style
from tests.ui.counter.test_counter_flow import click_seat, open_show, state_of
from tests.ui.counter.test_counter_money import priced  # noqa: F401  (the fixture)

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_a_move_into_the_dearer_circle_shows_and_takes_the_difference(  # type: ignore[no-untyped-def]
        qtbot, counter_window, priced, db: Database):  # noqa: F811
    sale = money.sell(db, priced.id, {"F12": "Adult"}, Payment("card"), clerk="alice",
                      customer="Grace")
    w = counter_window()
    w.resize(1400, 900)
    open_show(qtbot, w, priced.id)
    qtbot.waitUntil(lambda: state_of(w, "F12") == style.SOLD)
    click_seat(qtbot, w, "F12")
    qtbot.waitUntil(lambda: w.panel.focus_booking is not None)
    click_seat(qtbot, w, "J1")
    p = w.panel
    # picking seats to move to: no Sell now / Hold for them, and Move is on screen
    assert not p.sell_button.isVisible() and not p.hold_button.isVisible()
    assert p.exchange_button.isVisible() and p.exchange_button.isEnabled()
    assert not p._scroll.isAncestorOf(p.exchange_button)  # pinned, never scrolled away
    assert not p.exchange_button.visibleRegion().isEmpty()
    qtbot.mouseClick(p.exchange_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: p.exchange_box is not None and p.exchange_box.isVisible())
    box = p.exchange_box
    assert "EUR 10.00 more" in box.text()  # Stalls Adult 25.00, Circle Adult 35.00
    card = box.findChild(QPushButton, "Exchange_card")
    assert card is not None and card.text() == "Take EUR 10.00 by card"
    qtbot.mouseClick(card, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "moved" in p.message)
    qtbot.waitUntil(lambda: state_of(w, "J1") == style.SOLD and state_of(w, "F12") == style.FREE)
    m = money.booking_money(db, sale.booking.id)
    assert [(t.seat, t.category, t.price) for t in m.tickets] == [("J1", "Circle", 3500)]
    assert m.paid == 3500 and [r.method for r in m.records] == ["card", "card"]
    # after the move the selection is empty; closing the booking gives selling back
    click_seat(qtbot, w, "E5")
    assert not p.sell_button.isVisible()
    qtbot.mouseClick(p.booking_card.close_button, Qt.MouseButton.LeftButton)
    assert p.sell_button.isVisible() and p.sell_button.isEnabled()
