"""One counter selling the last standing places, run as its own OS process."""

from __future__ import annotations

import random
import time
from typing import Any

from boxoffice import booking
from boxoffice.errors import HoldExpired, RequestRefused, WrongBookingState
from tests.dbutil import open_db


def standing_counter(url: str, show_id: int, area: str, seed: int, seconds: float,
                     start_at: float) -> dict[str, Any]:
    rng = random.Random(seed)
    db = open_db(url, hold_seconds=5)
    out: dict[str, Any] = {"booked": {}, "refused": 0, "cancelled": [], "late": 0}
    while time.time() < start_at:
        time.sleep(0.005)
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            n = rng.randint(1, 4)
            try:
                if rng.random() < 0.6:
                    b = booking.sell_standing(db, show_id, area, n, clerk=f"clerk{seed}")
                else:
                    b = booking.hold_standing(db, show_id, area, n, clerk=f"clerk{seed}")
                out["booked"][b.id] = list(b.seats)
                if b.status == "PENDING" and rng.random() < 0.5:  # the customer pays
                    booking.confirm(db, b.id, clerk=f"clerk{seed}")
                elif b.status == "CONFIRMED" and rng.random() < 0.1:  # or changes their mind
                    booking.cancel(db, b.id, clerk=f"clerk{seed}")
                    out["cancelled"].append(b.id)
            except RequestRefused:
                out["refused"] += 1
            except (HoldExpired, WrongBookingState):
                out["late"] += 1
    finally:
        db.dispose()
    return out
