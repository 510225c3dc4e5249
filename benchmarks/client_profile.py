"""One booking client in-process: round trips per request, its CPU, or a cProfile.

    .venv/bin/python benchmarks/client_profile.py trace           # round trips per request
    .venv/bin/python benchmarks/client_profile.py cpu 3000        # client CPU per request
    .venv/bin/python benchmarks/client_profile.py profile 3000    # cProfile, top functions

Creates a bo_bench_* database on the server (``--database-url``, default the local
postgres), one hot show, and books through ``boxoffice.booking`` with the bench's 70/30
mix of sales and hold → confirm. ``trace`` counts the protocol messages libpq sends
(``PGconn.trace``): one Sync or Query is one round trip. Run it with ``PYTHONPATH`` set to
another tree to measure that tree's code.
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

from boxoffice import booking
from boxoffice.bench import prepare as prep
from boxoffice.bench.client import seats_at
from boxoffice.config import Settings
from boxoffice.db import Database, make_engine
from boxoffice.errors import SeatsTaken


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
            for sale in (True, False):
                trace.flush()
                before = os.path.getsize(trace.name)
                for _ in range(10):
                    one(sale)
                trace.flush()
                with open(trace.name) as f:
                    f.seek(before)
                    sent = [line.split("\t") for line in f.read().splitlines()
                            if "\tF\t" in line]
                kinds = collections.Counter(m[3].split()[0] for m in sent if len(m) > 3)
                trips = (kinds["Sync"] + kinds["Query"]) / 10
                print(f"{'sale' if sale else 'hold + confirm'}: {trips:g} round trips "
                      f"per request; messages {dict(kinds)}")
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
