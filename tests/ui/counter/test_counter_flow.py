"""The counter as a clerk uses it: real clicks and keys on a real PostgreSQL."""

from __future__ import annotations

import psycopg
import pytest
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication
from sqlalchemy import text

from boxoffice import booking, seatmap
from boxoffice.db import Database, libpq_url
from boxoffice.ui.common import style
from tests import dbutil

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def open_show(qtbot, window, show_id: int) -> None:  # type: ignore[no-untyped-def]
    qtbot.waitUntil(lambda: window.show_list.model.row_of(show_id) >= 0)
    window.show_list.select_show(show_id)
    qtbot.waitUntil(lambda: window.model.show_id == show_id)


def state_of(window, label: str) -> int:  # type: ignore[no-untyped-def]
    i = window.model.index_of(label)
    assert i is not None
    return window.model.states[i]


def click_seat(qtbot, window, label: str, modifier=Qt.KeyboardModifier.NoModifier) -> None:  # type: ignore[no-untyped-def]
    i = window.model.index_of(label)
    qtbot.mouseClick(window.grid.viewport(), Qt.MouseButton.LeftButton, modifier,
                     window.grid.seat_center(i))


def drag(window, a: str, b: str) -> None:  # type: ignore[no-untyped-def]
    """Press on seat a, move over the seats to b, release: real mouse events."""
    vp = window.grid.viewport()
    pa = QPointF(window.grid.seat_center(window.model.index_of(a)))
    pb = QPointF(window.grid.seat_center(window.model.index_of(b)))
    left, none = Qt.MouseButton.LeftButton, Qt.MouseButton.NoButton
    mods = Qt.KeyboardModifier.NoModifier

    def send(kind, pos, button, buttons):  # type: ignore[no-untyped-def]
        QApplication.sendEvent(vp, QMouseEvent(kind, pos, vp.mapToGlobal(pos), button, buttons,
                                               mods))

    send(QEvent.Type.MouseButtonPress, pa, left, left)
    steps = 4
    for k in range(1, steps + 1):
        p = pa + (pb - pa) * (k / steps)
        send(QEvent.Type.MouseMove, p, none, left)
    send(QEvent.Type.MouseButtonRelease, pb, left, none)


def test_clerk_flow_click_drag_best_hold_confirm_release(qtbot, counter_window, show, db: Database):  # type: ignore[no-untyped-def]
    w = counter_window()
    open_show(qtbot, w, show.id)

    # click toggles
    click_seat(qtbot, w, "C3")
    click_seat(qtbot, w, "C4")
    assert w.model.selected_labels() == ["C3", "C4"]
    click_seat(qtbot, w, "C4")
    assert w.model.selected_labels() == ["C3"]
    # drag selects a block (added to what is selected)
    drag(w, "E2", "F4")
    assert w.model.selected_labels() == ["C3", "E2", "E3", "E4", "F2", "F3", "F4"]
    # shift-click extends from the last anchor
    w.model.clear_selection()
    click_seat(qtbot, w, "G1")
    click_seat(qtbot, w, "G3", Qt.KeyboardModifier.ShiftModifier)
    assert w.model.selected_labels() == ["G1", "G2", "G3"]

    # best available replaces the selection with the best block; the clerk can change it
    w.model.clear_selection()
    w.panel.best_count.setValue(3)
    qtbot.mouseClick(w.panel.best_button, Qt.MouseButton.LeftButton)
    best = w.model.selected_labels()
    assert len(best) == 3 and best == seatmap.best_available(seatmap.seat_map(db, show.id).seats, 3)
    click_seat(qtbot, w, best[-1])
    assert w.model.selected_labels() == best[:-1]
    chosen = best[:-1]

    # hold → countdown → confirm with the customer's name → sold
    qtbot.mouseClick(w.panel.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.hold_view is not None)
    assert w.panel.hold_card.isVisible()
    assert "left" in w.panel.countdown.format()
    qtbot.waitUntil(lambda: all(state_of(w, s) == style.HELD_MINE for s in chosen))
    w.panel.customer.setText("Grace Hopper")
    qtbot.mouseClick(w.panel.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.hold_view is None)
    assert all(state_of(w, s) == style.SOLD for s in chosen)
    assert "Sold" in w.panel.message and "Grace Hopper" in w.panel.message
    sold = booking.find_bookings(db, "Grace Hopper")
    assert [b.status for b in sold] == ["CONFIRMED"]
    assert sorted(sold[0].seats) == sorted(chosen)

    # hold again, then release: the seats are free again
    click_seat(qtbot, w, "J5")
    qtbot.mouseClick(w.panel.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.hold_view is not None)
    assert state_of(w, "J5") == style.HELD_MINE
    qtbot.mouseClick(w.panel.release_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "Released" in w.panel.message)
    assert state_of(w, "J5") == style.FREE

    # a cancel through the service frees the sold seats in the grid
    booking.cancel(db, sold[0].id, clerk="manager")
    qtbot.waitUntil(lambda: all(state_of(w, s) == style.FREE for s in chosen))


