"""Money at the counter: prices fixed into the booking, payment with the confirm, refunds."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import text

from boxoffice import booking, money, seatmap, shows
from boxoffice.db import Database
from boxoffice.errors import HoldExpired, InvalidRequest, RequestRefused, WrongBookingState
from boxoffice.exchange import exchange
from boxoffice.history import booking_history
from boxoffice.money import Payment, PriceCategory
from tests.conftest import table_snapshot

STALLS = {"Adult": 2500, "Child": 1250, "Concession": 1800, "Complimentary": 0}
CIRCLE = {"Adult": 3500, "Child": 1750, "Complimentary": 0}


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


def test_plan_prices_every_seat_first_category_by_default(db: Database,
                                                          priced: shows.ShowView) -> None:
    plan = money.price_plan(db, priced.id)
    assert [c.name for c in plan.categories] == ["Stalls", "Circle"]
    assert plan.category_of("C5") == "Stalls" and plan.category_of("J3") == "Circle"
    assert plan.price("J3", "Adult") == 3500 and plan.price("C5", "Child") == 1250
    assert plan.price("J3", "Concession") is None  # not sold in the circle
    q = money.quote(db, priced.id, {"C5": "Adult", "J3": "Child"})
    assert q.total == 2500 + 1750 and q.currency.code == "EUR"
    assert [(line.seat, line.category) for line in q.lines] == [("C5", "Stalls"), ("J3", "Circle")]
    # the counter prices from the plan it holds; it must agree with what the database charges
    assert money.price_tickets(plan, {"C5": "Adult", "J3": "Child"}) == q
    paid = money.sell(db, priced.id, {"C5": "Adult", "J3": "Child"}, Payment("card"), clerk="ann")
    assert paid.total == q.total and set(paid.lines) == set(q.lines)


@pytest.mark.parametrize("given", [None, 0, 2499, 2500, 2501, 10_000])
def test_the_too_little_rule_is_boxoffice_pays(db: Database, priced: shows.ShowView,
                                               given: int | None) -> None:
    """``money.short_by``/``change_due`` (what the payment box and sale card show, what
    ``sell`` refuses before a seat is held) answer as ``boxoffice_pay`` does itself."""
    held = booking.hold(db, priced.id, ["C1"], clerk="ann")
    refused = False
    with db.engine.connect() as conn:
        try:
            with conn.begin():
                r = conn.execute(text(
                    "SELECT * FROM boxoffice_pay(:b, CAST(:t AS jsonb), 'cash', :given, NULL, "
                    "'ann', NULL, NULL)"), {"b": held.id, "t": '[{"seat": "C1", "type": "Adult"}]',
                                            "given": given}).one()
        except Exception as exc:
            assert "gave" in str(exc)
            refused = True
    assert refused == (money.short_by(2500, given) > 0)
    assert (money.too_little(money.Currency("EUR", 2), 2500, given) is not None) == refused
    if not refused:
        assert r.outcome == "paid" and r.change_due == money.change_due(2500, given)


def test_cash_sale_records_tickets_payment_change_and_events(db: Database,
                                                             priced: shows.ShowView) -> None:
    sale = money.sell(db, priced.id, {"C5": "Adult", "C6": "Child", "J1": "Adult"},
                      Payment("cash", tendered=10000), clerk="ann", counter="Till 1",
                      customer="Ada Lovelace")
    assert sale.booking.status == "CONFIRMED" and sale.booking.customer_name == "Ada Lovelace"
    assert sale.total == 2500 + 1250 + 3500 and sale.change_due == 10000 - 7250
    assert sorted((t.seat, t.ticket_type, t.price) for t in sale.lines) == [
        ("C5", "Adult", 2500), ("C6", "Child", 1250), ("J1", "Adult", 3500)]
    pay = rows(db, "SELECT kind, method, amount, tendered, change_due, user_name, counter "
                   "FROM payments WHERE booking_id = :b", b=sale.booking.id)
    assert [tuple(p) for p in pay] == [("payment", "cash", 7250, 10000, 2750, "ann", "Till 1")]
    kinds = [e.kind for e in booking_history(db, sale.booking.id)]
    assert kinds == ["booking_held", "booking_confirmed", "payment_taken"]
    event = booking_history(db, sale.booking.id)[-1]
    assert event.details["amount"] == 7250 and event.details["clerk"] == "ann"
    assert len(event.details["tickets"]) == 3


def test_hold_then_card_payment_and_price_change_never_rewrites_a_sale(
        db: Database, priced: shows.ShowView) -> None:
    held = booking.hold(db, priced.id, ["D1", "D2"], clerk="ann")
    paid = money.pay(db, held.id, {"D1": "Concession", "D2": "Complimentary"},
                     Payment("card", reference="auth 123456"), clerk="ann")
    assert paid.total == 1800 and paid.change_due is None and paid.method == "card"
    money.set_price_plan(db, priced.id, [PriceCategory("Stalls", {**STALLS, "Concession": 9900})])
    assert money.booking_money(db, held.id).sold_value == 1800
    assert money.booking_money(db, held.id).paid == 1800


@pytest.mark.parametrize(("tickets", "payment", "message"), [
    ({"J1": "Concession"}, Payment("card"), "no price for Concession in Circle"),
    ({"C1": "Adult"}, Payment("cash", tendered=2000), "gave EUR 20.00; the tickets cost EUR 25.00. EUR 5.00 is missing"),
    ({"C1": "Adult"}, None, "Choose how the customer pays EUR 25.00"),
    ({"C1": "Pensioner"}, Payment("card"), "no ticket type called Pensioner"),
])
def test_refused_payment_writes_nothing(db: Database, priced: shows.ShowView,
                                        tickets: dict[str, str], payment: Payment | None,
                                        message: str) -> None:
    before = table_snapshot(db)
    with pytest.raises(RequestRefused, match=message):
        money.sell(db, priced.id, tickets, payment, clerk="ann")
    assert table_snapshot(db) == before
    assert rows(db, "SELECT * FROM payments") == []


def test_refused_pay_keeps_the_hold_and_records_no_payment(db: Database,
                                                           priced: shows.ShowView) -> None:
    held = booking.hold(db, priced.id, ["C1"], clerk="ann")
    with pytest.raises(RequestRefused, match="cost EUR 25.00"):
        money.pay(db, held.id, {"C1": "Adult"}, Payment("cash", tendered=100), clerk="ann")
    with pytest.raises(RequestRefused, match="each seat of the booking"):
        money.pay(db, held.id, {"C2": "Adult"}, Payment("card"), clerk="ann")
    assert booking.get_booking(db, held.id).status == "PENDING"
    assert rows(db, "SELECT * FROM payments") == []
    assert rows(db, "SELECT * FROM booking_tickets") == []


def test_an_expired_hold_takes_no_money(db: Database, priced: shows.ShowView) -> None:
    held = booking.hold(db, priced.id, ["C1"], clerk="ann")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1 s' "
                          "WHERE id = :b"), {"b": held.id})
    with pytest.raises(HoldExpired):
        money.pay(db, held.id, {"C1": "Adult"}, Payment("card"), clerk="ann")
    assert booking.get_booking(db, held.id).status == "FAILED"
    assert rows(db, "SELECT * FROM payments") == []
    with pytest.raises(HoldExpired):  # still the clerk's answer: it ran out
        money.pay(db, held.id, {"C1": "Adult"}, Payment("card"), clerk="ann")
    sold = booking.sell(db, priced.id, ["C2"], clerk="ann")
    with pytest.raises(WrongBookingState, match="confirmed; it cannot be paid for"):
        money.pay(db, sold.id, {"C2": "Adult"}, Payment("card"), clerk="ann")


def test_cancel_refunds_what_was_paid_and_partial_cancel_refunds_those_seats(
        db: Database, priced: shows.ShowView) -> None:
    sale = money.sell(db, priced.id, {"E1": "Adult", "E2": "Child", "E3": "Adult"},
                      Payment("card"), clerk="ann")
    part = money.cancel_seats(db, sale.booking.id, ["E2"], clerk="max", reason="child ill")
    assert part.amount == 1250 and part.seats == ("E2",) and not part.whole_booking
    assert part.booking.status == "CONFIRMED" and sorted(part.booking.seats) == ["E1", "E3"]
    free = {s.label: s.state for s in seatmap.seat_map(db, priced.id).seats}
    assert free["E2"] == "free"
    rest = booking.cancel(db, sale.booking.id, clerk="max")
    assert rest.status == "CANCELLED"
    m = money.booking_money(db, sale.booking.id)
    assert m.paid == 6250 and m.refunded == 6250 and m.sold_value == 0
    assert [(r.kind, r.method, r.amount) for r in m.records] == [
        ("payment", "card", 6250), ("refund", "card", 1250), ("refund", "card", 5000)]
    kinds = [e.kind for e in booking_history(db, sale.booking.id)]
    assert kinds[-4:] == ["booking_part_cancelled", "refund_given", "booking_cancelled",
                          "refund_given"]


def test_partial_cancel_refuses_seats_of_another_booking(db: Database,
                                                         priced: shows.ShowView) -> None:
    sale = money.sell(db, priced.id, {"E1": "Adult", "E2": "Adult"}, Payment("cash"),
                      clerk="ann")
    before = table_snapshot(db)
    with pytest.raises(RequestRefused, match="not all part of booking"):
        money.cancel_seats(db, sale.booking.id, ["E1", "F9"], clerk="max")
    with pytest.raises(InvalidRequest, match="refund is by"):
        money.cancel_seats(db, sale.booking.id, ["E1"], clerk="max", method="bitcoin")
    assert table_snapshot(db) == before


def test_a_paid_exchange_moves_the_tickets_and_keeps_the_count(db: Database,
                                                               priced: shows.ShowView) -> None:
    sale = money.sell(db, priced.id, {"F1": "Adult", "F2": "Child"}, Payment("card"),
                      clerk="ann")
    exchange(db, sale.booking.id, ["F2", "G7"], clerk="ann")
    lines = {t.seat: (t.ticket_type, t.price) for t in money.booking_money(db, sale.booking.id).tickets}
    assert lines == {"F2": ("Child", 1250), "G7": ("Adult", 2500)}
    with pytest.raises(RequestRefused, match="keeps its number of seats"):
        exchange(db, sale.booking.id, ["F2"], clerk="ann")


def test_a_show_without_prices_sells_free_tickets(db: Database, show: shows.ShowView) -> None:
    sale = money.sell(db, show.id, {"C1": "Adult"}, None, clerk="ann")
    assert sale.total == 0 and sale.payment_id is None
    assert money.booking_money(db, sale.booking.id).tickets[0].category is None
    free = money.sell(db, show.id, {"C2": "Adult"}, Payment("cash", tendered=500), clerk="ann")
    assert free.total == 0 and free.method is None and free.change_due is None
    assert money.booking_money(db, free.booking.id).records == ()  # no money moved
    assert booking_history(db, free.booking.id)[-1].details["method"] is None


@pytest.mark.parametrize(("plan", "message"), [
    ([PriceCategory("A", {"Adult": -1})], "price of Adult in A"),
    ([PriceCategory("A", {"Adult": 1.5})], "price of Adult in A"),  # type: ignore[dict-item]
    ([PriceCategory("A", {"Nobody": 100})], "no ticket type called Nobody"),
    ([PriceCategory("A", {}), PriceCategory("a", {})], "Two price categories"),
    ([PriceCategory("A", {}, ("C1",)), PriceCategory("B", {}, ("C1",))], "both A and B"),
    ([PriceCategory("A", {}, ("Z99",))], "not in this show's hall"),
    ([PriceCategory("", {})], "cannot be empty"),
])
def test_bad_price_plans_are_refused_and_write_nothing(db: Database, priced: shows.ShowView,
                                                       plan: list[PriceCategory],
                                                       message: str) -> None:
    before = money.price_plan(db, priced.id)
    with pytest.raises(InvalidRequest, match=message):
        money.set_price_plan(db, priced.id, plan)
    assert money.price_plan(db, priced.id) == before


def test_amounts_parse_and_format_exactly() -> None:
    eur = money.Currency("EUR", 2)
    assert eur.parse("12.5") == 1250 and eur.parse("12,50") == 1250 and eur.parse("€ 3") == 300
    assert eur.parse("0.10") == 10 and eur.format(123456) == "EUR 1,234.56"
    assert eur.plain(-5) == "-0.05"
    for bad in ("1.234", "-2", "abc", "", "1e5"):
        with pytest.raises(InvalidRequest):
            eur.parse(bad)
    assert money.Currency("JPY", 0).parse("1500") == 1500


def test_a_layout_change_keeps_each_seats_price_category(db: Database,
                                                         priced: shows.ShowView) -> None:
    from boxoffice.layout import Layout

    shows.change_layout(db, priced.id, Layout.grid(10, 14, aisles_after=[6]))
    plan = money.price_plan(db, priced.id)
    assert plan.category_of("J3") == "Circle" and plan.category_of("J13") == "Stalls"
    assert len(plan.categories[1].seats) == 24


def test_boxoffice_check_finds_money_that_does_not_add_up(db: Database,
                                                         priced: shows.ShowView) -> None:
    from boxoffice.audit import violations

    sale = money.sell(db, priced.id, {"C1": "Adult"}, Payment("card"), clerk="ann")
    with db.engine.connect() as conn:
        assert violations(conn) == {}
    with db.engine.begin() as conn:  # a buggy client, as the owner, slips a refund in
        conn.execute(text("INSERT INTO payments (booking_id, show_id, kind, method, amount, "
                          "user_name) VALUES (:b, :s, 'refund', 'cash', 500, 'x')"),
                     {"b": sale.booking.id, "s": priced.id})
    with db.engine.connect() as conn:
        found = violations(conn)
    assert set(found) == {"money kept disagrees with the tickets still sold",
                          "event log disagrees with the payments"}


def test_a_price_change_never_waits_for_nor_blocks_the_show_lock(db: Database,
                                                                 priced: shows.ShowView) -> None:
    """Selling holds the show row FOR UPDATE; saving a plan meanwhile must not queue on it."""
    import threading

    saved: list[money.PricePlan] = []
    with db.engine.connect() as seller, seller.begin():
        seller.execute(text("SELECT 1 FROM shows WHERE id = :s FOR UPDATE"), {"s": priced.id})
        t = threading.Thread(target=lambda: saved.append(money.set_price_plan(
            db, priced.id, [PriceCategory("Stalls", STALLS)])))
        t.start()
        t.join(10)
        finished_while_locked = not t.is_alive()
    t.join(10)
    assert finished_while_locked, "the price change waited for the show lock"
    assert [c.name for c in saved[0].categories] == ["Stalls"]
