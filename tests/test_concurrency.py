"""Sixteen counters, one show, several seconds: nothing sold twice, everything accounted for."""

from __future__ import annotations

import multiprocessing
import time
from concurrent.futures import ProcessPoolExecutor

import pytest
from sqlalchemy import text

from boxoffice import expiry, seatmap, shows
from boxoffice.audit import violations
from boxoffice.db import Database
from boxoffice.layout import Layout
from tests.concurrency_worker import counter
from tests.dbutil import tomorrow

CLIENTS = 16
SECONDS = 6.0


@pytest.mark.slow
def test_sixteen_processes_on_one_show(db: Database) -> None:
    hall = shows.create_hall(db, "Hot Hall", Layout.grid(4, 15, aisles_after=[7],
                                                         blocked=["A1"]))
    show = shows.create_show(db, "On-sale morning", tomorrow(), hall=hall.id)
    labels = [s.label for s in seatmap.seat_map(db, show.id).seats]  # includes blocked A1
    runner = expiry.ExpiryRunner(db, interval=0.5)
    runner.start()
    start_at = time.time() + 4.0  # every process imported and connected before the start
    ctx = multiprocessing.get_context("spawn")
    try:
        with ProcessPoolExecutor(CLIENTS, mp_context=ctx) as pool:
            futures = [pool.submit(counter, db.url, show.id, labels, seed, SECONDS, start_at)
                       for seed in range(CLIENTS)]
            results = [f.result(timeout=120) for f in futures]
    finally:
        runner.stop()
    totals = {k: sum(r[k] for r in results) for k in results[0] if k != "seen"}
    print("\nconcurrency totals:", totals)
    assert totals["requests"] > 300 and totals["conflicts"] > 0 and totals["sales"] > 0
    with db.engine.connect() as conn:
        assert violations(conn) == {}
        status = dict(conn.execute(text("SELECT id, status FROM bookings")).all())
    # What every client was told is what the database holds (or a later, legal step of it:
    # a hold the client last saw PENDING may since have expired).
    for r in results:
        for bid, seen in r["seen"].items():
            actual = status[bid]
            assert actual == seen or (seen == "PENDING" and actual == "FAILED"), (bid, seen, actual)
