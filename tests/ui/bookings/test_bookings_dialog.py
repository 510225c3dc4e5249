"""Booking lookup: find by number or name, see the details and history, cancel, release."""

from __future__ import annotations

import pytest
from PySide6.QtCore import Qt

from boxoffice import booking, seatmap, shows
from boxoffice.db import Database
from boxoffice.ui.bookings.dialog import BookingsDialog
from boxoffice.ui.bookings.model import (
    COL_CUSTOMER,
    COL_NUMBER,
    COL_SEATS,
    COL_STATUS,
    BookingRow,
    BookingsModel,
)
from boxoffice.ui.common.runner import OperationRunner
from tests.conftest import table_snapshot

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def dialog(qtbot, runner: OperationRunner) -> BookingsDialog:  # type: ignore[no-untyped-def]
    d = BookingsDialog(runner, counter="Box 2", clerk="zoe")
    qtbot.addWidget(d)
    d.show()
    qtbot.waitExposed(d)
    return d


def search(qtbot, dialog: BookingsDialog, text: str) -> None:  # type: ignore[no-untyped-def]
    dialog.search_edit.setFocus()
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(dialog.search_edit, text)
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: not dialog.runner.busy and dialog.status_label.text() != "Searching…")


def state(db: Database, show_id: int, seats: list[str]) -> set[str]:
    by = seatmap.seat_map(db, show_id).by_label()
    return {by[s].state for s in seats}


def test_search_by_number_and_by_name(qtbot, dialog: BookingsDialog, db: Database,  # type: ignore[no-untyped-def]
                                      show: shows.ShowView) -> None:
    sale = booking.sell(db, show.id, ["E5", "E6"], clerk="ann", customer="Ada Lovelace",
                        counter="Box 1")
    booking.sell(db, show.id, ["F5"], clerk="ann", customer="Alan Turing", counter="Box 1")

    search(qtbot, dialog, f"#{sale.id}")
    assert dialog.model.rowCount() == 1
    assert dialog.model.index(0, COL_NUMBER).data() == f"#{sale.id}"
    qtbot.waitUntil(lambda: dialog.history.topLevelItemCount() > 0)
    assert dialog.fields["seats"].text() == "E5, E6"
    assert dialog.fields["customer"].text() == "Ada Lovelace"
    assert dialog.fields["clerk"].text() == "ann"
    assert dialog.fields["counter"].text() == "Box 1"
    assert dialog.fields["show"].text().startswith("Test Show, ")
    assert dialog.status_pill.text() == "Sold"
    first = dialog.history.topLevelItem(0)
    assert first.text(1) == "Sold" and first.text(3) == "Box 1" and first.text(4) == "E5, E6"

    search(qtbot, dialog, "lovel")
    assert [dialog.model.index(r, COL_CUSTOMER).data() for r in range(dialog.model.rowCount())] \
        == ["Ada Lovelace"]
    search(qtbot, dialog, "nobody")
    assert dialog.model.rowCount() == 0
    assert dialog.status_label.text() == "No booking matches “nobody”."
    assert not dialog.cancel_button.isEnabled()


def test_cancel_after_confirming_frees_the_seats(qtbot, dialog: BookingsDialog,  # type: ignore[no-untyped-def]
                                                 db: Database, show: shows.ShowView) -> None:
    sale = booking.sell(db, show.id, ["C3", "C4"], clerk="ann", customer="Grace Hopper")
    search(qtbot, dialog, "Grace")
    assert dialog.cancel_button.isEnabled() and not dialog.release_button.isEnabled()
    qtbot.keyClicks(dialog.reason_edit, "Customer ill")

    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    box = dialog.confirm_box
    assert box is not None and box.isVisible()
    assert "C3, C4" in box.text() and "Grace Hopper" in box.text()
    assert state(db, show.id, ["C3", "C4"]) == {seatmap.SOLD}  # nothing before the answer
    qtbot.mouseClick(dialog.confirm_yes, Qt.MouseButton.LeftButton)

    qtbot.waitUntil(lambda: dialog.status_pill.text() == "Cancelled")
    assert state(db, show.id, ["C3", "C4"]) == {seatmap.FREE}
    assert booking.get_booking(db, sale.id).status == "CANCELLED"
    assert dialog.model.index(0, COL_STATUS).data() == "Cancelled"
    assert not dialog.cancel_button.isEnabled()
    qtbot.waitUntil(lambda: dialog.history.topLevelItemCount() == 2)
    last = dialog.history.topLevelItem(1)
    assert last.text(1).startswith("Cancelled") and last.text(3) == "Box 2"


def test_saying_no_keeps_the_booking(qtbot, dialog: BookingsDialog, db: Database,  # type: ignore[no-untyped-def]
                                     show: shows.ShowView) -> None:
    sale = booking.sell(db, show.id, ["C3"], clerk="ann", customer="Grace Hopper")
    search(qtbot, dialog, str(sale.id))
    before = table_snapshot(db)
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    dialog.confirm_box.reject()
    assert not dialog.runner.busy
    assert table_snapshot(db) == before


def test_a_hold_cannot_be_cancelled_only_released(qtbot, dialog: BookingsDialog,  # type: ignore[no-untyped-def]
                                                  db: Database, show: shows.ShowView) -> None:
    hold = booking.hold(db, show.id, ["D7"], clerk="ann", customer="Barbara Liskov")
    search(qtbot, dialog, "Liskov")
    assert dialog.status_pill.text() == "Held"
    assert not dialog.cancel_button.isEnabled()
    assert "This is a hold, not a sale" in dialog.hint_label.text()
    assert dialog.cancel_button.toolTip() == "Only a sold booking can be cancelled."

    qtbot.mouseClick(dialog.release_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.confirm_yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: booking.get_booking(db, hold.id).status == "FAILED")
    assert state(db, show.id, ["D7"]) == {seatmap.FREE}
    qtbot.waitUntil(lambda: "released" in dialog.status_label.text())


