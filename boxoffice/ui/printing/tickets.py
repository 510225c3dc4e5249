"""Printing tickets: one page per seat, drawn with QPainter to a printer or a PDF.

The ticket's content comes from ``boxoffice.tickets.service.booking_tickets`` (run on the
operation runner), its look from the layout resource (``boxoffice.tickets.layout``), the
QR code from segno's module matrix. A print is logged through the runner after the pages
are drawn (``log_printed``); a reprint is marked on the ticket and in the event log.

Entry points for menus and buttons (stable signatures):

- ``print_tickets(runner, booking_id, parent, reprint=False)``: Qt's print dialog.
- ``save_tickets_pdf(runner, booking_id, parent, path=None, reprint=False)``: a PDF.
- ``print_tickets_now(runner, booking_id, parent)``: no dialog (print on sale): the
  default printer, or a PDF in the tickets folder when the machine has no printer.
- ``write_tickets_pdf(db, booking_id, path)``: the same PDF synchronously, for scripts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import platformdirs
import segno
from PySide6.QtCore import QMarginsF, QObject, QPointF, QRectF, QSizeF, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetricsF,
    QImage,
    QPagedPaintDevice,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QPen,
)
from PySide6.QtWidgets import QFileDialog, QMessageBox, QWidget

from boxoffice.db import Database
from boxoffice.errors import BoxOfficeError
from boxoffice.tickets.layout import Element, TicketLayout, layout_path, load_layout
from boxoffice.tickets.service import Ticket, booking_tickets, log_printed, was_printed

log = logging.getLogger(__name__)

PDF_DPI = 300
_ALIGN = {"left": Qt.AlignmentFlag.AlignLeft, "center": Qt.AlignmentFlag.AlignHCenter,
          "right": Qt.AlignmentFlag.AlignRight}


# -- drawing ---------------------------------------------------------------------------


def page_size(layout: TicketLayout) -> QPageSize:
    return QPageSize(QSizeF(layout.width, layout.height), QPageSize.Unit.Millimeter,
                     "BoxOffice ticket", QPageSize.SizeMatchPolicy.ExactMatch)


def paint_ticket(painter: QPainter, target: QRectF, layout: TicketLayout, ticket: Ticket,
                 *, reprint: bool = False) -> None:
    """Draw one ticket into ``target`` (device pixels), scaled from the layout's mm."""
    mm = target.width() / layout.width  # device pixels per millimetre
    dpi = mm * 25.4
    origin = QPointF(target.left() + layout.margin * mm, target.top() + layout.margin * mm)
    fields = ticket.fields()

    def rect(e: Element) -> QRectF:
        return QRectF(origin.x() + e.x * mm, origin.y() + e.y * mm, e.w * mm, e.h * mm)

    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
    painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
    painter.fillRect(target, Qt.GlobalColor.white)
    for e in layout.elements:
        if e.kind == "reprint" and not reprint:
            continue
        if e.kind == "rect":
            painter.setPen(_pen(e, mm) if e.stroke else Qt.PenStyle.NoPen)
            painter.setBrush(QBrush(QColor(e.fill)) if e.fill else Qt.BrushStyle.NoBrush)
            painter.drawRect(rect(e))
        elif e.kind == "line":
            painter.setPen(_pen(e, mm))
            r = rect(e)
            painter.drawLine(r.topLeft(), r.bottomRight())
        elif e.kind == "qr":
            _paint_qr(painter, rect(e), ticket.code)
        else:
            _paint_text(painter, rect(e), e, e.render(fields), layout.font, dpi)
    painter.restore()


def _pen(e: Element, mm: float) -> QPen:
    pen = QPen(QColor(e.stroke or e.color))
    pen.setWidthF(max(e.width * mm, 1.0))
    if e.dash:
        pen.setStyle(Qt.PenStyle.DashLine)
    return pen


