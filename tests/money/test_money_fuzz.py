"""Hostile input at the money entry points: a clear refusal that writes nothing, never a
traceback; amounts typed at a till parse exactly or are refused."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from boxoffice import booking, money, shows
from boxoffice.db import Database
from boxoffice.errors import BoxOfficeError, InvalidRequest
from boxoffice.money import Payment, PriceCategory
from tests.conftest import table_snapshot
from tests.test_fuzz import DB_RUNS, PURE_RUNS, _refused_cleanly, anything, ids, nasty_names, txt

methods = st.one_of(st.sampled_from(["cash", "card", "voucher", "invoice", "CASH", "", "iou"]),
                    anything)
amounts = st.one_of(st.integers(-10, 3 * 10**9), st.floats(), st.none(), st.booleans(),
                    st.text(txt, max_size=8), st.decimals(allow_nan=True))
tickets = st.one_of(
    st.dictionaries(st.one_of(st.sampled_from(["C1", "C2", "A1", "Z99", " c3 "]),
                              st.text(txt, max_size=5)),
                    st.one_of(st.sampled_from(["Adult", "Child", "Pensioner", ""]), anything),
                    max_size=4),
    anything)
payments = st.one_of(st.none(), anything,
                     st.builds(Payment, methods, amounts, st.one_of(st.none(), nasty_names,
                                                                     anything)))


@DB_RUNS
@given(show_id=ids, tickets=tickets, payment=payments, clerk=st.one_of(nasty_names, anything),
       action=st.sampled_from(["sell", "quote", "pay"]))
def test_selling_for_money_refuses_junk_and_writes_nothing(
        db: Database, show: shows.ShowView, show_id: Any, tickets: Any, payment: Any,
        clerk: Any, action: str) -> None:
    if show_id is True:
        show_id = show.id
    if not money.price_plan(db, show.id).priced:
        money.set_price_plan(db, show.id, [PriceCategory("Stalls", {"Adult": 1000,
                                                                    "Child": 500})])
    held = booking.hold(db, show.id, ["D1"], clerk="ann")
    before = table_snapshot(db)
    try:
        if action == "sell":
            money.sell(db, show_id, tickets, payment, clerk=clerk)
        elif action == "quote":
            money.quote(db, show_id, tickets)
            assert table_snapshot(db) == before
        else:
            money.pay(db, held.id if show_id == show.id else show_id, tickets, payment,
                      clerk=clerk)
    except BoxOfficeError as exc:
        _refused_cleanly(exc)
        assert table_snapshot(db) == before, "a refused request wrote something"
    finally:
        if booking.get_booking(db, held.id).status == "PENDING":
            booking.release(db, held.id, clerk="ann")


@DB_RUNS
@given(plan=st.one_of(anything, st.lists(st.builds(
    PriceCategory, st.one_of(nasty_names, anything),
    st.one_of(st.dictionaries(st.sampled_from(["Adult", "Child", "Nope"]), amounts, max_size=3),
              anything),
    st.one_of(st.tuples(), st.lists(st.sampled_from(["C1", "C2", "zz", "Z99"]), max_size=3)
              .map(tuple))), max_size=3)))
def test_price_plans_refuse_junk_and_write_nothing(db: Database, show: shows.ShowView,
                                                   plan: Any) -> None:
    before = table_snapshot(db)
    try:
        saved = money.set_price_plan(db, show.id, plan)
    except BoxOfficeError as exc:
        _refused_cleanly(exc)
        assert table_snapshot(db) == before
    else:
        assert [c.name for c in saved.categories] == [c.name.strip() for c in plan]


@DB_RUNS
@given(day=st.one_of(st.dates(), anything), counter=st.one_of(st.none(), nasty_names, anything),
       clerk=st.one_of(st.none(), nasty_names, anything), counted=amounts,
       booking_id=ids, seats=st.one_of(st.none(), st.lists(st.text(txt, max_size=4), max_size=3)),
       method=st.one_of(st.none(), methods))
def test_cash_up_counts_and_refunds_refuse_junk(db: Database, show: shows.ShowView, day: Any,
                                                counter: Any, clerk: Any, counted: Any,
                                                booking_id: Any, seats: Any, method: Any) -> None:
    before = table_snapshot(db)
    for call in (lambda: money.cash_up(db, day, counter=counter, clerk=clerk),
                 lambda: money.cancel_seats(db, booking_id, seats, clerk=clerk or "x",
                                            method=method)):
        try:
            call()
        except BoxOfficeError as exc:
            _refused_cleanly(exc)
        assert table_snapshot(db) == before
    try:
        money.record_cash_count(db, day, counted, clerk=clerk, counter=counter)
    except BoxOfficeError as exc:
        _refused_cleanly(exc)
        assert table_snapshot(db) == before
    else:
        assert isinstance(day, date) and isinstance(counted, int)


@PURE_RUNS
@given(typed=st.one_of(st.text(txt, max_size=14), st.integers(-5, 10**12),
                       st.decimals(allow_nan=True, allow_infinity=True), anything),
       minor=st.integers(0, 3))
def test_typed_amounts_parse_exactly_or_are_refused(typed: Any, minor: int) -> None:
    cur = money.Currency("EUR", minor)
    try:
        value = cur.parse(typed)
    except InvalidRequest as exc:
        assert exc.message
    else:
        assert isinstance(value, int) and value >= 0
        assert cur.parse(cur.plain(value)) == value  # what we print reads back the same
        if isinstance(typed, int | Decimal):
            assert Decimal(value) == Decimal(typed) * 10**minor
