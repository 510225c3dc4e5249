"""What tickets cost: the venue's currency, its ticket types, and each show's price plan.

A show's plan is an ordered list of price categories (Stalls, Circle, Restricted view),
each with a price per ticket type and the seats it covers; a seat no category names
belongs to the first one, so a one-category plan prices the whole hall. Managers change
plans (PostgreSQL grants the tables to ``boxoffice_manager`` only); a sale copies the
price into the booking, so a later change never rewrites what was sold.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from sqlalchemy import text
from sqlalchemy.engine import Connection

from boxoffice import validation
from boxoffice.db import Database
from boxoffice.errors import InvalidRequest, ShowNotFound
from boxoffice.money.amounts import Currency, amount

log = logging.getLogger(__name__)

PAYMENT_METHODS = ("cash", "card", "voucher", "invoice")
_PLAN_LOCK = 0x0B0F  # advisory lock namespace of price-plan edits (key 2: the show)


@dataclass(frozen=True, slots=True)
class TicketType:
    id: int
    name: str
    sort_order: int
    active: bool


@dataclass(frozen=True, slots=True)
class PriceCategory:
    """One band of a show's plan. ``prices`` maps a ticket type's name to minor units;
    a type missing from it cannot be sold in this category."""

    name: str
    prices: Mapping[str, int]
    seats: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class PricePlan:
    show_id: int
    currency: Currency
    categories: tuple[PriceCategory, ...]
    _seat_category: Mapping[str, str] = field(default_factory=dict, repr=False)
    # The ticket types on sale when the plan was read (None: not read with it); a sale
    # of another type is refused, as boxoffice_pay refuses it.
    on_sale: frozenset[str] | None = field(default=None, repr=False, compare=False)

    @property
    def priced(self) -> bool:
        return bool(self.categories)

    def category_of(self, seat: str) -> str | None:
        """The seat's category: the one naming it, else the plan's first (None: no plan)."""
        if not self.categories:
            return None
        return self._seat_category.get(seat, self.categories[0].name)

    def price(self, seat: str, ticket_type: str) -> int | None:
        """What ``ticket_type`` costs on ``seat``: 0 with no plan, None when not on sale."""
        name = self.category_of(seat)
        if name is None:
            return 0
        for c in self.categories:
            if c.name == name:
                return c.prices.get(ticket_type)
        return None


# -- currency ----------------------------------------------------------------------------


def get_currency(db: Database) -> Currency:
    with db.engine.connect() as conn:
        return _currency(conn)


def _currency(conn: Connection) -> Currency:
    row = conn.execute(text("SELECT currency, minor_units FROM venue_settings")).one()
    return Currency(row.currency, row.minor_units)


def set_currency(db: Database, code: str, minor_units: int = 2) -> Currency:
    """Set the venue's currency; refused once money has been taken in another one."""
    if not isinstance(code, str) or not code.strip().isalpha() or len(code.strip()) != 3:
        raise InvalidRequest("A currency is a three-letter ISO code such as EUR or GBP.",
                             field="currency")
    code = code.strip().upper()
    if isinstance(minor_units, bool) or not isinstance(minor_units, int) or not 0 <= minor_units <= 3:
        raise InvalidRequest("A currency has 0 to 3 decimal places.", field="minor_units")
    with db.engine.begin() as conn:
        now = _currency(conn)
        if now != Currency(code, minor_units) and conn.execute(text(
                "SELECT EXISTS (SELECT 1 FROM booking_tickets) "
                "OR EXISTS (SELECT 1 FROM prices WHERE amount > 0)")).scalar():
            raise InvalidRequest(
                f"Prices and sales are recorded in {now.code}; the currency cannot change now.",
                field="currency")
        conn.execute(text("UPDATE venue_settings SET currency = :c, minor_units = :m, "
                          "updated_at = now()"), {"c": code, "m": minor_units})
    return Currency(code, minor_units)


# -- ticket types ------------------------------------------------------------------------


def list_ticket_types(db: Database, *, include_retired: bool = False) -> list[TicketType]:
    where = "" if include_retired else "WHERE active"
    with db.engine.connect() as conn:
        rows = conn.execute(text(f"SELECT id, name, sort_order, active FROM ticket_types {where} "
                                 "ORDER BY sort_order, id"))
        return [TicketType(r.id, r.name, r.sort_order, r.active) for r in rows]


