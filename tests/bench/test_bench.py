"""``boxoffice bench`` in its smoke mode: it runs, reports every figure, keeps the invariants.

The benchmark is a tool, not a test; this only proves the tool works end to end (client
processes, pgbench beside them, the stale-hold backlog and expiry) on the test server.
"""

from __future__ import annotations

import json

import pytest

from boxoffice.bench import main as bench_main
from boxoffice.bench.client import seats_at
from boxoffice.bench.pgbench import PgbenchMissing, find_pgbench
from boxoffice.bench.report import latency_ms, percentile

FIELDS = ("requests", "sales", "holds", "confirms", "conflicts", "bookings_per_s",
          "seats_per_s", "latency_p50_ms", "latency_p95_ms", "latency_p99_ms",
          "lock_wait", "invariants", "invariants_ok", "rate_ratio", "p99_ratio",
          "client_cpu_ms_per_request")


def _has_pgbench() -> bool:
    try:
        find_pgbench()
    except PgbenchMissing:
        return False
    return True


def test_seat_labels_match_the_sql_script() -> None:
    # benchmarks/booking.sql builds chr(64 + row) || column for the same draws
    assert seats_at(1, 7, 3) == ["A7", "A8", "A9"]
    assert seats_at(26, 100, 1) == ["Z100"]


def test_percentiles_are_nearest_rank() -> None:
    values = [i / 1000 for i in range(1, 101)]
    assert percentile(values, 50) == 0.05
    assert percentile(values, 99) == 0.099
    assert latency_ms([])["p99"] == 0.0


@pytest.mark.slow
def test_smoke_run_reports_figures_and_keeps_invariants(
        pg_admin: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--database-url", pg_admin, "--mode", "hot", "--clients", "4", "--seconds", "2",
            "--stale-holds", "2000", "--seats-per-show", "2000", "--json"]
    if not _has_pgbench():
        args.append("--no-pgbench")
    assert bench_main(args) == 0
    result = json.loads(capsys.readouterr().out)
    for field in FIELDS:
        assert field in result, field
    assert result["invariants_ok"] is True
    assert result["errors"] == 0
    assert result["requests"] > 0
    assert result["client_cpu_ms_per_request"] > 0
    assert result["sales"] + result["confirms"] + result["conflicts"] > 0
    assert result["expiry"]["expired"] == 2000
    if result["pgbench"] is not None:
        assert result["pgbench"]["requests"] > 0
        assert result["rate_ratio"] > 0


@pytest.mark.slow
def test_screens_run_reports_the_change_latency(
        pg_admin: str, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--database-url", pg_admin, "--mode", "spread", "--clients", "2", "--seconds",
            "2", "--no-pgbench", "--screens", "5", "--notifier", "--json"]
    assert bench_main(args) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["screens"] == 5 and result["notifier"] is True
    assert result["invariants_ok"] is True and result["errors"] == 0
    assert result["change_samples"] > 0  # sales the screens saw, timed from their commit
    assert result["screen_changes_applied"] > 0
    assert result["change_latency_ms"]["p99"] >= result["change_latency_ms"]["p50"] >= 0


def test_screens_run_refuses_to_fill_the_server(pg_admin: str,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    assert bench_main(["--database-url", pg_admin, "--no-pgbench", "--seconds", "1",
                       "--screens", "1000"]) == 2
    assert "max_connections" in capsys.readouterr().err
