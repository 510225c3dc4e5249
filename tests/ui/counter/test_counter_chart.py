"""An imported venue chart at the counter: sold by click and by best available."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from boxoffice import booking, money, seatmap, shows
from boxoffice.charts import load_chart
from boxoffice.db import Database
from boxoffice.money import PriceCategory
from boxoffice.ui.common import style
from tests import dbutil
from tests.charts.files import chart
from tests.ui.counter.test_counter_flow import click_seat, open_show, state_of

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_an_imported_chart_sells_by_click_and_best_available(qtbot, counter_window,  # type: ignore[no-untyped-def]
                                                             db: Database):
    c = load_chart(chart("pretix_teater-besar-tim-jakarta.json"), rename_duplicates=True).chart
    hall = shows.create_hall(db, "Teater Besar", c)
    show = shows.create_show(db, "Gugur Gunung", dbutil.tomorrow(), hall=hall.id)
    # The chart's categories are the show's price categories; a manager prices them.
    assert [cat.name for cat in money.price_plan(db, show.id).categories] == \
        [cat.name for cat in c.categories]
    money.set_price_plan(db, show.id, [
        PriceCategory(cat.name, {"Adult": 1000 * (i + 1)},
                      seats=tuple(s.id for s in c.seats() if s.category == cat.name))
        for i, cat in enumerate(c.categories)])
    w = counter_window()
    open_show(qtbot, w, show.id)
    assert len(w.model.labels) == c.seat_count
    first, second = c.seats()[10].id, c.seats()[11].id
    click_seat(qtbot, w, first)
    click_seat(qtbot, w, second)
    assert w.model.selected_labels() == sorted([first, second]) or \
        sorted(w.model.selected_labels()) == sorted([first, second])
    qtbot.waitUntil(lambda: w.panel.sell_button.isEnabled())
    qtbot.mouseClick(w.panel.sell_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_of(w, first) == style.SOLD and state_of(w, second) == style.SOLD)

    w.model.clear_selection()
    w.panel.best_count.setValue(4)
    qtbot.mouseClick(w.panel.best_button, Qt.MouseButton.LeftButton)
    best = w.model.selected_labels()
    expected = seatmap.best_available(seatmap.seat_map(db, show.id).seats, 4)
    assert len(best) == 4 and sorted(best) == sorted(expected)
    rows = {p.seat.id: (p.level, p.section, p.row_index) for p in c.placed()}
    assert len({rows[s] for s in best}) == 1  # one segment of one row
    qtbot.waitUntil(lambda: w.panel.sell_button.isEnabled())
    qtbot.mouseClick(w.panel.sell_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: all(state_of(w, s) == style.SOLD for s in best))
    now = seatmap.seat_map(db, show.id).by_label()
    assert {now[s].state for s in best} == {seatmap.SOLD}
    assert len({now[s].booking_id for s in best}) == 1  # one booking for the four
    assert booking.get_booking(db, now[best[0]].booking_id).seats_requested == 4