def test_sell_best_two_to_a_named_customer_in_five_keyboard_inputs(qtbot, counter_window, show,  # type: ignore[no-untyped-def]
                                                                   db: Database):
    w = counter_window()
    open_show(qtbot, w, show.id)
    expected = seatmap.best_available(seatmap.seat_map(db, show.id).seats, 2)
    inputs = 0

    def key(widget, k, mod=Qt.KeyboardModifier.NoModifier):  # type: ignore[no-untyped-def]
        nonlocal inputs
        inputs += 1
        qtbot.keyClick(widget, k, mod)

    w.activateWindow()
    key(w, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)  # 1: go to the seats
    qtbot.waitUntil(lambda: w.grid.hasFocus())
    key(w.grid, Qt.Key.Key_2)  # 2: best two
    assert w.model.selected_labels() == expected
    key(w.grid, Qt.Key.Key_Return)  # 3: hold
    qtbot.waitUntil(lambda: w.panel.hold_view is not None)
    assert w.panel.customer.hasFocus()
    inputs += 1  # 4: the customer's name, typed into the focused field
    qtbot.keyClicks(w.panel.customer, "Ada Lovelace")
    key(w.panel.customer, Qt.Key.Key_Return)  # 5: confirm the sale
    qtbot.waitUntil(lambda: w.panel.message.startswith("Sold"))
    assert all(state_of(w, s) == style.SOLD for s in expected)
    assert inputs <= 5
    (b,) = booking.find_bookings(db, "Ada Lovelace")
    assert b.status == "CONFIRMED" and sorted(b.seats) == sorted(expected)


def test_keyboard_moves_toggles_and_holds(qtbot, counter_window, show):  # type: ignore[no-untyped-def]
    w = counter_window()
    open_show(qtbot, w, show.id)
    w.grid.setFocus()
    qtbot.waitUntil(lambda: w.grid.hasFocus())
    w.grid.cursor_index = w.model.index_of("B1")
    qtbot.keyClick(w.grid, Qt.Key.Key_Right)
    qtbot.keyClick(w.grid, Qt.Key.Key_Down)
    assert w.model.labels[w.grid.cursor_index] == "C2"
    qtbot.keyClick(w.grid, Qt.Key.Key_Space)
    qtbot.keyClick(w.grid, Qt.Key.Key_Right, Qt.KeyboardModifier.ShiftModifier)
    assert w.model.selected_labels() == ["C2", "C3"]
    # the aisle after seat 6 is skipped by the arrow keys
    w.grid.cursor_index = w.model.index_of("C6")
    qtbot.keyClick(w.grid, Qt.Key.Key_Right)
    assert w.model.labels[w.grid.cursor_index] == "C7"
    qtbot.keyClick(w.grid, Qt.Key.Key_Escape)
    assert w.model.selected_labels() == []


def test_sale_at_one_counter_shows_at_the_other_without_action(qtbot, counter_window, show):  # type: ignore[no-untyped-def]
    a = counter_window("Counter 1", "alice")
    b = counter_window("Counter 2", "bob")
    open_show(qtbot, a, show.id)
    open_show(qtbot, b, show.id)
    left_before = b.show_list.model.summary(show.id).seats_left
    click_seat(qtbot, a, "D5")
    click_seat(qtbot, a, "D6")
    qtbot.mouseClick(a.panel.sell_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: state_of(b, "D5") == style.SOLD and state_of(b, "D6") == style.SOLD)
    qtbot.waitUntil(lambda: b.show_list.model.summary(show.id).seats_left == left_before - 2)
    # held at the other counter is told apart from held here
    click_seat(qtbot, b, "H8")
    qtbot.mouseClick(b.panel.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: b.panel.hold_view is not None)
    qtbot.waitUntil(lambda: state_of(a, "H8") == style.HELD_OTHER)
    assert state_of(b, "H8") == style.HELD_MINE
    # details (counter) arrive for the tooltip
    qtbot.waitUntil(lambda: a.model.seat("H8").counter == "Counter 2")
    assert "Counter 2" in a.grid.tooltip_text(a.model.index_of("H8"))


