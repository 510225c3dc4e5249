"""The managers' price editor: categories, prices per ticket type, seats painted on the map."""

from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QLineEdit

from boxoffice import money, shows
from boxoffice.db import Database
from boxoffice.money import PriceCategory
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.manager import ManagerWindow
from boxoffice.ui.manager.price_editor import NAME_COL, PriceEditor, row_spec
from boxoffice.ui.manager.ticket_types import TicketTypesDialog
from tests.conftest import table_snapshot

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def editor(qtbot, runner: OperationRunner, show: shows.ShowView) -> PriceEditor:  # type: ignore[no-untyped-def]
    e = PriceEditor(runner, show.id, counter="Office")
    qtbot.addWidget(e)
    e.show()
    qtbot.waitExposed(e)
    qtbot.waitUntil(lambda: e.loaded)
    return e


def column(editor: PriceEditor, ticket_type: str) -> int:
    return editor.columns.index(ticket_type) + 1


def type_price(qtbot, editor: PriceEditor, row: int, ticket_type: str, text: str) -> None:  # type: ignore[no-untyped-def]
    """Type into a price cell as a manager does: select it, type, Enter."""
    col = column(editor, ticket_type)
    editor.table.setCurrentCell(row, col)
    editor.table.setFocus()
    qtbot.keyClick(editor.table, Qt.Key.Key_F2)
    qtbot.waitUntil(lambda: editor.table.state() == editor.table.State.EditingState)
    # the open editor (the previous one may still await its deleteLater)
    focused = next(w for w in editor.table.viewport().findChildren(QLineEdit) if w.isVisible())
    qtbot.keyClicks(focused, text)
    qtbot.keyClick(focused, Qt.Key.Key_Return)  # the delegate commits on a queued call
    qtbot.waitUntil(lambda: editor.table.state() != editor.table.State.EditingState)
    assert editor.table.item(row, col).text() == text


def click_seat(qtbot, editor: PriceEditor, seat: str) -> None:  # type: ignore[no-untyped-def]
    rect = editor.map.seat_rect(seat)
    assert not rect.isEmpty(), seat
    qtbot.mouseClick(editor.map, Qt.MouseButton.LeftButton, pos=rect.center())


