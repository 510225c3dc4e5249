"""``boxoffice`` with no subcommand: the real start-up path, on a test database."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QLabel, QMessageBox

from boxoffice import shows
from boxoffice.config import Settings
from boxoffice.db import Database, make_engine, upgrade
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


def run_and_inspect(qtbot, monkeypatch, db_url: str | None, check,  # type: ignore[no-untyped-def]
                    settings: Settings | None = None) -> int:
    seen = {}

    def fake_exec(self) -> int:  # type: ignore[no-untyped-def]
        (window,) = [w for w in QApplication.topLevelWidgets()
                     if isinstance(w, MainWindow) and w.isVisible()]
        check(window)
        seen["window"] = window
        window.close()
        return 0

    monkeypatch.setattr(QApplication, "exec", fake_exec)
    code = app_module.run_app(settings or dbutil.test_settings(str(db_url)))
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


def test_first_run_on_the_embedded_database_runs_expiry_with_no_false_alarm(  # type: ignore[no-untyped-def]
        qtbot, monkeypatch, qapp):
    """Issue 13 items 5 and 14: the Welcome dialog left "run expiry" off, so a single PC
    showed "Nobody releases expired holds"; and Settings said the embedded database's URL
    came "from the command line or BOXOFFICE_DATABASE_URL"."""
    from boxoffice.embedded import start_embedded
    from boxoffice.ui.common.settings_dialog import SettingsDialog

    data = dbutil.private_dir() / "data"
    settings = Settings(database_url=None, data_dir=data)
    # a hold long overdue, as a counter that crashed mid-sale leaves it
    url = start_embedded(settings.embedded_pgdata, delete_on_exit=True)
    seeded = Database(make_engine(url, pool_size=1), settings, url)
    with dbutil.seeding():  # the test's own data, written from the test's (GUI) thread
        upgrade(seeded.engine)
        hall = shows.create_hall(seeded, "Studio", Layout.grid(2, 4))
        show = shows.create_show(seeded, "Overdue", dbutil.tomorrow(), hall=hall.id)
        dbutil.seed_stale_holds(seeded, show.id, 2)

    qapp.setOrganizationName(app_module.ORGANISATION)
    qapp.setApplicationName(app_module.APPLICATION)
    dialogs: list[str] = []

    def welcome(self) -> int:  # type: ignore[no-untyped-def]
        """The clerk reads the dialog and presses Save without changing anything."""
        dialogs.append(" ".join(label.text() for label in self.findChildren(QLabel)))
        self.accept()
        return int(self.result())

    monkeypatch.setattr(SettingsDialog, "exec", welcome)
    sheet = qapp.styleSheet()

    def check(window: MainWindow) -> None:
        assert window.expiry_runner is not None, "a single PC's counter must release holds"
        assert "on" in window.status_expiry.text()
        qtbot.waitUntil(lambda: getattr(window, "alert_watcher", None) is not None)
        watcher = window.alert_watcher
        with qtbot.waitSignal(watcher.alerts_changed, timeout=20_000, raising=False):
            watcher.refresh()
        qtbot.waitUntil(lambda: not watcher._in_flight, timeout=20_000)
        assert "no_expiry_runner" not in [a.name for a in watcher.alerts]
        assert not window.alert_banner.isVisible() or \
            "Nobody releases" not in window.alert_banner.label.text()
        window.open_settings()  # Settings on the embedded database
        assert len(dialogs) == 2
        assert "command line" not in dialogs[1], dialogs[1]

    try:
        assert run_and_inspect(qtbot, monkeypatch, None, check, settings=settings) == 0
    finally:
        qapp.setStyleSheet(sheet)
        seeded.dispose()
    assert "command line" not in dialogs[0]


def test_a_bad_saved_url_offers_to_edit_and_test_the_connection(  # type: ignore[no-untyped-def]
        qtbot, monkeypatch, db_url: str, qapp):
    """Issue 13 item 6: a bad saved URL said "fix it under File ▸ Settings", offered only
    OK and exited with status 2, so Settings could never be reached."""
    from boxoffice.ui.common.settings_dialog import SettingsDialog, connection_url

    qapp.setOrganizationName(app_module.ORGANISATION)
    qapp.setApplicationName(app_module.APPLICATION)
    store = QSettings()
    store.setValue("counter/name", "Counter 9")
    store.setValue("connection/mode", "url")
    store.setValue("connection/url", "postgresql://nobody@127.0.0.1:1/nowhere")
    sheet = qapp.styleSheet()
    told: list[str] = []
    monkeypatch.setattr(QMessageBox, "critical",
                        lambda *a, **k: told.append(str(a[2])) or QMessageBox.StandardButton.Ok)

    def choose_edit(self) -> int:  # type: ignore[no-untyped-def]
        told.append(self.text())
        (edit,) = [b for b in self.buttons() if "Edit" in b.text()]
        edit.click()
        return 0

    monkeypatch.setattr(QMessageBox, "exec", choose_edit)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.StandardButton.No)
    tested: list[str] = []

    def fix_it(self) -> int:  # type: ignore[no-untyped-def]
        """The clerk types the right URL, tests it, sees it work, and saves."""
        assert self.mode_url.isChecked() and "nowhere" in self.url.text()
        with qtbot.waitSignal(self.tested, timeout=20_000):
            self.test_button.click()  # the bad one first: told why, in plain words
        tested.append(self.test_result.text())
        self.url.setText(dbutil.libpq_url(db_url))
        with qtbot.waitSignal(self.tested, timeout=20_000):
            self.test_button.click()
        tested.append(self.test_result.text())
        self.accept()
        return int(self.result())

    monkeypatch.setattr(SettingsDialog, "exec", fix_it)
    opened: list[str] = []

    def check(window: MainWindow) -> None:
        opened.append(window.db.url)

    try:
        code = run_and_inspect(qtbot, monkeypatch, None, check, settings=Settings())
    finally:
        qapp.setStyleSheet(sheet)
    assert code == 0, told
    assert "could not be opened" in told[0] and "not running" in told[0]
    assert "connection refused" not in told[0].lower()  # the driver's words stay in the log
    assert tested[0].startswith("Not connected") and "not running" in tested[0]
    assert tested[1].startswith("Connected") and "up to date" in tested[1]
    assert connection_url(QSettings()) == dbutil.libpq_url(db_url)
    assert opened and "nowhere" not in opened[0]
