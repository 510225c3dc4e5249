"""One booking client in-process: round trips per request, its CPU, or a cProfile.

    .venv/bin/python benchmarks/client_profile.py trace           # round trips per request
    .venv/bin/python benchmarks/client_profile.py cpu 3000        # client CPU per request
    .venv/bin/python benchmarks/client_profile.py profile 3000    # cProfile, top functions

Creates a bo_bench_* database on the server (``--database-url``, default the local
postgres), one hot show, and books through ``boxoffice.booking`` with the bench's 70/30
mix of sales and hold → confirm. ``trace`` counts the protocol messages libpq sends
(``PGconn.trace``): one Sync or Query is one round trip; statements are the Executes plus
the statements of each simple Query; checkouts are the pool's. It traces the core's sale
and hold → confirm, and then what a clerk's counter really sends: a sale for money
(priced tickets, cash with change) and a hold paid at the counter. Run it with
``PYTHONPATH`` set to another tree to measure that tree's code (a tree from before
``boxoffice.counter`` is measured on the path its booking panel took).
"""

from __future__ import annotations

import argparse
import collections
import cProfile
import io
import os
import pstats
import random
import tempfile
import time
from typing import Any

from sqlalchemy import event

from boxoffice import booking, money
from boxoffice.bench import prepare as prep
from boxoffice.bench.client import seats_at
from boxoffice.config import Settings
from boxoffice.db import Database, make_engine
from boxoffice.errors import SeatsTaken


def counter_paths(db: Database, show: int) -> dict[str, Any]:
    """The clerk's two paid paths, as the tree under measure runs them."""
    pay = money.Payment("cash", tendered=100_000)
    try:
        from boxoffice import counter
    except ImportError:  # before boxoffice.counter: what ui/counter/sale_ops.py ran
        from boxoffice import resilience
        try:
            from boxoffice.ui.counter import sale_ops  # type: ignore[attr-defined]
        except ImportError:  # before the screens were grouped by feature
            from boxoffice.ui import sale_ops  # type: ignore[attr-defined, no-redef]

        def sell_old(tickets: dict[str, str]) -> None:
            sale_ops.sell_paid(db, show, tickets, pay, clerk="bench", counter="c",
                               customer=None, request_key=resilience.new_request_key())

        def hold_pay_old(tickets: dict[str, str]) -> None:
            held = resilience.hold_resilient(db, show, list(tickets), clerk="bench",
                                             counter="c", request_key=resilience.new_request_key())
            sale_ops.pay_hold(db, held.id, tickets, pay, clerk="bench", counter="c",
                              customer=None)

        return {"paid sale (sell for money)": sell_old, "hold, then pay it": hold_pay_old}

    def sell(tickets: dict[str, str]) -> None:
        counter.sell_for_money(db, show, tickets, pay, clerk="bench", counter="c")

    def hold_pay(tickets: dict[str, str]) -> None:
        held = counter.hold(db, show, list(tickets), clerk="bench", counter="c").result
        counter.pay_hold(db, held.id, tickets, pay, clerk="bench", counter="c")

    return {"paid sale (sell for money)": sell, "hold, then pay it": hold_pay}


