"""Alerts over a real database: expiry lag with no runner trips and clears, thresholds
come from the environment, and the monitor logs each alert once at ERROR."""

from __future__ import annotations

import logging

import pytest

from boxoffice import booking, expiry, shows
from boxoffice.db import Database
from boxoffice.errors import InvalidRequest, SeatsTaken
from boxoffice.ops import alerts
from boxoffice.ops.health import OpsMonitor
from tests import dbutil


def names(report_alerts: list[alerts.Alert]) -> list[str]:
    return [a.name for a in report_alerts]


def test_expiry_lag_with_no_runner_trips_then_clears(
        db: Database, show: shows.ShowView, caplog: pytest.LogCaptureFixture) -> None:
    watcher = OpsMonitor(db, interval=5, runs_expiry=False,
                         limits=alerts.Thresholds(expiry_lag_seconds=30))
    assert watcher.refresh().alerts == []
    dbutil.seed_stale_holds(db, show.id, 4)  # deadlines a minute ago, nobody expiring
    with caplog.at_level(logging.INFO, logger="boxoffice.ops.health"):
        report = watcher.refresh()
        assert names(report.alerts) == ["no_expiry_runner", "expiry_lag"]
        lag = report.alerts[1]
        assert isinstance(lag.value, float) and 60 <= lag.value < 120
        watcher.refresh()  # still tripped: not logged again
        errors = [r for r in caplog.records if r.levelno == logging.ERROR]
        assert [getattr(r, "alert", None) for r in errors] == ["no_expiry_runner", "expiry_lag"]

        assert expiry.expire_holds(db).bookings == 4
        assert watcher.refresh().alerts == []
        cleared = [r.getMessage() for r in caplog.records if r.levelno == logging.INFO]
        assert "alert expiry_lag cleared" in cleared
    assert report.ready  # a watcher's readiness does not depend on expiry rounds


def test_conflict_rate_alert_needs_enough_attempts(db: Database, show: shows.ShowView) -> None:
    limits = alerts.Thresholds(conflict_rate=0.3, conflict_min_attempts=4)
    watcher = OpsMonitor(db, interval=5, runs_expiry=False, limits=limits)
    booking.sell(db, show.id, ["C1"], clerk="ann")
    for _ in range(2):
        with pytest.raises(SeatsTaken):
            booking.sell(db, show.id, ["C1"], clerk="bob")
    assert watcher.refresh().alerts == []  # 3 attempts: too few to judge
    with pytest.raises(SeatsTaken):
        booking.sell(db, show.id, ["C1"], clerk="bob")
    tripped = watcher.refresh().alerts
    assert names(tripped) == ["conflict_rate"] and tripped[0].value == 0.75


def test_evaluate_orders_and_database_down_hides_the_rest() -> None:
    limits = alerts.Thresholds(lock_waits=2)
    state = alerts.OpsState(database_up=True, schema_current="0002", schema_head="0003",
                            expiry_lag_seconds=100, overdue_holds=3, expiry_runners=1,
                            lock_waits=2)
    assert names(alerts.evaluate(state, limits)) == ["schema_behind_head", "expiry_lag",
                                                     "lock_waits"]
    assert names(alerts.evaluate(alerts.OpsState(database_up=False), limits)) == [
        "database_down"]


def test_thresholds_from_env() -> None:
    t = alerts.thresholds_from_env({"BOXOFFICE_ALERT_CONFLICT_RATE": "0.5",
                                    "BOXOFFICE_ALERT_EXPIRY_LAG": "90"})
    assert t.conflict_rate == 0.5 and t.expiry_lag_seconds == 90
    assert t.lock_waits == alerts.Thresholds().lock_waits
    with pytest.raises(InvalidRequest):
        alerts.thresholds_from_env({"BOXOFFICE_ALERT_CONFLICT_RATE": "lots"})
    with pytest.raises(InvalidRequest):
        alerts.thresholds_from_env({"BOXOFFICE_ALERT_CONFLICT_RATE": "2"})
