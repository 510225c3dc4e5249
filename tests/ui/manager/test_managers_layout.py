"""The layout editor builds the hall it previews, and refuses what the layout refuses."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QWidget

from boxoffice import shows
from boxoffice.db import Database
from boxoffice.layout import Layout
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.manager.hall_list import HallListModel
from boxoffice.ui.manager.layout_editor import (
    TOOL_BLOCK,
    TOOL_COMPANION,
    TOOL_WHEELCHAIR,
    LayoutEditor,
    format_seats,
    parse_seats,
)
from boxoffice.ui.manager.layout_preview import BLOCKED, COMPANION, HOUSE, STANDARD, WHEELCHAIR
from tests.conftest import table_snapshot

# The offscreen platform plugin warns once per shown top-level window; nothing of ours.
pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def editor(qtbot, runner: OperationRunner) -> LayoutEditor:  # type: ignore[no-untyped-def]
    e = LayoutEditor(runner, counter="Box 1")
    qtbot.addWidget(e)
    e.resize(1100, 720)
    e.show()
    qtbot.waitExposed(e)
    return e


def type_into(qtbot, widget: QWidget, text: str) -> None:  # type: ignore[no-untyped-def]
    widget.setFocus()
    qtbot.keyClick(widget, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(widget, Qt.Key.Key_Delete)
    qtbot.keyClicks(widget, text)


def click_seat(qtbot, editor: LayoutEditor, label: str) -> None:  # type: ignore[no-untyped-def]
    rect = editor.preview.seat_rect(label)
    assert not rect.isEmpty(), f"{label} is not drawn"
    qtbot.mouseClick(editor.preview, Qt.MouseButton.LeftButton, pos=rect.center())


def preview_as_layout_parts(editor: LayoutEditor) -> tuple[object, dict[str, str]]:
    draft = editor.preview.draft()
    return draft.rows, dict(draft.marks)


def layout_parts(layout: Layout) -> tuple[object, dict[str, str]]:
    marks = {s: (HOUSE if layout.blocked_reasons.get(s, "").startswith("House") else BLOCKED)
             for s in layout.blocked}
    marks.update({s: WHEELCHAIR for s in layout.wheelchair})
    marks.update({s: COMPANION for s in layout.companion})
    return tuple((r.label, r.positions) for r in layout.rows), marks


def test_editor_saves_the_hall_it_previews(qtbot, editor: LayoutEditor,  # type: ignore[no-untyped-def]
                                           db: Database) -> None:
    type_into(qtbot, editor.name_edit, "Studio 9")
    type_into(qtbot, editor.rows_spin, "6")
    type_into(qtbot, editor.seats_spin, "8")
    type_into(qtbot, editor.aisles_edit, "4")
    type_into(qtbot, editor.row_aisles_edit, "F: 2, 6")
    assert [r[0] for r in editor.preview.draft().rows[:2]] == ["A", "B"]  # preview followed

    editor.set_tool(TOOL_BLOCK)
    click_seat(qtbot, editor, "A1")  # reason defaults to "House seat"
    editor.reason_combo.setCurrentText("Broken seat")
    # a drag over B5..B7 blocks all three
    start, end = editor.preview.seat_rect("B5").center(), editor.preview.seat_rect("B7").center()
    qtbot.mousePress(editor.preview, Qt.MouseButton.LeftButton, pos=start)
    for x in range(start.x(), end.x() + 1, 3):
        qtbot.mouseMove(editor.preview, QPoint(x, start.y()))
    qtbot.mouseRelease(editor.preview, Qt.MouseButton.LeftButton, pos=end)
    editor.set_tool(TOOL_WHEELCHAIR)
    click_seat(qtbot, editor, "F1")
    editor.set_tool(TOOL_COMPANION)
    click_seat(qtbot, editor, "F2")
    click_seat(qtbot, editor, "F3")
    click_seat(qtbot, editor, "F3")  # a second click takes the mark off again
    assert editor.blocked_edit.text() == "A1, B5-B7"
    assert editor.preview.draft().marks["A1"] == HOUSE
    assert "F3" not in editor.preview.draft().marks

    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    hall = shows.get_hall(db, "Studio 9")
    assert layout_parts(hall.layout) == preview_as_layout_parts(editor)
    expected_rows = [("A", (1, 2, 3, 4, None, 5, 6, 7, 8))] * 1
    assert (hall.layout.rows[0].label, hall.layout.rows[0].positions) == expected_rows[0]
    assert hall.layout.rows[5].positions == (1, 2, None, 3, 4, 5, 6, None, 7, 8)
    assert dict(hall.layout.blocked_reasons) == {
        "A1": "House seat", "B5": "Broken seat", "B6": "Broken seat", "B7": "Broken seat"}
    assert hall.layout.wheelchair == {"F1"} and hall.layout.companion == {"F2"}
    assert hall.total_seats == 6 * 8 - 4
    assert editor.hall_id == hall.id and not editor.is_dirty()


def test_fields_and_clicks_edit_the_same_marks(qtbot, editor: LayoutEditor) -> None:  # type: ignore[no-untyped-def]
    type_into(qtbot, editor.wheelchair_edit, "J1-J3")
    assert {s for s, k in editor.preview.draft().marks.items() if k == WHEELCHAIR} == {
        "J1", "J2", "J3"}
    editor.set_tool(TOOL_WHEELCHAIR)
    click_seat(qtbot, editor, "J2")
    assert editor.wheelchair_edit.text() == "J1, J3"
    editor.labels_combo.setCurrentIndex(editor.labels_combo.findData("custom"))
    type_into(qtbot, editor.labels_edit, "AA, BB, CC")
    assert [r[0] for r in editor.preview.draft().rows] == ["AA", "BB", "CC"]
    assert editor.rows_spin.value() == 3
    # J1 and J3 are no longer in the hall: the preview still shows the rows, Save is refused
    assert "Wheelchair seats not in the layout: J1, J3" in editor.error_label.text()


@pytest.mark.parametrize("edit, reason", [
    (lambda qtbot, e: (e.labels_combo.setCurrentIndex(e.labels_combo.findData("custom")),
                       type_into(qtbot, e.labels_edit, "A, B, A")), "Row A appears twice."),
    (lambda qtbot, e: (e.labels_combo.setCurrentIndex(e.labels_combo.findData("custom")),
                       type_into(qtbot, e.labels_edit, " ")), "Give at least one row label."),
    (lambda qtbot, e: (type_into(qtbot, e.rows_spin, "1"), type_into(qtbot, e.seats_spin, "2"),
                       type_into(qtbot, e.aisles_edit, ""), type_into(qtbot, e.blocked_edit, "A1-A2")),
     "A layout needs at least one sellable seat."),
    (lambda qtbot, e: type_into(qtbot, e.blocked_edit, "A1-J12"),
     "Blocked: 'A1-J12' is not a seat; write seats like A1, A3-A6."),
    (lambda qtbot, e: type_into(qtbot, e.blocked_edit, "Z9"),
     "Blocked seats not in the layout: Z9."),
    (lambda qtbot, e: type_into(qtbot, e.aisles_edit, "12"),
     "there is no aisle after seat 12 in rows of 12 seats"),
    (lambda qtbot, e: type_into(qtbot, e.row_aisles_edit, "Q: 3"), "there is no row Q"),
])
def test_invalid_layouts_are_refused_with_the_reason(qtbot, editor: LayoutEditor,  # type: ignore[no-untyped-def]
                                                     db: Database, edit, reason: str) -> None:
    type_into(qtbot, editor.name_edit, "Broken Hall")
    edit(qtbot, editor)
    before = table_snapshot(db)
    with qtbot.assertNotEmitted(editor.saved):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert not editor.runner.busy
    assert reason in editor.error_label.text()
    assert editor.error_label.isVisible()
    assert table_snapshot(db) == before


def test_a_refused_save_shows_the_database_reason(qtbot, editor: LayoutEditor,  # type: ignore[no-untyped-def]
                                                   db: Database, hall: shows.HallView) -> None:
    type_into(qtbot, editor.name_edit, hall.name)
    before = table_snapshot(db)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "already a hall called Test Hall" in editor.error_label.text())
    assert table_snapshot(db) == before


def test_an_existing_hall_loads_and_saves_back_changed(qtbot, editor: LayoutEditor,  # type: ignore[no-untyped-def]
                                                       db: Database, hall: shows.HallView) -> None:
    editor.load_hall(hall)
    assert editor.layout() == hall.layout  # the form describes the stored hall exactly
    assert editor.aisles_edit.text() == "6"
    type_into(qtbot, editor.row_seats_edit, "A: 10")
    with qtbot.waitSignal(editor.saved, timeout=10_000):
        qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    stored = shows.get_hall(db, hall.id).layout
    assert stored.rows[0].positions == (1, 2, 3, 4, 5, 6, None, 7, 8, 9, 10)
    assert stored.rows[1] == hall.layout.rows[1]
    assert layout_parts(stored) == preview_as_layout_parts(editor)


def test_revert_puts_the_saved_layout_back(qtbot, editor: LayoutEditor,  # type: ignore[no-untyped-def]
                                           hall: shows.HallView) -> None:
    editor.load_hall(hall)
    type_into(qtbot, editor.seats_spin, "20")
    assert editor.is_dirty()
    qtbot.mouseClick(editor.revert_button, Qt.MouseButton.LeftButton)
    assert editor.layout() == hall.layout and not editor.is_dirty()


def test_a_large_hall_previews_and_hit_tests(qtbot, editor: LayoutEditor) -> None:  # type: ignore[no-untyped-def]
    type_into(qtbot, editor.rows_spin, "60")
    type_into(qtbot, editor.seats_spin, "80")
    assert editor.summary_label.text().startswith("60 rows · 4,800 seats")
    editor.preview.repaint()
    rect = editor.preview.seat_rect("BH80")
    assert editor.preview.seat_at(rect.center()) == "BH80"
    assert editor.preview.describe("BH80") == "BH80: seat"
    assert editor.preview.draft().marks.get("BH80", STANDARD) == STANDARD


@pytest.mark.parametrize("text, seats", [
    ("a1, A3-A5", ["A1", "A3", "A4", "A5"]),
    ("B2-4", ["B2", "B3", "B4"]),
    ("AA10-AA9", ["AA9", "AA10"]),
])
def test_seat_fields_read_ranges(text: str, seats: list[str]) -> None:
    assert parse_seats(text, "Blocked") == seats
    assert parse_seats(format_seats(seats), "Blocked") == seats


def test_hall_list_model(qtmodeltester, hall: shows.HallView) -> None:  # type: ignore[no-untyped-def]
    model = HallListModel()
    model.set_halls([hall])
    qtmodeltester.check(model)
    other = shows.HallView(99, "Annex", hall.layout, hall.total_seats, hall.chart)
    assert model.put(other) == 0
    assert model.rowCount() == 2
    qtmodeltester.check(model)


def test_switching_halls_asks_before_dropping_unsaved_edits(qtbot, runner: OperationRunner,  # type: ignore[no-untyped-def]
                                                            db: Database,
                                                            hall: shows.HallView) -> None:
    from PySide6.QtWidgets import QMessageBox

    from boxoffice.ui.manager import ManagerWindow

    other = shows.create_hall(db, "Annex", Layout.grid(3, 5))
    window = ManagerWindow(runner)
    qtbot.addWidget(window)
    window.show()
    qtbot.waitUntil(lambda: window.halls_page.model.rowCount() == 2)
    page = window.halls_page
    page.select_hall(hall.id)
    assert page.editor.hall_id == hall.id
    type_into(qtbot, page.editor.seats_spin, "14")

    page.select_hall(other.id)
    assert page.discard_box is not None and page.discard_box.isVisible()
    page.discard_box.button(QMessageBox.StandardButton.Cancel).click()
    assert page.editor.hall_id == hall.id and page.editor.seats_spin.value() == 14
    assert page.view.currentIndex().data().startswith("Test Hall")

    page.select_hall(other.id)
    page.discard_box.button(QMessageBox.StandardButton.Discard).click()
    assert page.editor.hall_id == other.id and not page.editor.is_dirty()

    type_into(qtbot, page.editor.seats_spin, "7")
    window.close()
    assert window.isVisible()  # closing asked first
    page.discard_box.button(QMessageBox.StandardButton.Discard).click()
    assert not window.isVisible()
    assert shows.get_hall(db, other.id).layout == other.layout


def test_an_imported_chart_is_not_overwritten_by_a_grid(qtbot, editor: LayoutEditor,  # type: ignore[no-untyped-def]
                                                        db: Database) -> None:
    from boxoffice.charts import load_chart
    from tests.charts.files import chart

    imported = shows.create_hall(db, "Riethsporthalle",
                                 load_chart(chart("pretix_riethsporthalle-erfurt.json")).chart)
    editor.load_hall(imported)
    assert editor.hall_id is None  # a save would make a new hall, never rewrite the chart
    assert "imported venue chart" in editor.error_label.text()
    assert "boxoffice hall import" in editor.error_label.text()
    model = HallListModel()
    model.set_halls([imported])
    assert "63 rows" in model.data(model.index(0, 0), Qt.ItemDataRole.ToolTipRole)
