"""Tickets from the UI: saved through the operation runner, one page per seat, the print
logged (and a reprint marked); the ticket image has its QR code."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.tickets import payload
from boxoffice.tickets.layout import load_layout
from boxoffice.tickets.service import booking_tickets, ticket_key
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.printing.tickets import save_tickets_pdf, ticket_image
from tests import dbutil
from tests.tickets.test_tickets import pdf_pages


def _events(db: Database, booking_id: int) -> list[dict]:  # type: ignore[type-arg]
    with db.engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT details FROM booking_events WHERE booking_id = :b AND "
            "kind = 'ticket_printed' ORDER BY id"), {"b": booking_id}).scalars())


def test_save_then_reprint(qtbot, db_url: str, db: Database, show: shows.ShowView,  # type: ignore[no-untyped-def]
                           tmp_path: Path) -> None:
    sold = booking.sell(db, show.id, ["D1", "D2"], clerk="alice")
    database = dbutil.open_db(db_url)
    runner = OperationRunner(database)
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        first = tmp_path / "first.pdf"
        job = save_tickets_pdf(runner, sold.id, parent, first)
        with qtbot.waitSignal(job.finished, timeout=10_000) as done:
            pass
        assert "2 tickets saved" in done.args[0] and "first print" in done.args[0]
        assert pdf_pages(first) == 2
        again = tmp_path / "again.pdf"
        job = save_tickets_pdf(runner, sold.id, parent, again, reprint=True)
        with qtbot.waitSignal(job.finished, timeout=10_000) as done:
            pass
        assert "(reprint)" in done.args[0]
        assert pdf_pages(again) == 2
        assert _events(db, sold.id) == [{"reprint": False}, {"reprint": True}]
        # a hold has no tickets: refused, nothing logged
        held = booking.hold(db, show.id, ["D5"], clerk="alice")
        job = save_tickets_pdf(runner, held.id, None, tmp_path / "held.pdf")
        with qtbot.waitSignal(job.failed, timeout=10_000) as failed:
            pass
        assert "pending" in failed.args[0]
        assert not (tmp_path / "held.pdf").exists()
    finally:
        runner.shutdown()
        database.dispose()


def test_ticket_image_carries_a_readable_qr(qapp, db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    import segno

    sold = booking.sell(db, show.id, ["E7"], clerk="alice")
    (ticket,) = booking_tickets(db, sold.id)
    layout = load_layout()
    image = ticket_image(layout, ticket, dpi=200, reprint=True)
    qr = next(e for e in layout.elements if e.kind == "qr")
    px = 200 / 25.4
    # sample the drawn QR module by module and compare with segno's matrix
    matrix = [list(r) for r in segno.make_qr(ticket.code, error="m").matrix_iter(border=2)]
    n = len(matrix)
    module = qr.w * px / n
    x0, y0 = (layout.margin + qr.x) * px, (layout.margin + qr.y) * px
    wrong = sum(
        1 for y in range(n) for x in range(n)
        if (image.pixelColor(int(x0 + (x + 0.5) * module),
                             int(y0 + (y + 0.5) * module)).lightness() < 128) != bool(matrix[y][x]))
    assert wrong == 0
    assert payload.decode(ticket_key(db), ticket.code).seat == "E7"


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_print_goes_through_the_print_dialog(qtbot, db_url: str, db: Database,  # type: ignore[no-untyped-def]
                                             show: shows.ShowView, tmp_path: Path) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter
    from PySide6.QtWidgets import QApplication

    from boxoffice.ui.printing.tickets import print_tickets

    sold = booking.sell(db, show.id, ["J5", "J6", "J7"], clerk="alice")
    database = dbutil.open_db(db_url)
    runner = OperationRunner(database)
    parent = QWidget()
    qtbot.addWidget(parent)
    printer = QPrinter(QPrinter.PrinterMode.HighResolution)
    printer.setOutputFormat(QPrinter.OutputFormat.PdfFormat)
    out = tmp_path / "printed.pdf"
    printer.setOutputFileName(str(out))
    seen: list[str] = []

    def answer(accept: bool) -> None:
        dialog = QApplication.activeModalWidget()
        if not isinstance(dialog, QPrintDialog):
            QTimer.singleShot(10, lambda: answer(accept))  # the dialog is not up yet
            return
        seen.append(dialog.windowTitle())
        dialog.accept() if accept else dialog.reject()

    try:
        QTimer.singleShot(0, lambda: answer(False))
        job = print_tickets(runner, sold.id, parent, printer=printer)
        with qtbot.waitSignal(job.failed, timeout=10_000):
            pass
        assert not out.exists() and _events(db, sold.id) == []  # cancelled: nothing logged
        QTimer.singleShot(0, lambda: answer(True))
        job = print_tickets(runner, sold.id, parent, printer=printer)
        with qtbot.waitSignal(job.finished, timeout=10_000) as done:
            pass
        assert "3 tickets sent to" in done.args[0]
        assert seen == ["Print 3 tickets", "Print 3 tickets"]
        assert pdf_pages(out) == 3
        assert _events(db, sold.id) == [{"reprint": False}]
    finally:
        runner.shutdown()
        database.dispose()
