"""An exchange across price categories re-prices the tickets and moves the difference
(issue 13 item 4), and a clerk sees money another till took (item 7)."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import text

from boxoffice import audit, booking, money, shows, staff
from boxoffice.db import Database, libpq_url
from boxoffice.errors import InvalidRequest, RequestRefused
from boxoffice.exchange import exchange, quote
from boxoffice.money import Payment, PriceCategory
from tests.conftest import table_snapshot
from tests.test_roles import as_login

STALLS = {"Adult": 3200, "Child": 1600}
CIRCLE = {"Adult": 2400, "Child": 1200}


@pytest.fixture
def priced(db: Database, show: shows.ShowView) -> shows.ShowView:
    money.set_price_plan(db, show.id, [
        PriceCategory("Stalls", STALLS),
        PriceCategory("Circle", CIRCLE, seats=tuple(f"{r}{n}" for r in "IJ" for n in range(1, 13))),
    ])
    return show


def rows(db: Database, sql: str, **params: Any) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.execute(text(sql), params))


def broken(db: Database) -> dict[str, list[object]]:
    with db.engine.connect() as conn:
        return audit.violations(conn)


def test_moving_into_a_cheaper_category_refunds_the_difference(
        db: Database, priced: shows.ShowView) -> None:
    sale = money.sell(db, priced.id, {"F12": "Adult"}, Payment("card"), clerk="ann")
    q = quote(db, sale.booking.id, ["J1"])
    assert q.difference == -800 and [(t.old_category, t.new_category) for t in q.moved] == [
        ("Stalls", "Circle")]
    assert "EUR 8.00 less" in q.describe()
    before = table_snapshot(db)
    with pytest.raises(RequestRefused, match="EUR 8.00 less: choose how it is refunded"):
        exchange(db, sale.booking.id, ["J1"], clerk="ann")
    assert table_snapshot(db) == before  # refused: nothing moved
    exchange(db, sale.booking.id, ["J1"], clerk="ann", payment=Payment("cash"),
             expected_difference=q.difference)
    m = money.booking_money(db, sale.booking.id)
    assert [(t.seat, t.category, t.price) for t in m.tickets] == [("J1", "Circle", 2400)]
    assert [(r.kind, r.method, r.amount) for r in m.records] == [
        ("payment", "card", 3200), ("refund", "cash", 800)]
    assert broken(db) == {}


def test_moving_into_a_dearer_category_takes_the_difference(
        db: Database, priced: shows.ShowView) -> None:
    sale = money.sell(db, priced.id, {"J1": "Adult", "J2": "Child"}, Payment("cash"),
                      clerk="ann")
    q = quote(db, sale.booking.id, ["J2", "F5"])  # the Adult moves to the stalls
    assert q.difference == 800
    with pytest.raises(InvalidRequest, match="voucher's code"):
        exchange(db, sale.booking.id, ["J2", "F5"], clerk="ann", payment=Payment("voucher"))
    exchange(db, sale.booking.id, ["J2", "F5"], clerk="ann", payment=Payment("card"),
             expected_difference=800)
    m = money.booking_money(db, sale.booking.id)
    assert sorted((t.seat, t.category, t.ticket_type, t.price) for t in m.tickets) == [
        ("F5", "Stalls", "Adult", 3200), ("J2", "Circle", "Child", 1200)]
    assert m.paid == 2400 + 1200 + 800 and m.refunded == 0
    events = rows(db, "SELECT kind, details FROM booking_events WHERE booking_id = :b "
                  "AND kind = 'payment_taken' ORDER BY id", b=sale.booking.id)
    assert events[-1].details["reason"] == "exchange" and events[-1].details["amount"] == 800
    assert "tickets" not in events[-1].details  # the cash-up counts no new ticket sold
    assert broken(db) == {}


def test_same_category_keeps_the_price_it_was_sold_at(db: Database,
                                                      priced: shows.ShowView) -> None:
    sale = money.sell(db, priced.id, {"F1": "Adult"}, Payment("card"), clerk="ann")
    money.set_price_plan(db, priced.id, [
        PriceCategory("Stalls", {"Adult": 9900, "Child": 1600}),
        PriceCategory("Circle", CIRCLE, seats=tuple(f"{r}{n}" for r in "IJ" for n in range(1, 13))),
    ])
    assert quote(db, sale.booking.id, ["F2"]).difference == 0
    exchange(db, sale.booking.id, ["F2"], clerk="ann")  # no money, no method needed
    assert [t.price for t in money.booking_money(db, sale.booking.id).tickets] == [3200]


def test_a_difference_that_changed_since_it_was_shown_is_refused(
        db: Database, priced: shows.ShowView) -> None:
    sale = money.sell(db, priced.id, {"F1": "Adult"}, Payment("card"), clerk="ann")
    before = table_snapshot(db)
    with pytest.raises(RequestRefused, match="prices were just changed"):
        exchange(db, sale.booking.id, ["J1"], clerk="ann", payment=Payment("card"),
                 expected_difference=-500)
    assert table_snapshot(db) == before


def test_no_price_in_the_new_category_is_refused(db: Database, show: shows.ShowView) -> None:
    money.set_price_plan(db, show.id, [
        PriceCategory("Stalls", STALLS),
        PriceCategory("Circle", {"Adult": 2400}, seats=("J1", "J2")),
    ])
    sale = money.sell(db, show.id, {"F1": "Child"}, Payment("card"), clerk="ann")
    assert quote(db, sale.booking.id, ["J1"]).unpriced
    with pytest.raises(RequestRefused, match="no price for Child in Circle"):
        exchange(db, sale.booking.id, ["J1"], clerk="ann", payment=Payment("card"))


def test_the_audit_catches_an_exchange_made_the_old_way(db: Database,
                                                        priced: shows.ShowView) -> None:
    """Before 0007 an exchange moved the ticket row and left its category and price:
    "J1, Stalls, 3200". Made here by raw SQL as the old function did it."""
    sale = money.sell(db, priced.id, {"F12": "Adult"}, Payment("card"), clerk="ann")
    same = money.sell(db, priced.id, {"F1": "Adult"}, Payment("card"), clerk="ann")
    b = sale.booking.id
    with db.engine.begin() as conn:
        for booking_id, old, new in ((b, "F12", "J1"), (same.booking.id, "F1", "F2")):
            conn.execute(text("DELETE FROM booking_seats WHERE booking_id = :b"),
                         {"b": booking_id})
            conn.execute(text("INSERT INTO booking_seats (booking_id, show_id, seat_number) "
                              "VALUES (:b, :s, :new)"),
                         {"b": booking_id, "s": priced.id, "new": new})
            conn.execute(text("UPDATE booking_tickets SET seat_number = :new "
                              "WHERE booking_id = :b"), {"b": booking_id, "new": new})
            conn.execute(text(
                "INSERT INTO booking_events (kind, show_id, booking_id, seats, details) "
                "VALUES ('booking_exchanged', :s, :b, ARRAY[:new], CAST(:d AS jsonb))"),
                {"s": priced.id, "b": booking_id, "new": new,
                 "d": json.dumps({"from": [old], "to": [new], "clerk": "ann"})})
    found = broken(db)
    name = "kept ticket not in its seat's category at sale or exchange time"
    # the old cross-category move is caught; the old same-category move is fine
    assert found == {name: [(b, "J1", "Stalls", "Circle")]}


def test_a_raw_exchange_with_a_difference_and_no_method_is_refused(
        db: Database, priced: shows.ShowView) -> None:
    sale = money.sell(db, priced.id, {"F1": "Adult"}, Payment("card"), clerk="ann")
    before = table_snapshot(db)
    with psycopg.connect(libpq_url(db.url)) as conn:
        with pytest.raises(psycopg.Error) as err:
            conn.execute("SELECT * FROM boxoffice_exchange(%s, ARRAY['J1'], 'x', NULL)",
                         [sale.booking.id])
    assert err.value.sqlstate == "BO003"
    assert table_snapshot(db) == before


@pytest.fixture
def clerks(db: Database) -> Iterator[dict[str, str]]:
    tag = uuid.uuid4().hex[:8]
    names = {"ann": f"t{tag}_ann", "ben": f"t{tag}_ben"}
    for login in names.values():
        staff.add_staff(db, login, "clerk", "correct horse 1")
    yield names
    with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
        for login in names.values():
            admin.execute(f'DROP OWNED BY "{login}"')
            admin.execute(f'DROP ROLE IF EXISTS "{login}"')


def test_a_clerk_sees_that_another_till_was_paid(db: Database, priced: shows.ShowView,
                                                 clerks: dict[str, str]) -> None:
    ann, ben = as_login(db, clerks["ann"]), as_login(db, clerks["ben"])
    try:
        sale = money.sell(ann, priced.id, {"F1": "Adult", "F2": "Adult"}, Payment("card"),
                          clerk="ann")
        seen_by_ben = money.booking_money(ben, sale.booking.id)
        assert seen_by_ben.records == ()  # row-level security: not his payment rows
        assert seen_by_ben.paid == 6400 and seen_by_ben.paid_elsewhere == 6400
        seen_by_ann = money.booking_money(ann, sale.booking.id)
        assert seen_by_ann.paid == 6400 and seen_by_ann.paid_elsewhere == 0
        # and an exchange ben makes across categories, with his own refund
        exchange(ben, sale.booking.id, ["F1", "J1"], clerk="ben", payment=Payment("cash"))
        seen_by_ben = money.booking_money(ben, sale.booking.id)
        assert (seen_by_ben.paid, seen_by_ben.refunded) == (6400, 800)
        assert [(r.kind, r.amount) for r in seen_by_ben.records] == [("refund", 800)]
    finally:
        ann.dispose()
        ben.dispose()


def test_a_voucher_payment_needs_its_code(db: Database, priced: shows.ShowView) -> None:
    """Issue 13 item 26: refused by the service before anything is held, and by
    boxoffice_pay itself for a client that skips the service."""
    before = table_snapshot(db)
    with pytest.raises(InvalidRequest, match="voucher's code"):
        money.sell(db, priced.id, {"F1": "Adult"}, Payment("voucher"), clerk="ann")
    assert table_snapshot(db) == before
    hold = booking.hold(db, priced.id, ["F1"], clerk="ann")
    before = table_snapshot(db)
    with pytest.raises(RequestRefused, match="voucher's code"):
        with db.engine.begin() as conn:
            conn.execute(text(
                "SELECT * FROM boxoffice_pay(:b, CAST(:t AS jsonb), 'voucher', NULL, ' ', "
                "'ann', NULL, NULL)"), {"b": hold.id, "t": '[{"seat": "F1", "type": "Adult"}]'})
    assert table_snapshot(db) == before
    sale = money.sell(db, priced.id, {"F2": "Adult"}, Payment("voucher", reference="GIFT-1"),
                      clerk="ann")
    assert money.booking_money(db, sale.booking.id).records[0].reference == "GIFT-1"