def _statements(message: list[str]) -> tuple[int, int]:
    """Statements one traced frontend message carries (Execute: one; Query: its parts),
    and how many of them are BEGIN, COMMIT or ROLLBACK."""
    kind = message[3].split()[0]
    if kind == "Execute":
        return 1, 0
    if kind != "Query":
        return 0, 0
    parts = [p.strip() for p in message[4].strip().strip('"').split(";") if p.strip()]
    control = [p for p in parts if p.split()[0].upper() in ("BEGIN", "COMMIT", "ROLLBACK")]
    return len(parts), len(control)


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("mode", choices=["trace", "cpu", "profile"])
    p.add_argument("requests", type=int, nargs="?", default=3000)
    p.add_argument("--database-url", default="postgresql://postgres@127.0.0.1:5432/postgres")
    args = p.parse_args()
    name = prep.new_name()
    url = prep.create_database(args.database_url, name)
    try:
        plan = prep.prepare(url, shows_count=1, cols=prep.columns_for(200_000))
        db = Database(make_engine(url, pool_size=1), Settings(database_url=url), url)
        trace = tempfile.NamedTemporaryFile("w", suffix=".trace")
        if args.mode == "trace":
            @event.listens_for(db.engine, "connect")
            def _trace(dbapi_conn: Any, record: Any) -> None:
                dbapi_conn.pgconn.trace(trace.fileno())
        rng = random.Random(1)
        checkouts = [0]
        event.listen(db.engine, "checkout", lambda *_a: checkouts.__setitem__(0, checkouts[0] + 1))

        def one(sale: bool) -> None:
            n = rng.randint(1, 6)
            wanted = seats_at(rng.randint(1, plan.rows), rng.randint(1, plan.cols - n + 1), n)
            try:
                if sale:
                    booking.sell(db, plan.show_base, wanted, clerk="bench", counter="c")
                else:
                    held = booking.hold(db, plan.show_base, wanted, clerk="bench", counter="c")
                    booking.confirm(db, held.id, clerk="bench", counter="c")
            except SeatsTaken:
                pass

        for _ in range(20):  # connect, warm the prepared statements
            one(True)
        if args.mode == "trace":
            money.set_price_plan(db, plan.show_base, [money.PriceCategory(
                "Stalls", {"Adult": 2500, "Child": 1500})])
            paths = counter_paths(db, plan.show_base)

            def paid(path: str) -> None:
                n = rng.randint(1, 6)
                wanted = seats_at(rng.randint(1, plan.rows), rng.randint(1, plan.cols - n + 1), n)
                try:
                    paths[path]({s: "Adult" if i % 2 else "Child" for i, s in enumerate(wanted)})
                except SeatsTaken:
                    pass

            for path in paths:  # warm the prepared statements of the paid paths too
                for _ in range(20):
                    paid(path)
            runs: list[tuple[str, Any]] = [
                ("sale (core)", lambda: one(True)), ("hold + confirm (core)", lambda: one(False)),
                *[(path, lambda p=path: paid(p)) for path in paths]]
            for label, run in runs:
                trace.flush()
                before = os.path.getsize(trace.name)
                checkouts[0] = 0
                for _ in range(10):
                    run()
                trace.flush()
                with open(trace.name) as f:
                    f.seek(before)
                    sent = [line.split("\t") for line in f.read().splitlines()
                            if "\tF\t" in line]
                sent = [m for m in sent if len(m) > 3]
                kinds = collections.Counter(m[3].split()[0] for m in sent)
                trips = (kinds["Sync"] + kinds["Query"]) / 10
                counted = [_statements(m) for m in sent]
                statements = sum(n for n, _ in counted) / 10
                control = sum(c for _, c in counted) / 10
                print(f"{label}: {trips:g} round trips, {statements:g} statements "
                      f"({control:g} of them BEGIN/COMMIT/ROLLBACK), "
                      f"{checkouts[0] / 10:g} pooled checkouts per request; "
                      f"messages {dict(kinds)}")
            return
        profiler = cProfile.Profile() if args.mode == "profile" else None
        cpu0, wall0 = time.process_time(), time.perf_counter()
        if profiler:
            profiler.enable()
        for _ in range(args.requests):
            one(rng.randint(1, 100) <= 70)
        if profiler:
            profiler.disable()
        cpu, wall = time.process_time() - cpu0, time.perf_counter() - wall0
        print(f"{args.requests} requests, one client{' (profiled)' if profiler else ''}: "
              f"client CPU {cpu / args.requests * 1000:.3f} ms/request, "
              f"wall {wall / args.requests * 1000:.3f} ms/request")
        if profiler:
            out = io.StringIO()
            pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
            print(out.getvalue())
        db.dispose()
    finally:
        prep.drop_database(args.database_url, name)


if __name__ == "__main__":
    main()