def _paint_text(painter: QPainter, r: QRectF, e: Element, text: str, family: str,
                dpi: float) -> None:
    font = QFont("DejaVu Sans Mono" if e.mono else family)
    if e.mono:
        font.setStyleHint(QFont.StyleHint.Monospace)
    # Points to device pixels by the target's own resolution: the same size on paper
    # whatever device (PDF, printer, preview image) draws it.
    font.setPixelSize(max(1, round(e.size * dpi / 72)))
    font.setBold(e.bold)
    if e.kind == "label":
        font.setLetterSpacing(QFont.SpacingType.PercentageSpacing, 110)
    painter.setFont(font)
    painter.setPen(QColor(e.color))
    if e.elide:
        text = QFontMetricsF(font).elidedText(text, Qt.TextElideMode.ElideRight, r.width())
    painter.drawText(r, int(_ALIGN[e.align] | Qt.AlignmentFlag.AlignVCenter), text)


def _paint_qr(painter: QPainter, r: QRectF, code: str) -> None:
    """The QR code from segno's matrix, with a two-module quiet zone inside ``r``."""
    qr = segno.make_qr(code, error="m")
    rows = [list(row) for row in qr.matrix_iter(border=2)]
    n = len(rows)
    side = min(r.width(), r.height())
    module = side / n
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)
    painter.fillRect(QRectF(r.left(), r.top(), side, side), Qt.GlobalColor.white)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(Qt.GlobalColor.black)
    for y, row in enumerate(rows):
        x = 0
        while x < n:  # one rectangle per run of dark modules: fewer, gap-free shapes
            if row[x]:
                start = x
                while x < n and row[x]:
                    x += 1
                painter.drawRect(QRectF(r.left() + start * module, r.top() + y * module,
                                        (x - start) * module + 0.01, module + 0.01))
            else:
                x += 1
    painter.restore()


def paint_tickets(device: QPagedPaintDevice, layout: TicketLayout, tickets: Sequence[Ticket],
                  *, reprint: bool = False) -> int:
    """One page per ticket on a PDF writer or printer; returns the page count."""
    painter = QPainter()
    if not painter.begin(device):
        raise BoxOfficeError("The printer or PDF file could not be opened for drawing.")
    try:
        for i, ticket in enumerate(tickets):
            if i:
                device.newPage()
            paint_ticket(painter, _page_target(device, layout), layout, ticket, reprint=reprint)
    finally:
        painter.end()
    return len(tickets)


def _page_target(device: QPagedPaintDevice, layout: TicketLayout) -> QRectF:
    """The ticket's rectangle in device pixels: the whole page, or the ticket's size at
    the top left of a larger sheet (a printer with A4 paper)."""
    px = device.logicalDpiX() / 25.4
    width = min(float(device.width()), layout.width * px)
    return QRectF(0, 0, width, width * layout.height / layout.width)


def ticket_image(layout: TicketLayout, ticket: Ticket, *, dpi: int = 150,
                 reprint: bool = False) -> QImage:
    """One ticket as an image (previews, screenshots)."""
    px = dpi / 25.4
    image = QImage(round(layout.width * px), round(layout.height * px),
                   QImage.Format.Format_RGB32)
    image.setDotsPerMeterX(round(dpi / 0.0254))
    image.setDotsPerMeterY(round(dpi / 0.0254))
    painter = QPainter(image)
    try:
        paint_ticket(painter, QRectF(image.rect()), layout, ticket, reprint=reprint)
    finally:
        painter.end()
    return image


def pdf_writer(path: Path, layout: TicketLayout, *, title: str) -> QPdfWriter:
    writer = QPdfWriter(str(path))
    writer.setResolution(PDF_DPI)
    writer.setTitle(title)
    writer.setCreator("BoxOffice")
    writer.setPageLayout(QPageLayout(page_size(layout), QPageLayout.Orientation.Portrait,
                                     QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter))
    return writer


def write_pdf(path: Path, layout: TicketLayout, tickets: Sequence[Ticket], *,
              reprint: bool = False) -> int:
    """Tickets to a PDF file, one page each; returns the page count."""
    if not tickets:
        raise BoxOfficeError("There are no tickets to print.")
    writer = pdf_writer(path, layout, title=f"Tickets, booking {tickets[0].booking_id}")
    return paint_tickets(writer, layout, tickets, reprint=reprint)


