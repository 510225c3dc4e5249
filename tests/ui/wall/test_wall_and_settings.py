"""Wall view, grid zoom and painting, the settings dialog and the status bar."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from PySide6.QtCore import QPoint, QPointF, QSettings, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication

from boxoffice import booking, changes
from boxoffice.changes import SeatsChanged
from boxoffice.db import Database
from boxoffice.seatmap import SeatMap, SeatState
from boxoffice.ui.common import style
from boxoffice.ui.common.settings_dialog import (
    SettingsDialog,
    connection_url,
    counter_name,
    runs_expiry,
)
from boxoffice.ui.counter.seat_grid import OVERVIEW_BELOW, SeatGrid
from boxoffice.ui.counter.seat_grid_model import SeatGridModel

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_wall_view_follows_sales_with_big_figures(qtbot, counter_window, show, db: Database):  # type: ignore[no-untyped-def]
    w = counter_window()
    qtbot.waitUntil(lambda: w.show_list.model.row_of(show.id) >= 0)
    w.show_list.select_show(show.id)
    qtbot.waitUntil(lambda: w.model.show_id == show.id)
    wall = w.open_wall_view(full_screen=False)
    qtbot.waitUntil(lambda: wall.model.show_id == show.id)
    assert wall.grid.read_only
    assert wall.fig_sold.value.text() == "0"
    booking.sell(db, show.id, ["C1", "C2", "C3", "C4"], clerk="x", counter="Box 5")
    qtbot.waitUntil(lambda: wall.fig_sold.value.text() == "4")
    total = len(wall.model) - wall.model.counts()[style.BLOCKED]
    assert wall.fig_occupancy.value.text() == f"{round(400 / total)}%"
    # clicks do nothing in the wall view
    i = wall.model.index_of("D1")
    qtbot.mouseClick(wall.grid.viewport(), Qt.MouseButton.LeftButton, pos=wall.grid.seat_center(i))
    assert wall.model.selected_labels() == []
    wall.close()


def big_map(rows: int, cols: int) -> SeatMap:
    seats = tuple(SeatState(f"R{r}-{c + 1}", f"R{r}", r, c, "standard",
                            "sold" if (r * cols + c) % 7 == 0 else "free")
                  for r in range(rows) for c in range(cols))
    return SeatMap(1, "Stadium", datetime(2030, 1, 1, tzinfo=UTC), "Arena", seats)


def test_grid_zooms_between_overview_and_labelled_seats(qtbot):  # type: ignore[no-untyped-def]
    model = SeatGridModel("Box 1")
    grid = SeatGrid(model)
    qtbot.addWidget(grid)
    grid.resize(1000, 700)
    grid.show()
    qtbot.waitExposed(grid)
    model.load(big_map(200, 250))  # 50,000 seats
    assert grid.pitch < OVERVIEW_BELOW  # fit to window: the overview image
    grid.grab()
    event = QWheelEvent(QPointF(500, 350), QPointF(grid.viewport().mapToGlobal(QPoint(500, 350))),
                        QPoint(), QPoint(0, 120 * 10), Qt.MouseButton.NoButton,
                        Qt.KeyboardModifier.ControlModifier, Qt.ScrollPhase.NoScrollPhase, False)
    for _ in range(3):
        grid.wheelEvent(event)
    assert grid.pitch >= 20  # labelled seats, with scroll bars to pan
    assert grid.horizontalScrollBar().maximum() > 0
    grid.grab()
    grid.viewport().repaint()
    QApplication.processEvents()  # no update pending from the zoom
    before = grid.paint_count
    centre = grid.seat_at(QPointF(grid.viewport().width() / 2, grid.viewport().height() / 2))
    assert centre >= 0
    model.apply_change(SeatsChanged(1, (model.labels[centre],), changes.SeatState.HELD, 1, "Box 2"))
    qtbot.waitUntil(lambda: grid.paint_count > before)
    # only the changed seat's rectangle was repainted
    area = grid.last_paint_rect.width() * grid.last_paint_rect.height()
    assert 0 < area <= (grid.pitch + 8) ** 2
    grid.fit_to_window()
    assert grid.pitch < OVERVIEW_BELOW


def test_settings_dialog_stores_counter_connection_and_expiry(qtbot):  # type: ignore[no-untyped-def]
    store = QSettings()
    dialog = SettingsDialog(store, first_run=True)
    qtbot.addWidget(dialog)
    dialog.counter.setText("Counter 7")
    dialog.mode_url.setChecked(True)
    dialog.url.setText("postgresql://secret:pw@db.example/boxoffice")
    dialog.accept()
    assert "password" in dialog.error.text()  # passwords stay out of settings files
    dialog.url.setText("postgresql://clerk@db.example/boxoffice")
    dialog.expiry.setChecked(True)
    dialog.accept()
    assert dialog.result() == dialog.DialogCode.Accepted
    again = QSettings()
    assert counter_name(again) == "Counter 7"
    assert connection_url(again) == "postgresql://clerk@db.example/boxoffice"
    assert runs_expiry(again)
    assert dialog.needs_restart


def test_status_bar_shows_connection_counter_and_expiry_flag(qtbot, counter_window):  # type: ignore[no-untyped-def]
    w = counter_window("Counter 4", "dora", expiry_runner=object())
    assert "Connected" in w.status_connection.text()
    assert "Counter 4" in w.status_counter.text()
    assert "on" in w.status_expiry.text()
    # one identity, the database login: not also the computer's user name (issue 13 item 15)
    qtbot.waitUntil(lambda: "Logged in as" in w.status_login.text())
    bar = " ".join(label.text() for label in (w.status_connection, w.status_login,
                                               w.status_counter, w.status_expiry))
    assert "dora" not in bar and "Clerk:" not in bar
    assert bar.count(w.rights.login) >= 1 and bar.count("Logged in as") == 1
    menus = {a.text().replace("&", "") for a in w.menuBar().actions()}
    assert {"File", "Sell", "View", "Manage", "Help"} <= menus
    assert w.act_hold.shortcut().toString() == "Ctrl+H"
    assert w.act_bookings.shortcut().toString() == "Ctrl+F"


def test_wall_view_counts_guests_let_in_at_the_doors(qtbot, counter_window, show,  # type: ignore[no-untyped-def]
                                                    db: Database):
    from boxoffice.checkin import check_in
    from boxoffice.tickets.payload import encode
    from boxoffice.tickets.service import ticket_key

    w = counter_window()
    sold = booking.sell(db, show.id, ["E1", "E2"], clerk="x")
    qtbot.waitUntil(lambda: w.show_list.model.row_of(show.id) >= 0)
    w.show_list.select_show(show.id)
    qtbot.waitUntil(lambda: w.model.show_id == show.id)
    wall = w.open_wall_view(full_screen=False)
    qtbot.waitUntil(lambda: wall.fig_in.value.text() == "0")
    key = ticket_key(db)
    check_in(db, encode(key, show.id, sold.id, "E1"), show_id=show.id)
    qtbot.waitUntil(lambda: wall.fig_in.value.text() == "1", timeout=10_000)  # live, no polling
    wall.close()


def test_wall_shows_house_seats_apart_and_colours_occupancy_by_how_full(  # type: ignore[no-untyped-def]
        qtbot, counter_window, db: Database) -> None:
    from PySide6.QtWidgets import QLabel

    from boxoffice import shows
    from boxoffice.layout import Layout
    from tests.dbutil import tomorrow

    layout = Layout.grid(2, 10, blocked=["A1", "A2"],
                         blocked_reasons={"A1": "Broken", "A2": "House seat"})
    hall = shows.create_hall(db, "Small Hall", layout)
    small = shows.create_show(db, "Small Show", tomorrow(), hall=hall.id)
    w = counter_window()
    qtbot.waitUntil(lambda: w.show_list.model.row_of(small.id) >= 0)
    w.show_list.select_show(small.id)
    qtbot.waitUntil(lambda: w.model.show_id == small.id)
    wall = w.open_wall_view(full_screen=False)
    qtbot.waitUntil(lambda: wall.model.show_id == small.id)
    qtbot.waitUntil(lambda: wall.model.states[wall.model.index_of("A2")] == style.HOUSE)
    assert wall.model.states[wall.model.index_of("A1")] == style.BLOCKED
    words = {label.text() for label in wall.findChildren(QLabel, "LegendLabel")}
    assert {"House seat", "Blocked", "Held", "Sold", "Free"} <= words
    assert not words & {"Selected", "Held here", "Held elsewhere"}  # the counter's, not the wall's
    green = style.occupancy_colour(0.05)
    assert green in wall.fig_occupancy.value.styleSheet()  # nothing sold: not red
    seats = [f"B{n}" for n in range(1, 11)] + [f"A{n}" for n in range(3, 11)]
    booking.sell(db, small.id, seats, clerk="x", counter="Box 5")
    qtbot.waitUntil(lambda: wall.fig_occupancy.value.text() == "100%")
    assert style.occupancy_colour(1.0) in wall.fig_occupancy.value.styleSheet()
    assert style.occupancy_colour(0.6) == green  # 60 % full is not an alarm
    wall.close()
