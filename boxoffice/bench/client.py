"""One benchmark client: a process that books through the counter's own operations.

Each client owns one pooled connection (pool of one, reused for every request) and loops
for the given seconds: 70 % Sell now (``counter.sell_for_money``), 30 % hold then Confirm
sale (``counter.hold``, ``counter.pay_hold``), 1–6 adjacent seats at a random place in
the hall, so that clients collide and conflicts happen. The bench's shows have no price
plan, so the tickets are free and no money moves, but every request takes the clerk's
path: a sale is its plan read, its hold and its payment (three round trips where
``benchmarks/booking.sql`` sends one sell). A hold followed by its confirm counts as one
request, timed from the hold's start to the confirm's end, as pgbench times one run of
``benchmarks/booking.sql``.
"""

from __future__ import annotations

import random
import time
from dataclasses import dataclass, field
from typing import Any

from boxoffice import counter as counter_ops
from boxoffice.bench.screens import SAMPLE_EVERY
from boxoffice.config import Settings
from boxoffice.db import Database, make_engine
from boxoffice.errors import HoldExpired, SeatsTaken


@dataclass(slots=True)
class ClientResult:
    client: int
    requests: int = 0
    sales: int = 0
    holds: int = 0
    confirms: int = 0
    conflicts: int = 0
    hold_expired: int = 0
    errors: int = 0
    seats: int = 0
    elapsed: float = 0.0
    cpu: float = 0.0  # this process's CPU seconds while booking (time.process_time)
    # (wall-clock time.time() when the request ended, latency in seconds)
    samples: list[tuple[float, float]] = field(default_factory=list)
    # (booking id, time.time() when the sale's commit returned), for every tenth booking:
    # the screens' change latency is timed from here (boxoffice.bench.screens)
    commits: list[tuple[int, float]] = field(default_factory=list)
    first_error: str | None = None


def seats_at(row: int, col: int, n: int) -> list[str]:
    """The ``n`` seats from ``col`` on in row ``row`` (1 = A): the same labels SQL builds."""
    letter = chr(64 + row)
    return [f"{letter}{c}" for c in range(col, col + n)]


def run_client(client: int, url: str, show: int, rows: int, cols: int, seconds: float,
               sale_pct: int, seed: int, barrier: Any, results: Any) -> None:
    """Process entry point (spawned): connect, wait for the others, book until time is up."""
    out = ClientResult(client)
    db = Database(make_engine(url, pool_size=1), Settings(database_url=url), url)
    try:
        with db.engine.connect() as conn:  # open the connection before the clock starts
            conn.exec_driver_sql("SELECT 1")
        rng = random.Random(seed)
        clerk, counter = "bench", f"bench-{client}"
        barrier.wait(120)
        cpu0 = time.process_time()
        start = time.perf_counter()
        deadline = start + seconds
        now = start
        while now < deadline:
            n = rng.randint(1, 6)
            wanted = seats_at(rng.randint(1, rows), rng.randint(1, cols - n + 1), n)
            sale = rng.randint(1, 100) <= sale_pct
            t0 = now
            try:
                tickets = {seat: "Adult" for seat in wanted}
                if sale:
                    sold = counter_ops.sell_for_money(db, show, tickets, None, clerk=clerk,
                                                      counter=counter).result.booking.id
                    out.sales += 1
                else:
                    held = counter_ops.hold(db, show, wanted, clerk=clerk,
                                            counter=counter).result
                    sold = held.id
                    out.holds += 1
                    counter_ops.pay_hold(db, held.id, tickets, None, clerk=clerk,
                                         counter=counter)
                    out.confirms += 1
                if sold % SAMPLE_EVERY == 0:
                    out.commits.append((sold, time.time()))
                out.seats += n
            except SeatsTaken:
                out.conflicts += 1
            except HoldExpired:
                out.hold_expired += 1
            except Exception as exc:
                out.errors += 1
                if out.first_error is None:
                    out.first_error = f"{type(exc).__name__}: {exc}"
            now = time.perf_counter()
            out.requests += 1
            out.samples.append((time.time(), now - t0))
        out.elapsed = now - start
        out.cpu = time.process_time() - cpu0
    finally:
        db.dispose()
        results.put(out)
