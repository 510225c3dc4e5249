"""Alerts: thresholds over the operations figures, and which of them are tripped.

Thresholds come from the environment (so the venue's IT sets them where it runs the
worker, and a counter app reads the same ones):

    BOXOFFICE_ALERT_CONFLICT_RATE       share of attempts meeting taken seats   (0.25)
    BOXOFFICE_ALERT_CONFLICT_MIN        attempts in the window before it counts (20)
    BOXOFFICE_ALERT_WINDOW              seconds the conflict rate is measured over (300)
    BOXOFFICE_ALERT_EXPIRY_LAG          seconds the oldest overdue hold may wait (60)
    BOXOFFICE_ALERT_LOCK_WAITS          sessions waiting on locks at once        (5)
    BOXOFFICE_ALERT_LOCK_WAIT_SECONDS   longest single lock wait                 (5)
    BOXOFFICE_ALERT_RUNNER_GRACE        seconds a hold may be overdue before "no expiry
                                        worker" trips (an in-app runner is not seen) (15)
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass

from boxoffice.errors import InvalidRequest


@dataclass(frozen=True, slots=True)
class Thresholds:
    conflict_rate: float = 0.25
    conflict_min_attempts: int = 20
    window_seconds: float = 300.0
    expiry_lag_seconds: float = 60.0
    lock_waits: int = 5
    lock_wait_seconds: float = 5.0
    runner_grace_seconds: float = 15.0


def _num(env: Mapping[str, str], key: str, default: float, low: float, high: float) -> float:
    raw = env.get(key, "")
    if raw == "":
        return default
    try:
        value = float(raw)
    except ValueError:
        raise InvalidRequest(f"{key} must be a number, not {raw!r}.", field=key) from None
    if not low <= value <= high:
        raise InvalidRequest(f"{key} must be between {low:g} and {high:g}.", field=key)
    return value


def thresholds_from_env(env: Mapping[str, str] | None = None) -> Thresholds:
    env = os.environ if env is None else env
    d = Thresholds()
    return Thresholds(
        conflict_rate=_num(env, "BOXOFFICE_ALERT_CONFLICT_RATE", d.conflict_rate, 0, 1),
        conflict_min_attempts=int(_num(env, "BOXOFFICE_ALERT_CONFLICT_MIN",
                                       d.conflict_min_attempts, 1, 1e9)),
        window_seconds=_num(env, "BOXOFFICE_ALERT_WINDOW", d.window_seconds, 10, 86400),
        expiry_lag_seconds=_num(env, "BOXOFFICE_ALERT_EXPIRY_LAG", d.expiry_lag_seconds,
                                0, 86400),
        lock_waits=int(_num(env, "BOXOFFICE_ALERT_LOCK_WAITS", d.lock_waits, 1, 1e6)),
        lock_wait_seconds=_num(env, "BOXOFFICE_ALERT_LOCK_WAIT_SECONDS", d.lock_wait_seconds,
                               0, 86400),
        runner_grace_seconds=_num(env, "BOXOFFICE_ALERT_RUNNER_GRACE", d.runner_grace_seconds,
                                  0, 86400),
    )


@dataclass(frozen=True, slots=True)
class OpsState:
    """What the checks found; ``None`` where a figure could not be read."""

    database_up: bool
    error: str | None = None
    schema_current: str | None = None
    schema_head: str | None = None
    attempts: int = 0
    conflicts: int = 0
    expiry_lag_seconds: float = 0.0
    overdue_holds: int = 0
    expiry_runners: int = 0
    lock_waits: int = 0
    lock_wait_max_seconds: float = 0.0


@dataclass(frozen=True, slots=True)
class Alert:
    name: str
    message: str
    value: float | str | None = None
    threshold: float | str | None = None


def evaluate(state: OpsState, limits: Thresholds) -> list[Alert]:
    """The alerts tripped by ``state``, most fundamental first."""
    if not state.database_up:
        why = f": {state.error}" if state.error else "."
        return [Alert("database_down", f"The database does not answer{why}")]
    out: list[Alert] = []
    if state.schema_current != state.schema_head:
        out.append(Alert("schema_behind_head",
                         f"The schema is at {state.schema_current or 'nothing'}, the software "
                         f"needs {state.schema_head}: run 'boxoffice db upgrade'.",
                         state.schema_current or "", state.schema_head))
    if (state.expiry_runners == 0 and state.overdue_holds
            and state.expiry_lag_seconds > limits.runner_grace_seconds):
        out.append(Alert("no_expiry_runner",
                         f"No expiry worker is connected and {state.overdue_holds} holds are "
                         "overdue: start 'boxoffice expiry-worker'.", state.overdue_holds, 0))
    if state.expiry_lag_seconds > limits.expiry_lag_seconds:
        out.append(Alert("expiry_lag",
                         f"The oldest overdue hold has waited {state.expiry_lag_seconds:.0f} s "
                         f"for release (limit {limits.expiry_lag_seconds:g} s).",
                         round(state.expiry_lag_seconds, 1), limits.expiry_lag_seconds))
    if state.attempts >= limits.conflict_min_attempts and state.attempts:
        rate = state.conflicts / state.attempts
        if rate > limits.conflict_rate:
            out.append(Alert("conflict_rate",
                             f"{rate:.0%} of the last {state.attempts} booking attempts met "
                             f"taken seats (limit {limits.conflict_rate:.0%}).",
                             round(rate, 3), limits.conflict_rate))
    if (state.lock_waits >= limits.lock_waits
            or state.lock_wait_max_seconds > limits.lock_wait_seconds):
        out.append(Alert("lock_waits",
                         f"{state.lock_waits} sessions wait for locks; the longest for "
                         f"{state.lock_wait_max_seconds:.1f} s.",
                         state.lock_waits, limits.lock_waits))
    return out
