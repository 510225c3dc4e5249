"""The window mirrors what PostgreSQL lets the logged-in role do."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import psycopg
import pytest
from PySide6.QtCore import QSettings
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
