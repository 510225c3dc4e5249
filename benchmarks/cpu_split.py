"""Where the CPU goes during `boxoffice bench`: client processes against PostgreSQL backends.

    .venv/bin/python benchmarks/cpu_split.py -- .venv/bin/python -m boxoffice.bench \
        --database-url postgresql://postgres@127.0.0.1:5432/postgres \
        --mode spread --clients 16 --seconds 20 --json

Runs the given bench command (local server only: it reads /proc), samples every
process's CPU from /proc/<pid>/stat every 0.2 s, and prints, for each side's phase, the
cores each kind of process kept busy and its CPU milliseconds per request: our Python
clients (multiprocessing ``spawn_main``) and the backends of ``bo_bench_<x>``, pgbench
and the backends of ``bo_bench_<x>_pgb``, and everything else. Our phase is the last
``elapsed_s`` seconds in which the clients used CPU (their start-up is left out).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from typing import Any

HZ = os.sysconf("SC_CLK_TCK")


def kind(cmd: str) -> str:
    if cmd.startswith("postgres"):  # "postgres: [15/main: ]user database host(port) state"
        db = next((t for t in cmd.split() if t.startswith("bo_bench_")), None)
        if db is not None:
            return "pgbench backends" if db.endswith("_pgb") else "our backends"
        return "other postgres"
    if "spawn_main" in cmd:
        return "our clients"
    if "pgbench" in cmd:
        return "pgbench"
    return "other"


def sample(rows: list[dict[str, float]], stop: threading.Event) -> None:
    last: dict[tuple[str, str], float] = {}
    while not stop.is_set():
        now: dict[str, float] = {"t": time.time()}
        for pid in os.listdir("/proc"):
            if not pid.isdigit():
                continue
            try:
                with open(f"/proc/{pid}/stat") as f:
                    stat = f.read()
                with open(f"/proc/{pid}/cmdline", "rb") as f:
                    cmd = f.read().replace(b"\0", b" ").decode(errors="replace")
            except OSError:
                continue
            fields = stat[stat.rindex(")") + 2:].split()
            cpu = (int(fields[11]) + int(fields[12])) / HZ
            key = (pid, fields[19])  # pid and start time: a reused pid is a new process
            delta = cpu - last.get(key, cpu)
            last[key] = cpu
            if delta:
                k = kind(cmd)
                now[k] = now.get(k, 0.0) + delta
        rows.append(now)
        stop.wait(0.2)


def phase(rows: list[dict[str, float]], first: int, last: int, requests: int) -> str:
    span = rows[last]["t"] - rows[first]["t"]
    total: dict[str, float] = {}
    for r in rows[first + 1:last + 1]:
        for k, v in r.items():
            if k != "t":
                total[k] = total.get(k, 0.0) + v
    parts = [f"{k} {v / span:.2f} cores {v / requests * 1000:.2f} ms/request"
             for k, v in sorted(total.items())]
    return f"{span:.1f} s: " + "; ".join(parts) + f"; all {sum(total.values()) / span:.2f} cores"


def main(argv: list[str]) -> int:
    cmd = argv[argv.index("--") + 1:] if "--" in argv else argv
    rows: list[dict[str, float]] = []
    stop = threading.Event()
    thread = threading.Thread(target=sample, args=(rows, stop), daemon=True)
    thread.start()
    proc = subprocess.run(cmd, capture_output=True, text=True)
    stop.set()
    thread.join()
    result: dict[str, Any] = json.loads(proc.stdout)
    busy = [i for i, r in enumerate(rows) if r.get("our clients", 0.0) > 0.02]
    end = busy[-1]
    start = next(i for i, r in enumerate(rows) if r["t"] >= rows[end]["t"] - result["elapsed_s"])
    print(f"boxoffice {result['bookings_per_s']}/s, phase {phase(rows, start, end, result['requests'])}")
    pg = result.get("pgbench")
    if pg:
        busy = [i for i, r in enumerate(rows) if r.get("pgbench backends", 0.0) > 0.01
                and i > end]
        print(f"pgbench {pg['bookings_per_s']}/s, phase "
              f"{phase(rows, busy[0], busy[-1], pg['requests'])}")
        print(f"rate ratio {result['rate_ratio']}")
    return proc.returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