def test_conflict_the_loser_sees_the_taken_seats_named(qtbot, counter_window, show, db: Database):  # type: ignore[no-untyped-def]
    b = counter_window("Counter 2", "bob")
    open_show(qtbot, b, show.id)
    for s in ("E5", "E6", "E7"):
        click_seat(qtbot, b, s)
    # Counter 1 holds E6 and E7 first; Counter 2 presses Hold before its grid has heard.
    booking.hold(db, show.id, ["E6", "E7"], clerk="alice", counter="Counter 1")
    b.panel.hold_button.click()
    qtbot.waitUntil(lambda: "no longer free" in b.panel.message)
    assert "E6, E7" in b.panel.message
    assert b.panel.message_level == "error"
    assert b.panel.hold_view is None
    qtbot.waitUntil(lambda: state_of(b, "E6") == style.HELD_OTHER
                    and state_of(b, "E7") == style.HELD_OTHER)
    assert b.model.selected_labels() == ["E5"]  # the rest of the selection stays


def test_a_selected_seat_taken_elsewhere_leaves_the_selection_with_a_message(  # type: ignore[no-untyped-def]
        qtbot, counter_window, show, db: Database):
    w = counter_window()
    open_show(qtbot, w, show.id)
    click_seat(qtbot, w, "F1")
    click_seat(qtbot, w, "F2")
    booking.sell(db, show.id, ["F2"], clerk="zoe", counter="Counter 9")
    qtbot.waitUntil(lambda: w.model.selected_labels() == ["F1"])
    assert "F2" in w.panel.message and w.panel.message_level == "error"


def test_confirm_after_expiry_says_so_and_frees_the_seats(qtbot, counter_window, show, db: Database):  # type: ignore[no-untyped-def]
    w = counter_window()
    open_show(qtbot, w, show.id)
    click_seat(qtbot, w, "G7")
    click_seat(qtbot, w, "G8")
    qtbot.mouseClick(w.panel.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.hold_view is not None)
    hold_id = w.panel.hold_view.id
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET created_at = now() - interval '10 minutes', "
                          "updated_at = now() - interval '10 minutes', "
                          "hold_deadline = now() - interval '1 second' WHERE id = :b"),
                     {"b": hold_id})
    qtbot.mouseClick(w.panel.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "expired" in w.panel.message)
    assert "G7, G8" in w.panel.message and "nothing was sold" in w.panel.message
    qtbot.waitUntil(lambda: state_of(w, "G7") == style.FREE and state_of(w, "G8") == style.FREE)
    assert booking.get_booking(db, hold_id).status == "FAILED"


def test_database_lost_and_back(qtbot, counter_window, show, db: Database, db_url: str):  # type: ignore[no-untyped-def]
    w = counter_window()
    open_show(qtbot, w, show.id)
    name = db.engine.url.database
    admin = dbutil.url_for(libpq_url(db_url), "postgres")
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS false')
        conn.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                     "WHERE datname = %s AND pid <> pg_backend_pid()", (name,))
    try:
        # the live feed notices, the refetch fails: banner, selling paused
        qtbot.waitUntil(lambda: w.banner.isVisible(), timeout=15_000)
        click_seat(qtbot, w, "A5")
        assert not w.panel.sell_button.isEnabled()
        assert not w.panel.hold_button.isEnabled()
        assert "Offline" in w.status_connection.text()
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'ALTER DATABASE "{name}" WITH ALLOW_CONNECTIONS true')
    qtbot.waitUntil(lambda: not w.banner.isVisible(), timeout=15_000)
    qtbot.waitUntil(lambda: w.panel.sell_button.isEnabled())
    assert "Connected" in w.status_connection.text()
    w.panel.customer.setText("After Outage")
    qtbot.mouseClick(w.panel.sell_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.message.startswith("Sold"))
    assert state_of(w, "A5") == style.SOLD
    found = booking.find_bookings(db, "After Outage")
    assert [b.seats for b in found] == [("A5",)]  # one booking, not lost nor doubled


def test_window_remembers_last_show_and_releases_hold_on_close(qtbot, counter_window, show,  # type: ignore[no-untyped-def]
                                                               db: Database):
    w = counter_window()
    open_show(qtbot, w, show.id)
    click_seat(qtbot, w, "I2")
    qtbot.mouseClick(w.panel.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: w.panel.hold_view is not None)
    hold_id = w.panel.hold_view.id
    w.close()
    qtbot.waitUntil(lambda: booking.get_booking(db, hold_id).status == "FAILED")
    again = counter_window()
    qtbot.waitUntil(lambda: again.model.show_id == show.id)  # the last show reopens