def test_two_categories_with_seats_painted_on_the_map_are_saved(
        qtbot, editor: PriceEditor, db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    assert editor.categories == [] and not editor.remove_button.isEnabled()
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    editor.table.item(0, NAME_COL).setText("Stalls")
    type_price(qtbot, editor, 0, "Adult", "25")
    type_price(qtbot, editor, 0, "Child", "12,50")
    qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
    editor.table.item(1, NAME_COL).setText("Circle")
    type_price(qtbot, editor, 1, "Adult", "35.00")
    editor.table.setCurrentCell(1, NAME_COL)
    # Circle: two seats clicked, a drag along row C, and row J by its letter on the map.
    click_seat(qtbot, editor, "E5")
    click_seat(qtbot, editor, "E6")
    a, b = editor.map.seat_rect("C1").center(), editor.map.seat_rect("C3").center()
    qtbot.mousePress(editor.map, Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(editor.map, pos=editor.map.seat_rect("C2").center())
    qtbot.mouseMove(editor.map, pos=b)
    qtbot.mouseRelease(editor.map, Qt.MouseButton.LeftButton, pos=b)
    label = editor.map.row_label_rect("J").center().toPoint()
    qtbot.mouseClick(editor.map, Qt.MouseButton.LeftButton, pos=label + QPoint(1, 0))
    assert editor.map.category_at("E5") == 1 and editor.map.category_at("A2") == 0
    # blocked A1 sells in no category: 119 seats, not 120 (the marks are explained too)
    assert [t for _, t in editor.map.legend_items()] == [
        "1 Stalls (102)", "2 Circle (17)", "Blocked", "Wheelchair", "Companion"]

    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.message.isVisible())
    assert editor.message.text() == "Saved: Stalls, Circle."
    plan = money.price_plan(db, show.id)
    assert [(c.name, dict(c.prices)) for c in plan.categories] == [
        ("Stalls", {"Adult": 2500, "Child": 1250}), ("Circle", {"Adult": 3500})]
    circle = {"E5", "E6", "C1", "C2", "C3", *(f"J{n}" for n in range(1, 13))}
    assert set(plan.categories[1].seats) == circle
    assert plan.category_of("A2") == "Stalls" and plan.price("J7", "Adult") == 3500
    assert plan.price("E5", "Child") is None  # empty cell: not sold in the circle
    assert not editor.dirty


def test_a_bad_amount_is_shown_and_nothing_is_saved(
        qtbot, editor: PriceEditor, db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    editor.add_category("Stalls")
    type_price(qtbot, editor, 0, "Adult", "12.345")
    before = table_snapshot(db)
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    assert editor.message.isVisible()
    assert editor.message.text() == \
        "Stalls, Adult: EUR amounts have 2 decimal places; '12.345' has more."
    assert (editor.table.currentRow(), editor.table.currentColumn()) == (0, column(editor, "Adult"))
    assert not editor.runner.busy
    assert table_snapshot(db) == before
    assert money.price_plan(db, show.id).categories == ()


def test_a_plan_the_core_refuses_shows_its_message(
        qtbot, editor: PriceEditor, db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    editor.add_category("Stalls")
    editor.add_category("stalls")  # the editor names it apart; the manager renames it back
    editor.table.item(1, NAME_COL).setText("STALLS")
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.message.isVisible() and not editor.runner.busy)
    assert editor.message.text() == "Two price categories are called STALLS."
    assert money.price_plan(db, show.id).categories == ()


def test_loading_reorder_remove_and_copy_from_another_show(
        qtbot, runner: OperationRunner, db: Database, show: shows.ShowView,  # type: ignore[no-untyped-def]
        hall: shows.HallView) -> None:
    money.set_price_plan(db, show.id, [
        PriceCategory("Stalls", {"Adult": 2000}),
        PriceCategory("Box", {"Adult": 9000}, seats=("A2", "A3"))])
    other = shows.create_show(db, "Other Show", show.start_time.replace(year=show.start_time.year + 1),
                              hall=hall.id)
    editor = PriceEditor(runner, other.id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.loaded)
    assert editor.categories == [] and editor.copy_button.isEnabled()
    editor.copy_from(show.id)
    qtbot.waitUntil(lambda: [c.name for c in editor.categories] == ["Stalls", "Box"])
    assert editor.message.text() == f"Copied and saved the prices of show {show.id}: Stalls, Box."
    assert editor.table.item(1, column(editor, "Adult")).text() == "90.00"
    assert editor.map.category_at("A3") == 1
    assert money.price_plan(db, other.id).category_of("A2") == "Box"

    editor.table.setCurrentCell(1, NAME_COL)
    qtbot.mouseClick(editor.up_button, Qt.MouseButton.LeftButton)
    assert [c.name for c in editor.categories] == ["Box", "Stalls"]
    assert editor.map.category_at("A3") == 0 and editor.map.category_at("B1") == 1
    qtbot.mouseClick(editor.remove_button, Qt.MouseButton.LeftButton)  # Box goes
    assert editor.map.category_at("A3") == 0 and len(editor.categories) == 1
    qtbot.mouseClick(editor.save_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: editor.message.text() == "Saved: Stalls.")
    plan = money.price_plan(db, other.id)
    assert [c.name for c in plan.categories] == ["Stalls"] and plan.price("A2", "Adult") == 2000


def test_ticket_types_and_currency(qtbot, runner: OperationRunner, db: Database,  # type: ignore[no-untyped-def]
                                   show: shows.ShowView) -> None:
    d = TicketTypesDialog(runner)
    qtbot.addWidget(d)
    d.show()
    qtbot.waitUntil(lambda: d.list.count() > 0)
    qtbot.keyClicks(d.name_edit, "Student")
    qtbot.keyClick(d.name_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: d.message.text() == "Added Student.", timeout=15_000)
    assert "Student" in [t.name for t in money.list_ticket_types(db)]
    qtbot.waitUntil(lambda: any(t.name == "Student" for t in d.types))
    d.list.setCurrentRow(next(i for i, t in enumerate(d.types) if t.name == "Student"))
    qtbot.mouseClick(d.toggle_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.message.text() == "Student is retired.")
    assert "Student" not in [t.name for t in money.list_ticket_types(db)]
    qtbot.waitUntil(lambda: d.toggle_button.text() == "&Reactivate")

    d.code_edit.setText("GBP")
    qtbot.mouseClick(d.currency_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: "GBP" in d.message.text())
    assert money.get_currency(db).code == "GBP"
    money.set_price_plan(db, show.id, [PriceCategory("Stalls", {"Adult": 1000})])
    d.code_edit.setText("EUR")
    qtbot.mouseClick(d.currency_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: d.message.property("level") == "error")
    assert d.message.text() == \
        "Prices and sales are recorded in GBP; the currency cannot change now."
    assert money.get_currency(db).code == "GBP"
    qtbot.waitUntil(lambda: d.code_edit.text() == "GBP")


def test_prices_button_for_managers_opens_the_editor(qtbot, runner: OperationRunner,  # type: ignore[no-untyped-def]
                                                      show: shows.ShowView) -> None:
    w = ManagerWindow(runner, counter="Office")
    qtbot.addWidget(w)
    w.show()
    qtbot.waitUntil(lambda: w.rights is not None and not runner.busy)
    page = w.shows_page
    page.select(show.id)
    assert page.prices_button.isEnabled()
    qtbot.mouseClick(page.prices_button, Qt.MouseButton.LeftButton)
    assert isinstance(page.dialog, PriceEditor)
    qtbot.waitUntil(lambda: page.dialog.loaded)
    assert page.dialog.title.text() == "Prices of Test Show"
    page.set_can_price(False)
    assert not page.prices_button.isVisibleTo(page) and not page.prices_button.isEnabled()


@pytest.mark.parametrize(("typed", "rows"), [
    ("A-C, J", ["A", "B", "C", "J"]), ("c", ["C"]), ("J-H", ["H", "I", "J"]), ("", [])])
def test_row_spec(typed: str, rows: list[str]) -> None:
    assert row_spec(typed, list("ABCDEFGHIJ")) == rows


def test_row_spec_refuses_an_unknown_row() -> None:
    with pytest.raises(ValueError, match="There is no row Z in this hall."):
        row_spec("A-Z", list("ABCDEFGHIJ"))


def test_enter_in_the_rows_field_assigns_rows_and_nothing_else(
        qtbot, editor: PriceEditor) -> None:  # type: ignore[no-untyped-def]
    for name in ("Stalls", "Circle"):
        qtbot.mouseClick(editor.add_button, Qt.MouseButton.LeftButton)
        editor.table.item(len(editor.categories) - 1, NAME_COL).setText(name)
    editor.table.setCurrentCell(1, NAME_COL)
    editor.rows_edit.setFocus()
    qtbot.keyClicks(editor.rows_edit, "B-C")
    qtbot.keyClick(editor.rows_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: editor.map.category_at("C4") == 1)
    assert editor.map.category_at("B2") == 1 and editor.map.category_at("D2") == 0
    assert [c.name for c in editor.categories] == ["Stalls", "Circle"]  # no button pressed
    assert editor.isVisible()


def test_the_preview_shows_unsellable_and_special_seats_and_its_legend_fits(  # type: ignore[no-untyped-def]
        qtbot, runner: OperationRunner, db: Database) -> None:
    from boxoffice.layout import Layout
    from boxoffice.ui.manager.category_map import PALETTE
    from boxoffice.ui.manager.layout_preview import BLOCKED, HOUSE, STYLE, WHEELCHAIR
    from tests.dbutil import tomorrow

    layout = Layout.grid(6, 10, blocked=["A1", "A2"], wheelchair=["F1"], companion=["F2"],
                         blocked_reasons={"A1": "Broken", "A2": "House seat"})
    hall = shows.create_hall(db, "Marked Hall", layout)
    show = shows.create_show(db, "Marked Show", tomorrow(), hall=hall.id)
    e = PriceEditor(runner, show.id, counter="Office")
    qtbot.addWidget(e)
    e.show()
    qtbot.waitExposed(e)
    qtbot.waitUntil(lambda: e.loaded)
    for n in range(6):
        e.add_category(f"Category number {n + 1}")
    marks = e.map.draft().marks
    assert (marks["A1"], marks["A2"], marks["F1"]) == (BLOCKED, HOUSE, WHEELCHAIR)
    texts = [t for _, t in e.map.legend_items()]
    assert {"Blocked", "House seat", "Wheelchair", "Companion"} <= set(texts)
    # the counts are of seats that sell: 60 less the blocked and the house seat
    assert sum(e._counts().values()) == 58
    counted = sum(int(t.rsplit("(", 1)[1].rstrip(")").replace(",", ""))
                  for t in texts if t.endswith(")"))
    assert counted == 58
    e.resize(640, 600)  # a narrow map: the legend wraps, it is not cut off
    qtbot.waitUntil(lambda: e.map.width() < 500)
    area = e.map.rect()
    assert all(area.contains(r.toAlignedRect()) for r in e.map.legend_rects())
    image = e.map.grab().toImage()
    corner = e.map.seat_rect("A2").topLeft() + QPoint(2, 2)
    colour = image.pixelColor(corner).name()
    assert colour not in PALETTE and colour == STYLE[HOUSE][0]
    e.close()


def test_an_imported_chart_show_opens_with_the_chart_categories(
        qtbot, runner: OperationRunner, db: Database) -> None:  # type: ignore[no-untyped-def]
    from boxoffice.charts import load_chart
    from tests.charts.files import chart
    from tests.dbutil import tomorrow

    hall = shows.create_hall(db, "Riethsporthalle",
                             load_chart(chart("riethsporthalle-erfurt_extended.json")).chart)
    show = shows.create_show(db, "Löwen v Jena", tomorrow(), hall=hall.id)
    editor = PriceEditor(runner, show.id)
    qtbot.addWidget(editor)
    editor.show()
    qtbot.waitUntil(lambda: editor.loaded)
    assert [c.name for c in editor.categories] == ["Kategorie I", "Kategorie II", "VIP"]
    assert len(editor._all_seats) == 1252 + 248
