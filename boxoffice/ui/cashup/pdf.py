"""The cash-up as an A4 PDF: the same figures the window shows, laid out for paper.

One ``QTextDocument`` of HTML (headline figures, the tables, the two charts as images)
paginated onto a ``QPdfWriter`` with a footer on every page. Used by the window's
Export PDF, by ``boxoffice cashup --pdf`` and by ``scripts/cashup_report.py``; it needs
a ``QApplication`` (Qt Charts) but no screen.
"""

from __future__ import annotations

import html
from datetime import datetime
from pathlib import Path

from PySide6.QtCore import QMarginsF, QRectF, QSizeF, Qt, QUrl
from PySide6.QtGui import (
    QColor,
    QFont,
    QPageLayout,
    QPageSize,
    QPainter,
    QPdfWriter,
    QTextDocument,
)

from boxoffice.errors import BoxOfficeError
from boxoffice.money.cashup import CashUp
from boxoffice.money.labels import filters_text, method_name
from boxoffice.ui.cashup.charts import CashUpCharts, chart_image, till_methods

RESOLUTION = 300
DOC_DPI = 96  # the document is laid out in 96-dpi pixels and scaled onto the page
MARGIN_MM = 14
FOOTER_MM = 8
METHOD_CHART = (250, 185)  # document pixels (96 dpi); drawn at three times that
HOUR_CHART = (420, 185)
GOOD, BAD, MUTED, ACCENT = "#15803d", "#b91c1c", "#6b7280", "#1e3a8a"

CSS = f"""
body {{ font-family: 'DejaVu Sans'; font-size: 8.5pt; color: #1f2937; }}
h1 {{ font-size: 19pt; font-weight: 700; color: #111827; margin: 0; }}
h2 {{ font-size: 10.5pt; font-weight: 700; color: {ACCENT}; margin-top: 14px;
      margin-bottom: 5px; }}
.meta {{ color: {MUTED}; }}
table.grid {{ border-collapse: collapse; }}
table.grid th {{ background-color: #eef2f7; color: #374151; font-weight: 600;
                 padding: 4px 6px; border-bottom: 1px solid #cbd5e1; white-space: nowrap; }}
table.grid td {{ padding: 3px 6px; border-bottom: 1px solid #e5e7eb; }}
table.small td, table.small th {{ font-size: 7.5pt; white-space: nowrap; }}
tr.total td {{ font-weight: 700; border-top: 1px solid #94a3b8; border-bottom: none; }}
td.card {{ background-color: #f3f6fb; padding: 7px 10px; }}
.cap {{ color: {MUTED}; font-size: 7pt; font-weight: 600; }}
.big {{ font-size: 14pt; font-weight: 700; color: #111827; }}
"""


def _money(cu: CashUp, amount: int) -> str:
    return cu.currency.format(amount, code=False)


def _diff(cu: CashUp, value: int | None) -> str:
    if value is None:
        return f"<span style='color:{MUTED}'>—</span>"
    colour = BAD if value < 0 else GOOD
    text = _money(cu, value)
    return f"<span style='color:{colour}; font-weight:600'>{'+' if value > 0 else ''}{text}</span>"


def _table(headers: list[str], rows: list[list[str]], total: list[str] | None = None,
           widths: list[int] | None = None, css: str = "grid") -> str:
    """An HTML table: first column left, the rest right-aligned; cells are HTML already."""
    def cells(values: list[str], tag: str) -> str:
        out = []
        for i, v in enumerate(values):
            align = "left" if i == 0 else "right"
            width = f" width='{widths[i]}%'" if widths else ""
            out.append(f"<{tag} align='{align}'{width}>{v}</{tag}>")
        return "".join(out)

    body = [f"<tr>{cells(headers, 'th')}</tr>"]
    body += [f"<tr>{cells(r, 'td')}</tr>" for r in rows]
    if total is not None:
        body.append(f"<tr class='total'>{cells(total, 'td')}</tr>")
    return f"<table class='{css}' width='100%' cellspacing='0'>{''.join(body)}</table>"


