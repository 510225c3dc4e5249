"""The cash-up as words: labels, the plain-text summary, and ``boxoffice cashup``.

Qt-free, so the command prints and writes CSV without a display; only ``--pdf`` loads
the Qt report renderer (``boxoffice.ui.cashup.pdf``), offscreen, the same code the app's
Export PDF uses.
"""

from __future__ import annotations

import sys
from datetime import date
from pathlib import Path

from boxoffice import money
from boxoffice.config import Settings
from boxoffice.errors import InvalidRequest
from boxoffice.money.cashup import NO_METHOD, CashUp

METHOD_NAMES = {"cash": "Cash", "card": "Card", "voucher": "Voucher", "invoice": "Invoice",
                NO_METHOD: "Free tickets"}


def method_name(method: str) -> str:
    return METHOD_NAMES.get(method, method.capitalize())


def till_name(counter: str | None, clerk: str) -> str:
    return f"{counter or 'no counter'} · {clerk}"


def filters_text(cu: CashUp) -> str:
    return f"counter: {cu.counter or 'all'} · clerk: {cu.clerk or 'all'}"


def parse_day(text: str | None) -> date:
    """``YYYY-MM-DD`` → a date (today for None); a clear message otherwise."""
    if text is None:
        return date.today()
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise InvalidRequest(f"{text!r} is not a day; write it as YYYY-MM-DD, "
                             f"e.g. {date.today().isoformat()}.", field="day") from None


def summary_text(cu: CashUp) -> str:
    """What ``boxoffice cashup`` prints: headline figures, then each section as columns."""
    c = cu.currency
    day = f"{cu.day:%A} {cu.day.day} {cu.day:%B %Y}"
    lines = [f"Cash-up for {day} ({filters_text(cu)}; amounts in {c.code})", ""]
    diff = cu.cash_difference
    headline = [
        ("Tickets sold", str(cu.tickets_sold)),
        ("Tickets refunded", str(cu.tickets_refunded)),
        ("Takings", c.format(cu.taken, code=False)),
        ("Refunds", f"{c.format(cu.refunded, code=False)} ({cu.refunds})"),
        ("Net takings", c.format(cu.net, code=False)),
        ("Expired holds", str(cu.expired_holds)),
        ("Cash expected", c.format(cu.cash_expected, code=False)),
        ("Cash counted", "not counted" if cu.cash_counted is None
         else c.format(cu.cash_counted, code=False)),
        ("Difference", "—" if diff is None else _signed(c.format(diff, code=False), diff)),
    ]
    if cu.tills_not_counted:
        headline.append(("Not counted", f"{cu.tills_not_counted} till(s)"))
    lines += [f"  {k:<18}{v:>14}" for k, v in headline]

    lines += ["", "Takings by payment method"]
    rows = [[method_name(m.method), str(m.payments), c.format(m.taken, code=False),
             str(m.refunds), c.format(m.refunded, code=False), c.format(m.net, code=False)]
            for m in cu.methods]
    lines += _table(["method", "payments", "taken", "refunds", "refunded", "net"], rows)

    lines += ["", "Tills"]
    rows = [[till_name(t.counter, t.clerk), str(t.tickets), str(t.expired_holds),
             c.format(t.cash_expected, code=False),
             "—" if t.counted is None else c.format(t.counted, code=False),
             "—" if t.difference is None else _signed(c.format(t.difference, code=False),
                                                      t.difference)]
            for t in cu.tills]
    lines += _table(["till", "tickets", "expired", "cash expected", "counted", "difference"],
                    rows) if rows else ["  no sales, refunds or counts"]

    lines += ["", "Tickets by show and type"]
    rows = [[t.show_name, t.start_time.astimezone().strftime("%d %b %H:%M") if t.start_time
             else "", t.ticket_type, str(t.sold), c.format(t.sold_amount, code=False),
             str(t.refunded), c.format(t.refunded_amount, code=False)] for t in cu.tickets]
    lines += _table(["show", "starts", "type", "sold", "amount", "refunded", "refund"],
                    rows) if rows else ["  no tickets sold"]

    lines += ["", "Occupancy"]
    rows = [[o.name, o.start_time.astimezone().strftime("%d %b %H:%M"), str(o.capacity),
             str(o.sold), str(o.held), f"{100 * o.occupancy:.0f}%"] for o in cu.occupancy]
    lines += _table(["show", "starts", "seats", "sold", "held", "full"],
                    rows) if rows else ["  no shows"]
    return "\n".join(lines) + "\n"


def _signed(text: str, value: int) -> str:
    return f"+{text}" if value > 0 else text


def _table(headers: list[str], rows: list[list[str]]) -> list[str]:
    """Columns padded to fit; the first left-aligned, the rest right-aligned."""
    widths = [max(len(r[i]) for r in [headers, *rows]) for i in range(len(headers))]

    def line(cells: list[str]) -> str:
        first = cells[0].ljust(widths[0])
        rest = "  ".join(c.rjust(w) for c, w in zip(cells[1:], widths[1:], strict=True))
        return f"  {first}  {rest}".rstrip()

    return [line(headers), *[line(r) for r in rows]]


def run(settings: Settings, *, day: str | None, counter: str | None, clerk: str | None,
        csv_path: str | None, pdf_path: str | None) -> int:
    """``boxoffice cashup``: print the summary, write the CSV and PDF asked for."""
    from boxoffice.cli import open_database

    the_day = parse_day(day)  # refused before any connection is made
    db = open_database(settings)
    try:
        cu = money.cash_up(db, the_day, counter=counter, clerk=clerk)
    finally:
        db.dispose()
    sys.stdout.write(summary_text(cu))
    if csv_path:
        Path(csv_path).write_text(money.cash_up_csv(cu), encoding="utf-8", newline="")
        print(f"CSV written to {csv_path}")
    if pdf_path:
        pages = write_pdf(cu, Path(pdf_path))
        print(f"PDF written to {pdf_path} ({pages} page{'s' if pages != 1 else ''})")
    return 0


def write_pdf(cu: CashUp, path: Path) -> int:
    """The app's PDF report, drawn offscreen by the Qt code in ``boxoffice.ui`` (loaded
    only when a PDF is asked for, as ``cli`` loads the app)."""
    from boxoffice.ui.cashup.pdf import write_cashup_pdf_offscreen

    return write_cashup_pdf_offscreen(cu, path)
