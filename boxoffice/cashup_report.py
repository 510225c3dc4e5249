"""The cash-up as ``boxoffice cashup`` prints it: the day asked for and the plain-text summary.

Part of the face: only ``boxoffice.cli`` uses it (and scripts). The command assembles the
report there: this text, the CSV from ``money.cash_up_csv`` and, for ``--pdf``, the app's
own Qt report (``boxoffice.ui.cashup.pdf``) drawn offscreen. The labels (method, till,
filters) are ``boxoffice.money.labels``, shared with the window and the PDF.
"""

from __future__ import annotations

from datetime import date

from boxoffice.errors import InvalidRequest
from boxoffice.money.cashup import CashUp
from boxoffice.money.labels import filters_text, method_name, till_name


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
             str(o.sold), str(o.held), f"{100 * o.sold_share:.0f}%"] for o in cu.occupancy]
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
