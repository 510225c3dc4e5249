"""The door window driven as a scanner drives it: keystrokes and Enter into the scan box."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import Qt

from boxoffice import booking, checkin, shows
from boxoffice.db import Database
from boxoffice.tickets.service import booking_tickets
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.door.window import CheckInWindow
from tests import dbutil

# Qt's offscreen platform says this of every top-level window shown; it is not ours.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def door(qtbot, db_url: str) -> Iterator[CheckInWindow]:  # type: ignore[no-untyped-def]
    database = dbutil.open_db(db_url)
    runner = OperationRunner(database)
    windows: list[CheckInWindow] = []

    def make(show_id: int | None = None) -> CheckInWindow:
        w = CheckInWindow(runner, show_id=show_id, door="Door A")
        qtbot.addWidget(w)
        w.show()
        qtbot.waitExposed(w)
        windows.append(w)
        return w

    yield make  # type: ignore[misc]
    for w in windows:
        w.close()
    runner.shutdown()
    database.dispose()


def scan(qtbot, window: CheckInWindow, code: str) -> tuple[str, str]:  # type: ignore[no-untyped-def]
    with qtbot.waitSignal(window.verdict, timeout=10_000) as blocker:
        qtbot.keyClicks(window.scan, code)
        qtbot.keyClick(window.scan, Qt.Key.Key_Return)
    assert window.scan.text() == "", "the box is cleared for the next ticket"
    return tuple(blocker.args)  # type: ignore[return-value]


def test_scans_at_the_door(qtbot, door, db: Database, show: shows.ShowView,  # type: ignore[no-untyped-def]
                           hall: shows.HallView) -> None:
    other = shows.create_show(db, "Late Show", dbutil.tomorrow(hours=4), hall=hall.id)
    sold = booking.sell(db, show.id, ["C3", "C4"], clerk="alice")
    elsewhere = booking.sell(db, other.id, ["A5"], clerk="alice")
    c3, c4 = (t.code for t in booking_tickets(db, sold.id))
    window = door(show.id)
    qtbot.waitUntil(lambda: window.show_id == show.id and window.show_picker.count() == 2)
    qtbot.waitUntil(lambda: window.count.text() == "Checked in: 0 of 2 sold")

    state, message = scan(qtbot, window, c3)
    assert state == "ok" and "WELCOME" in message and "C3" in message
    assert window.verdict_message == message and window.result.property("verdict") == "ok"
    assert "WELCOME" in window.result.text()
    qtbot.waitUntil(lambda: window.count.text() == "Checked in: 1 of 2 sold")

    state, message = scan(qtbot, window, c3)
    assert state == "refused" and "ALREADY USED" in message and "C3" in message
    assert window.result.property("verdict") == "refused"

    state, message = scan(qtbot, window, c4[:-1] + ("0" if c4[-1] != "0" else "1"))
    assert state == "refused" and "forged" in message

    state, message = scan(qtbot, window, next(t.code for t in booking_tickets(db, elsewhere.id)))
    assert state == "refused" and "WRONG SHOW" in message and "Late Show" in message

    # the same ticket is good at the other show's door
    assert window.select_show(other.id)
    state, _ = scan(qtbot, window, next(t.code for t in booking_tickets(db, elsewhere.id)))
    assert state == "ok"
    assert window.recent.count() == 5
    assert window.scan.hasFocus()


def test_no_show_no_check_in(qtbot, door) -> None:  # type: ignore[no-untyped-def]
    window = door()
    qtbot.waitUntil(lambda: window.count.text() == "No show chosen")
    state, message = scan(qtbot, window, "BO1.1.1.A1.0000000000")
    assert state == "refused" and "Choose the show" in message


def test_the_count_follows_other_doors_and_the_counters(qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                        db_url: str, show: shows.ShowView) -> None:
    from boxoffice.ui.common.live_bridge import LiveBridge

    database = dbutil.open_db(db_url)
    runner = OperationRunner(database)
    live = LiveBridge(database.url)
    try:
        assert live.wait_connected(10)
        window = CheckInWindow(runner, show_id=show.id, door="Door A", live=live)
        qtbot.addWidget(window)
        window.show()
        qtbot.waitUntil(lambda: window.count.text() == "Checked in: 0 of 0 sold")
        sold = booking.sell(db, show.id, ["C3", "C4"], clerk="alice")  # at a counter
        qtbot.waitUntil(lambda: window.count.text() == "Checked in: 0 of 2 sold")
        c3 = next(t.code for t in booking_tickets(db, sold.id) if t.seat == "C3")
        checkin.check_in(db, c3, show_id=show.id, door="Door B")  # at the other door
        qtbot.waitUntil(lambda: window.count.text() == "Checked in: 1 of 2 sold")
        c4 = next(t.code for t in booking_tickets(db, sold.id) if t.seat == "C4")
        state, _ = scan(qtbot, window, c4)  # here: published at once, its echo dropped
        assert state == "ok"
        qtbot.waitUntil(lambda: window.count.text() == "Checked in: 2 of 2 sold")
        window.close()
    finally:
        live.stop()
        runner.shutdown()
        database.dispose()


@pytest.mark.parametrize("key", [(Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                                 (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)])
def test_escape_and_ctrl_w_close_the_door_window(qtbot, door, key) -> None:  # type: ignore[no-untyped-def]
    w = door()
    assert w.windowTitle() == "Door check-in"  # Qt adds "— BoxOffice" itself
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    qtbot.keyClick(w.scan, *key)
    qtbot.waitUntil(lambda: not w.isVisible())
