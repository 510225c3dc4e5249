"""The window mirrors what PostgreSQL lets the logged-in role do."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from PySide6.QtCore import QSettings, Qt
from sqlalchemy import make_url

from boxoffice import shows, staff
from boxoffice.db import Database, libpq_url
from tests import dbutil


@pytest.fixture
def role_window(qtbot, db: Database, show: shows.ShowView) -> Iterator[object]:  # type: ignore[no-untyped-def]
    from boxoffice.ui.counter.main_window import MainWindow

    tag = uuid.uuid4().hex[:8]
    made: list[tuple[MainWindow, Database]] = []
    logins: list[str] = []

    def make(role: str) -> MainWindow:
        name = f"t{tag}_{role}"
        staff.add_staff(db, name, role, "correct horse battery")
        logins.append(name)
        url = make_url(db.url).set(username=name, password=None)
        database = dbutil.open_db(url.render_as_string(hide_password=False))
        window = MainWindow(database, counter="Door", clerk=name, live=False,
                            settings=QSettings())
        window.confirm_close = False
        made.append((window, database))
        window.show()
        qtbot.waitExposed(window)
        qtbot.waitUntil(lambda: window.rights is not None, timeout=10_000)
        return window

    yield make
    for window, database in made:
        window.close()
        window.shutdown()
        database.dispose()
    with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
        for name in logins:
            admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def test_viewer_sees_no_selling_and_no_managing(role_window) -> None:  # type: ignore[no-untyped-def]
    w = role_window("viewer")
    assert w.rights.role == "viewer"
    assert not w.act_sell.isVisible() and not w.act_hold.isVisible()
    assert not w.panel.sale_card.isVisible() and not w.panel.sell_button.isEnabled()
    assert not w.act_manage.isVisible() and not w.manage_menu.menuAction().isVisible()
    assert w.act_bookings.isVisible() and w.act_wall.isVisible()
    assert "(viewer)" in w.status_login.text()


def test_clerk_sells_but_does_not_manage_or_refund(role_window) -> None:  # type: ignore[no-untyped-def]
    w = role_window("clerk")
    assert w.act_sell.isVisible() and w.panel.sale_card.isVisible()
    assert not w.act_manage.isVisible()
    from boxoffice.ui.bookings.dialog import BookingsDialog

    dialog = BookingsDialog(w.runner, parent=w, counter="Door", clerk="x",
                            can_cancel=w.rights.can_cancel)
    assert not dialog.cancel_button.isVisibleTo(dialog)
    dialog.close()


def test_manager_sees_everything(role_window) -> None:  # type: ignore[no-untyped-def]
    w = role_window("manager")
    assert w.act_sell.isVisible() and w.act_manage.isVisible()
    assert w.manage_menu.menuAction().isVisible()
    assert "(manager)" in w.status_login.text()


def test_viewer_has_no_best_available_and_enter_asks_nothing_of_postgres(  # type: ignore[no-untyped-def]
        qtbot, role_window, show: shows.ShowView) -> None:
    from tests.ui.counter.test_counter_flow import click_seat, open_show

    w = role_window("viewer")
    open_show(qtbot, w, show.id)
    assert not w.panel.best_button.isEnabled()
    assert not w.panel.seats_card.best_count.isEnabled()
    qtbot.keyClick(w.grid, Qt.Key.Key_2)  # the grid's digit shortcut for best available
    assert w.model.selected_labels() == []
    click_seat(qtbot, w, "C3")
    w.grid.setFocus()
    with qtbot.assertNotEmitted(w.runner.unexpected_error):
        qtbot.keyClick(w.grid, Qt.Key.Key_Return)
    assert "may look at the seats but not hold or sell" in w.panel.message
    assert "permission denied" not in w.panel.message


def test_clerk_bookings_window_has_no_refund_controls(  # type: ignore[no-untyped-def]
        qtbot, role_window, db: Database, show: shows.ShowView) -> None:
    from boxoffice import booking
    from boxoffice.ui.bookings.dialog import BookingsDialog

    sold = booking.sell(db, show.id, ["D4"], clerk="alice")
    w = role_window("clerk")
    dialog = BookingsDialog(w.runner, parent=w, counter="Door", clerk="x",
                            can_cancel=w.rights.can_cancel)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.search_edit.setText(str(sold.id))
    qtbot.keyClick(dialog.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: dialog._current is not None
                    and dialog.money_panel.money is not None, timeout=10_000)
    assert not dialog.reason_edit.isVisible()
    assert not dialog.money_panel.refund_controls.isVisible()
    assert not dialog.money_panel.method_combo.isVisible()
    assert "manager can cancel" in dialog.hint_label.text()
    dialog.close()


def test_a_refused_permission_reads_as_what_the_login_may_not_do(db: Database,
                                                                 show: shows.ShowView) -> None:
    from boxoffice import booking
    from boxoffice.errors import NotAllowed

    name = f"t{uuid.uuid4().hex[:8]}_viewer"
    staff.add_staff(db, name, "viewer", "correct horse battery")
    door = dbutil.open_db(make_url(db.url).set(username=name, password=None)
                          .render_as_string(hide_password=False))
    try:
        with dbutil.seeding(), pytest.raises(NotAllowed) as err:  # the test's own call
            booking.sell(door, show.id, ["A1"], clerk=name)
    finally:
        door.dispose()
        with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{name}"')
    assert "permission denied" not in err.value.message
    assert "clerk's or a manager's login" in err.value.message
    assert "boxoffice_book" in err.value.detail  # the log keeps PostgreSQL's words
