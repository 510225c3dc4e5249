"""The counter's operations: what each declares, what it answers, what a sale costs."""

from __future__ import annotations

import pytest
from sqlalchemy import event

from boxoffice import counter, money, shows
from boxoffice.changes import MoneyChanged, SeatsChanged, SeatState
from boxoffice.counter import OPERATIONS, SettledBy
from boxoffice.db import Database
from boxoffice.errors import RequestRefused, SeatsTaken
from boxoffice.money import Payment, PriceCategory
from boxoffice.ops import metrics
from tests.conftest import table_snapshot


@pytest.fixture
def priced(db: Database, show: shows.ShowView) -> shows.ShowView:
    money.set_price_plan(db, show.id, [PriceCategory("Stalls", {"Adult": 2500, "Child": 1200})])
    return show


def latency(operation: str, outcome: str) -> float:
    return metrics.REGISTRY.get_sample_value(
        "boxoffice_booking_latency_seconds_count",
        {"operation": operation, "outcome": outcome}) or 0.0


def test_every_operation_declares_its_metric_and_retry_rule() -> None:
    names = [op.metric for op in OPERATIONS]
    assert names == ["hold", "sell", "confirm", "release", "exchange", "cancel", "refund"]
    rules = {op.metric: (op.retry.settled_by, op.retry.done_status) for op in OPERATIONS}
    assert rules["sell"] == rules["hold"] == (SettledBy.REQUEST_KEY, None)
    assert rules["confirm"] == (SettledBy.BOOKING_STATUS, "CONFIRMED")
    assert rules["release"] == (SettledBy.BOOKING_STATUS, "FAILED")
    assert rules["cancel"] == (SettledBy.BOOKING_STATUS, "CANCELLED")
    assert rules["exchange"] == rules["refund"] == (SettledBy.BOOKING_SEATS, None)


def test_a_sale_for_money_answers_with_its_changes_and_is_timed_by_its_name(
        db: Database, priced: shows.ShowView) -> None:
    ok, clash = latency("sell", "ok"), latency("sell", "conflict")
    done = counter.sell_for_money(db, priced.id, {"C1": "Adult", "C2": "Child"},
                                  Payment("cash", tendered=5000), clerk="ann", counter="Till 1")
    sale = done.result
    assert sale.total == 3700 and sale.change_due == 1300 and sale.booking.status == "CONFIRMED"
    assert sorted((t.seat, t.price) for t in sale.lines) == [("C1", 2500), ("C2", 1200)]
    assert done.changes == (
        SeatsChanged(priced.id, ("C1", "C2"), SeatState.SOLD, sale.booking.id, "Till 1"),
        MoneyChanged(priced.id, sale.booking.id, "Till 1"))
    # what it answered is what the database holds
    assert money.paid_sale(db, sale.booking.id) == sale
    with pytest.raises(SeatsTaken):
        counter.sell_for_money(db, priced.id, {"C2": "Adult"}, Payment("card"), clerk="bob")
    assert latency("sell", "ok") == ok + 1 and latency("sell", "conflict") == clash + 1


def test_a_sale_costs_three_checkouts_and_refusals_cost_one(db: Database,
                                                            priced: shows.ShowView) -> None:
    """Plan, hold, pay-and-answer: each once. Too little cash is refused from the plan,
    before any seat is held, and writes nothing."""
    checkouts: list[int] = []
    event.listen(db.engine, "checkout", lambda *_a: checkouts.append(1))
    counter.sell_for_money(db, priced.id, {"D1": "Adult"}, Payment("card"), clerk="ann")
    assert len(checkouts) == 3
    before = table_snapshot(db)
    checkouts.clear()
    with pytest.raises(RequestRefused, match="EUR 5.00 is missing"):
        counter.sell_for_money(db, priced.id, {"D2": "Adult"}, Payment("cash", tendered=2000),
                               clerk="ann")
    assert len(checkouts) == 1
    assert table_snapshot(db) == before


def test_hold_pay_release_exchange_and_refunds_say_what_they_changed(
        db: Database, priced: shows.ShowView) -> None:
    held = counter.hold(db, priced.id, ["E1", "E2"], clerk="ann", counter="Till 1")
    h = held.result
    assert h.status == "PENDING" and h.request_key is not None
    assert held.changes == (SeatsChanged(priced.id, ("E1", "E2"), SeatState.HELD, h.id,
                                         "Till 1"),)
    moved = counter.exchange(db, h.id, ["E2", "E3"], clerk="ann", counter="Till 1",
                             old_seats=h.seats)
    assert moved.changes == (
        SeatsChanged(priced.id, ("E1",), SeatState.FREE, h.id, "Till 1"),
        SeatsChanged(priced.id, ("E3",), SeatState.HELD, h.id, "Till 1"))
    paid = counter.pay_hold(db, h.id, {"E2": "Adult", "E3": "Child"}, Payment("card"),
                            clerk="ann", counter="Till 1")
    assert paid.result.total == 3700
    assert isinstance(paid.changes[1], MoneyChanged)
    part = counter.refund_seats(db, h.id, ["E3"], clerk="max", counter="Office")
    assert part.result.amount == 1200 and not part.result.whole_booking
    assert part.changes[0] == SeatsChanged(priced.id, ("E3",), SeatState.FREE, h.id, "Office")
    rest = counter.cancel(db, h.id, clerk="max", counter="Office")
    assert rest.result.booking.status == "CANCELLED" and rest.result.amount == 2500
    other = counter.hold(db, priced.id, ["F1"], clerk="ann").result
    gone = counter.release(db, other.id, clerk="ann", seats=other.seats)
    assert gone.result.status == "FAILED"
    assert gone.changes == (SeatsChanged(priced.id, ("F1",), SeatState.FREE, other.id, None),)
