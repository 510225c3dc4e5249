"""Shows from the manager window: created, refused with the reason, relaid, deleted."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QDateTime, Qt
from PySide6.QtWidgets import QWidget

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.manager import ManagerWindow
from boxoffice.ui.manager.show_editor import (
    COL_HALL,
    COL_NAME,
    ShowDialog,
    ShowLayoutDialog,
    ShowsModel,
    to_qdatetime,
)
from tests import dbutil
from tests.conftest import table_snapshot

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def window(qtbot, runner: OperationRunner) -> ManagerWindow:  # type: ignore[no-untyped-def]
    w = ManagerWindow(runner, counter="Box 1")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: not runner.busy)
    return w


def type_into(qtbot, widget: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def open_new_show(qtbot, window: ManagerWindow) -> ShowDialog:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(window.shows_page.new_button, Qt.MouseButton.LeftButton)
    dialog = window.shows_page.dialog
    assert isinstance(dialog, ShowDialog) and dialog.isVisible()
    return dialog


def select_show(window: ManagerWindow, show_id: int) -> None:
    window.shows_page.select(show_id)
    assert window.shows_page.selected() is not None


def test_a_show_in_the_past_is_refused_with_the_reason(qtbot, window: ManagerWindow,  # type: ignore[no-untyped-def]
                                                      db: Database, hall: shows.HallView) -> None:
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    dialog = open_new_show(qtbot, window)
    type_into(qtbot, dialog.name_edit, "Yesterday's Hamlet")
    dialog.start_edit.setDateTime(QDateTime.currentDateTime().addDays(-1))
    before = table_snapshot(db)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert dialog.error_label.text() == "A show cannot start in the past."
    assert dialog.isVisible()  # the manager can fix the time and try again
    assert table_snapshot(db) == before


def test_a_valid_show_is_created_and_listed(qtbot, window: ManagerWindow,  # type: ignore[no-untyped-def]
                                            db: Database, hall: shows.HallView) -> None:
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    dialog = open_new_show(qtbot, window)
    type_into(qtbot, dialog.name_edit, "Swan Lake")
    dialog.start_edit.setDateTime(to_qdatetime(dbutil.tomorrow()))
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    listed = [s for s in shows.list_shows(db) if s.name == "Swan Lake"]
    assert len(listed) == 1 and listed[0].hall_id == hall.id
    qtbot.waitUntil(lambda: window.shows_page.model.row_of(listed[0].id) >= 0)
    assert window.shows_page.selected().id == listed[0].id


def test_editing_name_and_time(qtbot, window: ManagerWindow, db: Database,  # type: ignore[no-untyped-def]
                               show: shows.ShowView) -> None:
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    select_show(window, show.id)
    qtbot.mouseClick(window.shows_page.edit_button, Qt.MouseButton.LeftButton)
    dialog = window.shows_page.dialog
    assert isinstance(dialog, ShowDialog)
    type_into(qtbot, dialog.name_edit, "Test Show (matinee)")
    later = show.start_time + timedelta(hours=2)
    dialog.start_edit.setDateTime(to_qdatetime(later))
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    stored = shows.get_show(db, show.id)
    assert stored.name == "Test Show (matinee)" and stored.start_time == later


def test_an_edit_into_the_past_writes_nothing(qtbot, window: ManagerWindow,  # type: ignore[no-untyped-def]
                                             db: Database, show: shows.ShowView) -> None:
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    select_show(window, show.id)
    qtbot.mouseClick(window.shows_page.edit_button, Qt.MouseButton.LeftButton)
    dialog = window.shows_page.dialog
    assert isinstance(dialog, ShowDialog)
    assert not dialog.hall_combo.isEnabled()  # seats change through Change layout
    type_into(qtbot, dialog.name_edit, "Renamed")
    dialog.start_edit.setDateTime(QDateTime.currentDateTime().addSecs(-3600))
    before = table_snapshot(db)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert dialog.error_label.text() == "A show cannot start in the past."
    assert table_snapshot(db) == before  # the new name was not written either


def test_a_layout_change_that_drops_a_sold_seat_is_refused(qtbot, window: ManagerWindow,  # type: ignore[no-untyped-def]
                                                           db: Database,
                                                           show: shows.ShowView) -> None:
    booking.sell(db, show.id, ["J12"], clerk="ann")
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    select_show(window, show.id)
    qtbot.mouseClick(window.shows_page.layout_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: isinstance(window.shows_page.dialog, ShowLayoutDialog))
    dialog = window.shows_page.dialog
    editor = dialog.editor
    assert editor.layout() == show.layout
    assert not editor.name_edit.isVisible()
    type_into(qtbot, editor.seats_spin, "10")
    before = table_snapshot(db)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "J12" in editor.error_label.text())
    assert "sold or held seats that the new layout would remove or block" in \
        editor.error_label.text()
    assert dialog.isVisible()
    assert table_snapshot(db) == before

    type_into(qtbot, editor.seats_spin, "12")  # keep the seats, block an unsold one instead
    editor.set_tool("block")
    rect = editor.preview.seat_rect("C5")
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(editor.preview, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    stored = shows.get_show(db, show.id).layout
    assert "C5" in stored.blocked and stored.blocked_reasons["C5"] == "House seat"
    assert shows.get_hall(db, show.hall_id).layout == show.layout  # the hall is untouched


def test_delete_a_show_after_confirming(qtbot, window: ManagerWindow, db: Database,  # type: ignore[no-untyped-def]
                                        show: shows.ShowView) -> None:
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    select_show(window, show.id)
    page = window.shows_page
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    assert page.confirm_box.isVisible()
    page.confirm_yes.click()
    qtbot.waitUntil(lambda: page.model.row_of(show.id) < 0)
    assert all(s.id != show.id for s in shows.list_shows(db))


def test_delete_is_refused_for_a_show_with_bookings(qtbot, window: ManagerWindow,  # type: ignore[no-untyped-def]
                                                    db: Database, show: shows.ShowView) -> None:
    booking.sell(db, show.id, ["B3"], clerk="ann")
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    select_show(window, show.id)
    page = window.shows_page
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    box = page.confirm_box
    assert box.isVisible() and page.confirm_yes is None
    assert "cannot be deleted" in box.text() and "1 seat sold and 0 held" in box.text()
    assert [b.text() for b in box.buttons()] == ["OK"]  # no "Delete show" to press
    box.close()
    assert shows.get_show(db, show.id).name == show.name


def test_a_refused_delete_names_the_show_not_its_id(qtbot, window: ManagerWindow,  # type: ignore[no-untyped-def]
                                                    db: Database, show: shows.ShowView) -> None:
    held = booking.hold(db, show.id, ["B4"], clerk="ann")
    booking.release(db, held.id, clerk="ann")  # nothing sold or held, but on record
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    select_show(window, show.id)
    page = window.shows_page
    qtbot.mouseClick(page.delete_button, Qt.MouseButton.LeftButton)
    page.confirm_yes.click()
    qtbot.waitUntil(lambda: "cannot be deleted" in page.status.text())
    assert f"“{show.name}”" in page.status.text()
    assert f"Show {show.id}" not in page.status.text()
    assert shows.get_show(db, show.id).name == show.name


def test_shows_model(qtmodeltester, db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    model = ShowsModel()
    model.set_shows(shows.list_shows(db))
    qtmodeltester.check(model)
    assert model.index(0, COL_NAME).data() == "Test Show"
    assert model.index(0, COL_HALL).data() == "Test Hall"


def test_a_year_typed_into_the_new_show_box_is_taken(qtbot, window: ManagerWindow) -> None:  # type: ignore[no-untyped-def]
    from PySide6.QtWidgets import QLineEdit

    dialog = open_new_show(qtbot, window)
    edit = dialog.start_edit
    year = edit.dateTime().date().year()
    line = edit.findChild(QLineEdit)
    text = edit.text()
    # click on the year, as a clerk would, then type the next one
    x = line.fontMetrics().horizontalAdvance(text[:text.index(str(year)) + 2])
    from PySide6.QtCore import QPoint

    qtbot.mouseClick(line, Qt.MouseButton.LeftButton, pos=QPoint(x + 2, line.height() // 2))
    qtbot.keyClicks(edit, str(year + 1))
    assert edit.dateTime().date().year() == year + 1
    dialog.reject()


def test_moving_a_show_with_bookings_asks_naming_who_is_affected(  # type: ignore[no-untyped-def]
        qtbot, window: ManagerWindow, db: Database, show: shows.ShowView) -> None:
    """Issue 13 item 8: a show with sales moved with no question and nobody named."""
    booking.sell(db, show.id, ["B3", "B4"], clerk="ann", customer="Zoë Adams")
    booking.sell(db, show.id, ["B5"], clerk="ann", customer="Ben Ode")
    booking.hold(db, show.id, ["B6"], clerk="ann")
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    select_show(window, show.id)
    qtbot.mouseClick(window.shows_page.edit_button, Qt.MouseButton.LeftButton)
    dialog = window.shows_page.dialog
    assert isinstance(dialog, ShowDialog)
    later = show.start_time.replace(microsecond=0) + timedelta(hours=2)
    dialog.start_edit.setDateTime(to_qdatetime(later))
    before = table_snapshot(db)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.move_box is not None and dialog.move_box.isVisible())
    question = dialog.move_box.text()
    assert "3 bookings (2 named customers: Ben Ode, Zoë Adams)" in question
    assert "4 seats" in question and "3 sold, 1 held" in question
    assert table_snapshot(db) == before  # nothing moves before the answer
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        dialog.move_yes.click()
    assert shows.get_show(db, show.id).start_time == later
    qtbot.waitUntil(lambda: window.shows_page.status.text().startswith("Saved"))


def test_ok_with_nothing_changed_says_so(qtbot, window: ManagerWindow,  # type: ignore[no-untyped-def]
                                        db: Database, show: shows.ShowView) -> None:
    window.refresh()
    qtbot.waitUntil(lambda: not window.runner.busy)
    select_show(window, show.id)
    qtbot.mouseClick(window.shows_page.edit_button, Qt.MouseButton.LeftButton)
    dialog = window.shows_page.dialog
    before = table_snapshot(db)
    with qtbot.waitSignal(dialog.accepted, timeout=10_000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert window.shows_page.status.text() == "Nothing changed."
    assert table_snapshot(db) == before
