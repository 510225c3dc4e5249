"""``boxoffice`` with no subcommand: the real start-up path, on a test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from boxoffice import shows
from boxoffice.db import Database
from boxoffice.layout import Layout
from boxoffice.ui import app as app_module
from boxoffice.ui.counter.main_window import MainWindow
from boxoffice.ui.counter.show_list import ShowIdRole
from tests import dbutil

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


@pytest.fixture
def restore_style(qapp, monkeypatch) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """run_app names the application (QSettings' file follows the name) and styles it."""
    from boxoffice.ui.common.settings_dialog import SettingsDialog

    sheet, org, name = qapp.styleSheet(), qapp.organizationName(), qapp.applicationName()
    qapp.setOrganizationName(app_module.ORGANISATION)
    qapp.setApplicationName(app_module.APPLICATION)

    def no_dialog(self) -> int:  # type: ignore[no-untyped-def]
        raise AssertionError("the first-run dialog opened although a counter name is set")

    monkeypatch.setattr(SettingsDialog, "exec", no_dialog)
    yield
    qapp.setStyleSheet(sheet)
    qapp.setOrganizationName(org)
    qapp.setApplicationName(name)


def run_and_inspect(qtbot, monkeypatch, db_url: str, check) -> int:  # type: ignore[no-untyped-def]
    seen = {}

    def fake_exec(self) -> int:  # type: ignore[no-untyped-def]
        (window,) = [w for w in QApplication.topLevelWidgets()
                     if isinstance(w, MainWindow) and w.isVisible()]
        check(window)
        seen["window"] = window
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    code = app_module.run_app(dbutil.test_settings(db_url))
    assert "window" in seen
    return code


def test_start_offers_the_demo_on_an_empty_database(qtbot, monkeypatch, db_url: str,  # type: ignore[no-untyped-def]
                                                    restore_style):
    QSettings().setValue("counter/name", "Counter 3")
    asked = []
    monkeypatch.setattr(QMessageBox, "question",
                        lambda *a, **k: asked.append(a) or QMessageBox.StandardButton.Yes)

    def small_demo(db: Database) -> list[int]:
        hall = shows.create_hall(db, "Demo Hall", Layout.grid(4, 6))
        return [shows.create_show(db, "Demo Show", dbutil.tomorrow(), hall=hall.id).id]

    monkeypatch.setattr("boxoffice.demo.fill_demo", small_demo)

    def check(window: MainWindow) -> None:
        assert window.counter == "Counter 3"
        assert window.width() >= 1200
        qtbot.waitUntil(lambda: window.show_list.model.rowCount() == 1)
        window.show_list.select_show(window.show_list.model.index(0, 0).data(ShowIdRole))
        qtbot.waitUntil(lambda: window.model.show_id is not None)

    assert run_and_inspect(qtbot, monkeypatch, db_url, check) == 0
    assert asked, "the demo was not offered"
    assert QSettings().value("counter/last_show") is not None  # remembered for next time


def test_expiry_runner_starts_when_this_instance_is_designated(qtbot, monkeypatch, db_url: str,  # type: ignore[no-untyped-def]
                                                               show, restore_style):
    QSettings().setValue("counter/name", "Counter 5")
    QSettings().setValue("expiry/runner", "true")

    def check(window: MainWindow) -> None:
        assert window.expiry_runner is not None
        assert window.expiry_runner.scheduler.running
        assert "on" in window.status_expiry.text()

    assert run_and_inspect(qtbot, monkeypatch, db_url, check) == 0


def test_a_failure_to_read_the_shows_is_told_not_swallowed(qtbot, monkeypatch, db_url: str,  # type: ignore[no-untyped-def]
                                                           restore_style):
    """The start asks whether there are shows through the runner (the guard of
    tests/ui/conftest.py fails any GUI-thread call); an error reaches the clerk."""
    QSettings().setValue("counter/name", "Counter 4")
    from boxoffice.errors import BoxOfficeError

    def broken(db: Database) -> int:
        raise BoxOfficeError("The show list is not readable right now.")

    monkeypatch.setattr(app_module, "count_shows", broken)
    asked = []
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: asked.append(a))

    def check(window: MainWindow) -> None:
        qtbot.waitUntil(lambda: "not readable" in window.panel.message)
        assert window.panel.message_level == "error"
        assert window.panel.message.startswith("Could not read the shows")

    assert run_and_inspect(qtbot, monkeypatch, db_url, check) == 0
    assert not asked  # no demo offered on an error
