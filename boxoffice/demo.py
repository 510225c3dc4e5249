"""A box office as it looks mid-week, for trying BoxOffice out and for screenshots.

A venue with three halls (one of 2,000 seats) and a week of shows, some seats sold
and some held, all through the real booking functions.
"""

from __future__ import annotations

import logging
import random
from datetime import datetime, timedelta

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.errors import SeatsTaken
from boxoffice.layout import Layout, row_labels

log = logging.getLogger(__name__)

CUSTOMERS = ["Ada Lovelace", "Alan Turing", "Grace Hopper", "Edsger Dijkstra", "Barbara Liskov",
             "Donald Knuth", "Frances Allen", "Ken Thompson", "Margaret Hamilton", "Tony Hoare",
             "Radia Perlman", "John Backus", "Katherine Johnson", "Niklaus Wirth"]
TITLES = ["Hamlet", "The Magic Flute", "Swan Lake", "Waiting for Godot", "La Bohème",
          "The Cherry Orchard", "A Midsummer Night's Dream", "Carmen", "Jazz at Nine",
          "The Nutcracker", "Uncle Vanya", "Romeo and Juliet"]


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
    """Create the demo venue and shows; returns the new show ids. Safe to run twice."""
    rng = random.Random(seed)
    halls = []
    for name, layout in demo_halls():
        try:
            halls.append(shows.get_hall(db, name))
        except Exception:
            halls.append(shows.create_hall(db, name, layout, counter="demo"))
    base = datetime.now().astimezone().replace(minute=0, second=0, microsecond=0)
    created: list[int] = []
    for day in range(days):
        for slot, hour in enumerate((14, 19, 21)):
            when = (base + timedelta(days=day)).replace(hour=hour, minute=30 if slot else 0)
            if when <= datetime.now().astimezone() + timedelta(minutes=5):
                when += timedelta(days=days)
            hall = halls[(day + slot) % len(halls)]
            title = TITLES[(day * 3 + slot) % len(TITLES)]
            show = shows.create_show(db, title, when, hall=hall.id, counter="demo")
            created.append(show.id)
            _sell_some(db, show.id, hall.layout, rng, fullness=rng.uniform(0.05, 0.7))
    log.info("demo filled: %s shows", len(created))
    return created


def _sell_some(db: Database, show_id: int, layout: Layout, rng: random.Random,
               fullness: float) -> None:
    sellable = [s for s in layout.seats() if s.sellable]
    target = int(len(sellable) * fullness)
    by_row: dict[str, list[str]] = {}
    for s in sellable:
        by_row.setdefault(s.row_label, []).append(s.label)
    rows = list(by_row.values())
    sold = 0
    attempts = 0
    while sold < target and attempts < target:
        attempts += 1
        row = rng.choice(rows)
        n = rng.choice([1, 2, 2, 2, 3, 4, 4, 6])
        start = rng.randrange(0, max(1, len(row) - n))
        seats = row[start:start + n]
        customer = rng.choice(CUSTOMERS)
        clerk = rng.choice(["ann", "ben", "cleo"])
        counter = rng.choice(["Counter 1", "Counter 2", "Web"])
        try:
            if rng.random() < 0.92:
                booking.sell(db, show_id, seats, clerk=clerk, customer=customer, counter=counter)
            else:
                booking.hold(db, show_id, seats, clerk=clerk, customer=customer, counter=counter,
                             hold_seconds=rng.choice([120, 900, 3600]))
            sold += len(seats)
        except SeatsTaken:
            continue