def add_ticket_type(db: Database, name: str, *, sort_order: int | None = None) -> TicketType:
    name = validation.name(name, "ticket type")
    with db.engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM ticket_types WHERE lower(name) = lower(:n)"),
                        {"n": name}).first():
            raise InvalidRequest(f"There is already a ticket type called {name}.",
                                 field="ticket type")
        r = conn.execute(text(
            "INSERT INTO ticket_types (name, sort_order) VALUES (:n, coalesce(:o, "
            "(SELECT coalesce(max(sort_order), 0) + 1 FROM ticket_types))) "
            "RETURNING id, name, sort_order, active"), {"n": name, "o": sort_order}).one()
    log.info("ticket type %s added", name)
    return TicketType(r.id, r.name, r.sort_order, r.active)


def retire_ticket_type(db: Database, name: str, *, active: bool = False) -> TicketType:
    """Take a type off sale (or back on): sold tickets keep its name and price."""
    name = validation.name(name, "ticket type")
    with db.engine.begin() as conn:
        r = conn.execute(text("UPDATE ticket_types SET active = :a WHERE name = :n "
                              "RETURNING id, name, sort_order, active"),
                         {"a": active, "n": name}).first()
    if r is None:
        raise InvalidRequest(f"There is no ticket type called {name}.", field="ticket type")
    return TicketType(r.id, r.name, r.sort_order, r.active)


# -- price plans -------------------------------------------------------------------------


def price_plan(db: Database, show_id: int) -> PricePlan:
    show_id = validation.positive_id(show_id, "show")
    with db.engine.connect() as conn:
        # One statement reads it all: no BEGIN and ROLLBACK round trips around it.
        conn.execution_options(isolation_level="AUTOCOMMIT")  # reset when checked in
        return _plan(conn, show_id)


# The whole plan in one statement: the venue's currency, whether the show exists, its
# categories with their prices and seats, and the ticket types on sale (the counter prices
# every sale from it before any seat is held).
_PLAN = text("""
    SELECT v.currency, v.minor_units,
           EXISTS (SELECT 1 FROM shows WHERE id = :s) AS found,
           coalesce((SELECT jsonb_agg(jsonb_build_object(
                'name', pc.name,
                'prices', coalesce((SELECT jsonb_object_agg(tt.name, p.amount) FROM prices p
                                    JOIN ticket_types tt ON tt.id = p.ticket_type_id
                                    WHERE p.category_id = pc.id), '{}'),
                'seats', coalesce((SELECT jsonb_agg(ss.seat_number
                                                    ORDER BY ss.row_index, ss.column_index)
                                   FROM show_seats ss WHERE ss.price_category_id = pc.id),
                                  '[]')) ORDER BY pc.sort_order, pc.id)
                     FROM price_categories pc WHERE pc.show_id = :s), '[]') AS categories,
           ARRAY(SELECT tt.name FROM ticket_types tt WHERE tt.active) AS on_sale
    FROM venue_settings v
""")


def _plan(conn: Connection, show_id: int) -> PricePlan:
    row = conn.execute(_PLAN, {"s": show_id}).one()
    if not row.found:
        raise ShowNotFound(show_id)
    categories = tuple(PriceCategory(c["name"], dict(c["prices"]), tuple(c["seats"]))
                       for c in row.categories)
    seat_category = {seat: c.name for c in categories for seat in c.seats}
    return PricePlan(show_id, Currency(row.currency, row.minor_units), categories,
                     seat_category, frozenset(row.on_sale))


