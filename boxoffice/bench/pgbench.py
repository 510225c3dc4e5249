"""Driving pgbench with ``benchmarks/booking.sql``: the same transaction with no Python."""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from boxoffice.bench.prepare import Plan
from boxoffice.db import libpq_url


class PgbenchMissing(RuntimeError):
    pass


def find_pgbench() -> str:
    """pgbench from the pgserver wheel (works without apt), else the one on PATH."""
    spec = importlib.util.find_spec("pgserver")
    if spec is not None and spec.submodule_search_locations:
        for root in spec.submodule_search_locations:
            candidate = Path(root) / "pginstall" / "bin" / "pgbench"
            if candidate.exists():
                return str(candidate)
    found = shutil.which("pgbench")
    if found is None:
        raise PgbenchMissing("pgbench not found (neither in the pgserver wheel nor on PATH)")
    return found


def default_script() -> Path:
    return Path(__file__).resolve().parents[2] / "benchmarks" / "booking.sql"


@dataclass
class PgbenchRun:
    requests: int
    seconds: float
    tps_reported: float | None
    # (wall-clock end of the transaction, latency in seconds), from the --log files
    samples: list[tuple[float, float]] = field(default_factory=list)
    failed: int = 0
    output: str = ""


def run_pgbench(url: str, plan: Plan, *, clients: int, seconds: int, spread: bool,
                sale_pct: int, hold_seconds: int, script: Path | None = None,
                binary: str | None = None) -> PgbenchRun:
    binary = binary or find_pgbench()
    script = script or default_script()
    with tempfile.TemporaryDirectory(prefix="bo_pgbench_") as tmp:
        prefix = str(Path(tmp) / "txn")
        cmd = [binary, "-n", "-M", "prepared", "-f", str(script), "-c", str(clients),
               "-j", str(clients), "-T", str(seconds), "--log", f"--log-prefix={prefix}",
               "-D", f"show_base={plan.show_base}", "-D", f"spread={1 if spread else 0}",
               "-D", f"rows={plan.rows}", "-D", f"cols={plan.cols}",
               "-D", f"sale_pct={sale_pct}", "-D", f"hold_seconds={hold_seconds}",
               libpq_url(url)]
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=seconds + 120)
        output = proc.stdout + proc.stderr
        if proc.returncode != 0:
            raise RuntimeError(f"pgbench failed ({proc.returncode}):\n{output}")
        samples: list[tuple[float, float]] = []
        for log_file in Path(tmp).glob("txn*"):
            for line in log_file.read_text().splitlines():
                # client_id transaction_no time script_no time_epoch time_us
                parts = line.split()
                if len(parts) < 6 or parts[2] in ("failed", "skipped"):
                    continue
                end = int(parts[4]) + int(parts[5]) / 1e6
                samples.append((end, int(parts[2]) / 1e6))
    tps = re.search(r"tps = ([0-9.]+) \(without initial connection time\)", output)
    failed = re.search(r"number of failed transactions: (\d+)", output)
    aborted = "aborted" in output and "client" in output and "aborted in command" in output
    if aborted:
        raise RuntimeError(f"a pgbench client aborted:\n{output}")
    return PgbenchRun(requests=len(samples), seconds=float(seconds),
                      tps_reported=float(tps.group(1)) if tps else None, samples=samples,
                      failed=int(failed.group(1)) if failed else 0, output=output)
