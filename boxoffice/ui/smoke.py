"""``boxoffice --smoke-test``: prove an installation (above all, a PyInstaller bundle) works.

It runs what a box-office PC needs on first start, with no screen and no shared server:
Qt offscreen with the main window built, the embedded PostgreSQL in a temporary data
folder, the schema upgraded with the real migrations, a hall and a show created, one
seat sold through the operation runner the counter uses, that seat's ticket drawn to a
PDF, and its QR text checked in at the door (once). One line on stdout says what
happened; the exit status is 0 only if all of it did.
"""

from __future__ import annotations

import logging
import os
import shutil
import sys
import tempfile
import time
import traceback
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from boxoffice.config import Settings
from boxoffice.statuses import BookingStatus

SMOKE_SEAT = "A1"
TIMEOUT_MS = 60_000


class SmokeFailure(Exception):
    """A step of the smoke test went wrong; the message says which and why."""


def run_smoke_test(settings: Settings) -> int:
    """Run every step; print one line; 0 on success, 1 with the reason on failure."""
    started = time.monotonic()
    # One line of result: the steps' own INFO lines (pgserver's commands above all) are noise.
    logging.getLogger().setLevel(logging.WARNING)
    logging.getLogger("pgserver").setLevel(logging.WARNING)
    os.environ["QT_QPA_PLATFORM"] = "offscreen"  # before Qt is imported anywhere
    base = Path(tempfile.mkdtemp(prefix="boxoffice-smoke-"))
    # The embedded server may run as its own system user (when started as root):
    # it must be able to reach its data folder.
    base.chmod(0o755)
    try:
        summary = _run(settings.with_(database_url=None, data_dir=base, run_expiry=False), base)
    except Exception as exc:  # every failure is reported, none is fatal to the caller
        detail = exc.args[0] if isinstance(exc, SmokeFailure) else (
            f"{type(exc).__name__}: {getattr(exc, 'message', None) or exc}")
        print(f"smoke test FAILED: {detail}", file=sys.stderr)
        if not isinstance(exc, SmokeFailure):
            traceback.print_exc()
        return 1
    finally:
        shutil.rmtree(base, ignore_errors=True)
    print(f"smoke test passed in {time.monotonic() - started:.1f} s: {summary}")
    return 0


def _run(settings: Settings, base: Path) -> str:
    from PySide6 import __version__ as pyside_version
    from PySide6.QtCore import QSettings

    from boxoffice import shows
    from boxoffice.db import Database, current_revision, head_revision, upgrade
    from boxoffice.embedded import start_embedded
    from boxoffice.layout import Layout
    from boxoffice.ui.app import make_application

    app = make_application(["boxoffice", "--smoke-test"])
    app.setQuitOnLastWindowClosed(False)  # closing the main window must not end the test
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(base / "qs"))

    url = start_embedded(base / "pgdata", delete_on_exit=True)
    db = Database.connect(settings.with_(database_url=url), pool_size=2)
    try:
        upgrade(db.engine)
        revision = current_revision(db.engine)
        if revision != head_revision():
            raise SmokeFailure(f"schema at {revision}, expected {head_revision()}")
        server = db.server_version()
        hall = shows.create_hall(db, "Smoke Hall", Layout.grid(3, 4))
        show = shows.create_show(db, "Smoke Show",
                                 datetime.now(UTC).replace(microsecond=0) + timedelta(days=1),
                                 hall=hall.id)
        window = _main_window(db)
        try:
            sold = _sell_through_runner(window.runner, show.id)
        finally:
            window.close()
            window.shutdown()
        pages = _ticket_pdf(db, sold.id, base / "ticket.pdf")
        _door(db, sold.id, show.id)
    finally:
        db.dispose()
    return (f"sold {','.join(sold.seats)} of show {show.id} as booking {sold.id}, "
            f"{pages}-page ticket PDF, checked in at the door; schema {revision}, embedded PostgreSQL {server}, "
            f"PySide6 {pyside_version}, {'bundle' if getattr(sys, 'frozen', False) else 'source'}")


def _main_window(db: Any) -> Any:
    """The counter's main window, built as the app builds it (its runner and live feed)."""
    from PySide6.QtCore import QSettings

    from boxoffice.ui.counter.main_window import MainWindow

    window = MainWindow(db, counter="Smoke", clerk="smoke", settings=QSettings())
    window.confirm_close = False
    window.show()
    return window


def _sell_through_runner(runner: Any, show_id: int) -> Any:
    """Sell one seat the way the counter does: a function handed to the window's
    OperationRunner, its result back on the GUI thread."""
    from PySide6.QtCore import QEventLoop, QTimer

    from boxoffice import counter

    outcome: dict[str, Any] = {}
    loop = QEventLoop()

    def done(key: str, value: Any) -> None:
        outcome[key] = value
        loop.quit()

    # Sell now, as the booking panel runs it (no price plan here: a free ticket).
    runner.run(lambda d: counter.sell_for_money(d, show_id, {SMOKE_SEAT: "Adult"}, None,
                                                clerk="smoke", counter="Smoke").result.booking,
               success=lambda v: done("sold", v), failure=lambda e: done("error", e),
               label="smoke sale")
    timer = QTimer()
    timer.setSingleShot(True)
    timer.timeout.connect(lambda: done("error", SmokeFailure(
        f"the sale did not finish within {TIMEOUT_MS // 1000} s")))
    timer.start(TIMEOUT_MS)
    if not outcome:
        loop.exec()
    timer.stop()
    if "sold" not in outcome:
        error = outcome.get("error")
        raise SmokeFailure(f"the sale failed: {getattr(error, 'message', None) or error!r}")
    sold = outcome["sold"]
    if sold.status != BookingStatus.CONFIRMED or tuple(sold.seats) != (SMOKE_SEAT,):
        raise SmokeFailure(f"the sale came back as {sold.status} {sold.seats}")
    return sold


def _ticket_pdf(db: Any, booking_id: int, path: Path) -> int:
    from boxoffice.ui.printing.tickets import write_tickets_pdf

    pages = write_tickets_pdf(db, booking_id, path)
    if not path.exists() or path.stat().st_size < 1000:
        raise SmokeFailure(f"the ticket PDF was not written ({path})")
    return pages


def _door(db: Any, booking_id: int, show_id: int) -> None:
    """The ticket's QR text lets its seat in once, and only once."""
    from boxoffice.checkin import AlreadyCheckedIn, check_in
    from boxoffice.tickets.service import booking_tickets

    (ticket,) = booking_tickets(db, booking_id)
    check_in(db, ticket.code, show_id=show_id, door="Smoke")
    try:
        check_in(db, ticket.code, show_id=show_id, door="Smoke")
    except AlreadyCheckedIn:
        return
    raise SmokeFailure("a ticket was let in twice")
