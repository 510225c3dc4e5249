"""Tickets and the door from the counter window's menus."""

from __future__ import annotations

from boxoffice import booking, shows
from boxoffice.db import Database


def test_door_check_in_opens_on_the_open_show(counter_window, db: Database,  # type: ignore[no-untyped-def]
                                              show: shows.ShowView, qtbot) -> None:
    w = counter_window()
    w.open_show(show.id)
    qtbot.waitUntil(lambda: w.model.show_id == show.id, timeout=10_000)
    door = w.open_door()
    assert door.isVisible() and door in w.side_windows
    door.close()


def test_tickets_need_a_sold_booking(counter_window, db: Database,  # type: ignore[no-untyped-def]
                                     show: shows.ShowView, qtbot, tmp_path) -> None:
    w = counter_window()
    w.print_tickets()  # nothing open: the clerk is told, nothing printed
    assert "sold booking" in w.panel.message
    sold = booking.sell(db, show.id, ["C3", "C4"], clerk="alice")
    w.panel.focus_booking = sold
    from boxoffice.ui.printing.tickets import save_tickets_pdf

    target = tmp_path / "t.pdf"
    job = save_tickets_pdf(w.runner, sold.id, w, path=target)
    with qtbot.waitSignal(job.finished, timeout=20_000) as done:
        pass
    assert "2 tickets saved" in done.args[0] and target.stat().st_size > 1000
    assert w._ticket_booking() == sold.id


def test_the_counter_times_its_own_sales(counter_window, db: Database,  # type: ignore[no-untyped-def]
                                         show: shows.ShowView, qtbot) -> None:
    """Latency is kept under the operation's declared name, whatever the runner's label
    says: a bare call labelled "sell ..." is not a counter sale and is not counted."""
    from boxoffice import counter
    from boxoffice.ops.metrics import REGISTRY

    def sells() -> float:
        return REGISTRY.get_sample_value("boxoffice_booking_latency_seconds_count",
                                         {"operation": "sell", "outcome": "ok"}) or 0.0

    w = counter_window()
    before = sells()
    done = []
    w.runner.run(lambda d: booking.sell(d, show.id, ["D2"], clerk="alice"),
                 success=done.append, label="sell ['D2'] of show")
    w.runner.run(lambda d: counter.sell_for_money(d, show.id, {"D1": "Adult"}, None,
                                                  clerk="alice"),
                 success=done.append, label="Sell now at the counter")
    qtbot.waitUntil(lambda: len(done) == 2)
    assert sells() == before + 1
