"""CoalescedRefresh: asks during a read fold into one queued read, started after the gap."""

from __future__ import annotations

from pytestqt.qtbot import QtBot

from boxoffice.ui.common.coalesce import CoalescedRefresh


def test_asks_fold_into_one_queued_read_after_the_gap(qtbot: QtBot) -> None:
    starts: list[int] = []
    refresher = CoalescedRefresh(lambda: starts.append(1), min_gap_ms=50)
    for _ in range(5):
        refresher.request()
    assert len(starts) == 1 and refresher.in_flight and refresher.queued

    refresher.finished()  # the queued read waits for the gap, then starts once
    assert len(starts) == 1 and not refresher.in_flight
    qtbot.waitUntil(lambda: len(starts) == 2, timeout=2_000)
    assert refresher.in_flight and not refresher.queued

    refresher.finished()  # nothing queued: idle, and the next ask starts at once
    assert len(starts) == 2 and not refresher.in_flight
    refresher.request()
    assert len(starts) == 3 and refresher.in_flight and not refresher.queued
