"""The live bridge: each view gets the kinds (and shows) it subscribed to, on the GUI
thread, once per change whichever source told it first."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import pytest
import shiboken6
from PySide6.QtCore import QCoreApplication, QObject, QThread
from pytestqt.qtbot import QtBot

from boxoffice import booking, shows
from boxoffice.changes import (
    Change,
    CheckedIn,
    MoneyChanged,
    PricesChanged,
    Resync,
    SeatsChanged,
    SeatState,
    ShowChange,
    ShowChanged,
)
from boxoffice.db import Database
from boxoffice.ui.common.live_bridge import LiveBridge

ONE_OF_EACH: list[Change] = [
    SeatsChanged(1, ("A1",), SeatState.SOLD, 5, "Box 1"),
    ShowChanged(1, ShowChange.CHANGED),
    PricesChanged(1, "Office"),
    CheckedIn(1, "A1", 5),
    MoneyChanged(1, 5, "Box 1"),
    MoneyChanged(None, None, "Box 2"),  # a till count
    SeatsChanged(2, ("B1",), SeatState.HELD, 6, "Box 2"),
    ShowChanged(2, ShowChange.DELETED),
    Resync("test"),
]


class View(QObject):
    """Stands for a window: records what reached it."""

    def __init__(self) -> None:
        super().__init__()
        self.got: list[Change] = []

    def on_change(self, change: Change) -> None:
        self.got.append(change)


@pytest.fixture
def bridge(qtbot: QtBot) -> Iterator[LiveBridge]:
    b = LiveBridge(None)  # no feed: only what is published
    yield b
    b.stop()


def test_a_view_gets_only_the_kinds_it_subscribed_to(bridge: LiveBridge) -> None:
    grid, cash, figures, everything = View(), View(), View(), View()
    bridge.subscribe(SeatsChanged, grid.on_change)
    bridge.subscribe((MoneyChanged, Resync), cash.on_change)
    bridge.subscribe((SeatsChanged, ShowChanged), figures.on_change)
    bridge.subscribe((SeatsChanged, ShowChanged, PricesChanged, CheckedIn, MoneyChanged,
                      Resync), everything.on_change)
    bridge.publish(ONE_OF_EACH)
    assert grid.got == [c for c in ONE_OF_EACH if isinstance(c, SeatsChanged)]
    assert cash.got == [c for c in ONE_OF_EACH if isinstance(c, MoneyChanged | Resync)]
    assert figures.got == [c for c in ONE_OF_EACH if isinstance(c, SeatsChanged | ShowChanged)]
    assert everything.got == ONE_OF_EACH  # in order


def test_a_show_filter_passes_that_show_and_resync_only(bridge: LiveBridge) -> None:
    wall, grid = View(), View()
    open_show: list[int | None] = [None]
    kinds = (SeatsChanged, ShowChanged, PricesChanged, CheckedIn, MoneyChanged, Resync)
    bridge.subscribe(kinds, wall.on_change, show=2)
    bridge.subscribe(kinds, grid.on_change, show=lambda: open_show[0])
    bridge.publish(ONE_OF_EACH)
    shows_of = [getattr(c, "show_id", "-") for c in wall.got]
    assert shows_of == [2, 2, "-"]  # show 2's seats and deletion, and the resync
    assert grid.got == [Resync("test")]  # no show open: only the resync
    open_show[0] = 1  # asked at each delivery: the show open now
    bridge.publish(ONE_OF_EACH)
    assert [getattr(c, "show_id", "-") for c in grid.got] == ["-", 1, 1, 1, 1, 1, "-"]


def test_a_deleted_view_or_an_unsubscribed_one_hears_nothing(bridge: LiveBridge) -> None:
    gone, stays, left = View(), View(), View()
    bridge.subscribe(SeatsChanged, gone.on_change)
    bridge.subscribe(SeatsChanged, stays.on_change)
    heard: list[Change] = []
    bridge.subscribe(SeatsChanged, heard.append, owner=left)  # a lambda-like callback
    unsubscribe = bridge.subscribe(SeatsChanged, stays.on_change)
    shiboken6.delete(gone)
    shiboken6.delete(left)
    unsubscribe()
    bridge.publish(ONE_OF_EACH[0])
    assert stays.got == [ONE_OF_EACH[0]] and heard == []


def test_a_failing_view_does_not_stop_the_others_and_reaches_the_crash_path(
    qtbot: QtBot, bridge: LiveBridge
) -> None:
    after = View()

    def broken(_change: Change) -> None:
        raise ZeroDivisionError("a bug in a view")

    bridge.subscribe(SeatsChanged, broken)
    bridge.subscribe(SeatsChanged, after.on_change)
    with qtbot.capture_exceptions() as exceptions:
        bridge.publish(ONE_OF_EACH[0])
    assert [type(e[1]) for e in exceptions] == [ZeroDivisionError]
    assert after.got == [ONE_OF_EACH[0]]


def test_what_a_view_publishes_while_handling_comes_after(bridge: LiveBridge) -> None:
    seen = View()
    follow_up = MoneyChanged(1, 5, "Box 1")

    def sells(change: SeatsChanged) -> None:
        bridge.publish(follow_up)  # e.g. an operation answering at once

    bridge.subscribe(SeatsChanged, sells)
    bridge.subscribe((SeatsChanged, MoneyChanged), seen.on_change)
    bridge.publish(ONE_OF_EACH[0])
    assert seen.got == [ONE_OF_EACH[0], follow_up]


def test_publishing_from_another_thread_delivers_on_the_gui_thread(
    qtbot: QtBot, bridge: LiveBridge
) -> None:
    threads: list[bool] = []
    view = View()
    bridge.subscribe(MoneyChanged, lambda c: (threads.append(
        QThread.currentThread() == QCoreApplication.instance().thread()), view.on_change(c)),
        owner=view)
    with qtbot.waitSignal(bridge.delivered, timeout=5_000):
        t = threading.Thread(target=bridge.publish, args=([MoneyChanged(1, 5, "Box 1")],))
        t.start()
        t.join()
    assert threads == [True] and view.got == [MoneyChanged(1, 5, "Box 1")]


# -- with the real feed ---------------------------------------------------------------


def is_sale_of(seat: str):  # type: ignore[no-untyped-def]
    """A ``check_params_cb``: the feed's record of that one seat (not the show's creation)."""
    return lambda c: isinstance(c, SeatsChanged) and c.seats == (seat,)


@pytest.fixture
def live(qtbot: QtBot, db: Database) -> Iterator[LiveBridge]:
    b = LiveBridge(db.url)
    assert b.wait_connected(10)
    yield b
    b.stop()


def test_feed_changes_arrive_on_the_gui_thread(qtbot: QtBot, live: LiveBridge, db: Database,
                                               show: shows.ShowView) -> None:
    on_gui: list[bool] = []
    view = View()

    def on_seats(change: SeatsChanged) -> None:
        on_gui.append(QThread.currentThread() == QCoreApplication.instance().thread())
        view.on_change(change)

    live.subscribe(SeatsChanged, on_seats, show=show.id, owner=view)
    with qtbot.waitSignal(live.delivered, check_params_cb=is_sale_of("C1"), timeout=10_000):
        sold = booking.sell(db, show.id, ["C1"], clerk="ann", counter="Box 3")
    assert view.got == [SeatsChanged(show.id, ("C1",), SeatState.SOLD, sold.id, "Box 3")]
    assert on_gui == [True]


def test_our_own_change_then_its_notification_is_delivered_once(
    qtbot: QtBot, live: LiveBridge, db: Database, show: shows.ShowView
) -> None:
    view = View()
    live.subscribe(SeatsChanged, view.on_change)
    held = booking.hold(db, show.id, ["C2", "C1"], clerk="ann", counter="Box 1")
    # What the operation answered, published before the feed is heard (no event loop ran).
    ours = SeatsChanged(show.id, ("C1", "C2"), SeatState.HELD, held.id, "Box 1")
    live.publish(ours)
    assert view.got == [ours]
    with qtbot.waitSignal(live.delivered, check_params_cb=is_sale_of("D9"), timeout=10_000):
        marker = booking.sell(db, show.id, ["D9"], clerk="ann")
    # The hold's notification came before the marker's and was dropped as an echo.
    assert view.got == [ours, SeatsChanged(show.id, ("D9",), SeatState.SOLD, marker.id)]


def test_the_notification_first_then_our_own_change_is_delivered_once(
    qtbot: QtBot, live: LiveBridge, db: Database, show: shows.ShowView
) -> None:
    view = View()
    live.subscribe(SeatsChanged, view.on_change)
    with qtbot.waitSignal(live.delivered, check_params_cb=is_sale_of("C3"),
                          timeout=10_000) as heard:
        held = booking.hold(db, show.id, ["C3"], clerk="ann", counter="Box 1")
    ours = SeatsChanged(show.id, ("C3",), SeatState.HELD, held.id, "Box 1")
    assert heard.args == [ours]
    with qtbot.assertNotEmitted(live.delivered):
        live.publish(ours)  # the operation's answer, late: already shown
    assert view.got == [ours]
    # A different change of the same seats is no echo.
    freed = SeatsChanged(show.id, ("C3",), SeatState.FREE, held.id, "Box 1")
    live.publish(freed)
    assert view.got == [ours, freed]


def test_a_twin_that_never_came_is_forgotten(bridge: LiveBridge,
                                             monkeypatch: pytest.MonkeyPatch) -> None:
    """Waiting echoes are bounded in time and number: a feed that was down never sends
    the twins, and a change much later that happens to look the same is no echo."""
    from boxoffice.ui.common import live_bridge

    view = View()
    bridge.subscribe(SeatsChanged, view.on_change)
    now = [1000.0]
    monkeypatch.setattr(live_bridge.time, "monotonic", lambda: now[0])
    ours = SeatsChanged(1, ("A1",), SeatState.HELD, 5, "Box 1")
    bridge.publish(ours)
    now[0] += live_bridge.ECHO_SECONDS + 1
    bridge._feed_change(ours)  # what the feed thread hands over, long after
    assert view.got == [ours, ours]

    bridge.publish([SeatsChanged(1, (f"B{i}",), SeatState.SOLD, i, "Box 1")
                    for i in range(live_bridge.ECHO_LIMIT + 1)])
    bridge._feed_change(SeatsChanged(1, ("B0",), SeatState.SOLD, 0, "Box 1"))  # the oldest
    bridge._feed_change(SeatsChanged(1, ("B1",), SeatState.SOLD, 1, "Box 1"))  # still waits
    assert view.got[-1] == SeatsChanged(1, ("B0",), SeatState.SOLD, 0, "Box 1")
    assert len(view.got) == 2 + live_bridge.ECHO_LIMIT + 1 + 1
