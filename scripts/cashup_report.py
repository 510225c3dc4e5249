"""Play a day at the box office on a fresh database and export its cash-up report.

    .venv/bin/python scripts/cashup_report.py [--database-url URL] [--pdf docs/cashup.pdf]
        [--png docs/cashup.png] [--screenshot docs/screenshots/cashup.png]

What a new venue's first day looks like: two halls with price plans (Stalls, Circle,
Restricted view × Adult, Child, Concession, Complimentary), two counters and the web
shop selling several ticket types, cash with change, cards, a voucher, a free ticket,
a partial refund, a hold the customer walked away from (expired by the expiry job), and
the counters' cash counted at night. The script keeps its own tally of what it sold and
checks every cash-up total against it and against the bookings' own money; then it
writes the PDF the app's Export PDF writes and renders page 1 with poppler's
``pdftoppm`` (apt-get install poppler-utils). Exit status 1 if a figure disagrees.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication
from scratch_db import scratch_database  # scripts/, beside this file

from boxoffice import booking, expiry, money, shows
from boxoffice.cashup_report import summary_text
from boxoffice.db import Database
from boxoffice.demo import demo_halls, price_plan
from boxoffice.money import Payment
from boxoffice.ui.cashup.pdf import write_cashup_pdf

ANN, BEN, CLEO = ("ann", "Counter 1"), ("ben", "Counter 2"), ("cleo", "Web")


@dataclass
class Tally:
    """What the script sold, kept by hand, to check the cash-up against."""

    tickets: Counter[str] = field(default_factory=Counter)  # ticket type → sold
    taken: Counter[str] = field(default_factory=Counter)  # method → amount
    refunded: Counter[str] = field(default_factory=Counter)
    cash: Counter[tuple[str, str]] = field(default_factory=Counter)  # (counter, clerk) → net cash
    bookings: list[int] = field(default_factory=list)
    expired: int = 0


def play_day(db: Database) -> Tally:
    halls = {name: shows.create_hall(db, name, layout) for name, layout in demo_halls()[:2]}
    evening = datetime.now().astimezone().replace(hour=19, minute=30, second=0, microsecond=0)
    if evening < datetime.now().astimezone() + timedelta(minutes=10):
        evening += timedelta(days=1)
    plays = [("Hamlet", "Main Stage", evening, False),
             ("Waiting for Godot", "Studio", evening + timedelta(minutes=30), False),
             ("The Magic Flute", "Main Stage", evening + timedelta(days=1, hours=-5), True)]
    ids = {}
    for title, hall, when, matinee in plays:
        show = shows.create_show(db, title, when, hall=halls[hall].id)
        money.set_price_plan(db, show.id, price_plan(halls[hall].layout, matinee=matinee))
        ids[title] = show.id
    tally = Tally()

    def sell(title: str, tickets: dict[str, str], payment: Payment | None, till: tuple[str, str],
             customer: str) -> money.PaidSale:
        clerk, counter = till
        sale = money.sell(db, ids[title], tickets, payment, clerk=clerk, counter=counter,
                          customer=customer)
        tally.tickets.update(tickets.values())
        tally.taken[sale.method or "none"] += sale.total
        if sale.method == "cash":
            tally.cash[(counter, clerk)] += sale.total
        tally.bookings.append(sale.booking.id)
        print(f"  sold {', '.join(f'{s} {t}' for s, t in tickets.items())} for {title}: "
              f"{sale.currency.format(sale.total)} by {sale.method or 'nothing'}"
              + (f", change {sale.currency.format(sale.change_due)}" if sale.change_due else "")
              + f" ({counter}, {clerk})")
        return sale

    print("Selling:")
    sell("Hamlet", {"E11": "Adult", "E12": "Adult", "E13": "Child"},
         Payment("cash", tendered=10000), ANN, "Ada Lovelace")
    sell("Hamlet", {"L8": "Concession", "L9": "Concession"},
         Payment("card", reference="auth 482913"), ANN, "Alan Turing")
    family = sell("Hamlet", {"F9": "Adult", "F10": "Adult", "F11": "Child", "F12": "Child"},
                  Payment("card", reference="auth 118204"), BEN, "Grace Hopper")
    sell("Waiting for Godot", {"C6": "Adult", "C7": "Complimentary"},
         Payment("voucher", reference="GIFT-2024"), BEN, "Edsger Dijkstra")
    sell("Waiting for Godot", {"A2": "Adult"}, Payment("cash", tendered=1500), ANN,
         "Barbara Liskov")
    sell("The Magic Flute", {"G14": "Adult", "G15": "Adult", "G16": "Concession"},
         Payment("card", reference="web 771020"), CLEO, "Donald Knuth")
    sell("The Magic Flute", {"D3": "Child", "D4": "Child", "D5": "Adult", "D6": "Adult"},
         Payment("cash", tendered=10000), BEN, "Frances Allen")
    sell("Waiting for Godot", {"B9": "Complimentary"}, None, ANN, "Press: K. Thompson")
    sell("Hamlet", {"M20": "Adult", "M21": "Adult"}, Payment("cash", tendered=6000), BEN,
         "Margaret Hamilton")

    print("Refunding two seats of Grace Hopper's four (a partial cancel):")
    refund = money.cancel_seats(db, family.booking.id, ["F11", "F12"], clerk=BEN[0],
                                counter=BEN[1], reason="the children are ill")
    tally.refunded["card"] += refund.amount
    print(f"  refunded {refund.currency.format(refund.amount)} for {', '.join(refund.seats)}")

    print("A customer walks away from a hold; the expiry job releases it:")
    hold = booking.hold(db, ids["Hamlet"], ["H5", "H6"], clerk=ANN[0], counter=ANN[1],
                        customer="Walked away", hold_seconds=5)
    time.sleep(5.5)
    released = expiry.expire_holds(db)
    tally.expired = released.bookings
    print(f"  hold {hold.id} expired ({released.seats} seats back on sale)")

    print("Counting the tills:")
    for (counter, clerk), short in ((ANN[::-1], 0), (BEN[::-1], 200)):
        counted = tally.cash[(counter, clerk)] - short
        money.record_cash_count(db, date.today(), counted, clerk=clerk, counter=counter)
        print(f"  {counter} ({clerk}) counted {money.get_currency(db).format(counted)}")
    return tally


def check(db: Database, cu: money.CashUp, tally: Tally) -> list[str]:
    """Every disagreement between the cash-up, the script's tally and the bookings."""
    wrong = []

    def same(what: str, shown: int, expected: int, *, amount: bool = True) -> None:
        mark = "ok" if shown == expected else "DIFFERS"
        a, b = (cu.currency.format(shown), cu.currency.format(expected)) if amount else (
            str(shown), str(expected))
        print(f"  {what:<34} cash-up {a:>11}   sold {b:>11}   {mark}")
        if shown != expected:
            wrong.append(what)

    sold = Counter[str]()
    for t in cu.tickets:
        sold[t.ticket_type] += t.sold
    for kind in sorted(tally.tickets):
        same(f"{kind} tickets sold", sold[kind], tally.tickets[kind], amount=False)
    for m in cu.methods:
        if not (m.payments or m.refunds or tally.taken[m.method]):
            continue
        same(f"taken by {m.method}", m.taken, tally.taken[m.method])
        same(f"refunded by {m.method}", m.refunded, tally.refunded[m.method])
    for till in cu.tills:
        same(f"cash expected {till.counter} ({till.clerk})", till.cash_expected,
             tally.cash[(till.counter or "", till.clerk)])
    same("expired holds", cu.expired_holds, tally.expired, amount=False)
    records = [money.booking_money(db, b) for b in tally.bookings]
    same("takings = bookings' payments", cu.taken, sum(r.paid for r in records))
    same("refunds = bookings' refunds", cu.refunded, sum(r.refunded for r in records))
    same("net = value of tickets still sold", cu.net, sum(r.sold_value for r in records))
    return wrong


