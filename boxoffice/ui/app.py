"""The Qt app's two starts, for ``boxoffice.cli`` (the one face that starts anything): the
counter app (``boxoffice``) and the door check-in window alone (``boxoffice door``).

Order of settings for the connection: the command line / environment (``Settings``),
then what the settings dialog stored in QSettings, then the embedded database. The GUI
thread never waits on PostgreSQL, not even to open it: the database is opened on a thread
of its own while the event loop runs, and every later call goes through the runner.
"""

from __future__ import annotations

import getpass
import logging
import sys
import threading
from typing import Any

from PySide6.QtCore import QEventLoop, QSettings, Qt, QThread
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

from boxoffice import shows
from boxoffice.config import Settings
from boxoffice.db import Database, open_database, register_gui_thread
from boxoffice.errors import BoxOfficeError
from boxoffice.ui.common import style

log = logging.getLogger(__name__)

ORGANISATION = "BoxOffice"
APPLICATION = "BoxOffice"


def make_application(argv: list[str] | None = None) -> QApplication:
    if QApplication.instance() is None:
        refuse_missing_xcb_libraries()
    app = QApplication.instance() or QApplication(argv if argv is not None else sys.argv)
    app.setOrganizationName(ORGANISATION)
    app.setApplicationName(APPLICATION)
    app.setApplicationDisplayName("BoxOffice")
    app.setWindowIcon(style.icon("app"))
    apply_style(app)
    return app  # type: ignore[return-value]


def refuse_missing_xcb_libraries() -> None:
    """Qt aborts when its xcb plugin cannot load, naming one library at best: name all
    that are missing, and how to install them, and exit with status 2 instead."""
    from boxoffice.ui.platform_check import wants_xcb, xcb_problem

    problem = xcb_problem() if wants_xcb() else None
    if problem:
        print(problem, file=sys.stderr)
        raise SystemExit(2)


def apply_style(app: QApplication) -> None:
    app.setStyle("Fusion")
    app.setStyleSheet(style.style_sheet())


def clerk_name() -> str:
    try:
        return getpass.getuser()
    except Exception:  # no login name (some containers): still sell, as "clerk"
        return "clerk"


class _Opening(QThread):
    """``open_database`` (the embedded server may take seconds to start, a shared one may
    be slow to answer) off the GUI thread."""

    def __init__(self, settings: Settings) -> None:
        super().__init__()
        self.settings = settings
        self.db: Database | None = None
        self.error: BaseException | None = None

    def run(self) -> None:
        try:
            self.db = open_database(self.settings)
        except BaseException as exc:  # handed to the GUI thread, which tells the user
            self.error = exc


def open_off_gui_thread(settings: Settings) -> Database:
    """Open the database while the event loop keeps the screen alive (a wait cursor
    meanwhile); raises what ``open_database`` raised."""
    opening = _Opening(settings)
    loop = QEventLoop()
    opening.finished.connect(loop.quit)  # queued to this thread: no race with exec()
    QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        opening.start()
        loop.exec()
        opening.wait()
    finally:
        QGuiApplication.restoreOverrideCursor()
    if opening.error is not None:
        raise opening.error
    assert opening.db is not None
    return opening.db


def _stored_connection(settings: Settings, store: QSettings) -> Settings:
    from boxoffice.ui.common.settings_dialog import connection_url

    if settings.database_url is None:
        url = connection_url(store)
        if url is not None:
            return settings.with_(database_url=url)
    return settings


def run_app(settings: Settings) -> int:
    from boxoffice.ui.common.open_database import open_or_fix
    from boxoffice.ui.common.settings_dialog import SettingsDialog, counter_name, runs_expiry
    from boxoffice.ui.counter.main_window import MainWindow

    app = make_application()
    register_gui_thread(threading.get_ident())
    store = QSettings()
    given_url = settings.database_url  # the command line's or BOXOFFICE_DATABASE_URL
    if counter_name(store) is None:
        first = SettingsDialog(store, first_run=True, overridden_url=settings.database_url)
        if not first.exec():
            return 0
    settings = _stored_connection(settings, store)
    # Opened off the GUI thread; a connection that fails offers to edit and test it.
    db = open_or_fix(settings, store, given_url, open_off_gui_thread)
    if db is None:
        return 2
    settings = db.settings  # the connection the clerk may have corrected on the way
    if runs_expiry(store, embedded=settings.database_url is None) and not settings.run_expiry:
        settings = settings.with_(run_expiry=True)

    expiry = None
    if settings.run_expiry:
        from boxoffice.expiry import ExpiryRunner, app_runner_name

        expiry = ExpiryRunner(db, application_name=app_runner_name())  # seen by Operations
        expiry.start()
    window = MainWindow(db, counter=counter_name(store), clerk=clerk_name(),
                        expiry_runner=expiry, settings=store)
    window.show()
    offer_demo_if_empty(window)
    try:
        return app.exec()
    finally:
        window.shutdown()
        if expiry is not None:
            expiry.stop(wait=False)
        db.dispose()


def count_shows(db: Database) -> int:
    """0 when the database has no show at all (past ones count), else 1."""
    return len(shows.list_shows(db, include_past=True, limit=1))


def offer_demo_if_empty(window: Any) -> None:
    """Ask (through the runner) whether the database has any show; offer the demo if not.
    A failure is told in the panel: the clerk sees why the list stays empty."""
    def told(error: BaseException) -> None:
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        window.panel.tell(f"Could not read the shows: {message}", "error")

    window.runner.run(count_shows, success=lambda n: offer_demo(window) if n == 0 else None,
                      failure=told, label="count shows", owner=window)


def offer_demo(window: Any) -> None:
    answer = QMessageBox.question(
        window, "No shows yet",
        "This database has no shows. Fill it with a demo venue (three halls) and a week "
        "of shows to try BoxOffice out?",
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No)
    if answer != QMessageBox.StandardButton.Yes:
        return
    from boxoffice.demo import fill_demo

    window.panel.tell("Creating the demo venue and shows…", "info")
    window.runner.run(fill_demo, success=lambda _ids: (
        window.panel.tell("Demo shows are ready: pick one on the left.", "success"),
        window.show_list.reload()), label="demo data")


def run_door(settings: Settings, show_id: int | None = None) -> int:
    """The check-in window alone, for a PC at a hall door (a viewer login is enough); the
    connection comes from the same settings as the counter app."""
    from boxoffice.ui.common.runner import OperationRunner
    from boxoffice.ui.common.settings_dialog import counter_name
    from boxoffice.ui.door.window import CheckInWindow

    app = make_application()
    register_gui_thread(threading.get_ident())
    store = QSettings()
    try:
        db = open_off_gui_thread(_stored_connection(settings, store))
    except BoxOfficeError as exc:
        QMessageBox.critical(None, "Door check-in cannot start", exc.message)
        return 2
    runner = OperationRunner(db)
    window = CheckInWindow(runner, show_id=show_id, door=counter_name(store))
    window.show()
    try:
        return app.exec()
    finally:
        runner.shutdown()
        db.dispose()