def write_tickets_pdf(db: Database, booking_id: int, path: Path, *, reprint: bool = False,
                      layout: TicketLayout | None = None) -> int:
    """A booking's tickets to a PDF, synchronously (scripts, the smoke test; not the UI,
    which must not wait on the database). Nothing is logged."""
    layout = layout or load_layout(layout_path(db.settings.data_dir))
    return write_pdf(path, layout, booking_tickets(db, booking_id), reprint=reprint)


# -- from the UI, through the operation runner -------------------------------------------


def tickets_folder() -> Path:
    """Where ticket PDFs go unless the clerk picks another place: one folder for "Save as
    PDF" and for printing to a file (Qt's print dialog would use the home folder, and a
    bare file name the working folder). ``BOXOFFICE_TICKETS_DIR`` overrides it."""
    named = os.environ.get("BOXOFFICE_TICKETS_DIR")
    folder = Path(named) if named else Path(platformdirs.user_documents_dir()) / "BoxOffice tickets"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def _use_ticket_pages(target: Any, layout: TicketLayout, booking_id: int) -> None:
    """After the print dialog: ticket-size pages, whatever paper the dialog's printer
    defaulted to (US Letter for the PDF printer), and a PDF the clerk did not name goes
    to the tickets folder rather than Qt's default (the home folder)."""
    from PySide6.QtPrintSupport import QPrinter

    target.setPageSize(page_size(layout))
    target.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
    if target.outputFormat() == QPrinter.OutputFormat.PdfFormat:
        chosen = Path(target.outputFileName()) if target.outputFileName() else None
        # Qt's own default is the home (or working) folder, with or without
        # <document name>.pdf after it
        if chosen is None or chosen.is_dir() or (chosen.parent in (Path.home(), Path.cwd())
                                                 and chosen.stem == target.docName()):
            target.setOutputFileName(str(tickets_folder() / f"tickets-{booking_id}.pdf"))


class TicketJob(QObject):
    """One print or save: ``finished(str)`` with what was done, or ``failed(str)``."""

    finished = Signal(str)
    failed = Signal(str)

    def __init__(self, runner: Any, booking_id: int, parent: QWidget | None,
                 reprint: bool, output: Callable[[TicketLayout, list[Ticket], bool], str | None]) -> None:
        super().__init__(parent)
        self.runner = runner
        self.booking_id = booking_id
        self.parent_widget = parent
        self.reprint = reprint
        self._output = output
        counter = getattr(parent.window(), "counter", None) if parent is not None else None
        self.counter = counter if isinstance(counter, str) else None

    def start(self) -> TicketJob:
        booking_id = self.booking_id
        self.runner.run(lambda db: (booking_tickets(db, booking_id), was_printed(db, booking_id)),
                        success=self._got,
                        failure=self._fail, label=f"tickets of booking {self.booking_id}")
        return self

    def _got(self, result: tuple[list[Ticket], bool]) -> None:
        tickets, printed_before = result
        # A booking printed before gets REPRINT on the ticket, as the event log will say.
        self.reprint = self.reprint or printed_before
        try:
            layout = load_layout(layout_path(self.runner.db.settings.data_dir))
            done = self._output(layout, tickets, self.reprint)
        except BoxOfficeError as exc:
            self._fail(exc)
            return
        if done is None:  # the clerk cancelled the dialog: nothing printed, nothing logged
            self.failed.emit("")
            return
        reprint, counter, booking_id = self.reprint, self.counter, self.booking_id
        # The clerk is told what the ticket says. (boxoffice_ticket_printed still logs the
        # first print after an exchange as a reprint: it counts every earlier print.)
        self.runner.run(
            lambda db: log_printed(db, booking_id, reprint=reprint, counter=counter),
            success=lambda _logged_as_reprint: self.finished.emit(
                f"{done} ({'reprint' if reprint else 'first print'})"),
            failure=self._fail, label=f"log print of booking {booking_id}")

    def _fail(self, error: BaseException) -> None:
        message = getattr(error, "message", None) or str(error) or type(error).__name__
        log.warning("tickets of booking %s: %s", self.booking_id, message,
                    extra={"booking_id": self.booking_id})
        if self.parent_widget is not None and self.parent_widget.isVisible():
            QMessageBox.warning(self.parent_widget, "Tickets not printed", message)
        self.failed.emit(message)


