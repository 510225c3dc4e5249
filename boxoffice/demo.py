"""A box office as it looks mid-week, for trying BoxOffice out and for screenshots.

A venue with three halls (one of 2,000 seats) and a week of shows, some seats sold
and some held, all through the real booking and money functions: every show has a
price plan (Stalls, Circle, Restricted view × Adult, Child, Concession, Complimentary),
every sale is paid (cash with change, card, voucher), a couple are refunded, two holds
run out, and two tills have counted their cash, so today's cash-up has something in it.
"""

from __future__ import annotations

import logging
import random
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import date, datetime, timedelta

from boxoffice import counter as counter_ops
from boxoffice import expiry, money, shows
from boxoffice.db import Database
from boxoffice.errors import BoxOfficeError, SeatsTaken
from boxoffice.layout import Layout, row_labels
from boxoffice.money import Payment, PriceCategory
from boxoffice.statuses import BookingStatus

log = logging.getLogger(__name__)

CUSTOMERS = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov",
             "Donald Knuth", "Frances Allen", "Ken Thompson", "Margaret Hamilton", "Tony Hoare",
             "Radia Perlman", "John Backus", "Katherine Johnson", "Niklaus Wirth"]
TITLES = ["Hamlet", "The Magic Flute", "Swan Lake", "Waiting for Godot", "La Bohème",
          "The Cherry Orchard", "A Midsummer Night's Dream", "Carmen", "Jazz at Nine",
          "The Nutcracker", "Uncle Vanya", "Romeo and Juliet"]
# Each clerk works one till; the web shop takes cards only.
TILLS = [("ann", "Counter 1"), ("ben", "Counter 2"), ("cleo", "Web")]
# Evening prices in cents per category; a matinee costs 20 % less.
PRICES = {
    "Stalls": {"Adult": 3200, "Child": 1600, "Concession": 2400, "Complimentary": 0},
    "Circle": {"Adult": 2400, "Child": 1200, "Concession": 1800, "Complimentary": 0},
    "Restricted view": {"Adult": 1500, "Child": 800, "Concession": 1200, "Complimentary": 0},
}
TYPE_WEIGHTS = {"Adult": 70, "Child": 12, "Concession": 15, "Complimentary": 3}


def demo_halls() -> list[tuple[str, Layout]]:
    studio = Layout.grid(8, 14, aisles_after=[7], blocked=["A1", "A14"],
                         wheelchair=["H1", "H14"], companion=["H2", "H13"])
    main = Layout.grid(16, 24, aisles_after=[6, 18], blocked=["A12", "A13"],
                       wheelchair=["P1", "P2", "P23", "P24"], companion=["P3", "P22"])
    # Grand hall: 40 rows × 50 seats = 2,000, two aisles, house seats in the middle of row M.
    rows = row_labels(40)
    grand = Layout.grid(rows, 50, aisles_after=[12, 38],
                        blocked=[f"M{n}" for n in range(24, 28)],
                        wheelchair=[f"{rows[-1]}{n}" for n in (1, 2, 49, 50)],
                        companion=[f"{rows[-1]}{n}" for n in (3, 48)])
    return [("Studio", studio), ("Main Stage", main), ("Grand Hall", grand)]


def fill_demo(db: Database, *, seed: int = 7, days: int = 7) -> list[int]:
    """Create the demo venue and shows; returns the new show ids. Safe to run twice.

    Shows are filled side by side (a few threads, each show with its own random stream,
    so the result does not depend on their timing): a paid sale is a hold and a payment,
    several round trips each, and the database does the waiting.
    """
    halls = []
    for name, layout in demo_halls():
        try:
            halls.append(shows.get_hall(db, name))
        except Exception:
            halls.append(shows.create_hall(db, name, layout, counter="demo"))
    base = datetime.now().astimezone().replace(minute=0, second=0, microsecond=0)
    started = time.monotonic()
    planned: list[tuple[int, Layout]] = []
    for day in range(days):
        for slot, hour in enumerate((14, 19, 21)):
            when = (base + timedelta(days=day)).replace(hour=hour, minute=30 if slot else 0)
            if when <= datetime.now().astimezone() + timedelta(minutes=5):
                when += timedelta(days=days)
            hall = halls[(day + slot) % len(halls)]
            title = TITLES[(day * 3 + slot) % len(TITLES)]
            show = shows.create_show(db, title, when, hall=hall.id, counter="demo")
            grid = hall.layout
            assert grid is not None, "the demo halls are grids"
            money.set_price_plan(db, show.id, price_plan(grid, matinee=hour < 18),
                                 counter="demo")
            planned.append((show.id, grid))
    created = [show_id for show_id, _ in planned]
    taken = _holds_that_expire(db, *planned[min(1, len(planned) - 1)])

    def fill(i: int) -> list[money.PaidSale]:
        show_id, layout = planned[i]
        rng = random.Random(seed * 1000 + i)
        return _sell_some(db, show_id, layout, rng, fullness=rng.uniform(0.05, 0.7),
                          taken=taken if i == min(1, len(planned) - 1) else set())

    with ThreadPoolExecutor(max_workers=3, thread_name_prefix="demo") as pool:
        sales = [sale for filled in pool.map(fill, range(len(planned))) for sale in filled]
    _refund_some(db, sales, random.Random(seed))
    _count_cash(db)
    # The two 5-second holds made first have run out by now (a tiny demo waits for them).
    time.sleep(max(0.0, 5.5 - (time.monotonic() - started)))
    expiry.expire_holds(db)
    log.info("demo filled: %s shows", len(created))
    return created


