"""The cash-up window over a real day of sales made through the money functions."""

from __future__ import annotations

import csv
import uuid
from datetime import date
from pathlib import Path

import psycopg
import pytest
from PySide6.QtCore import Qt
from sqlalchemy import make_url

from boxoffice import booking, money, shows, staff
from boxoffice.changes import MoneyChanged, Resync, SeatsChanged, SeatState
from boxoffice.db import Database, libpq_url
from boxoffice.money import Payment, PriceCategory
from tests import dbutil

PRICES = {"Adult": 2500, "Child": 1250, "Complimentary": 0}


@pytest.fixture
def day_of_sales(db: Database, show: shows.ShowView) -> shows.ShowView:
    """alice at Counter 1: cash 37.50 (50.00 given), card 25.00; bob at Counter 2: card
    50.00, then one of those two seats refunded (25.00)."""
    money.set_price_plan(db, show.id, [PriceCategory("Stalls", PRICES)])
    money.sell(db, show.id, {"C1": "Adult", "C2": "Child"}, Payment("cash", tendered=5000),
               clerk="alice", counter="Counter 1")
    money.sell(db, show.id, {"D1": "Adult", "D2": "Complimentary"}, Payment("card"),
               clerk="alice", counter="Counter 1")
    bob = money.sell(db, show.id, {"E1": "Adult", "E2": "Adult"}, Payment("card"),
                     clerk="bob", counter="Counter 2")
    money.cancel_seats(db, bob.booking.id, ["E2"], clerk="bob", counter="Counter 2")
    return show


def open_window(qtbot, runner, **kw):  # type: ignore[no-untyped-def]
    from boxoffice.ui.cashup.window import CashUpWindow

    w = CashUpWindow(runner, None, counter=kw.pop("counter", "Counter 1"),
                     clerk=kw.pop("clerk", "alice"), **kw)
    qtbot.addWidget(w)
    with qtbot.waitSignal(w.refreshed, timeout=10_000):
        w.show()
    return w


def cell(table, row: int, col: int) -> str:  # type: ignore[no-untyped-def]
    return table.item(row, col).text()


def test_window_shows_the_days_totals(qtbot, runner, day_of_sales) -> None:  # type: ignore[no-untyped-def]
    w = open_window(qtbot, runner)
    assert w.title.text() == "Cash-up" and w.clerk_box.isVisibleTo(w)
    values = {k: v.text() for k, (v, _sub) in w.cards.items()}
    assert values == {"tickets": "6", "taken": "EUR 112.50", "refunded": "EUR 25.00",
                      "net": "EUR 87.50", "expired": "0", "difference": "—"}
    assert w.cards["tickets"][1].text() == "1 refunded"

    methods = w.tables.methods
    rows = {cell(methods, r, 0): [cell(methods, r, c) for c in range(1, 6)]
            for r in range(methods.rowCount())}
    assert rows["Cash"] == ["1", "37.50", "0", "0.00", "37.50"]
    assert rows["Card"] == ["2", "75.00", "1", "25.00", "50.00"]
    assert rows["Total"] == ["3", "112.50", "1", "25.00", "87.50"]

    tills = w.tables.tills
    assert [cell(tills, r, 0) for r in range(tills.rowCount())] == [
        "Counter 1 · alice", "Counter 2 · bob", "Total"]
    headers = [tills.horizontalHeaderItem(c).text() for c in range(tills.columnCount())]
    assert cell(tills, 0, headers.index("Cash expected")) == "37.50"
    assert cell(tills, 1, headers.index("Card")) == "25.00"  # net of bob's refund
    assert cell(tills, 0, headers.index("Tickets")) == "4"

    tickets = w.tables.tickets
    by_type = {cell(tickets, r, 2): cell(tickets, r, 3) for r in range(tickets.rowCount() - 1)}
    assert by_type == {"Adult": "4", "Child": "1", "Complimentary": "1"}
    assert cell(w.tables.occupancy, 0, 0) == "Test Show"
    assert cell(w.tables.occupancy, 0, 3) == "5"  # C1 C2 D1 D2 E1 still sold

    taken, refunded = w.charts.method_series.barSets()
    assert [taken.at(i) for i in range(taken.count())] == [37.5, 75.0, 0.0]
    assert [refunded.at(i) for i in range(refunded.count())] == [0.0, 25.0, 0.0]
    net = w.charts.hour_series.barSets()[0]
    assert sum(net.at(i) for i in range(net.count())) == 87.5

    # A manager narrows it to one clerk: bob's till alone.
    w.clerk_box.setCurrentText("bob")
    with qtbot.waitSignal(w.refreshed, timeout=10_000):
        w.clerk_box.activated.emit(w.clerk_box.currentIndex())
    assert w.cards["net"][0].text() == "EUR 25.00"
    assert w.data.cashup.clerk == "bob" and len(w.data.cashup.tills) == 1


