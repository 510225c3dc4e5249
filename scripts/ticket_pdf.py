"""Make a ticket PDF from a demo booking and render it to PNG for the README.

    .venv/bin/python scripts/ticket_pdf.py [--database-url URL] [--out docs/tickets.png]

Creates a throwaway database (on the given server, or the embedded PostgreSQL in a temp
folder), a hall and a show, sells two seats, writes their tickets to a PDF (one page per
seat, as the counter prints them) and renders the pages side by side with poppler's
``pdftoppm`` (apt-get install poppler-utils).
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtGui import QImage, QPainter
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from scratch_db import scratch_database  # scripts/, beside this file

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.layout import Layout
from boxoffice.ui.printing.tickets import write_tickets_pdf


def make_booking(db: Database) -> int:
    hall = shows.create_hall(db, "Hall 2 · Studio", Layout.grid(8, 14, aisles_after=[7]))
    start = (datetime.now(UTC) + timedelta(days=3)).replace(hour=19, minute=30, second=0,
                                                           microsecond=0)
    show = shows.create_show(db, "The Grand Budapest Hotel", start, hall=hall.id)
    sold = booking.sell(db, show.id, ["F7", "F8"], clerk="demo", customer="A. Customer",
                        counter="Counter 1")
    return sold.id


def render(pdf: Path, out: Path, dpi: int) -> int:
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is missing: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-png", str(pdf), f"{tmp}/page"], check=True)
        pages = [QImage(str(p)) for p in sorted(Path(tmp).glob("page*.png"))]
        gap = 24
        sheet = QImage(max(p.width() for p in pages) + 2 * gap,
                       sum(p.height() for p in pages) + gap * (len(pages) + 1),
                       QImage.Format.Format_RGB32)
        sheet.fill(0xE8E8EC)
        painter = QPainter(sheet)
        y = gap
        for p in pages:
            painter.drawImage(gap, y, p)
            y += p.height() + gap
        painter.end()
        out.parent.mkdir(parents=True, exist_ok=True)
        sheet.save(str(out))
    return len(pages)


def checkin_screenshot(db: Database, booking_id: int, out: Path) -> None:
    """The door window after two good scans and a repeated one, grabbed offscreen."""
    from boxoffice.tickets.service import booking_tickets
    from boxoffice.ui.app import apply_style
    from boxoffice.ui.common.runner import OperationRunner
    from boxoffice.ui.door.window import CheckInWindow

    apply_style(QApplication.instance())  # type: ignore[arg-type]
    tickets = booking_tickets(db, booking_id)
    runner = OperationRunner(db)
    window = CheckInWindow(runner, show_id=tickets[0].show_id, door="Door A")
    window.resize(960, 680)
    window.show()

    def wait(signal) -> None:
        loop = QEventLoop()
        signal.connect(loop.quit)
        QTimer.singleShot(10_000, loop.quit)
        loop.exec()
        signal.disconnect(loop.quit)

    runner.wait_idle()
    for code in (tickets[0].code, tickets[1].code, tickets[0].code):
        QTest.keyClicks(window.scan, code)
        QTest.keyClick(window.scan, Qt.Key.Key_Return)
        wait(window.verdict)
    runner.wait_idle()
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    window.close()
    runner.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a server to make a scratch database on "
                        "(default: the embedded PostgreSQL)")
    parser.add_argument("--out", default="docs/tickets.png")
    parser.add_argument("--pdf", default=None, help="also keep the PDF here")
    parser.add_argument("--dpi", type=int, default=110)
    parser.add_argument("--checkin-png", default=None,
                        help="also screenshot the door check-in window after three scans here")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841
    with scratch_database(args.database_url, "tickets") as (db, tmp):
        booking_id = make_booking(db)
        pdf = Path(args.pdf) if args.pdf else tmp / "tickets.pdf"
        pages = write_tickets_pdf(db, booking_id, pdf)
        if args.checkin_png:
            checkin_screenshot(db, booking_id, Path(args.checkin_png))
        rendered = render(pdf, Path(args.out), args.dpi)
    print(f"{pages} ticket pages in {pdf}; {rendered} rendered to {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