def set_price_plan(db: Database, show_id: int, categories: Sequence[PriceCategory], *,
                   counter: str | None = None) -> PricePlan:
    """Replace a show's whole plan in one transaction (what the manager's editor saves).

    Categories keep their identity by name, so an unchanged category keeps its seats'
    mapping even while others change. Sold tickets are untouched: their prices were
    copied into the booking.
    """
    show_id = validation.positive_id(show_id, "show")
    counter = validation.optional_name(counter, "counter")
    cats = _clean_categories(categories)
    with db.engine.begin() as conn:
        # Two managers saving the same plan take turns; the show row itself is not
        # locked, so selling the show never waits for a price change.
        conn.execute(text("SELECT pg_advisory_xact_lock(:ns, CAST(:s % 2147483647 AS integer))"),
                     {"ns": _PLAN_LOCK, "s": show_id})
        if conn.execute(text("SELECT 1 FROM shows WHERE id = :s"),
                        {"s": show_id}).first() is None:
            raise ShowNotFound(show_id)
        types: dict[str, int] = {
            r.name: r.id for r in conn.execute(text("SELECT name, id FROM ticket_types"))}
        unknown = sorted({t for c in cats for t in c.prices} - set(types))
        if unknown:
            raise InvalidRequest(f"There is no ticket type called {', '.join(unknown)}.",
                                 field="ticket type")
        seats = [s for c in cats for s in c.seats]
        if seats:
            known = set(conn.execute(text(
                "SELECT seat_number FROM show_seats WHERE show_id = :s "
                "AND seat_number = ANY(:seats)"), {"s": show_id, "seats": seats}).scalars())
            missing = sorted(set(seats) - known)
            if missing:
                raise InvalidRequest(
                    f"These seats are not in this show's hall: {', '.join(missing[:10])}.",
                    field="seats")
        names = [c.name for c in cats]
        conn.execute(text("UPDATE show_seats SET price_category_id = NULL WHERE show_id = :s "
                          "AND price_category_id IS NOT NULL"), {"s": show_id})
        conn.execute(text("DELETE FROM price_categories WHERE show_id = :s "
                          "AND NOT name = ANY(:names)"), {"s": show_id, "names": names})
        for order, c in enumerate(cats):
            cat_id = conn.execute(text(
                "INSERT INTO price_categories (show_id, name, sort_order) VALUES (:s, :n, :o) "
                "ON CONFLICT (show_id, name) DO UPDATE SET sort_order = excluded.sort_order "
                "RETURNING id"), {"s": show_id, "n": c.name, "o": order}).scalar_one()
            conn.execute(text("DELETE FROM prices WHERE category_id = :c"), {"c": cat_id})
            if c.prices:
                conn.execute(text(
                    "INSERT INTO prices (category_id, ticket_type_id, amount) "
                    "SELECT :c, t.id, p.amount::integer FROM jsonb_each_text(CAST(:p AS jsonb)) "
                    "AS p(name, amount) JOIN ticket_types t ON t.name = p.name"),
                    {"c": cat_id, "p": json.dumps(dict(c.prices))})
            if c.seats:  # seats named by no category belong to the first
                conn.execute(text("UPDATE show_seats SET price_category_id = :c "
                                  "WHERE show_id = :s AND seat_number = ANY(:seats)"),
                             {"c": cat_id, "s": show_id, "seats": list(c.seats)})
        conn.execute(text(
            "INSERT INTO booking_events (kind, counter, show_id, details) "
            "VALUES ('prices_changed', :counter, :s, CAST(:d AS jsonb))"),
            {"counter": counter, "s": show_id, "d": json.dumps({"categories": [
                {"name": c.name, "prices": dict(c.prices), "seats": len(c.seats)} for c in cats]})})
        conn.execute(text("SELECT boxoffice_notify(:s, NULL, 'prices_changed', NULL, :c)"),
                     {"s": show_id, "c": counter})
        plan = _plan(conn, show_id)
    log.info("price plan of show %s: %s", show_id, ", ".join(names) or "none",
             extra={"show_id": show_id})
    return plan


def copy_price_plan(db: Database, from_show: int, to_show: int, *,
                    counter: str | None = None) -> PricePlan:
    """Give a show another show's plan (same seats where the halls share them)."""
    source = price_plan(db, from_show)
    with db.engine.connect() as conn:
        here = set(conn.execute(text("SELECT seat_number FROM show_seats WHERE show_id = :s"),
                                {"s": validation.positive_id(to_show, "show")}).scalars())
    cats = [PriceCategory(c.name, c.prices, tuple(s for s in c.seats if s in here))
            for c in source.categories]
    return set_price_plan(db, to_show, cats, counter=counter)


def _clean_categories(categories: Iterable[object]) -> list[PriceCategory]:
    if isinstance(categories, str | bytes) or not isinstance(categories, Iterable):
        raise InvalidRequest("A price plan is a list of categories.", field="categories")
    out: list[PriceCategory] = []
    seen_names: set[str] = set()
    seat_owner: dict[str, str] = {}
    for c in categories:
        if not isinstance(c, PriceCategory):
            raise InvalidRequest("A price plan is a list of categories.", field="categories")
        name = validation.name(c.name, "price category")
        if name.lower() in seen_names:
            raise InvalidRequest(f"Two price categories are called {name}.",
                                 field="price category")
        seen_names.add(name.lower())
        if not isinstance(c.prices, Mapping):
            raise InvalidRequest(f"{name}: prices map ticket types to amounts.", field="prices")
        prices = {validation.name(t, "ticket type"): amount(a, f"price of {t} in {name}")
                  for t, a in c.prices.items()}
        seats: list[str] = []
        for raw in c.seats:
            label = validation.seat_labels([raw], 1)[0]
            if label in seat_owner and seat_owner[label] != name:
                raise InvalidRequest(f"Seat {label} is in both {seat_owner[label]} and {name}.",
                                     field="seats")
            if label not in seat_owner:
                seat_owner[label] = name
                seats.append(label)
        out.append(PriceCategory(name, prices, tuple(seats)))
    return out
