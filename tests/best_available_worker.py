"""One counter pressing best available, run as its own OS process by
tests/test_best_available_race.py."""

from __future__ import annotations

import time

from boxoffice import counter
from boxoffice.errors import SeatsTaken
from tests.dbutil import open_db


def press_best(url: str, show_id: int, n: int, first: list[str], name: str,
               start_at: float) -> dict[str, object]:
    """Hold the best ``n`` (``first``: the pick this counter's grid showed) at ``start_at``."""
    db = open_db(url)
    try:
        while time.time() < start_at:
            time.sleep(0.001)
        try:
            done = counter.hold_best_available(db, show_id, n, clerk=name, counter=name,
                                               first=first)
        except SeatsTaken as exc:
            return {"taken": list(exc.taken)}
        return {"booking": done.result.id, "seats": list(done.result.seats),
                "changes": [list(c.seats) for c in done.changes]}  # type: ignore[union-attr]
    finally:
        db.dispose()