def test_recording_counted_cash_updates_the_difference(qtbot, runner, day_of_sales) -> None:  # type: ignore[no-untyped-def]
    w = open_window(qtbot, runner)
    assert w.till_box.currentData() == ("Counter 1", "alice")

    w.count_edit.setText("twelve")
    w.count_button.click()
    assert "not an amount" in w.count_message.text()
    assert w.cards["difference"][0].text() == "—"

    w.count_edit.setText("35,00")
    with qtbot.waitSignals([w.counted, w.refreshed], timeout=10_000):
        w.count_button.click()
    assert "Recorded EUR 35.00 for Counter 1 · alice" in w.count_message.text()
    value, sub = w.cards["difference"]
    assert value.text() == "EUR -2.50" and "#b91c1c" in value.styleSheet()
    assert sub.text() == "counted 35.00 of 37.50"
    tills = w.tables.tills
    last = tills.columnCount() - 1
    assert cell(tills, 0, last) == "-2.50"
    assert tills.item(0, last).foreground().color().name() == "#b91c1c"

    w.count_edit.setText("37.50")  # a recount: the latest count of the day counts
    with qtbot.waitSignals([w.counted, w.refreshed], timeout=10_000):
        w.count_edit.returnPressed.emit()
    assert w.cards["difference"][0].text() == "EUR 0.00"
    assert tills.item(0, last).foreground().color().name() == "#15803d"


