"""Best available at the counter when another counter takes the pick first (issue 13
item 9): the hold picks again instead of telling the clerk to choose other seats."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from boxoffice import booking, shows
from boxoffice.db import Database
from tests.ui.counter.test_counter_flow import click_seat, open_show

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


def test_best_two_lost_to_another_counter_holds_the_next_best(  # type: ignore[no-untyped-def]
        qtbot, counter_window, show: shows.ShowView, db: Database):
    w = counter_window()
    open_show(qtbot, w, show.id)
    w.activateWindow()
    qtbot.keyClick(w, Qt.Key.Key_G, Qt.KeyboardModifier.ControlModifier)
    qtbot.waitUntil(lambda: w.grid.hasFocus())
    qtbot.keyClick(w.grid, Qt.Key.Key_2)
    pick = w.model.selected_labels()
    assert len(pick) == 2
    booking.hold(db, show.id, pick, clerk="bob", counter="Counter 2")  # same moment, faster
    w.panel.hold()  # Enter, before this grid has heard of it (no events in between)
    qtbot.waitUntil(lambda: w.panel.hold_view is not None or "no longer free" in w.panel.message)
    assert w.panel.hold_view is not None, w.panel.message
    held = w.panel.hold_view.seats
    assert len(held) == 2 and not set(held) & set(pick)
    assert "went to another counter first" in w.panel.message

    # seats the clerk picked by hand are held exactly, or refused: no silent substitute
    w.panel.release()
    qtbot.waitUntil(lambda: w.panel.hold_view is None)
    click_seat(qtbot, w, "H1")
    booking.hold(db, show.id, ["H1"], clerk="bob", counter="Counter 2")
    qtbot.mouseClick(w.panel.hold_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "no longer free" in w.panel.message)
    assert w.panel.hold_view is None
