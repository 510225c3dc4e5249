"""The show list model: cached rows, one-row updates, filters, and the live feed."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.ui.counter.show_list import (
    LEFT,
    ShowFilter,
    ShowIdRole,
    ShowListModel,
    ShowListPanel,
)
from tests import dbutil


def test_model_passes_the_model_tester(qtmodeltester, db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    model = ShowListModel()
    model.set_shows(shows.list_shows(db))
    qtmodeltester.check(model)


def test_update_of_one_show_is_one_row_changed(qtbot, db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    model = ShowListModel()
    model.set_shows(shows.list_shows(db))
    summary = shows.show_summary(db, show.id)
    with qtbot.waitSignal(model.dataChanged) as changed, \
            qtbot.assertNotEmitted(model.modelReset):
        model.update_show(replace(summary, sold=summary.sold + 3))
    top, bottom = changed.args[0], changed.args[1]
    assert top.row() == bottom.row() == 0
    assert model.index(0, LEFT).data() == str(summary.seats_left - 3)


def test_filter_by_day_and_text(db: Database, hall: shows.HallView) -> None:
    a = shows.create_show(db, "Hamlet", dbutil.tomorrow(), hall=hall.id)
    b = shows.create_show(db, "Carmen", dbutil.tomorrow() + timedelta(days=1), hall=hall.id)
    model = ShowListModel()
    model.set_shows(shows.list_shows(db))
    proxy = ShowFilter()
    proxy.setSourceModel(model)
    ids = lambda: [proxy.index(r, 0).data(ShowIdRole) for r in range(proxy.rowCount())]  # noqa: E731
    assert ids() == [a.id, b.id]
    proxy.set_text("carm")
    assert ids() == [b.id]
    proxy.set_text("")
    proxy.set_day(a.start_time.astimezone().date())
    assert ids() == [a.id]


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_panel_follows_the_live_feed_one_show_at_a_time(qtbot, db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    from boxoffice.ui.common.live_bridge import LiveBridge
    from boxoffice.ui.common.runner import OperationRunner

    runner = OperationRunner(db)
    bridge = LiveBridge(db.url)
    panel = ShowListPanel(runner)
    qtbot.addWidget(panel)
    panel.follow(bridge)
    try:
        assert bridge.wait_connected(10)
        with qtbot.waitSignal(panel.loaded):
            panel.reload()
        left = panel.model.summary(show.id).seats_left
        with qtbot.assertNotEmitted(panel.model.modelReset):
            booking.sell(db, show.id, ["B4", "B5", "B6"], clerk="x", counter="Box 3")
            qtbot.waitUntil(lambda: panel.model.summary(show.id).seats_left == left - 3)
        # a new show appears without a reload
        new = shows.create_show(db, "Late Show", dbutil.tomorrow(hours=3), hall=show.hall_id)
        qtbot.waitUntil(lambda: panel.model.row_of(new.id) >= 0)
    finally:
        bridge.stop()
        runner.shutdown()


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_the_list_updates_when_a_hold_runs_out_by_itself(qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                          show: shows.ShowView) -> None:
    """Issue 13 item 12: nobody announces a hold that lapses (no expiry runner, no feed
    here at all); the row must still stop counting it at its deadline."""
    from boxoffice.ui.common.runner import OperationRunner

    runner = OperationRunner(db)
    panel = ShowListPanel(runner)
    qtbot.addWidget(panel)
    try:
        booking.hold(db, show.id, ["C4", "C5"], clerk="x", hold_seconds=5)
        with qtbot.waitSignal(panel.loaded):
            panel.reload()
        assert panel.model.summary(show.id).held == 2
        qtbot.waitUntil(lambda: panel.model.summary(show.id).held == 0, timeout=15_000)
        assert panel.model.summary(show.id).next_expiry is None
    finally:
        runner.shutdown()


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_grid_header_and_list_agree_when_a_hold_runs_out_unannounced(  # type: ignore[no-untyped-def]
        qtbot, counter_window, db: Database, show: shows.ShowView) -> None:
    from boxoffice.ui.common import style
    from tests.ui.counter.test_counter_flow import open_show, state_of

    w = counter_window()
    open_show(qtbot, w, show.id)
    # a hold another counter made, whose end nobody announces (no expiry runner here)
    booking.hold(db, show.id, ["G4"], clerk="x", counter="Box 9", hold_seconds=5)
    qtbot.waitUntil(lambda: state_of(w, "G4") == style.HELD_OTHER)
    qtbot.waitUntil(lambda: state_of(w, "G4") == style.FREE, timeout=15_000)
    free = w.model.counts()[style.FREE]
    qtbot.waitUntil(lambda: w.show_list.model.summary(show.id).seats_left == free, timeout=10_000)


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_opening_a_show_brings_its_row_up_to_date(  # type: ignore[no-untyped-def]
        qtbot, counter_window, db: Database, show: shows.ShowView) -> None:
    """Issue 13 item 12: on first opening a show the list said 150 left and the header
    154 free: the row was as old as the list (holds lapsed since, unannounced), the grid
    fresh from the database. Opening a show refetches its row."""
    from boxoffice.ui.common import style
    from tests.ui.counter.test_counter_flow import open_show

    w = counter_window()
    qtbot.waitUntil(lambda: w.show_list.model.summary(show.id) is not None)
    fresh = w.show_list.model.summary(show.id)
    w.show_list.model.update_show(replace(fresh, held=fresh.held + 4))  # as a stale row is
    open_show(qtbot, w, show.id)
    free = w.model.counts()[style.FREE]
    qtbot.waitUntil(lambda: w.show_list.model.summary(show.id).seats_left == free)