def price_plan(layout: Layout, *, matinee: bool = False) -> list[PriceCategory]:
    """Stalls in front, the circle behind, restricted view on the far sides of the front
    rows and in the last rows of a big hall; seats nobody names are stalls."""
    factor = 0.8 if matinee else 1.0
    prices = {name: {t: int(round(a * factor, -2)) for t, a in p.items()}
              for name, p in PRICES.items()}
    rows = len(layout.rows)
    circle_from = rows * 3 // 5
    seats = [s for s in layout.seats() if s.sellable]
    width = max((s.number for s in seats), default=1)
    restricted = {s.label for s in seats
                  if (s.row_index < 3 and (s.number <= 2 or s.number > width - 2))
                  or (rows >= 30 and s.row_index >= rows - 3)}
    circle = [s.label for s in seats if s.row_index >= circle_from and s.label not in restricted]
    return [PriceCategory("Stalls", prices["Stalls"]),
            PriceCategory("Circle", prices["Circle"], seats=tuple(circle)),
            PriceCategory("Restricted view", prices["Restricted view"],
                          seats=tuple(sorted(restricted)))]


def _holds_that_expire(db: Database, show_id: int, layout: Layout) -> set[str]:
    """Two customers who walked away: holds of 5 seconds, expired at the end of the demo."""
    free = [s.label for s in layout.seats() if s.sellable][-4:]
    for (clerk, counter), seats in zip(TILLS[:2], (free[:2], free[2:]), strict=True):
        counter_ops.hold(db, show_id, seats, clerk=clerk, counter=counter, hold_seconds=5,
                         customer="Walk-in")
    return set(free)


def _payment(rng: random.Random, counter: str, total: int) -> Payment | None:
    if total == 0:
        return None
    if counter == "Web":
        return Payment("card", reference=f"web {rng.randrange(100000, 999999)}")
    roll = rng.random()
    if roll < 0.55:  # cash: the customer hands over a note or two; change is due
        note = next(n for n in (1000, 2000, 5000, 10000, 20000, 50000, 10**9) if n >= total)
        tendered = total if rng.random() < 0.2 else (note if note < 10**9 else total)
        return Payment("cash", tendered=tendered)
    if roll < 0.9:
        return Payment("card", reference=f"auth {rng.randrange(100000, 999999)}")
    return Payment("voucher", reference=f"GIFT-{rng.randrange(1000, 9999)}")


def _refund_some(db: Database, sales: list[money.PaidSale], rng: random.Random) -> None:
    """One customer cancels a whole booking, another gives back one seat of theirs."""
    paid = [s for s in sales if s.total > 0 and s.booking.status == BookingStatus.CONFIRMED]
    whole = next((s for s in paid if s.method == "cash"), None)
    part = next((s for s in reversed(paid) if len(s.booking.seats) >= 3), None)
    for sale, seats, reason in ((whole, None, "customer ill"),
                                (part, None, "one of the party cannot come")):
        if sale is None:
            continue
        if sale is part:
            seats = [rng.choice(list(sale.booking.seats))]
        clerk, counter = TILLS[0]
        try:
            counter_ops.refund_seats(db, sale.booking.id, seats, clerk=clerk, counter=counter,
                                     reason=reason)
        except BoxOfficeError as exc:  # the demo is still useful without its refunds
            log.info("demo refund of booking %s not made: %s", sale.booking.id, exc.message)


def _count_cash(db: Database) -> None:
    """Counter 1 counted exactly what it should; Counter 2 is five euros short."""
    today = date.today()
    cu = money.cash_up(db, today)
    for till in cu.tills:
        if (till.clerk, till.counter) == TILLS[0]:
            money.record_cash_count(db, today, till.cash_expected, clerk=till.clerk,
                                    counter=till.counter)
        elif (till.clerk, till.counter) == TILLS[1]:
            money.record_cash_count(db, today, max(0, till.cash_expected - 500),
                                    clerk=till.clerk, counter=till.counter)


def _sell_some(db: Database, show_id: int, layout: Layout, rng: random.Random,
               fullness: float, taken: set[str]) -> list[money.PaidSale]:
    """Sell groups of seats side by side in a row until ``fullness`` of the hall is gone;
    about one booking in twelve is left as an open hold."""
    sellable = [s for s in layout.seats() if s.sellable]
    target = int(len(sellable) * fullness)
    by_row: dict[str, list[str]] = {}
    for s in sellable:
        by_row.setdefault(s.row_label, []).append(s.label)
    rows = list(by_row.values())
    plan = money.price_plan(db, show_id)
    types, weights = list(TYPE_WEIGHTS), list(TYPE_WEIGHTS.values())
    sales: list[money.PaidSale] = []
    sold = 0
    for _ in range(target):
        if sold >= target:
            break
        row = rng.choice(rows)
        n = rng.choice([1, 2, 2, 2, 3, 4, 4, 6])
        starts = [i for i in range(len(row) - n + 1) if taken.isdisjoint(row[i:i + n])]
        if not starts:
            continue
        start = rng.choice(starts)
        seats = row[start:start + n]
        customer = rng.choice(CUSTOMERS)
        clerk, counter = rng.choice(TILLS)
        try:
            if rng.random() < 0.92:
                tickets = {seat: rng.choices(types, weights)[0] for seat in seats}
                total = sum(plan.price(seat, kind) or 0 for seat, kind in tickets.items())
                # what a clerk's Sell now does (the counter's own operation)
                sales.append(counter_ops.sell_for_money(
                    db, show_id, tickets, _payment(rng, counter, total), clerk=clerk,
                    counter=counter, customer=customer).result)
            else:
                counter_ops.hold(db, show_id, seats, clerk=clerk, customer=customer,
                                 counter=counter, hold_seconds=rng.choice([120, 900, 3600]))
        except SeatsTaken:
            continue
        finally:
            taken.update(seats)
        sold += len(seats)
    return sales
