"""The managers' operations window and alert banner, over a real database."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QGroupBox
from sqlalchemy import make_url

from boxoffice import booking, expiry, shows, staff
from boxoffice.db import Database, libpq_url
from boxoffice.errors import SeatsTaken
from tests import dbutil


def test_operations_window_follows_a_burst_live(counter_window, qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                show: shows.ShowView) -> None:
    from boxoffice.ui.operations.window import OperationsWindow

    w = counter_window()
    qtbot.waitUntil(lambda: w.rights is not None, timeout=10_000)
    assert w.act_operations.isVisible()
    assert w.act_operations in w.manage_menu.actions()
    w.act_operations.trigger()
    ops = next(v for v in w.side_windows if isinstance(v, OperationsWindow))
    qtbot.waitUntil(lambda: ops.data is not None, timeout=10_000)
    assert ops.hour_labels["sold"].text() == "0"

    booking.sell(db, show.id, ["C1"], clerk="ann", counter="Other")
    booking.sell(db, show.id, ["C2", "C3"], clerk="ann", counter="Other")
    with pytest.raises(SeatsTaken):
        booking.sell(db, show.id, ["C2"], clerk="bob", counter="Other")
    booking.sell(db, show.id, ["D1"], clerk="ann", counter="Other")  # its notice refreshes

    qtbot.waitUntil(lambda: ops.hour_labels["sold"].text() == "3", timeout=10_000)
    assert ops.hour_labels["conflicts"].text() == "1"
    assert ops.hour_labels["conflict_rate"].text() == "25%"
    assert ops.day_labels["sold"].text() == "3"
    assert ops.sold_series.count() >= 60
    assert sum(p.y() for p in ops.sold_series.points()) == 3
    assert sum(p.y() for p in ops.conflict_series.points()) == 1
    assert list(ops.show_x.categories()) == ["Test Show"]
    assert ops.counters.rowCount() >= 1  # this counter app, as PostgreSQL sees it
    # one unit (bookings), said once; a sale is sold at once or a confirmed hold
    assert ops.hour_labels["sales"].text() == "3"
    assert any("not per seat" in b.title() for b in ops.findChildren(QGroupBox))
    # the show chart's names read along its side, whole
    assert ops.show_x.alignment() == Qt.AlignmentFlag.AlignLeft
    login = ops.counters.item(0, 0)
    assert ops.counters.columnWidth(0) >= ops.counters.fontMetrics().horizontalAdvance(
        login.text())

    # A second open reuses the window; closing the main window closes it.
    assert w.open_operations() is ops
    w.close()
    assert not ops.isVisible()


def test_refreshes_coalesce(counter_window, qtbot, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    w = counter_window()
    ops = w.open_operations()
    for _ in range(5):
        ops.refresh()  # one in flight, the rest folded into one queued refresh
    assert ops.refresher.in_flight and ops.refresher.queued
    with qtbot.waitSignals([ops.refreshed, ops.refreshed], timeout=10_000):
        pass
    qtbot.waitUntil(lambda: not ops.refresher.in_flight and not ops.refresher.queued, timeout=10_000)


def test_expiry_lag_alert_shows_in_managers_banner(counter_window, qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                  show: shows.ShowView,
                                                  monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BOXOFFICE_ALERT_EXPIRY_LAG", "30")
    dbutil.seed_stale_holds(db, show.id, 2)  # a minute overdue, nobody expiring them
    w = counter_window(live=False)
    qtbot.waitUntil(lambda: getattr(w, "alert_banner", None) is not None
                    and w.alert_banner.isVisible(), timeout=10_000)
    assert "expiry_lag" in w.alert_banner.names
    assert "seats stay blocked" in w.alert_banner.label.text()
    assert w.alert_watcher.limits.expiry_lag_seconds == 30

    assert expiry.expire_holds(db).bookings == 2  # the alert clears on the next check
    with qtbot.waitSignal(w.alert_watcher.alerts_changed, timeout=10_000) as changed:
        w.alert_watcher.refresh()
    assert changed.args == [[]]
    assert not w.alert_banner.isVisible()


def test_clerk_gets_no_alert_banner(qtbot, db: Database, show: shows.ShowView,  # type: ignore[no-untyped-def]
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    from boxoffice.ui.counter.main_window import MainWindow

    monkeypatch.setenv("BOXOFFICE_ALERT_EXPIRY_LAG", "30")
    dbutil.seed_stale_holds(db, show.id, 2)  # a manager would see an alert
    name = f"t{uuid.uuid4().hex[:8]}_clerk"
    staff.add_staff(db, name, "clerk", "correct horse battery")
    url = make_url(db.url).set(username=name, password=None)
    database = dbutil.open_db(url.render_as_string(hide_password=False))
    window = MainWindow(database, counter="Counter 2", clerk=name, live=False,
                        settings=QSettings())
    try:
        window.show()
        qtbot.waitUntil(lambda: window.rights is not None, timeout=10_000)
        assert window.rights.role == "clerk"
        assert getattr(window, "alert_watcher", None) is None
        assert getattr(window, "alert_banner", None) is None
        assert not window.act_operations.isVisible()
    finally:
        window.close()
        window.shutdown()
        database.dispose()
        with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def test_a_bug_in_the_figures_reaches_the_crash_dialog_once(qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                           monkeypatch: pytest.MonkeyPatch) -> None:
    from boxoffice.ui.common.runner import OperationRunner
    from boxoffice.ui.operations import window as operations_view

    def broken(_db: Database) -> None:
        raise RuntimeError("a bug")

    monkeypatch.setattr(operations_view, "read_operations", broken)
    runner = OperationRunner(db)
    try:
        ops = operations_view.OperationsWindow(runner)
        qtbot.addWidget(ops)
        with qtbot.waitSignal(runner.unexpected_error, timeout=10_000) as bug:
            ops.show()
        assert isinstance(bug.args[0], RuntimeError)
        assert not ops.timer.isActive()
        runner.wait_idle()
    finally:
        runner.shutdown()