def test_a_booking_changed_elsewhere_is_refused_in_plain_words(qtbot, dialog: BookingsDialog,  # type: ignore[no-untyped-def]
                                                               db: Database,
                                                               show: shows.ShowView) -> None:
    sale = booking.sell(db, show.id, ["G1"], clerk="ann", customer="Tony Hoare")
    search(qtbot, dialog, "Hoare")
    booking.cancel(db, sale.id, clerk="bob", counter="Box 3")  # another counter was quicker
    qtbot.mouseClick(dialog.cancel_button, Qt.MouseButton.LeftButton)
    qtbot.mouseClick(dialog.confirm_yes, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.error_label.isVisible())
    assert dialog.error_label.text() == \
        f"Booking {sale.id} is cancelled; it cannot be cancelled."
    qtbot.waitUntil(lambda: dialog.status_pill.text() == "Cancelled")  # now shows the truth
    assert not dialog.cancel_button.isEnabled()


def test_an_empty_search_asks_for_something(qtbot, dialog: BookingsDialog) -> None:  # type: ignore[no-untyped-def]
    qtbot.mouseClick(dialog.search_button, Qt.MouseButton.LeftButton)
    assert dialog.error_label.text() == "Type a booking number or part of the customer's name."
    assert not dialog.runner.busy


def test_bookings_model(qtmodeltester, db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    sale = booking.sell(db, show.id, ["A3", "A2"], clerk="ann", customer="Ada")
    model = BookingsModel()
    model.set_rows([BookingRow(booking.get_booking(db, sale.id), show.name, show.start_time,
                               show.hall_name)])
    qtmodeltester.check(model)
    assert model.index(0, COL_SEATS).data() == "A2, A3"
    cancelled = booking.cancel(db, sale.id, clerk="ann")
    model.update_booking(cancelled)
    assert model.index(0, COL_STATUS).data() == "Cancelled"
    qtmodeltester.check(model)


def test_search_ignores_accents_and_says_when_it_lists_only_the_first(  # type: ignore[no-untyped-def]
        qtbot, dialog: BookingsDialog, db: Database, show: shows.ShowView) -> None:
    """Issue 13 item 24: "zoe" did not find "Zoë"; a search capped at 50 silently; the
    Seats column was cut to "eat"."""
    seats = [f"{r}{n}" for r in "ABCDEFGHIJ" for n in range(1, 13)][1:]  # A1 is blocked
    for i, seat in enumerate(seats[:52]):
        booking.sell(db, show.id, [seat], clerk="ann", customer=f"Zoë Núñez {i:02d}")
    booking.sell(db, show.id, ["J10", "J11", "J12"], clerk="ann", customer="Chloë Brontë")
    shows.update_show(db, show.id, name="A Midsummer Night's Dream, the touring company's "
                                         "matinee in the small hall")
    dialog.resize(900, 600)
    search(qtbot, dialog, "chloe bronte")
    assert dialog.model.rowCount() == 1
    assert dialog.status_label.text() == "1 booking found."
    table = dialog.table
    seats_text = dialog.model.index(0, COL_SEATS).data()
    assert seats_text == "J10, J11, J12"
    needed = table.fontMetrics().horizontalAdvance(seats_text)
    assert table.columnWidth(COL_SEATS) > needed  # the whole list, not "eat"
    search(qtbot, dialog, "ZOE NUNEZ")
    assert dialog.model.rowCount() == 50
    assert dialog.status_label.text().startswith(
        "Showing the newest 50 of 52 bookings that match “ZOE NUNEZ”: refine the search")


def test_a_customer_name_is_corrected_from_the_bookings_window(  # type: ignore[no-untyped-def]
        qtbot, dialog: BookingsDialog, db: Database, show: shows.ShowView) -> None:
    """Issue 13 item 3: a name typed wrong at the counter is corrected afterwards, and the
    history says so."""
    sale = booking.sell(db, show.id, ["G5"], clerk="ann", customer="Grace Hoper")
    search(qtbot, dialog, f"#{sale.id}")
    qtbot.waitUntil(lambda: dialog.history.topLevelItemCount() > 0)
    assert dialog.rename_button.isEnabled()
    qtbot.mouseClick(dialog.rename_button, Qt.MouseButton.LeftButton)
    edit = dialog.rename_edit
    assert edit is not None and edit.text() == "Grace Hoper"
    qtbot.waitUntil(edit.isVisible)
    edit.setFocus()
    qtbot.keyClick(edit, Qt.Key.Key_A, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(edit, "Grace Hopper")
    qtbot.keyClick(edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog.fields["customer"].text() == "Grace Hopper")
    assert booking.get_booking(db, sale.id).customer_name == "Grace Hopper"
    qtbot.waitUntil(lambda: any("Customer name corrected" in dialog.history.topLevelItem(i).text(1)
                                for i in range(dialog.history.topLevelItemCount())))
    lines = [dialog.history.topLevelItem(i).text(1)
             for i in range(dialog.history.topLevelItemCount())]
    assert "Customer name corrected: Grace Hoper → Grace Hopper" in lines
