"""The compact seat model, headless: states, live changes, selection."""

from __future__ import annotations

from datetime import UTC, datetime

from boxoffice import changes
from boxoffice.changes import SeatsChanged
from boxoffice.seatmap import SeatMap, SeatState
from boxoffice.ui.common import style
from boxoffice.ui.counter.seat_grid_model import SeatGridModel


def make_map(show_id: int = 1) -> SeatMap:
    seats = []
    for r, row in enumerate("AB"):
        for c in range(5):
            col = c if c < 2 else c + 1  # an aisle after seat 2
            state = "sold" if (row, c) == ("A", 0) else "free"
            seats.append(SeatState(f"{row}{c + 1}", row, r, col, "standard", state,
                                   booking_id=7 if state == "sold" else None,
                                   counter="Box 9" if state == "sold" else None))
    return SeatMap(show_id, "Show", datetime(2030, 1, 1, tzinfo=UTC), "Hall",
                   tuple(seats))


def test_load_builds_the_grid_with_aisles(qtbot) -> None:  # type: ignore[no-untyped-def]
    m = SeatGridModel("Box 1")
    with qtbot.waitSignal(m.reset):
        m.load(make_map())
    assert (m.n_rows, m.n_cols) == (2, 6)
    assert m.at(0, 2) == -1  # the aisle
    assert m.labels[m.at(1, 3)] == "B3"
    assert m.states[m.index_of("A1")] == style.SOLD
    assert m.counts()[style.FREE] == 9


def test_live_change_marks_seats_and_drops_them_from_the_selection(qtbot) -> None:  # type: ignore[no-untyped-def]
    m = SeatGridModel("Box 1")
    m.load(make_map())
    m.select_labels(["B1", "B2", "B3"])
    with qtbot.waitSignal(m.selection_lost) as lost, qtbot.waitSignal(m.seats_changed) as changed:
        m.apply_change(SeatsChanged(1, ("B2",), changes.SeatState.HELD, 9, "Box 2"))
    assert lost.args == [["B2"]]
    assert changed.args == [[m.index_of("B2")]]
    assert m.states[m.index_of("B2")] == style.HELD_OTHER
    assert m.selected_labels() == ["B1", "B3"]
    # our own counter's hold is told apart, and quietly
    with qtbot.assertNotEmitted(m.selection_lost):
        m.apply_change(SeatsChanged(1, ("B1",), changes.SeatState.HELD, 10, "Box 1"))
    assert m.states[m.index_of("B1")] == style.HELD_MINE
    # another show's change is ignored
    with qtbot.assertNotEmitted(m.seats_changed):
        m.apply_change(SeatsChanged(2, ("B3",), changes.SeatState.SOLD, 11, "Box 2"))


def test_only_free_seats_can_be_selected_and_blocks_span_rows(qtbot) -> None:  # type: ignore[no-untyped-def]
    m = SeatGridModel("Box 1")
    m.load(make_map())
    m.toggle(m.index_of("A1"))  # sold
    assert m.selected_labels() == []
    block = m.block(m.index_of("A2"), m.index_of("B4"))
    m.set_selection(block)
    assert m.selected_labels() == ["A2", "A3", "A4", "B2", "B3", "B4"]


def test_reload_of_the_same_show_keeps_a_still_free_selection(qtbot) -> None:  # type: ignore[no-untyped-def]
    m = SeatGridModel("Box 1")
    m.load(make_map())
    m.select_labels(["B4", "B5"])
    m.load(make_map())
    assert m.selected_labels() == ["B4", "B5"]
    m.load(make_map(show_id=2))
    assert m.selected_labels() == []


class FakeRunner:
    """Keeps submitted operations so the test decides when each one finishes."""

    def __init__(self) -> None:
        self.ops: list[tuple[object, object, object]] = []

    def run(self, fn, *, success=None, failure=None, label=""):  # type: ignore[no-untyped-def]
        self.ops.append((fn, success, failure))
        return len(self.ops)


