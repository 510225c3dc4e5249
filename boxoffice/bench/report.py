"""Figures from latency samples, and the human summary."""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any


def percentile(sorted_values: Sequence[float], q: float) -> float:
    """Nearest-rank percentile of already sorted values (0 when there are none)."""
    if not sorted_values:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(sorted_values)))
    return sorted_values[min(rank, len(sorted_values)) - 1]


def latency_ms(latencies: Sequence[float]) -> dict[str, float]:
    values = sorted(latencies)
    return {
        "p50": round(percentile(values, 50) * 1000, 3),
        "p95": round(percentile(values, 95) * 1000, 3),
        "p99": round(percentile(values, 99) * 1000, 3),
        "max": round((values[-1] if values else 0.0) * 1000, 3),
    }


def ratio(a: float, b: float) -> float | None:
    return round(a / b, 3) if b else None


def summary(result: dict[str, Any]) -> str:
    """The figures a person reads; the JSON object carries all of them."""
    lines = [
        f"boxoffice bench: mode {result['mode']}, {result['clients']} clients, "
        f"{result['seconds']} s, PostgreSQL {result['machine']['server_version']} "
        f"({result['machine']['nproc']} CPUs)",
        "",
        f"  {'':22}{'boxoffice':>12}{'pgbench':>12}",
    ]
    pg = result.get("pgbench") or {}

    def row(label: str, ours: Any, theirs: Any, fmt: str = "{:,.0f}") -> None:
        o = fmt.format(ours) if ours is not None else "-"
        t = fmt.format(theirs) if theirs is not None else "-"
        lines.append(f"  {label:22}{o:>12}{t:>12}")

    row("requests", result["requests"], pg.get("requests"))
    row("sales (sold outright)", result["sales"], pg.get("sales"))
    row("holds → confirms", result["confirms"], pg.get("confirms"))
    row("conflicts", result["conflicts"], pg.get("conflicts"))
    row("bookings/s", result["bookings_per_s"], pg.get("bookings_per_s"))
    row("seats/s", result["seats_per_s"], pg.get("seats_per_s"))
    for q in ("p50", "p95", "p99"):
        row(f"latency {q} (ms)", result["latency_ms"][q], (pg.get("latency_ms") or {}).get(q),
            "{:,.2f}")
    row("lock waiters (avg)", result["lock_wait"]["avg_waiting"],
        (pg.get("lock_wait") or {}).get("avg_waiting"), "{:,.2f}")
    row("client CPU ms/request", result.get("client_cpu_ms_per_request"), None, "{:,.3f}")
    lines.append("")
    if pg:
        lines.append(f"  rate ÷ pgbench: {result['rate_ratio']}   "
                     f"p99 ÷ pgbench p99: {result['p99_ratio']}")
    if result.get("expiry"):
        e = result["expiry"]
        lines.append(f"  expiry backlog: {e['expired']:,} holds cleared in "
                     f"{e['clear_seconds']:.2f} s while booking; p99 during "
                     f"{e['p99_during_ms']} ms, after {e['p99_after_ms']} ms")
        if e.get("pgbench"):
            pe = e["pgbench"]
            lines.append(f"  pgbench run: {pe['expired']:,} cleared in "
                         f"{pe['clear_seconds']:.2f} s; p99 during {pe['p99_during_ms']} ms, "
                         f"after {pe['p99_after_ms']} ms")
    if result.get("screens"):
        c = result["change_latency_ms"]
        lines.append(f"  {result['screens']} listening screens"
                     f"{' (batched by the notifier)' if result.get('notifier') else ''}: "
                     f"change latency p50 {c['p50']} ms, p99 {c['p99']} ms, max {c['max']} ms "
                     f"({result['change_samples']:,} timed); "
                     f"{result['screen_changes_applied']:,} seat changes applied")
    verdict = "OK" if result["invariants_ok"] else "VIOLATED"
    lines.append(f"  invariants: {verdict} {result['invariants']}")
    if result.get("errors"):
        lines.append(f"  errors: {result['errors']} (first: {result.get('first_error')})")
    return "\n".join(lines)