def report_html(cu: CashUp, *, generated: datetime, by: str | None = None) -> str:
    """The report body; the charts are ``chart:methods`` and ``chart:hours`` resources."""
    c = cu.currency
    e = html.escape
    day = f"{cu.day:%A} {cu.day.day} {cu.day:%B %Y}"  # no leading zero
    diff = cu.cash_difference
    counted = "not counted" if cu.cash_counted is None else _money(cu, cu.cash_counted)
    cards = [
        ("TICKETS SOLD", str(cu.tickets_sold), f"{cu.tickets_refunded} refunded"),
        ("TAKINGS", _money(cu, cu.taken), f"{sum(m.payments for m in cu.methods)} payments"),
        ("REFUNDS", _money(cu, cu.refunded),
         f"{cu.refunds} refund{'' if cu.refunds == 1 else 's'}"),
        ("NET TAKINGS", _money(cu, cu.net), c.code),
        ("EXPIRED HOLDS", str(cu.expired_holds), "unpaid holds released"),
        ("CASH DIFFERENCE", _diff(cu, diff), ", ".join(filter(None, [
            f"expected {_money(cu, cu.cash_expected)}, counted {counted}",
            cu.not_counted_text()]))),
    ]
    card_cells = [f"<td class='card' width='33%'><span class='cap'>{cap}</span><br>"
                  f"<span class='big'>{value}</span><br><span class='meta'>{e(sub)}</span></td>"
                  for cap, value, sub in cards]
    cards_html = ("<table width='100%' cellspacing='5' cellpadding='0'>"
                  f"<tr>{''.join(card_cells[:3])}</tr><tr>{''.join(card_cells[3:])}</tr></table>")

    methods = _table(
        ["Method", "Payments", "Taken", "Refunds", "Refunded", "Net"],
        [[e(method_name(m.method)), str(m.payments), _money(cu, m.taken), str(m.refunds),
          _money(cu, m.refunded), _money(cu, m.net)] for m in cu.methods],
        ["Total", str(sum(m.payments for m in cu.methods)), _money(cu, cu.taken),
         str(cu.refunds), _money(cu, cu.refunded), _money(cu, cu.net)], css="grid small")

    used = till_methods(cu)
    till_rows = [[f"{e(t.counter or '—')} · {e(t.clerk)}", str(t.tickets),
                  *[_money(cu, t.taken.get(m, 0) - t.refunded.get(m, 0)) for m in used],
                  str(t.expired_holds), _money(cu, t.cash_expected),
                  "—" if t.counted is None else _money(cu, t.counted), _diff(cu, t.difference)]
                 for t in cu.tills]
    tills = _table(["Counter · clerk", "Tickets", *[method_name(m) for m in used],
                    "Expired", "Cash expected", "Counted", "Difference"], till_rows,
                   ["Total", str(sum(t.tickets for t in cu.tills)),
                    *[_money(cu, sum(t.taken.get(m, 0) - t.refunded.get(m, 0) for t in cu.tills))
                      for m in used],
                    str(sum(t.expired_holds for t in cu.tills)), _money(cu, cu.cash_expected),
                    "—" if cu.cash_counted is None else _money(cu, cu.cash_counted),
                    _diff(cu, diff)], css="grid small") if cu.tills else \
        "<p class='meta'>No sales, refunds or cash counts on this day.</p>"

    ticket_rows = []
    for t in cu.tickets:
        when = t.start_time.astimezone().strftime("%a %d %b, %H:%M") if t.start_time else ""
        ticket_rows.append([f"{e(t.show_name)} <span class='meta'>{when}</span>",
                            e(t.ticket_type), str(t.sold), _money(cu, t.sold_amount),
                            str(t.refunded), _money(cu, t.refunded_amount),
                            _money(cu, t.sold_amount - t.refunded_amount)])
    tickets = _table(["Show", "Ticket type", "Sold", "Amount", "Refunded", "Refund", "Net"],
                     ticket_rows,
                     ["Total", "", str(cu.tickets_sold),
                      _money(cu, sum(t.sold_amount for t in cu.tickets)), str(cu.tickets_refunded),
                      _money(cu, sum(t.refunded_amount for t in cu.tickets)),
                      _money(cu, sum(t.sold_amount - t.refunded_amount for t in cu.tickets))],
                     css="grid small") if ticket_rows else \
        "<p class='meta'>No tickets sold.</p>"

    occupancy = _table(
        ["Show", "Starts", "Seats", "Sold", "Held", "Occupancy"],
        [[e(o.name), o.start_time.astimezone().strftime("%a %d %b, %H:%M"), str(o.capacity),
          str(o.sold), str(o.held), f"{100 * o.sold_share:.0f}%"] for o in cu.occupancy],
        css="grid small") if cu.occupancy else "<p class='meta'>No shows.</p>"

    who = f" by {e(by)}" if by else ""
    return f"""
    <table width='100%' cellspacing='0' cellpadding='0'><tr>
      <td><h1>Cash-up</h1><span style='font-size:11pt'>{day}</span></td>
      <td align='right' class='meta'>BoxOffice<br>Amounts in <b>{e(c.code)}</b><br>
        {e(filters_text(cu))}</td>
    </tr></table>
    <p class='meta'>From {cu.start:%d %b %Y %H:%M} to {cu.end:%d %b %Y %H:%M}
      ({cu.start:%Z}{cu.start:%z}); generated {generated:%d %b %Y at %H:%M}{who}.
      Every figure comes from the event log.</p>
    {cards_html}
    <h2>Takings by payment method</h2>{methods}
    <table width='100%' cellspacing='0' cellpadding='0' style='margin-top: 8px'><tr>
      <td valign='top'><img src='chart:methods' width='{METHOD_CHART[0]}'
        height='{METHOD_CHART[1]}'></td>
      <td valign='top' align='right'><img src='chart:hours' width='{HOUR_CHART[0]}'
        height='{HOUR_CHART[1]}'></td>
    </tr></table>
    <h2>Tills (counter and clerk)</h2>{tills}
    <p class='meta'>Method columns are net of refunds. Expired: holds that ran out unpaid.
      Difference: cash counted minus cash expected (negative is a shortfall).</p>
    <h2>Tickets by show and type</h2>{tickets}
    <h2>Occupancy of the day's shows</h2>{occupancy}
    """