def test_a_change_during_the_load_fetches_the_show_once_more(qtbot) -> None:  # type: ignore[no-untyped-def]
    from boxoffice.ui.counter.seat_grid_model import LiveSeatMap

    runner = FakeRunner()
    m = SeatGridModel("Box 1")
    live = LiveSeatMap(m, runner)
    live.open(1)
    assert len(runner.ops) == 1
    live.on_seats(SeatsChanged(1, ("B2",), changes.SeatState.SOLD, 5, "Box 2"))  # while loading
    assert len(runner.ops) == 1
    runner.ops[0][1](make_map())  # the first load finishes
    assert m.show_id == 1 and len(runner.ops) == 2  # and the show is fetched again
    runner.ops[1][1](make_map())
    live.on_seats(SeatsChanged(1, ("B2",), changes.SeatState.SOLD, 5, "Box 2"))
    assert m.states[m.index_of("B2")] == style.SOLD  # shown from the payload at once
    assert len(runner.ops) == 3  # then only that seat's details are fetched


def test_compact_fetch_loads_the_model_like_the_seat_map(qtbot, db, show) -> None:  # type: ignore[no-untyped-def]
    """The counter's one-small-result fetch gives the same seats as the public seat map,
    held seats of this counter in its own colour, details made only on demand."""
    from boxoffice import booking, seatfetch, seatmap, shows

    held = booking.hold(db, show.id, ["C1", "C2"], clerk="ann", counter="Box 1")
    booking.sell(db, show.id, ["D5"], clerk="bob", counter="Box 2", customer="Dee")
    booking.hold(db, show.id, ["E3"], clerk="cy", counter="Box 2")
    m = SeatGridModel("Box 1")
    m.load(seatfetch.fetch(db, show.id, counter="Box 1"))
    by_label = seatmap.seat_map(db, show.id).by_label()
    assert sorted(m.labels) == sorted(by_label)
    assert [m.seat(label) for label in sorted(by_label)] == [by_label[x] for x in sorted(by_label)]
    assert m.states[m.index_of("C1")] == style.HELD_MINE
    assert m.states[m.index_of("E3")] == style.HELD_OTHER
    assert m.states[m.index_of("D5")] == style.SOLD
    assert m.states[m.index_of("A1")] == style.BLOCKED  # the fixture hall's blocked seat
    assert m.seat("C2").booking_id == held.id
    assert m.seat("D5").customer == "Dee"
    # a second show of the same hall shares the cached chart
    other = shows.create_show(db, "Other", show.start_time, hall=show.hall_name)
    assert seatfetch.fetch(db, other.id).geometry is seatfetch.fetch(db, show.id).geometry


def test_feed_changes_of_one_frame_reach_the_grid_as_one_update(qtbot) -> None:  # type: ignore[no-untyped-def]
    """Twenty sales arriving from the feed in one frame: one model update, one repaint."""
    from boxoffice.ui.common.live_bridge import LiveBridge
    from boxoffice.ui.counter.seat_grid import SeatGrid
    from boxoffice.ui.counter.seat_grid_model import LiveSeatMap

    runner = FakeRunner()
    m = SeatGridModel("Box 1")
    grid = SeatGrid(m)
    qtbot.addWidget(grid)
    grid.show()
    qtbot.waitExposed(grid)
    live = LiveSeatMap(m, runner)
    bridge = LiveBridge(None)
    live.follow(bridge)
    live.open(1)
    runner.ops[0][1](make_map())
    updates: list[list[int]] = []
    m.seats_changed.connect(updates.append)
    sold = ("A2", "A3", "A4", "A5", "B1", "B2", "B3", "B4", "B5")
    painted = grid.paint_count
    with qtbot.waitSignal(bridge.delivered):
        for k, label in enumerate(sold):
            bridge._from_feed.emit(SeatsChanged(1, (label,), changes.SeatState.SOLD, 20 + k,
                                                "Box 2"))
        assert updates == []  # nothing yet: the batch goes out once the frame's turn comes
    assert len(updates) == 1 and len(updates[0]) == len(sold)
    assert all(m.states[m.index_of(x)] == style.SOLD for x in sold)
    assert len(runner.ops) == 2  # and one details fetch for all nine seats
    qtbot.waitUntil(lambda: grid.paint_count > painted)
