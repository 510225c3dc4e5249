"""Best available at two counters at the same moment (issue 13 item 9): both showed the
same best pair, one loses it in the database, picks again from the seats as they are now,
and both customers get seats."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import text

from boxoffice import booking, counter, seatmap, shows
from boxoffice.db import Database
from boxoffice.errors import InvalidRequest, SeatsTaken
from boxoffice.layout import Layout
from tests.best_available_worker import press_best
from tests.dbutil import tomorrow


def test_two_counters_pressing_best_two_at_once_both_get_seats(db: Database) -> None:
    hall = shows.create_hall(db, "Race Hall", Layout.grid(6, 10))
    show = shows.create_show(db, "Opening night", tomorrow(), hall=hall.id)
    pick = seatmap.best_available(seatmap.seat_map(db, show.id).seats, 2)
    start_at = time.time() + 3.0  # both processes imported and connected before the start
    ctx = multiprocessing.get_context("spawn")
    with ProcessPoolExecutor(2, mp_context=ctx) as pool:
        futures = [pool.submit(press_best, db.url, show.id, 2, pick, f"Counter {i}", start_at)
                   for i in (1, 2)]
        results = [f.result(timeout=60) for f in futures]
    assert all("booking" in r for r in results), results  # nobody told to choose again
    a, b = (sorted(r["seats"]) for r in results)  # type: ignore[call-overload]
    assert not set(a) & set(b) and len(a) == len(b) == 2
    assert sorted(pick) in (a, b)  # one got the pair both were shown ...
    other = b if a == sorted(pick) else a
    row = {s.label: s.row_label for s in seatmap.seat_map(db, show.id).seats}
    assert len({row[s] for s in other}) == 1  # ... the other the next best pair together
    for r in results:  # the change records name the seats held
        assert r["changes"] == [r["seats"]]
    with db.engine.connect() as conn:
        statuses = sorted(conn.execute(text("SELECT status FROM bookings")).scalars())
    assert statuses == ["FAILED", "PENDING", "PENDING"]  # the lost race is on record


def test_the_retry_is_bounded_and_a_full_house_says_so(db: Database) -> None:
    hall = shows.create_hall(db, "Tiny Hall", Layout.grid(1, 4))
    show = shows.create_show(db, "Matinee", tomorrow(), hall=hall.id)
    booking.hold(db, show.id, ["A2", "A3"], clerk="zoe")
    # the pick this counter was shown is gone; only A1 and A4 are left, never side by side
    with pytest.raises(SeatsTaken) as lost:
        counter.hold_best_available(db, show.id, 2, clerk="alice", first=["A2", "A3"])
    assert lost.value.taken == ("A2", "A3")
    with pytest.raises(InvalidRequest, match="No 2 seats together"):
        counter.hold_best_available(db, show.id, 2, clerk="alice")
    booking.hold(db, show.id, ["A1"], clerk="zoe")
    with pytest.raises(SeatsTaken):  # one try only: the lost pick, no second look
        counter.hold_best_available(db, show.id, 1, clerk="alice", first=["A1"], tries=1)
    done = counter.hold_best_available(db, show.id, 1, clerk="alice", first=["A1"])
    assert done.result.seats == ("A4",)
