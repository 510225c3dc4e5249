"""Connection, counter name and expiry-runner choice, stored in QSettings.

Passwords are not asked for here: a URL without one, or a libpq service with
``.pgpass``, keeps them out of plain settings files (design.md).
"""

from __future__ import annotations

import socket
from typing import Any

from PySide6.QtCore import QSettings, Signal
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from boxoffice.db import describe_url

EMBEDDED, URL, SERVICE = "embedded", "url", "service"


def default_counter() -> str:
    return f"Counter {socket.gethostname().split('.')[0]}"


def connection_url(settings: QSettings) -> str | None:
    """The database URL the stored settings ask for (None: the embedded database)."""
    mode = settings.value("connection/mode", EMBEDDED)
    if mode == URL:
        url = str(settings.value("connection/url", "") or "").strip()
        return url or None
    if mode == SERVICE:
        service = str(settings.value("connection/service", "") or "").strip()
        return f"postgresql:///?service={service}" if service else None
    return None


def counter_name(settings: QSettings) -> str | None:
    value = settings.value("counter/name")
    return str(value) if value else None


def runs_expiry(settings: QSettings, *, embedded: bool = False) -> bool:
    """Whether this instance releases expired holds. On the embedded database it always
    does: that database is this computer's alone, so nobody else would (and a second
    window on it is harmless: expiry rounds take an advisory lock)."""
    if embedded:
        return True
    return str(settings.value("expiry/runner", "false")).lower() in ("true", "1", "yes")


