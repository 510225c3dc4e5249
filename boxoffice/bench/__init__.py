"""``boxoffice bench``: booking throughput beside PostgreSQL's own limit (pgbench).

N client processes book through ``boxoffice.booking`` for S seconds on a database the
benchmark prepares itself; then pgbench runs ``benchmarks/booking.sql`` (the same
transaction in plain SQL) with the same clients, seconds and mode on an identical copy.
The ratio of the two rates, both p99 latencies, sampled lock waits, and an invariant
check of both databases are printed (``--json``: one JSON object).
"""

from __future__ import annotations

import argparse
import json
import logging
import multiprocessing as mp
import os
import platform
import queue
import random
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import psycopg

from boxoffice.bench import prepare as prep
from boxoffice.bench.client import ClientResult, run_client
from boxoffice.bench.report import latency_ms, ratio, summary
from boxoffice.config import Settings, load_settings
from boxoffice.db import Database, libpq_url, make_engine

log = logging.getLogger(__name__)

SEATS_PER_REQUEST = 3.5  # mean of 1..6
RATE_GUESS = {"hot": 2500.0, "spread": 3500.0}  # bookings/s, to size halls to ~50 % full


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="boxoffice bench", description=__doc__.splitlines()[0])
    p.add_argument("--database-url", default=None,
                   help="server to benchmark on (a bo_bench_* database is created there); "
                        "default BOXOFFICE_DATABASE_URL, else the embedded PostgreSQL")
    p.add_argument("--mode", choices=["hot", "spread"], default="hot",
                   help="hot: every client on one show; spread: each client its own show")
    p.add_argument("--clients", type=int, default=16)
    p.add_argument("--seconds", type=int, default=20)
    p.add_argument("--sale-pct", type=int, default=70,
                   help="percent of requests sold outright; the rest hold then confirm")
    p.add_argument("--seats-per-show", type=int, default=None,
                   help="hall size (default: sized so shows end about half full)")
    p.add_argument("--stale-holds", type=int, default=0,
                   help="expired holds to put in a spare show; the expiry job clears "
                        "them while the clients book")
    p.add_argument("--expiry-batch", type=int, default=500)
    p.add_argument("--seed", type=int, default=None)
    p.add_argument("--no-pgbench", action="store_true", help="skip the pgbench run")
    p.add_argument("--pgbench-script", type=Path, default=None,
                   help="pgbench script (default benchmarks/booking.sql)")
    p.add_argument("--screens", type=int, default=0,
                   help="listening screens (live feeds applying every change) kept open "
                        "while the clients book; reports the change latency")
    p.add_argument("--notifier", action="store_true",
                   help="run the designated live notifier (boxoffice events notifier), "
                        "which batches the screens' changes, during the run")
    p.add_argument("--keep", action="store_true", help="keep the bo_bench_* databases")
    p.add_argument("--json", action="store_true", help="print one JSON object")
    return p


def _server_url(flag: str | None) -> str:
    settings = load_settings(flag)
    if settings.database_url is not None:
        return libpq_url(settings.database_url)
    from boxoffice.embedded import start_embedded

    return libpq_url(start_embedded(settings.embedded_pgdata))


def machine(url: str) -> dict[str, Any]:
    with psycopg.connect(url) as conn:
        version = conn.execute("SHOW server_version").fetchone()[0]  # type: ignore[index]
    mem = None
    try:
        mem = round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1)
    except (ValueError, OSError):
        pass
    return {"server_version": version, "nproc": os.cpu_count(), "memory_gib": mem,
            "python": platform.python_version()}


class LockSampler:
    """Samples pg_stat_activity for backends of one database waiting on a heavyweight lock."""

    def __init__(self, url: str, interval: float = 0.05) -> None:
        self.url, self.interval = url, interval
        self.samples = 0
        self.waiting = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        with psycopg.connect(self.url, autocommit=True) as conn:
            q = ("SELECT count(*) FROM pg_stat_activity "
                 "WHERE datname = current_database() AND wait_event_type = 'Lock'")
            while not self._stop.wait(self.interval):
                self.waiting += int(conn.execute(q).fetchone()[0])  # type: ignore[index]
                self.samples += 1

    def __enter__(self) -> LockSampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()

    def figures(self, seconds: float, requests: int) -> dict[str, Any]:
        avg = self.waiting / self.samples if self.samples else 0.0
        # Little's law: average waiters × duration = total time spent waiting for locks.
        total = avg * seconds
        return {"samples": self.samples, "avg_waiting": round(avg, 3),
                "total_s": round(total, 3),
                "per_request_ms": round(total / requests * 1000, 3) if requests else 0.0}


