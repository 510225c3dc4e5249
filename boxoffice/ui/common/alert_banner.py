"""The managers' alert strip: tripped operations alerts in plain words, refreshed every 30 s.

``AlertWatcher`` asks ``OpsMonitor`` (``runs_expiry`` when this window releases holds) through the operation runner
(thresholds from the same ``BOXOFFICE_ALERT_*`` settings the expiry worker reads) and
emits ``alerts_changed`` when the set of tripped alerts changes; ``AlertBanner`` shows
them under the connection banner and hides when nothing is wrong.
"""

from __future__ import annotations

import html
import logging

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QWidget

from boxoffice.db import Database
from boxoffice.errors import BoxOfficeError
from boxoffice.ops import alerts
from boxoffice.ui.common.banner import Banner
from boxoffice.ui.common.runner import OperationRunner

log = logging.getLogger(__name__)

INTERVAL_MS = 30_000

# What each alert means for the people at the counters, before the figures.
PLAIN_WORDS = {
    "database_down": "The database does not answer.",
    "schema_behind_head": "The database needs an upgrade before BoxOffice can run reliably.",
    "no_expiry_runner": "Nobody releases expired holds: seats stay blocked.",
    "expiry_lag": "Expired holds are waiting to be released: seats stay blocked.",
    "conflict_rate": "Many sales meet seats another counter just took.",
    "lock_waits": "Counters are waiting on each other: selling is slow.",
}


class AlertWatcher(QObject):
    """Refreshes the tripped alerts through the runner; at most one check in flight."""

    alerts_changed = Signal(list)  # list[alerts.Alert]

    def __init__(self, runner: OperationRunner, interval_ms: int = INTERVAL_MS,
                 parent: QObject | None = None, *, runs_expiry: bool = False) -> None:
        super().__init__(parent)
        self.runner = runner
        # This window's own expiry runner counts as one: its first round may not have
        # released the overdue holds yet when the first check runs.
        self.runs_expiry = runs_expiry
        self.limits = alerts.thresholds_from_env()  # read once, as the worker does
        self.alerts: list[alerts.Alert] = []
        self._monitor: object | None = None  # made on the runner's thread (reads migrations)
        self._in_flight = False
        self.timer = QTimer(self)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self.refresh)

    def start(self) -> None:
        self.timer.start()
        self.refresh()

    def stop(self) -> None:
        self.timer.stop()

    def refresh(self) -> None:
        if self._in_flight:
            return
        self._in_flight = True
        self.runner.run(self._check, success=self._done, failure=self._failed,
                        label="operations alerts", owner=self)

    def _check(self, db: Database) -> list[alerts.Alert]:
        """Runs on the runner's thread."""
        from boxoffice.ops.health import OpsMonitor

        if self._monitor is None:
            self._monitor = OpsMonitor(db, interval=INTERVAL_MS / 1000,
                                       runs_expiry=self.runs_expiry, limits=self.limits,
                                       name="boxoffice-app-alerts")
        return list(self._monitor.refresh().alerts)  # type: ignore[attr-defined]

    def _done(self, tripped: list[alerts.Alert]) -> None:
        self._in_flight = False
        if tripped != self.alerts:
            self.alerts = tripped
            self.alerts_changed.emit(tripped)

    def _failed(self, error: BaseException) -> None:
        self._in_flight = False
        if isinstance(error, BoxOfficeError):
            # The connection banner already says when the database is gone; nothing to add.
            log.info("operations alerts not checked: %s", error)
            return
        self.timer.stop()  # a bug (the monitor reports database trouble as an alert)
        self.runner.unexpected_error.emit(error)


class AlertBanner(Banner):
    """Amber strip listing tripped alerts; hidden while none is tripped."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("AlertBanner", "AlertText", parent)
        self.setAttribute(Qt.WidgetAttribute.WA_StyledBackground)
        self.setStyleSheet("#AlertBanner { background: #fef3c7; "
                           "border-bottom: 1px solid #fcd34d; } "
                           "#AlertText { color: #78350f; }")
        self.names: list[str] = []

    def show_alerts(self, tripped: list[alerts.Alert]) -> None:
        self.names = [a.name for a in tripped]
        if not tripped:
            self.label.clear()
            self.hide()
            return
        lines = [f"<b>{html.escape(PLAIN_WORDS.get(a.name, a.name))}</b> "
                 f"{html.escape(a.message)}" for a in tripped]
        self.label.setText("<br>".join(lines))
        self.show()