class SettingsDialog(QDialog):
    """``tested(ok)`` after "Test connection" has an answer (shown in ``test_result``)."""

    tested = Signal(bool)

    def __init__(self, settings: QSettings, parent: QWidget | None = None, *,
                 first_run: bool = False, overridden_url: str | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SettingsDialog")
        self.settings = settings
        self.needs_restart = False
        self.setWindowTitle("Welcome to BoxOffice" if first_run else "BoxOffice settings")
        self.setMinimumWidth(520)
        v = QVBoxLayout(self)
        v.setContentsMargins(20, 18, 20, 16)
        v.setSpacing(12)
        if first_run:
            intro = QLabel("Name this counter and choose the database it sells from. "
                           "You can change this later under File ▸ Settings.")
            intro.setWordWrap(True)
            v.addWidget(intro)
        form = QFormLayout()
        self.counter = QLineEdit(counter_name(settings) or default_counter())
        self.counter.setObjectName("CounterName")
        form.addRow("Counter name", self.counter)

        self.mode_embedded = QRadioButton("This computer (embedded database)")
        self.mode_url = QRadioButton("PostgreSQL URL")
        self.mode_service = QRadioButton("libpq service (pg_service.conf)")
        self.group = QButtonGroup(self)
        for b in (self.mode_embedded, self.mode_url, self.mode_service):
            self.group.addButton(b)
        self.url = QLineEdit(str(settings.value("connection/url", "") or ""))
        self.url.setPlaceholderText("postgresql://user@host:5432/boxoffice (no password: use .pgpass)")
        self.service = QLineEdit(str(settings.value("connection/service", "") or ""))
        self.service.setPlaceholderText("boxoffice")
        mode = settings.value("connection/mode", EMBEDDED)
        {URL: self.mode_url, SERVICE: self.mode_service}.get(mode, self.mode_embedded).setChecked(True)
        form.addRow("Database", self.mode_embedded)
        form.addRow("", self.mode_url)
        form.addRow("", self.url)
        form.addRow("", self.mode_service)
        form.addRow("", self.service)
        test_row = QHBoxLayout()
        self.test_button = QPushButton("&Test connection")
        self.test_button.setObjectName("TestConnection")
        self.test_button.setToolTip("Connect to the database above now and say whether "
                                    "BoxOffice can sell from it")
        self.test_button.clicked.connect(self.test_connection)
        self.test_result = QLabel("")
        self.test_result.setObjectName("TestResult")
        self.test_result.setWordWrap(True)
        test_row.addWidget(self.test_button)
        test_row.addStretch(1)
        form.addRow("", test_row)
        self._tester: Any = None  # (runner, database) of the connection being tested
        self.expiry = QCheckBox("This instance releases expired holds (one per venue)")
        self.expiry.setObjectName("ExpiryRunner")
        self._expiry_chosen = runs_expiry(settings)
        self.expiry.toggled.connect(self._expiry_toggled)
        form.addRow("Expiry runner", self.expiry)
        v.addLayout(form)
        v.addWidget(self.test_result)
        if overridden_url:
            note = QLabel(f"This run uses <b>{describe_url(overridden_url)}</b> given on the "
                          "command line or in BOXOFFICE_DATABASE_URL; the choice above applies "
                          "when neither is set.")
            note.setObjectName("Muted")
            note.setWordWrap(True)
            v.addWidget(note)
        self.error = QLabel("")
        self.error.setObjectName("Message")
        self.error.setProperty("level", "error")
        self.error.hide()
        v.addWidget(self.error)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Save
                                   | QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        v.addWidget(buttons)
        self.group.buttonToggled.connect(lambda *_: self._enable())
        self._enable()

    def _enable(self) -> None:
        self.url.setEnabled(self.mode_url.isChecked())
        self.service.setEnabled(self.mode_service.isChecked())
        embedded = self.mode() == EMBEDDED
        self.expiry.blockSignals(True)
        self.expiry.setChecked(embedded or self._expiry_chosen)
        self.expiry.blockSignals(False)
        self.expiry.setEnabled(not embedded)
        self.expiry.setText("This instance releases expired holds (always, on the embedded "
                            "database)" if embedded else
                            "This instance releases expired holds (one per venue)")
        self.expiry.setToolTip(
            "The embedded database is this computer's alone: this counter releases its "
            "expired holds." if embedded else
            "Exactly one counter (or a 'boxoffice expiry-worker') per shared database "
            "should release expired holds.")

        self.test_button.setEnabled(not embedded)
        self.test_result.clear()
        self.test_result.hide()

    def _expiry_toggled(self, on: bool) -> None:
        self._expiry_chosen = on

    def chosen_url(self) -> str | None:
        """The URL the fields describe now (None: the embedded database)."""
        if self.mode() == URL:
            return self.url.text().strip() or None
        if self.mode() == SERVICE:
            service = self.service.text().strip()
            return f"postgresql:///?service={service}" if service else None
        return None

    def test_connection(self) -> None:
        """Connect to what the fields say, off the GUI thread, on a runner of its own (no
        database is open yet when a bad saved URL brought the clerk here)."""
        from boxoffice.config import Settings
        from boxoffice.connection_check import check_connection
        from boxoffice.db import Database, make_engine, url_has_password
        from boxoffice.ui.common.runner import OperationRunner

        url = self.chosen_url()
        if url is None:
            self._show_test(False, "Enter the URL or the service name first.")
            return
        if url_has_password(url):
            self._show_test(False, "Leave the password out of the URL; put it in .pgpass.")
            return
        try:
            engine = make_engine(url, pool_size=1)
        except ValueError as exc:
            self._show_test(False, str(exc))
            return
        self._stop_tester()
        self.error.hide()  # the problem that brought the clerk here: the test answers now
        db = Database(engine, Settings(database_url=url), url)
        runner = OperationRunner(db)
        self._tester = (runner, db)
        self.test_button.setEnabled(False)
        self.test_result.setStyleSheet("")
        self.test_result.setText("Testing…")
        self.test_result.show()
        runner.run(check_connection, success=lambda r: self._show_test(r.ok, r.message),
                   label="test connection", owner=self)

    def _show_test(self, ok: bool, message: str) -> None:
        self.test_button.setEnabled(self.mode() != EMBEDDED)
        self.test_result.setText(message)
        self.test_result.show()
        self.adjustSize()  # room for the wrapped answer
        self.test_result.setStyleSheet("color: #15803d;" if ok else "color: #b91c1c;")
        self._stop_tester()
        self.tested.emit(ok)

    def _stop_tester(self) -> None:
        if self._tester is not None:
            runner, db = self._tester
            self._tester = None
            runner.shutdown()
            db.dispose()

    def done(self, result: int) -> None:
        self._stop_tester()
        super().done(result)

    def mode(self) -> str:
        if self.mode_url.isChecked():
            return URL
        if self.mode_service.isChecked():
            return SERVICE
        return EMBEDDED

    def counter_name(self) -> str:
        return self.counter.text().strip()

    def accept(self) -> None:
        if not self.counter_name():
            return self._refuse("Give this counter a name, e.g. “Counter 1”.")
        url = self.url.text().strip()
        if self.mode() == URL:
            if not url.startswith(("postgresql://", "postgres://")):
                return self._refuse("The URL must start with postgresql://")
            from boxoffice.db import url_has_password

            if url_has_password(url):
                return self._refuse("Leave the password out of the URL; put it in .pgpass.")
        if self.mode() == SERVICE and not self.service.text().strip():
            return self._refuse("Enter the service name from pg_service.conf.")
        s = self.settings
        before = (s.value("connection/mode", EMBEDDED), s.value("connection/url", ""),
                  s.value("connection/service", ""), runs_expiry(s))
        s.setValue("counter/name", self.counter_name())
        s.setValue("connection/mode", self.mode())
        s.setValue("connection/url", url)
        s.setValue("connection/service", self.service.text().strip())
        s.setValue("expiry/runner", "true" if self._expiry_chosen else "false")
        s.sync()
        after = (self.mode(), url, self.service.text().strip(), self._expiry_chosen)
        self.needs_restart = before != after
        super().accept()
        return None

    def _refuse(self, text: str) -> None:
        self.error.setText(text)
        self.error.show()
