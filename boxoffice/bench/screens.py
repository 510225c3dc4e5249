"""Listening screens for ``boxoffice bench --screens N``: N live feeds, as N counters, wall
views and door windows would hold, each applying every change to a seat map of its own.

The screens run in a few processes of their own (50 feeds each, at a lower CPU priority:
on a real site they sit on other machines, and here they must not take the CPU the
booking clients and the server measure with). For the same reason the 50 screens of one
process share the JSON decoding of each payload (``live.parse`` memoised): every screen
still receives every notification on its own connection and applies every change to
its own seat map, but 200 screens' worth of decoding on the benchmark's two cores would
measure the benchmark, not the database. Each records when it received the sale of
every tenth booking; the benchmark compares that with when the client saw the sale
commit, for the change latency.
"""

from __future__ import annotations

import math
import multiprocessing as mp
import os
import queue
import threading
import time
from dataclasses import dataclass, field
from typing import Any

FEEDS_PER_PROCESS = 50
SAMPLE_EVERY = 10  # bookings whose id is a multiple of this are timed


@dataclass(slots=True)
class ScreensResult:
    applied: int = 0  # seat changes applied, summed over the screens
    resyncs: int = 0
    # (booking id, wall-clock time.time() when a screen received its sale)
    received: list[tuple[int, float]] = field(default_factory=list)


def _run_process(url: str, count: int, ready: Any, stop: Any, results: Any) -> None:
    """Process entry point (spawned): open ``count`` feeds, report ready, listen until
    ``stop``, then send back what the screens saw."""
    import functools

    from boxoffice import live
    from boxoffice.live import LiveFeed

    live.parse = functools.lru_cache(maxsize=1 << 16)(live.parse)
    try:
        os.nice(10)
    except OSError:
        pass
    out = ScreensResult()
    lock = threading.Lock()
    feeds = []

    def screen() -> Any:
        seat_map: dict[tuple[int, str], str] = {}

        def apply(change: Any) -> None:
            seats = getattr(change, "seats", None)
            if seats is None:
                with lock:
                    out.resyncs += 1
                return
            state = str(getattr(change, "state", ""))
            for seat in seats:
                seat_map[(change.show_id, seat)] = state
            booking_id = getattr(change, "booking_id", None)
            with lock:
                out.applied += len(seats)
                if state == "sold" and booking_id is not None and booking_id % SAMPLE_EVERY == 0:
                    out.received.append((int(booking_id), time.time()))

        return apply

    try:
        for _ in range(count):
            feed = LiveFeed(url).start()
            feed.subscribe(screen())
            feeds.append(feed)
        for feed in feeds:
            feed.wait_connected(30)
        ready.put(count)
        stop.wait()
    finally:
        for feed in feeds:
            feed.stop()
        results.put(out)


class Screens:
    """``with Screens(url, n):`` n listening screens, connected before the block runs."""

    def __init__(self, url: str, count: int) -> None:
        self.url, self.count = url, count
        ctx = mp.get_context("spawn")
        self._ready: Any = ctx.Queue()
        self._results: Any = ctx.Queue()
        self._stop = ctx.Event()
        per = [FEEDS_PER_PROCESS] * (count // FEEDS_PER_PROCESS)
        if count % FEEDS_PER_PROCESS:
            per.append(count % FEEDS_PER_PROCESS)
        self._procs = [ctx.Process(target=_run_process, name=f"bench-screens-{i}",
                                   args=(url, n, self._ready, self._stop, self._results))
                       for i, n in enumerate(per)]
        self.result = ScreensResult()

    def __enter__(self) -> Screens:
        for p in self._procs:
            p.start()
        opened = 0
        deadline = time.monotonic() + 120
        while opened < self.count:
            try:
                opened += self._ready.get(timeout=max(deadline - time.monotonic(), 0.1))
            except queue.Empty:
                raise RuntimeError("the listening screens did not connect") from None
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(1.0)  # let the last changes arrive
        self._stop.set()
        for _ in self._procs:
            try:
                part: ScreensResult = self._results.get(timeout=60)
            except queue.Empty:
                break
            self.result.applied += part.applied
            self.result.resyncs += part.resyncs
            self.result.received.extend(part.received)
        for p in self._procs:
            p.join(timeout=30)
            if p.is_alive():
                p.terminate()

    def latencies(self, commits: dict[int, float]) -> list[float]:
        """Seconds from a sale's commit (as its client saw it return) to each screen's
        receipt; a screen told before the client heard back counts 0."""
        return [max(t - commits[b], 0.0) for b, t in self.result.received if b in commits]


def processes_for(count: int) -> int:
    return math.ceil(count / FEEDS_PER_PROCESS)


def check_room(url: str, needed: int) -> None:
    """Refuse to start when the server has no room for ``needed`` more sessions: a
    benchmark that fills a shared server's max_connections locks everyone else out."""
    import psycopg

    with psycopg.connect(url) as conn:
        row = conn.execute(
            "SELECT current_setting('max_connections')::int "
            "- current_setting('superuser_reserved_connections')::int "
            "- (SELECT count(*) FROM pg_stat_activity)").fetchone()
    free = int(row[0]) if row else 0
    if needed > free - 10:
        raise RuntimeError(
            f"{needed} more sessions are needed but the server has room for {free} "
            f"(max_connections); run the screens benchmark on a server of its own with "
            f"max_connections above {needed + 20}")