def save_tickets_pdf(runner: Any, booking_id: int, parent: QWidget | None,
                     path: Path | str | None = None, reprint: bool = False) -> TicketJob:
    """Save a booking's tickets as a PDF (asks where when ``path`` is None)."""

    def output(layout: TicketLayout, tickets: list[Ticket], reprint: bool) -> str | None:
        target = path
        if target is None:
            chosen, _ = QFileDialog.getSaveFileName(
                parent, "Save tickets as PDF", str(tickets_folder() / f"tickets-{booking_id}.pdf"),
                "PDF (*.pdf)")
            if not chosen:
                return None
            target = chosen
        pages = write_pdf(Path(target), layout, tickets, reprint=reprint)
        return f"{pages} ticket{'s' if pages != 1 else ''} saved to {target}"

    return TicketJob(runner, booking_id, parent, reprint, output).start()


def print_tickets(runner: Any, booking_id: int, parent: QWidget | None,
                  reprint: bool = False, *, printer: Any = None) -> TicketJob:
    """Print a booking's tickets through Qt's print dialog, to any printer.

    ``printer`` (a ``QPrinter``) preselects the target, e.g. a PDF file; the dialog still
    asks, so the clerk confirms every print.
    """
    from PySide6.QtPrintSupport import QPrintDialog, QPrinter

    def output(layout: TicketLayout, tickets: list[Ticket], reprint: bool) -> str | None:
        target = printer if printer is not None else QPrinter(QPrinter.PrinterMode.HighResolution)
        target.setPageSize(page_size(layout))
        target.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
        target.setDocName(f"tickets-{booking_id}")
        dialog = QPrintDialog(target, parent)
        dialog.setWindowTitle(f"Print {len(tickets)} ticket{'s' if len(tickets) != 1 else ''}"
                              + (" (reprint)" if reprint else ""))
        if dialog.exec() != QPrintDialog.DialogCode.Accepted:
            return None
        _use_ticket_pages(target, layout, booking_id)
        pages = paint_tickets(target, layout, tickets, reprint=reprint)
        where = target.outputFileName() or target.printerName() or "the printer"
        return f"{pages} ticket{'s' if pages != 1 else ''} sent to {where}"

    return TicketJob(runner, booking_id, parent, reprint, output).start()


def print_tickets_now(runner: Any, booking_id: int, parent: QWidget | None) -> TicketJob:
    """Print a sale's tickets with no dialog ("Print tickets on sale"): to the system's
    default printer, or, where there is none, to ``tickets-<booking>.pdf`` in the tickets
    folder, so a quick sale ends with its tickets and no extra key."""
    from PySide6.QtPrintSupport import QPrinter, QPrinterInfo

    def output(layout: TicketLayout, tickets: list[Ticket], reprint: bool) -> str | None:
        default = QPrinterInfo.defaultPrinter()
        if default.isNull():
            target = tickets_folder() / f"tickets-{booking_id}.pdf"
            pages = write_pdf(target, layout, tickets, reprint=reprint)
            return f"{pages} ticket{'s' if pages != 1 else ''} saved to {target}"
        printer = QPrinter(default, QPrinter.PrinterMode.HighResolution)
        printer.setDocName(f"tickets-{booking_id}")
        printer.setPageSize(page_size(layout))
        printer.setPageMargins(QMarginsF(0, 0, 0, 0), QPageLayout.Unit.Millimeter)
        pages = paint_tickets(printer, layout, tickets, reprint=reprint)
        return f"{pages} ticket{'s' if pages != 1 else ''} sent to {default.printerName()}"

    return TicketJob(runner, booking_id, parent, False, output).start()
