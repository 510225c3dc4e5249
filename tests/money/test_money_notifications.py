"""Money announces itself: a payment, a refund and a till count each notify
``boxoffice_changes`` with state 'money' on commit, so a cash-up refreshes on money and
not on every hold (migration 0006)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import date
from typing import Any

import psycopg
import pytest

from boxoffice import booking, money, shows
from boxoffice.db import Database, libpq_url
from boxoffice.money import Payment
from tests.money.test_cashup import PLAN


@pytest.fixture
def listener(db_url: str) -> Iterator[psycopg.Connection[Any]]:
    conn = psycopg.connect(libpq_url(db_url), autocommit=True)
    conn.execute("LISTEN boxoffice_changes")
    yield conn
    conn.close()


def heard(conn: psycopg.Connection[Any]) -> list[dict[str, Any]]:
    """What was delivered so far (the writes committed before this is called)."""
    return [json.loads(n.payload) for n in conn.notifies(timeout=0.5)]


def money_only(payloads: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [p for p in payloads if p["state"] == "money"]


def test_a_payment_a_refund_and_a_till_count_each_announce_money(
        db: Database, show: shows.ShowView, listener: psycopg.Connection[Any]) -> None:
    money.set_price_plan(db, show.id, PLAN)
    held = booking.hold(db, show.id, ["C1", "C2"], clerk="ann", counter="Till 1")
    assert money_only(heard(listener)) == []  # a hold moves no money
    money.pay(db, held.id, {"C1": "Adult", "C2": "Child"}, Payment("cash"), clerk="ann",
              counter="Till 1")
    paid = heard(listener)
    assert [p["state"] for p in paid] == ["sold", "money"]  # one transaction, both
    assert {k: paid[1][k] for k in ("show", "booking", "counter")} == {
        "show": show.id, "booking": held.id, "counter": "Till 1"}

    money.cancel_seats(db, held.id, ["C2"], clerk="max", counter="Office")
    refund = money_only(heard(listener))
    assert [(p["show"], p["booking"], p["counter"]) for p in refund] == [
        (show.id, held.id, "Office")]

    money.record_cash_count(db, date.today(), 2500, clerk="ann", counter="Till 1")
    (count,) = money_only(heard(listener))
    assert (count["show"], count["booking"], count["counter"]) == (None, None, "Till 1")