class ExpiryDuringRun:
    """The expiry job releasing the stale backlog in batches while the clients book."""

    def __init__(self, url: str, batch: int) -> None:
        self.db = Database(make_engine(url, pool_size=1), Settings(database_url=url), url)
        self.batch = batch
        self.start = self.end = 0.0
        self.expired = 0
        self.batches = 0
        self._go = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        from boxoffice.expiry import expire_holds

        self._go.wait()
        self.start = time.time()
        while True:
            r = expire_holds(self.db, batch_size=self.batch, max_batches=100_000)
            self.expired += r.bookings
            self.batches += r.batches
            if r.ran and r.bookings < self.batch:
                break
        self.end = time.time()

    def go(self) -> None:
        self._go.set()

    def finish(self, samples: list[tuple[float, float]]) -> dict[str, Any]:
        self._thread.join()
        self.db.dispose()
        during = [lat for end, lat in samples if self.start <= end <= self.end]
        after = [lat for end, lat in samples if end > self.end]
        return {"expired": self.expired, "batches": self.batches,
                "clear_seconds": round(self.end - self.start, 3),
                "requests_during": len(during),
                "p99_during_ms": latency_ms(during)["p99"] if during else None,
                "p99_after_ms": latency_ms(after)["p99"] if after else None}


def run_ours(url: str, plan: prep.Plan, args: argparse.Namespace, seed: int,
             expiry: ExpiryDuringRun | None
             ) -> tuple[dict[str, Any], list[tuple[float, float]], dict[int, float]]:
    ctx = mp.get_context("spawn")
    barrier = ctx.Barrier(args.clients + 1, timeout=120)
    results: Any = ctx.Queue()
    procs = [ctx.Process(target=run_client, name=f"bench-client-{i}", args=(
        i, url, plan.show_for(i), plan.rows, plan.cols, float(args.seconds), args.sale_pct,
        seed + i, barrier, results)) for i in range(args.clients)]
    for p in procs:
        p.start()
    out: list[ClientResult] = []
    try:
        barrier.wait()
        if expiry is not None:
            expiry.go()
        with LockSampler(url) as sampler:
            while len(out) < len(procs):
                try:
                    out.append(results.get(timeout=args.seconds + 60))
                except queue.Empty:
                    raise RuntimeError("a benchmark client did not report back") from None
    finally:
        for p in procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()
    samples = [s for r in out for s in r.samples]
    elapsed = max((r.elapsed for r in out), default=float(args.seconds)) or float(args.seconds)
    requests = sum(r.requests for r in out)
    errors = sum(r.errors for r in out)
    figures: dict[str, Any] = {
        "requests": requests,
        "sales": sum(r.sales for r in out),
        "holds": sum(r.holds for r in out),
        "confirms": sum(r.confirms for r in out),
        "conflicts": sum(r.conflicts for r in out),
        "hold_expired": sum(r.hold_expired for r in out),
        "errors": errors,
        "first_error": next((r.first_error for r in out if r.first_error), None),
        "elapsed_s": round(elapsed, 3),
        "bookings_per_s": round(requests / elapsed, 1),
        "seats_per_s": round(sum(r.seats for r in out) / elapsed, 1),
        "latency_ms": latency_ms([lat for _, lat in samples]),
        "lock_wait": sampler.figures(elapsed, requests),
        # The Python clients' own CPU (pgbench's C client costs a fraction of this): on a
        # small machine it is taken from the server's backends.
        "client_cpu_ms_per_request": round(sum(r.cpu for r in out) / requests * 1000, 3)
        if requests else None,
    }
    return figures, samples, {b: t for r in out for b, t in r.commits}


def run_with_screens(url: str, plan: prep.Plan, args: argparse.Namespace, seed: int,
                     expiry: ExpiryDuringRun | None
                     ) -> tuple[dict[str, Any], list[tuple[float, float]]]:
    """``run_ours`` with ``--screens`` listening (and the notifier, with ``--notifier``)."""
    from contextlib import ExitStack

    from boxoffice.bench.screens import Screens, check_room

    if args.screens:
        check_room(url, args.screens + args.clients + 2)
    with ExitStack() as stack:
        if args.notifier:
            from boxoffice.events.notifier import NotifierThread

            stack.enter_context(NotifierThread(url))
        screens = stack.enter_context(Screens(url, args.screens)) if args.screens else None
        figures, samples, commits = run_ours(url, plan, args, seed, expiry)
    figures["screens"] = args.screens
    figures["notifier"] = bool(args.notifier)
    if screens is not None:
        lat = screens.latencies(commits)
        figures["change_latency_ms"] = latency_ms(lat)
        figures["change_samples"] = len(lat)
        figures["screen_changes_applied"] = screens.result.applied
        figures["screen_resyncs"] = screens.result.resyncs
    return figures, samples


