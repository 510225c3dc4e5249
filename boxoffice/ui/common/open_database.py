"""Opening the database at start-up, and the way out when it cannot be opened.

A bad saved connection used to end in a message that said "fix it under File ▸
Settings" and then quit, so Settings could never be reached. Now the clerk is offered
the Settings dialog right there (with its "Test connection"), and BoxOffice tries again
with what was saved. A URL given on the command line or in BOXOFFICE_DATABASE_URL wins
over anything saved, so for that one the message says where to fix it instead.
"""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QMessageBox

from boxoffice.config import Settings
from boxoffice.connection_check import plain_reason
from boxoffice.db import Database, describe_url

log = logging.getLogger(__name__)


def open_or_fix(settings: Settings, store: QSettings, given_url: str | None,
                open_database: Callable[[Settings], Database]) -> Database | None:
    """The open database, or None when the clerk gave up (the app then exits with 2).

    ``settings`` already carries the saved connection; ``given_url`` is the one from the
    command line or the environment, if any.
    """
    from boxoffice.ui.common.settings_dialog import SettingsDialog, connection_url

    while True:
        QGuiApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return open_database(settings)
        except Exception as exc:  # connection refused, bad URL, old schema, ...
            log.warning("could not open the database", exc_info=True)
            reason = plain_reason(exc)
            where = ("the embedded database" if settings.database_url is None
                     else describe_url(settings.database_url))
        finally:
            QGuiApplication.restoreOverrideCursor()
        if given_url is not None:
            QMessageBox.critical(
                None, "BoxOffice cannot start",
                f"The database ({where}) could not be opened.\n\n{reason}\n\nThis run was given its "
                "database with --database-url or BOXOFFICE_DATABASE_URL: correct it there "
                "(or leave it out to use the connection saved in Settings).")
            return None
        if not _ask_to_edit(f"The database ({where}) could not be opened.\n\n{reason}"):
            return None
        dialog = SettingsDialog(store)
        dialog.error.setText(reason)  # why it opened, above Save, until the clerk fixes it
        dialog.error.show()
        (dialog.url if dialog.mode_url.isChecked() else dialog.service
         if dialog.mode_service.isChecked() else dialog.counter).setFocus()
        if not dialog.exec():
            return None
        settings = settings.with_(database_url=connection_url(store))


def _ask_to_edit(what: str) -> bool:
    box = QMessageBox(QMessageBox.Icon.Critical, "BoxOffice cannot start", what)
    box.setInformativeText("Edit the connection (and test it) now, then BoxOffice tries "
                           "again.")
    edit = box.addButton("Edit connection…", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.setDefaultButton(edit)
    box.exec()
    return box.clickedButton() is edit