def build_document(cu: CashUp, *, generated: datetime, by: str | None = None) -> QTextDocument:
    doc = QTextDocument()
    doc.setDefaultStyleSheet(CSS)
    doc.setDefaultFont(QFont("DejaVu Sans", 9))
    charts = CashUpCharts(small=True)
    charts.update(cu)
    for name, chart, size in (("methods", charts.method_chart, METHOD_CHART),
                              ("hours", charts.hour_chart, HOUR_CHART)):
        doc.addResource(QTextDocument.ResourceType.ImageResource, QUrl(f"chart:{name}"),
                        chart_image(chart, *size))
    doc.setHtml(report_html(cu, generated=generated, by=by))
    return doc


def write_cashup_pdf(cu: CashUp, path: Path | str, *, by: str | None = None,
                     generated: datetime | None = None) -> int:
    """Write the report; returns the number of pages."""
    generated = generated or datetime.now().astimezone()
    writer = QPdfWriter(str(path))
    writer.setResolution(RESOLUTION)
    writer.setTitle(f"Cash-up {cu.day.isoformat()}")
    writer.setCreator("BoxOffice")
    writer.setPageLayout(QPageLayout(QPageSize(QPageSize.PageSizeId.A4),
                                     QPageLayout.Orientation.Portrait,
                                     QMarginsF(MARGIN_MM, MARGIN_MM, MARGIN_MM, MARGIN_MM),
                                     QPageLayout.Unit.Millimeter))
    doc = build_document(cu, generated=generated, by=by)
    scale = RESOLUTION / DOC_DPI
    page = writer.pageLayout().paintRectPixels(RESOLUTION)
    footer = FOOTER_MM / 25.4 * DOC_DPI
    width, height = page.width() / scale, page.height() / scale - footer
    doc.setPageSize(QSizeF(width, height))
    doc.setDocumentMargin(0)
    pages = doc.pageCount()

    painter = QPainter()
    if not painter.begin(writer):
        raise BoxOfficeError(f"The PDF file {path} could not be written.")
    try:
        painter.scale(scale, scale)
        for n in range(pages):
            if n:
                writer.newPage()
            painter.save()
            painter.translate(0, -n * height)
            doc.drawContents(painter, QRectF(0, n * height, width, height))
            painter.restore()
            painter.setPen(QColor("#cbd5e1"))
            painter.drawLine(QRectF(0, height + 6, width, 0).topLeft(),
                             QRectF(0, height + 6, width, 0).topRight())
            font = QFont("DejaVu Sans")
            font.setPixelSize(9)  # document pixels: the painter is scaled to the page
            painter.setFont(font)
            painter.setPen(QColor(MUTED))
            band = QRectF(0, height + 9, width, footer - 9)
            painter.drawText(band, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop),
                             f"BoxOffice cash-up · {cu.day.isoformat()} · {filters_text(cu)}")
            painter.drawText(band, int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop),
                             f"Page {n + 1} of {pages}")
    finally:
        painter.end()
    return pages


def write_cashup_pdf_offscreen(cu: CashUp, path: Path) -> int:
    """``write_cashup_pdf`` for the command line: no display needed."""
    import os

    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtWidgets import QApplication  # Qt charts need a widgets application

    app = QApplication.instance() or QApplication(["boxoffice"])
    pages: int = write_cashup_pdf(cu, path)
    del app
    return pages