def test_csv_and_pdf_exports(qtbot, runner, day_of_sales, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    w = open_window(qtbot, runner)
    with qtbot.waitSignal(w.exported, timeout=5_000):
        written = w.export_csv(tmp_path / "cashup.csv")
    assert written == tmp_path / "cashup.csv"
    rows = list(csv.reader(written.read_text(encoding="utf-8").splitlines()))
    assert rows[0][:2] == ["BoxOffice cash-up", date.today().isoformat()]
    takings = rows.index(["Takings", "method", "payments", "taken", "refunds", "refunded", "net"])
    total = next(r for r in rows[takings:] if r[1:2] == ["total"])
    assert total == ["", "total", "3", "112.50", "1", "25.00", "87.50"]

    pdf = w.export_pdf(tmp_path / "cashup.pdf")
    assert pdf is not None
    data = pdf.read_bytes()
    assert data.startswith(b"%PDF") and len(data) > 10_000
    assert b"/Title" in data  # the writer's metadata: "Cash-up <day>"
    assert "PDF written to" in w.status.text()


def test_a_clerk_sees_only_their_own_cash_up(qtbot, db: Database, day_of_sales) -> None:  # type: ignore[no-untyped-def]
    from boxoffice.ui.common.runner import OperationRunner

    name = f"t{uuid.uuid4().hex[:8]}_clerk"
    staff.add_staff(db, name, "clerk", "correct horse battery")
    url = make_url(db.url).set(username=name, password=None)
    clerk_db = dbutil.open_db(url.render_as_string(hide_password=False))
    runner = OperationRunner(clerk_db)
    try:
        with dbutil.seeding():  # the clerk's own sale, through the window's Database
            money.sell(clerk_db, day_of_sales.id, {"F1": "Adult"},
                       Payment("cash", tendered=3000), clerk=name, counter="Counter 3")
        w = open_window(qtbot, runner, counter="Counter 3", clerk="whoever")
        assert w.title.text() == "Your cash-up"
        assert not w.clerk_box.isVisibleTo(w)
        assert w.data.cashup.clerk == name
        assert w.cards["tickets"][0].text() == "1"
        assert w.cards["taken"][0].text() == "EUR 25.00"
        assert [cell(w.tables.tills, 0, 0)] == [f"Counter 3 · {name}"]
        assert w.till_box.currentData() == ("Counter 3", name)
        # a clerk counts blind: the cash expected is hidden until the count is recorded
        assert w.count.blind.isChecked() and not w.tables.tills.isVisible()
        assert not w.cards["taken"][0].isVisible()
    finally:
        runner.shutdown()
        clerk_db.dispose()
        with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{name}"')


def test_a_hold_refreshes_nothing_but_money_moving_does(counter_window, qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                       day_of_sales) -> None:
    w = counter_window()
    qtbot.waitUntil(lambda: w.rights is not None, timeout=10_000)
    view = w.open_cashup()
    qtbot.waitUntil(lambda: view.data is not None and not view.refresher.in_flight
                    and not view.refresher.queued, timeout=10_000)

    def idle() -> bool:
        return not view.refresher.in_flight and not view.refresher.queued

    # A hold at another counter reaches this app (the grid's subscription gets it) ...
    def is_hold(change: object) -> bool:
        return isinstance(change, SeatsChanged) and change.state == SeatState.HELD

    with qtbot.waitSignal(w.live.delivered, check_params_cb=is_hold, timeout=10_000):
        booking.hold(db, day_of_sales.id, ["H1"], clerk="carol", counter="Counter 2")
    assert idle()  # ... and the cash-up did not ask for a refresh: delivery is synchronous
    # A release, from this app's own operation, neither.
    w.live.publish(SeatsChanged(day_of_sales.id, ("H1",), SeatState.FREE, 1, "Counter 1"))
    assert idle()

    # Money moving does, both from this app's operation and from the feed.
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        w.live.publish(MoneyChanged(day_of_sales.id, 1, "Counter 1"))
        assert view.refresher.in_flight
    qtbot.waitUntil(idle, timeout=10_000)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        # a till count at another counter: its notice has no show and no booking
        money.record_cash_count(db, date.today(), 5000, clerk="carol", counter="Counter 2")
    # So does a resync: anything may have changed.
    qtbot.waitUntil(idle, timeout=10_000)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        w.live.publish(Resync("test"))
    qtbot.waitUntil(idle, timeout=10_000)
    with qtbot.waitSignal(view.refreshed, timeout=10_000):
        w.act_refresh.trigger()  # F5 in the counter window refreshes every view of it


def test_menu_opens_it_and_a_sale_elsewhere_refreshes_it(counter_window, qtbot, db: Database,  # type: ignore[no-untyped-def]
                                                        day_of_sales) -> None:
    from boxoffice.ui.cashup.window import CashUpWindow

    w = counter_window()
    qtbot.waitUntil(lambda: w.rights is not None, timeout=10_000)
    assert w.act_cashup.isVisible()
    w.act_cashup.trigger()
    view = next(v for v in w.side_windows if isinstance(v, CashUpWindow))
    qtbot.waitUntil(lambda: view.data is not None, timeout=10_000)
    assert view.cards["tickets"][0].text() == "6"

    money.sell(db, day_of_sales.id, {"G1": "Child"}, Payment("voucher", reference="V-77"), clerk="carol",
                      counter="Counter 2")
    qtbot.waitUntil(lambda: view.cards["tickets"][0].text() == "7", timeout=10_000)
    assert view.cards["taken"][0].text() == "EUR 125.00"
    assert "carol" in [view.clerk_box.itemText(i) for i in range(view.clerk_box.count())]
    assert w.open_cashup() is view
    w.close()
    assert not view.isVisible()


@pytest.mark.parametrize("key", [(Qt.Key.Key_Escape, Qt.KeyboardModifier.NoModifier),
                                 (Qt.Key.Key_W, Qt.KeyboardModifier.ControlModifier)])
def test_escape_and_ctrl_w_close_the_cash_up(qtbot, runner, day_of_sales, key) -> None:  # type: ignore[no-untyped-def]
    w = open_window(qtbot, runner)
    assert w.windowTitle() == "Cash-up"  # Qt adds "— BoxOffice" itself
    w.activateWindow()
    qtbot.waitUntil(w.isActiveWindow)
    qtbot.keyClick(w, *key)
    qtbot.waitUntil(lambda: not w.isVisible())


def test_a_blind_count_hides_the_cash_expected_until_it_is_recorded(  # type: ignore[no-untyped-def]
        qtbot, runner, day_of_sales) -> None:
    w = open_window(qtbot, runner)
    revealing = [w.tables.tills, w.tables.methods, w.cards["difference"][0],
                 w.cards["taken"][0], w.method_view, w.tables.tickets, w.pdf_button]
    assert all(x.isVisible() for x in revealing)
    w.count.blind.setChecked(True)
    assert not any(x.isVisible() for x in revealing)
    assert w.count_edit.isVisible() and w.blind_note.isVisible()
    w.count_edit.setText("35.00")
    with qtbot.waitSignals([w.counted, w.refreshed], timeout=10_000):
        w.count_button.click()
    assert all(x.isVisible() for x in revealing)  # counted: now the difference is shown
    assert w.cards["difference"][0].text() == "EUR -2.50"
    assert not w.count.blind.isChecked()