def run_theirs(url: str, plan: prep.Plan, args: argparse.Namespace,
               expiry: ExpiryDuringRun | None) -> tuple[dict[str, Any], list[tuple[float, float]]]:
    from boxoffice.bench.pgbench import run_pgbench

    if expiry is not None:
        expiry.go()
    with LockSampler(url) as sampler:
        run = run_pgbench(url, plan, clients=args.clients, seconds=args.seconds,
                          spread=args.mode == "spread", sale_pct=args.sale_pct,
                          hold_seconds=Settings().hold_seconds, script=args.pgbench_script)
    counts = prep.outcome_counts(url, plan)
    lat = [lat for _, lat in run.samples]
    figures = {
        "requests": run.requests,
        "sales": counts["confirmed"] - counts["confirms"],
        "holds": counts["confirms"] + counts["pending"],
        "confirms": counts["confirms"],
        "conflicts": counts["failed"],
        "failed_transactions": run.failed,
        "bookings_per_s": round(run.requests / run.seconds, 1),
        "tps_reported": run.tps_reported,
        "seats_per_s": round(counts["seats"] / run.seconds, 1),
        "latency_ms": latency_ms(lat),
        "lock_wait": sampler.figures(run.seconds, run.requests),
    }
    return figures, run.samples


def bench(args: argparse.Namespace) -> dict[str, Any]:
    server = _server_url(args.database_url)
    seed = args.seed if args.seed is not None else random.randrange(1 << 30)
    shows_count = 1 if args.mode == "hot" else args.clients
    seats = args.seats_per_show or int(
        RATE_GUESS[args.mode] * args.seconds * SEATS_PER_REQUEST * 2 / shows_count)
    cols = prep.columns_for(seats)
    ours_db = prep.new_name()
    theirs_db = f"{ours_db}_pgb"
    made: list[str] = []
    result: dict[str, Any] = {"mode": args.mode, "clients": args.clients,
                              "seconds": args.seconds, "sale_pct": args.sale_pct,
                              "seed": seed, "machine": machine(server),
                              "hall": {"rows": prep.ROWS, "cols": cols, "shows": shows_count},
                              "stale_holds": args.stale_holds}
    try:
        ours_url = prep.create_database(server, ours_db)
        made.append(ours_db)
        t = time.perf_counter()
        plan = prep.prepare(ours_url, shows_count=shows_count, cols=cols,
                            stale_holds=args.stale_holds)
        log.info("prepared %s in %.1fs", ours_db, time.perf_counter() - t)
        theirs_url = None
        if not args.no_pgbench:
            theirs_url = prep.create_database(server, theirs_db, template=ours_db)
            made.append(theirs_db)
        expiry = ExpiryDuringRun(ours_url, args.expiry_batch) if args.stale_holds else None
        ours, ours_samples = run_with_screens(ours_url, plan, args, seed, expiry)
        result.update(ours)
        inv = prep.check_invariants(ours_url)
        result["invariants"] = {"boxoffice": inv}
        if expiry is not None:
            result["expiry"] = expiry.finish(ours_samples)
        if theirs_url is not None:
            pexp = ExpiryDuringRun(theirs_url, args.expiry_batch) if args.stale_holds else None
            theirs, theirs_samples = run_theirs(theirs_url, plan, args, pexp)
            result["pgbench"] = theirs
            result["invariants"]["pgbench"] = prep.check_invariants(theirs_url)
            result["rate_ratio"] = ratio(ours["bookings_per_s"], theirs["bookings_per_s"])
            result["p99_ratio"] = ratio(ours["latency_ms"]["p99"], theirs["latency_ms"]["p99"])
            if pexp is not None:
                result["expiry"]["pgbench"] = pexp.finish(theirs_samples)
        else:
            result["pgbench"] = None
            result["rate_ratio"] = result["p99_ratio"] = None
        result["invariants_ok"] = all(v == 0 for per_db in result["invariants"].values()
                                      for v in per_db.values())
    finally:
        if not args.keep:
            for name in made:
                prep.drop_database(server, name)
        else:
            result["databases"] = made
    for q in ("p50", "p95", "p99"):
        result[f"latency_{q}_ms"] = result.get("latency_ms", {}).get(q)
    result["lock_wait_ms_per_request"] = result.get("lock_wait", {}).get("per_request_ms")
    return result


def main(argv: Sequence[str]) -> int:
    argv = list(argv)
    if "--" in argv:  # ``boxoffice bench -- --mode hot``: argparse.REMAINDER keeps the "--"
        argv.remove("--")
    args = build_parser().parse_args(argv)
    if not 1 <= args.clients <= 90:
        print("boxoffice bench: --clients must be between 1 and 90", file=sys.stderr)
        return 2
    if not 1 <= args.seconds <= 3600:
        print("boxoffice bench: --seconds must be between 1 and 3600", file=sys.stderr)
        return 2
    if not 0 <= args.screens <= 1000:
        print("boxoffice bench: --screens must be between 0 and 1000", file=sys.stderr)
        return 2
    if not 0 <= args.sale_pct <= 100:
        print("boxoffice bench: --sale-pct must be between 0 and 100", file=sys.stderr)
        return 2
    try:
        result = bench(args)
    except RuntimeError as exc:
        print(f"boxoffice bench: {exc}", file=sys.stderr)
        return 2
    print(json.dumps(result) if args.json else summary(result))
    return 0 if result["invariants_ok"] and not result["errors"] else 1
