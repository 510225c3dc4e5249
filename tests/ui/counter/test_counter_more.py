"""Exchange, resync after a lost feed, the crash dialog, and the hooks to other windows."""

from __future__ import annotations

import psycopg
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMessageBox

from boxoffice import booking
from boxoffice.db import Database, libpq_url
from boxoffice.ui.common import style
from tests.ui.counter.test_counter_flow import click_seat, open_show, state_of

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.mark.skipif(not hasattr(booking, "exchange"), reason="booking.exchange not in the core yet")
def test_exchange_moves_a_booking_to_the_selected_seats(qtbot, counter_window, show, db: Database):  # type: ignore[no-untyped-def]
    w = counter_window()
    open_show(qtbot, w, show.id)
    sold = booking.sell(db, show.id, ["C1", "C2"], clerk="alice", counter="Counter 1",
                        customer="Eve")
    qtbot.waitUntil(lambda: state_of(w, "C1") == style.SOLD)
    click_seat(qtbot, w, "C1")  # a sold seat: its booking opens in the panel
    qtbot.waitUntil(lambda: w.panel.focus_booking is not None)
    assert w.panel.focus_booking.id == sold.id
    click_seat(qtbot, w, "E8")
    click_seat(qtbot, w, "E9")
    assert w.panel.exchange_button.isEnabled()
    qtbot.mouseClick(w.panel.exchange_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "moved" in w.panel.message)
    qtbot.waitUntil(lambda: state_of(w, "C1") == style.FREE and state_of(w, "E8") == style.SOLD)
    after = booking.get_booking(db, sold.id)
    assert sorted(after.seats) == ["E8", "E9"] and after.status == "CONFIRMED"


def test_clicking_a_sold_seat_shows_its_booking(qtbot, counter_window, show, db: Database):  # type: ignore[no-untyped-def]
    w = counter_window()
    open_show(qtbot, w, show.id)
    sold = booking.sell(db, show.id, ["D9"], clerk="zoe", counter="Counter 8", customer="Ada")
    qtbot.waitUntil(lambda: state_of(w, "D9") == style.SOLD)
    click_seat(qtbot, w, "D9")
    qtbot.waitUntil(lambda: w.panel.booking_card.isVisible())
    text = w.panel.booking_label.text()
    assert f"Booking {sold.id}" in text and "Ada" in text and "Counter 8" in text
    assert w.model.selected_labels() == []  # a taken seat is never selected


def test_after_the_feed_reconnects_the_grid_is_refetched(qtbot, counter_window, show, db: Database,  # type: ignore[no-untyped-def]
                                                        db_url: str):
    w = counter_window()
    open_show(qtbot, w, show.id)
    with psycopg.connect(libpq_url(db_url), autocommit=True) as conn:
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE application_name = 'boxoffice-live' AND datname = current_database()")
    booking.sell(db, show.id, ["B11", "B12"], clerk="zoe", counter="Counter 8")
    with qtbot.waitSignal(w.live.resync, timeout=15_000):
        pass
    qtbot.waitUntil(lambda: state_of(w, "B11") == style.SOLD and state_of(w, "B12") == style.SOLD)
    qtbot.waitUntil(lambda: w.show_list.model.summary(show.id).sold == 2)
    # The "connection lost" resync already refetches; the reconnect follows its backoff.
    qtbot.waitUntil(lambda: w.live.feed.reconnects >= 1, timeout=10_000)


def test_an_unexpected_error_reaches_one_dialog(qtbot, counter_window):  # type: ignore[no-untyped-def]
    w = counter_window()
    w.runner.run(lambda db: 1 / 0)
    qtbot.waitUntil(lambda: any(isinstance(c, QMessageBox) and c.isVisible()
                                for c in w.findChildren(QMessageBox)))
    box = next(c for c in w.findChildren(QMessageBox) if c.isVisible())
    assert "ZeroDivisionError" in box.detailedText()
    box.close()


def test_menu_hooks_open_bookings_and_manager(qtbot, counter_window, monkeypatch):  # type: ignore[no-untyped-def]
    opened = []
    from boxoffice.ui.bookings import dialog as bookings_dialog

    monkeypatch.setattr(bookings_dialog.BookingsDialog, "exec",
                        lambda self: opened.append(type(self).__name__) or 0)
    w = counter_window()
    w.act_bookings.trigger()
    assert opened == ["BookingsDialog"]
    w.act_manage.trigger()
    from boxoffice.ui.manager import ManagerWindow

    managers = [c for c in w.findChildren(ManagerWindow)]
    assert managers
    for m in managers:
        m.close()


def test_a_deleted_show_leaves_the_grid_and_the_list(qtbot, counter_window, db: Database, hall):  # type: ignore[no-untyped-def]
    from boxoffice import shows
    from tests import dbutil

    doomed = shows.create_show(db, "Cancelled Gig", dbutil.tomorrow(), hall=hall.id)
    w = counter_window()
    open_show(qtbot, w, doomed.id)
    shows.delete_show(db, doomed.id)
    qtbot.waitUntil(lambda: w.model.show_id is None)
    qtbot.waitUntil(lambda: w.show_list.model.row_of(doomed.id) < 0)
    assert "deleted" in w.panel.message
