"""``boxoffice``: start the counter app.

Order of settings for the connection: the command line / environment (``Settings``),
then what the settings dialog stored in QSettings, then the embedded database.
"""

from __future__ import annotations

import getpass
import logging
import sys

from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QApplication, QMessageBox

from boxoffice.config import Settings
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


def run_app(settings: Settings) -> int:
    from boxoffice.cli import open_database
    from boxoffice.ui.common.open_database import open_or_fix
    from boxoffice.ui.common.settings_dialog import (
        SettingsDialog,
        connection_url,
        counter_name,
        runs_expiry,
    )
    from boxoffice.ui.counter.main_window import MainWindow, count_shows

    app = make_application()
    store = QSettings()
    given_url = settings.database_url  # the command line's or BOXOFFICE_DATABASE_URL
    if counter_name(store) is None:
        first = SettingsDialog(store, first_run=True, overridden_url=settings.database_url)
        if not first.exec():
            return 0
    if settings.database_url is None:
        url = connection_url(store)
        if url is not None:
            settings = settings.with_(database_url=url)

    db = open_or_fix(settings, store, given_url, open_database)
    if db is None:
        return 2
    settings = db.settings  # the connection the clerk may have corrected on the way
    if runs_expiry(store, embedded=settings.database_url is None) and not settings.run_expiry:
        settings = settings.with_(run_expiry=True)

    expiry = None
    if settings.run_expiry:
        from boxoffice.expiry import ExpiryRunner

        expiry = ExpiryRunner(db)
        expiry.start()
    window = MainWindow(db, counter=counter_name(store), clerk=clerk_name(),
                        expiry_runner=expiry, settings=store)
    window.show()
    try:
        empty = count_shows(db) == 0
    except Exception:
        empty = False
    if empty:
        offer_demo(window)
    try:
        return app.exec()
    finally:
        window.shutdown()
        if expiry is not None:
            expiry.stop(wait=False)
        db.dispose()


def offer_demo(window) -> None:
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
