"""One operation runner: every database call of the app, off the GUI thread, in order.

Widgets hand ``run`` a plain function of the ``Database``; it runs on the runner's own
thread and its result or error comes back on the GUI thread through ``success`` /
``failure``. The function never touches a widget, and only plain immutable values
(frozen dataclasses) come back. A lost connection becomes ``connection_lost``; the runner
then probes with backoff and emits ``connection_restored`` when the database answers.
"""

from __future__ import annotations

import itertools
import logging
import queue
import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QThread, Signal, Slot

from boxoffice import resilience
from boxoffice.db import Database
from boxoffice.errors import BoxOfficeError, DatabaseUnavailable
from boxoffice.resilience import is_connection_loss

log = logging.getLogger(__name__)

Success = Callable[[Any], None]
Failure = Callable[[BaseException], None]


@dataclass
class _Op:
    id: int
    fn: Callable[[Database], Any]
    label: str




def _restart_embedded(db: Database) -> None:
    from boxoffice.embedded import restart_if_stopped

    try:
        restart_if_stopped(db.settings.embedded_pgdata)
    except Exception:
        log.warning("the embedded PostgreSQL could not be started again", exc_info=True)


class _Worker(QThread):
    finished_op = Signal(int, object, object)  # op id, result, error
    connectivity = Signal(bool, str)  # up?, reason

    def __init__(self, db: Database) -> None:
        super().__init__()
        self.db = db
        self.ops: queue.Queue[_Op | None] = queue.Queue()
        self.online = True
        self._stop = threading.Event()

    def run(self) -> None:
        while True:
            op = self.ops.get()
            if op is None:
                return
            if not self.online:
                self.finished_op.emit(op.id, None, DatabaseUnavailable(
                    "The database cannot be reached; nothing was done. "
                    "BoxOffice reconnects by itself."))
                continue
            # Booking latency is kept by the counter operations themselves, under the
            # metric name each declares (boxoffice.counter), not guessed from the label.
            try:
                result = op.fn(self.db)
            except BaseException as error:
                if is_connection_loss(error):
                    self._went_offline(str(error).splitlines()[0] if str(error) else "lost")
                if is_connection_loss(error) and not isinstance(error, DatabaseUnavailable):
                    error = DatabaseUnavailable(
                        "The connection to the database was lost during this operation. "
                        "Check the booking list once it is back before retrying.")
                self.finished_op.emit(op.id, None, error)
            else:
                self.finished_op.emit(op.id, result, None)

    def _went_offline(self, reason: str) -> None:
        if self.online:
            self.online = False
            log.warning("database connection lost: %s", reason)
            self.connectivity.emit(False, reason)
            threading.Thread(target=self._probe, name="boxoffice-probe", daemon=True).start()

    def _probe(self) -> None:
        delay = 0.25
        while not self._stop.is_set():
            try:
                self.db.ping(fresh=True)
            except Exception:
                if self.db.settings.database_url is None:  # embedded: nobody else starts it
                    _restart_embedded(self.db)
                self._stop.wait(delay)
                delay = min(delay * 2, 5.0)
                continue
            self.online = True
            log.info("database connection restored")
            self.connectivity.emit(True, "")
            return

    def shutdown(self) -> None:
        self._stop.set()
        self.ops.put(None)
        self.wait(10_000)


class OperationRunner(QObject):
    """``run(fn, success=..., failure=...)``: the only way the UI talks to the database."""

    connection_lost = Signal(str)
    connection_restored = Signal()
    busy_changed = Signal(bool)
    failing_over = Signal(str)  # a request is retrying through a failover: what it is
    unexpected_error = Signal(object)  # an error no caller handled: a bug, for the crash dialog

    def __init__(self, db: Database, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.db = db
        self._ids = itertools.count(1)
        self._pending: dict[int, tuple[Success | None, Failure | None, str]] = {}
        self._owners: dict[int, QObject] = {}
        self._worker = _Worker(db)
        self._worker.finished_op.connect(self._finished)
        self._worker.connectivity.connect(self._connectivity)
        self._worker.start()
        # Emitted from the worker thread; Qt queues it to the GUI thread.
        self._unobserve = resilience.observe_retries(
            lambda what, _seconds: self.failing_over.emit(what))

    @property
    def online(self) -> bool:
        return self._worker.online

    @property
    def busy(self) -> bool:
        return bool(self._pending)

    def run(self, fn: Callable[[Database], Any], *, success: Success | None = None,
            failure: Failure | None = None, label: str = "",
            owner: QObject | None = None) -> int:
        """Run ``fn(db)`` on the worker; ``success``/``failure`` get its outcome here.

        The answer is dropped if ``owner`` (by default the widget a bound-method callback
        belongs to) was deleted meanwhile: a closed window never hears back.
        """
        op_id = next(self._ids)
        was_busy = self.busy
        if owner is None:
            bound = getattr(success, "__self__", None) or getattr(failure, "__self__", None)
            owner = bound if isinstance(bound, QObject) else None
        self._pending[op_id] = (success, failure, label)
        if owner is not None:
            self._owners[op_id] = owner
        self._worker.ops.put(_Op(op_id, fn, label))
        if not was_busy:
            self.busy_changed.emit(True)
        return op_id

    @Slot(int, object, object)
    def _finished(self, op_id: int, result: object, error: object) -> None:
        success, failure, label = self._pending.pop(op_id, (None, None, ""))
        owner = self._owners.pop(op_id, None)
        try:
            if owner is not None and not shiboken6.isValid(owner):
                log.debug("%s answered after its window closed", label or "operation")
            elif error is None:
                if success is not None:
                    success(result)
            elif failure is not None:
                failure(error)  # type: ignore[arg-type]
            elif isinstance(error, BoxOfficeError):
                log.warning("%s failed: %s", label or "operation", error)
            else:
                log.error("%s failed", label or "operation", exc_info=error)  # type: ignore[arg-type]
                self.unexpected_error.emit(error)
        finally:
            if not self.busy:
                self.busy_changed.emit(False)

    @Slot(bool, str)
    def _connectivity(self, up: bool, reason: str) -> None:
        if up:
            self.connection_restored.emit()
        else:
            self.connection_lost.emit(reason)

    def shutdown(self) -> None:
        self._unobserve()
        self._worker.shutdown()

    def wait_idle(self, timeout_ms: int = 10_000) -> None:
        """Spin the event loop until every submitted operation has reported back (used on
        close, so a release in flight still finishes; and by tests)."""
        from PySide6.QtCore import QCoreApplication, QElapsedTimer

        t = QElapsedTimer()
        t.start()
        while self.busy and t.elapsed() < timeout_ms:
            QCoreApplication.processEvents()
            QThread.msleep(2)