def render(pdf: Path, out: Path, dpi: int) -> None:
    """Page 1 of the PDF on a light grey sheet, for the README."""
    if shutil.which("pdftoppm") is None:
        sys.exit("pdftoppm is missing: apt-get install poppler-utils")
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(["pdftoppm", "-r", str(dpi), "-f", "1", "-l", "1", "-png",
                        "-singlefile", str(pdf), f"{tmp}/page"], check=True)
        page = QImage(f"{tmp}/page.png")
        gap = 20
        sheet = QImage(page.width() + 2 * gap, page.height() + 2 * gap, QImage.Format.Format_RGB32)
        sheet.fill(0xE5E7EB)
        painter = QPainter(sheet)
        painter.fillRect(gap + 3, gap + 3, page.width(), page.height(), 0xC8CCD2)  # shadow
        painter.drawImage(gap, gap, page)
        painter.end()
        out.parent.mkdir(parents=True, exist_ok=True)
        sheet.save(str(out))


def screenshot(db: Database, out: Path) -> None:
    """The cash-up window over the same day, grabbed offscreen."""
    from PySide6.QtCore import QEventLoop, QTimer

    from boxoffice.ui.app import apply_style
    from boxoffice.ui.cashup.window import CashUpWindow
    from boxoffice.ui.common.runner import OperationRunner

    apply_style(QApplication.instance())  # type: ignore[arg-type]
    runner = OperationRunner(db)
    window = CashUpWindow(runner, None, counter="Counter 1", clerk="ann")
    loop = QEventLoop()
    window.refreshed.connect(loop.quit)
    QTimer.singleShot(20_000, loop.quit)
    window.show()
    loop.exec()
    runner.wait_idle()
    for _ in range(3):  # let the layout settle around the refilled tables
        QApplication.processEvents()
    out.parent.mkdir(parents=True, exist_ok=True)
    window.grab().save(str(out))
    window.close()
    runner.shutdown()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", help="a server to make a scratch database on "
                        "(default: the embedded PostgreSQL in a temporary folder)")
    parser.add_argument("--pdf", default="docs/cashup.pdf")
    parser.add_argument("--png", default="docs/cashup.png")
    parser.add_argument("--dpi", type=int, default=110)
    parser.add_argument("--screenshot", default=None,
                        help="also grab the cash-up window over the same day here")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication(sys.argv[:1])  # noqa: F841
    with scratch_database(args.database_url, "cashup") as (db, _tmp):
        tally = play_day(db)
        cu = money.cash_up(db, date.today())
        print("\nChecking the cash-up:")
        wrong = check(db, cu, tally)
        print()
        print(summary_text(cu))
        pages = write_cashup_pdf(cu, Path(args.pdf))
        render(Path(args.pdf), Path(args.png), args.dpi)
        print(f"{pages}-page report in {args.pdf}; page 1 rendered to {args.png}")
        if args.screenshot:
            screenshot(db, Path(args.screenshot))
            print(f"window screenshot in {args.screenshot}")
    if wrong:
        print(f"FIGURES DISAGREE: {', '.join(wrong)}", file=sys.stderr)
        return 1
    print("every figure agrees with what was sold")
    return 0


if __name__ == "__main__":
    sys.exit(main())
