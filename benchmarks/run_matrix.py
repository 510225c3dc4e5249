"""Run `boxoffice bench` for 1, 2, 4, 8, 16, 32 clients in both modes; save the JSON.

    .venv/bin/python benchmarks/run_matrix.py --database-url postgresql://postgres@127.0.0.1:5432/postgres \
        --seconds 8 --out benchmarks/results/matrix.json

Each point is one bench run (boxoffice clients, then pgbench on an identical copy).
Then draw the chart with benchmarks/plot.py.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

CLIENTS = (1, 2, 4, 8, 16, 32)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--database-url", required=True)
    p.add_argument("--seconds", type=int, default=8)
    p.add_argument("--modes", default="hot,spread")
    p.add_argument("--clients", default=",".join(map(str, CLIENTS)))
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", type=Path, default=Path("benchmarks/results/matrix.json"))
    args = p.parse_args()
    runs = []
    for mode in args.modes.split(","):
        for clients in map(int, args.clients.split(",")):
            cmd = [sys.executable, "-m", "boxoffice.bench", "--database-url", args.database_url,
                   "--mode", mode, "--clients", str(clients), "--seconds", str(args.seconds),
                   "--seed", str(args.seed), "--json"]
            t = time.monotonic()
            proc = subprocess.run(cmd, capture_output=True, text=True)
            if proc.returncode not in (0, 1) or not proc.stdout.strip():
                print(proc.stderr, file=sys.stderr)
                return 1
            result = json.loads(proc.stdout)
            runs.append(result)
            pg = result.get("pgbench") or {}
            print(f"{mode:6} {clients:2} clients: {result['bookings_per_s']:8.1f}/s "
                  f"p99 {result['latency_ms']['p99']:7.2f} ms | pgbench "
                  f"{pg.get('bookings_per_s', 0):8.1f}/s p99 "
                  f"{(pg.get('latency_ms') or {}).get('p99', 0):7.2f} ms | ratio "
                  f"{result['rate_ratio']} | invariants {result['invariants_ok']} "
                  f"({time.monotonic() - t:.0f} s)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({"seconds": args.seconds, "runs": runs}, indent=1))
    return 0 if all(r["invariants_ok"] for r in runs) else 1


if __name__ == "__main__":
    sys.exit(main())
