"""One counter hammering one show, run as its own OS process by test_concurrency."""

from __future__ import annotations

import random
import time
from typing import Any

from boxoffice import booking
from boxoffice.errors import (
    BlockedSeats,
    HoldExpired,
    SeatsTaken,
    UnknownSeats,
    WrongBookingState,
)
from boxoffice.exchange import exchange
from tests.dbutil import open_db


def counter(url: str, show_id: int, labels: list[str], seed: int, seconds: float,
            start_at: float) -> dict[str, Any]:
    rng = random.Random(seed)
    db = open_db(url, hold_seconds=5)
    stats = {"requests": 0, "sales": 0, "holds": 0, "confirms": 0, "releases": 0,
             "cancels": 0, "exchanges": 0, "conflicts": 0, "expired": 0}
    mine: dict[int, str] = {}  # booking id -> what this client last saw it become
    while time.time() < start_at:
        time.sleep(0.005)
    end = time.monotonic() + seconds
    name = f"Counter {seed}"
    try:
        while time.monotonic() < end:
            stats["requests"] += 1
            op = rng.random()
            n = rng.randint(1, 4)
            start = rng.randrange(0, len(labels) - n)
            seats = labels[start:start + n]
            try:
                held = [b for b, s in mine.items() if s == "PENDING"]
                sold = [b for b, s in mine.items() if s == "CONFIRMED"]
                if op < 0.40:
                    b = booking.sell(db, show_id, seats, clerk=f"clerk{seed}", counter=name)
                    mine[b.id] = b.status
                    stats["sales"] += 1
                elif op < 0.65:
                    b = booking.hold(db, show_id, seats, clerk=f"clerk{seed}", counter=name)
                    mine[b.id] = b.status
                    stats["holds"] += 1
                elif op < 0.80 and held:
                    bid = rng.choice(held)
                    mine[bid] = booking.confirm(db, bid, clerk=f"clerk{seed}").status
                    stats["confirms"] += 1
                elif op < 0.87 and held:
                    bid = rng.choice(held)
                    mine[bid] = booking.release(db, bid, clerk=f"clerk{seed}").status
                    stats["releases"] += 1
                elif op < 0.94 and sold:
                    bid = rng.choice(sold)
                    mine[bid] = booking.cancel(db, bid, clerk=f"clerk{seed}").status
                    stats["cancels"] += 1
                elif sold:
                    bid = rng.choice(sold)
                    try:
                        exchange(db, bid, seats, clerk=f"clerk{seed}")
                        stats["exchanges"] += 1
                    except SeatsTaken:  # the booking keeps its old seats
                        stats["conflicts"] += 1
            except SeatsTaken as e:
                stats["conflicts"] += 1
                if e.booking_id is not None:
                    mine[e.booking_id] = "FAILED"
            except HoldExpired as e:
                stats["expired"] += 1
                mine[e.booking_id] = "FAILED"
            except WrongBookingState as e:  # a hold this client saw expire meanwhile
                mine[e.booking_id] = e.status
            except (UnknownSeats, BlockedSeats):
                pass
    finally:
        db.dispose()
    stats["seen"] = mine  # type: ignore[assignment]
    return stats
