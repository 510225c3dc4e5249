"""The end-of-day cash-up: what a day sold and took, per counter and clerk, from the log.

Every figure is computed from the append-only event log (``payment_taken``,
``refund_given``, ``booking_expired``), which the payment and refund functions write in
the same transaction as ``payments`` and ``booking_tickets``; a test checks the two
agree. Row-level security (migration 0005) lets a clerk's login read only their own
money events and cash counts, so a clerk's cash-up is their own whatever they ask for;
managers see every counter.
"""

from __future__ import annotations

import csv
import io
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta, tzinfo
from typing import Any

from sqlalchemy import text

from boxoffice import validation
from boxoffice.db import Database
from boxoffice.errors import InvalidRequest
from boxoffice.money.amounts import Currency, amount
from boxoffice.money.prices import PAYMENT_METHODS, _currency
from boxoffice.statuses import EventKind

# Tickets that cost nothing (complimentary) or refunds of them move no money: they are
# counted under "none", never as a payment or refund of a method.
NO_METHOD = "none"


@dataclass(frozen=True, slots=True)
class TicketSales:
    """Tickets of one show and type sold (and refunded) in the day."""

    show_id: int
    show_name: str
    start_time: datetime | None
    ticket_type: str
    sold: int
    sold_amount: int
    refunded: int = 0
    refunded_amount: int = 0


@dataclass(frozen=True, slots=True)
class MethodTotal:
    method: str
    payments: int
    taken: int
    refunds: int
    refunded: int

    @property
    def net(self) -> int:
        return self.taken - self.refunded


@dataclass(frozen=True, slots=True)
class Till:
    """One counter and clerk's day: money by method, tickets, expired holds, cash counted."""

    counter: str | None
    clerk: str
    taken: Mapping[str, int]
    refunded: Mapping[str, int]
    tickets: int
    expired_holds: int
    counted: int | None

    @property
    def cash_expected(self) -> int:
        return self.taken.get("cash", 0) - self.refunded.get("cash", 0)

    @property
    def difference(self) -> int | None:
        """Counted minus expected cash: negative is a shortfall."""
        return None if self.counted is None else self.counted - self.cash_expected

    @property
    def net(self) -> int:
        return sum(self.taken.values()) - sum(self.refunded.values())


@dataclass(frozen=True, slots=True)
class ShowOccupancy:
    show_id: int
    name: str
    start_time: datetime
    capacity: int
    sold: int
    held: int

    @property
    def sold_share(self) -> float:
        """Sold seats over capacity (the report's "full"); held seats are not takings."""
        return self.sold / self.capacity if self.capacity else 0.0


@dataclass(frozen=True, slots=True)
class CashUp:
    day: date
    start: datetime
    end: datetime
    currency: Currency
    counter: str | None
    clerk: str | None
    tickets: tuple[TicketSales, ...]
    methods: tuple[MethodTotal, ...]
    tills: tuple[Till, ...]
    expired_holds: int
    occupancy: tuple[ShowOccupancy, ...]
    by_hour: tuple[tuple[int, int], ...] = field(default=())  # (hour, net taken)

    @property
    def tickets_sold(self) -> int:
        return sum(t.sold for t in self.tickets)

    @property
    def tickets_refunded(self) -> int:
        return sum(t.refunded for t in self.tickets)

    @property
    def taken(self) -> int:
        return sum(m.taken for m in self.methods)

    @property
    def refunded(self) -> int:
        return sum(m.refunded for m in self.methods)

    @property
    def refunds(self) -> int:
        return sum(m.refunds for m in self.methods)

    @property
    def net(self) -> int:
        return self.taken - self.refunded

    @property
    def cash_expected(self) -> int:
        return sum(t.cash_expected for t in self.tills)

    @property
    def cash_counted(self) -> int | None:
        counted = [t.counted for t in self.tills if t.counted is not None]
        return sum(counted) if counted else None

    @property
    def cash_difference(self) -> int | None:
        """Counted minus expected over the tills that counted: a till that has not
        counted yet is not a shortfall (``tills_not_counted`` says how many)."""
        diffs = [t.difference for t in self.tills if t.difference is not None]
        return sum(diffs) if diffs else None

    @property
    def tills_not_counted(self) -> int:
        """Tills that took or gave back cash today and have no count yet."""
        return sum(1 for t in self.tills if t.counted is None and t.cash_expected != 0)

    def not_counted_text(self) -> str:
        n = self.tills_not_counted
        return "" if n == 0 else f"{n} till{'' if n == 1 else 's'} not counted"


def day_bounds(day: date, tz: tzinfo | None = None) -> tuple[datetime, datetime]:
    """The instants a local day starts and ends (23 or 25 hours long on DST days)."""
    if tz is None:
        return (datetime.combine(day, time.min).astimezone(),
                datetime.combine(day + timedelta(days=1), time.min).astimezone())
    return (datetime.combine(day, time.min, tzinfo=tz),
            datetime.combine(day + timedelta(days=1), time.min, tzinfo=tz))


_WHERE = """e.occurred_at >= :start AND e.occurred_at < :end
    AND (CAST(:counter AS text) IS NULL OR e.counter = :counter)
    AND (CAST(:clerk AS text) IS NULL OR e.details->>'clerk' = :clerk)"""

_TICKETS = f"""
    SELECT e.show_id, coalesce(s.name, '(deleted show)') AS show_name, s.start_time,
           t->>'type' AS ticket_type,
           count(*) FILTER (WHERE e.kind = 'payment_taken') AS sold,
           coalesce(sum((t->>'price')::bigint) FILTER (WHERE e.kind = 'payment_taken'), 0)
               ::bigint AS sold_amount,
           count(*) FILTER (WHERE e.kind = 'refund_given') AS refunded,
           coalesce(sum((t->>'price')::bigint) FILTER (WHERE e.kind = 'refund_given'), 0)
               ::bigint AS refunded_amount
    FROM booking_events e
    CROSS JOIN LATERAL jsonb_array_elements(coalesce(e.details->'tickets', '[]')) t
    LEFT JOIN shows s ON s.id = e.show_id
    WHERE e.kind IN ('payment_taken', 'refund_given') AND {_WHERE}
    GROUP BY 1, 2, 3, 4 ORDER BY s.start_time NULLS LAST, 2, 4
"""

_MONEY = f"""
    SELECT e.kind, e.counter, e.details->>'clerk' AS clerk,
           CASE WHEN (e.details->>'amount')::bigint > 0 THEN e.details->>'method'
                ELSE '{NO_METHOD}' END AS method,
           extract(hour FROM e.occurred_at AT TIME ZONE :tzname)::int AS hour,
           count(*) AS n, coalesce(sum((e.details->>'amount')::bigint), 0)::bigint AS amount,
           coalesce(sum(jsonb_array_length(coalesce(e.details->'tickets', '[]')))
                    FILTER (WHERE e.kind = 'payment_taken'), 0)::bigint AS tickets
    FROM booking_events e
    WHERE e.kind IN ('payment_taken', 'refund_given') AND {_WHERE}
    GROUP BY 1, 2, 3, 4, 5
"""

_EXPIRED = """
    SELECT b.counter, b.user_name AS clerk, count(*) AS n
    FROM booking_events e JOIN bookings b ON b.id = e.booking_id
    WHERE e.kind = 'booking_expired' AND e.occurred_at >= :start AND e.occurred_at < :end
      AND (CAST(:counter AS text) IS NULL OR b.counter = :counter)
      AND (CAST(:clerk AS text) IS NULL OR b.user_name = :clerk)
    GROUP BY 1, 2
"""

_COUNTED = """
    SELECT DISTINCT ON (c.counter, c.user_name) c.counter, c.user_name AS clerk, c.counted
    FROM cash_counts c
    WHERE c.day = :day AND (CAST(:counter AS text) IS NULL OR c.counter = :counter)
      AND (CAST(:clerk AS text) IS NULL OR c.user_name = :clerk)
    ORDER BY c.counter, c.user_name, c.id DESC
"""

_OCCUPANCY = """
    SELECT s.id, s.name, s.start_time, s.total_seats,
           count(t.seat_number) FILTER (WHERE t.state = 'sold') AS sold,
           count(t.seat_number) FILTER (WHERE t.state = 'held') AS held
    FROM shows s
    LEFT JOIN seats_taken_now t ON t.show_id = s.id
    WHERE s.id = ANY(:shows) OR (s.start_time >= :start AND s.start_time < :end)
    GROUP BY s.id ORDER BY s.start_time, s.name
"""


def cash_up(db: Database, day: date, *, tz: tzinfo | None = None, counter: str | None = None,
            clerk: str | None = None) -> CashUp:
    """The day's cash-up, for every counter and clerk this login may see, or one of them.

    All of it is read in one REPEATABLE READ transaction, so the sections agree with
    each other even while counters keep selling.
    """
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidRequest("The cash-up is for a calendar day.", field="day")
    counter = validation.optional_name(counter, "counter")
    clerk = validation.optional_name(clerk, "clerk")
    start, end = day_bounds(day, tz)
    tzname = _tz_name(start)
    params: dict[str, Any] = {"start": start, "end": end, "counter": counter, "clerk": clerk,
                              "day": day, "tzname": tzname}
    with db.reads.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        with conn.begin():
            currency = _currency(conn)
            ticket_rows = conn.execute(text(_TICKETS), params).all()
            money_rows = conn.execute(text(_MONEY), params).all()
            expired_rows = conn.execute(text(_EXPIRED), params).all()
            counted_rows = conn.execute(text(_COUNTED), params).all()
            params["shows"] = sorted({r.show_id for r in ticket_rows if r.show_id})
            occupancy_rows = conn.execute(text(_OCCUPANCY), params).all()

    methods: dict[str, list[int]] = {m: [0, 0, 0, 0] for m in PAYMENT_METHODS}
    tills: dict[tuple[str | None, str], dict[str, Any]] = defaultdict(_new_till)
    hours: dict[int, int] = defaultdict(int)
    for r in money_rows:
        m = methods.setdefault(r.method, [0, 0, 0, 0])
        till = tills[(r.counter, r.clerk or "?")]
        if r.kind == EventKind.PAYMENT_TAKEN:
            m[0] += r.n
            m[1] += r.amount
            till["taken"][r.method] += r.amount
            till["tickets"] += r.tickets
            hours[r.hour] += r.amount
        else:
            m[2] += r.n
            m[3] += r.amount
            till["refunded"][r.method] += r.amount
            hours[r.hour] -= r.amount
    for r in expired_rows:
        tills[(r.counter, r.clerk)]["expired"] += r.n
    for r in counted_rows:
        tills[(r.counter, r.clerk)]["counted"] = r.counted

    return CashUp(
        day=day, start=start, end=end, currency=currency, counter=counter, clerk=clerk,
        tickets=tuple(TicketSales(r.show_id, r.show_name, r.start_time, r.ticket_type, r.sold,
                                  r.sold_amount, r.refunded, r.refunded_amount)
                      for r in ticket_rows),
        methods=tuple(MethodTotal(name, *v) for name, v in methods.items()
                      if name != NO_METHOD or v[0] or v[2]),
        tills=tuple(Till(k[0], k[1], dict(v["taken"]), dict(v["refunded"]), v["tickets"],
                         v["expired"], v["counted"])
                    for k, v in sorted(tills.items(), key=lambda kv: (kv[0][0] or "", kv[0][1]))),
        expired_holds=sum(r.n for r in expired_rows),
        occupancy=tuple(ShowOccupancy(r.id, r.name, r.start_time, r.total_seats, r.sold, r.held)
                        for r in occupancy_rows),
        by_hour=tuple(sorted(hours.items())),
    )


_TILLS = """
    SELECT e.counter, e.details->>'clerk' AS clerk FROM booking_events e
    WHERE e.kind IN ('payment_taken', 'refund_given')
      AND e.occurred_at >= :start AND e.occurred_at < :end
    UNION
    SELECT b.counter, b.user_name FROM booking_events e JOIN bookings b ON b.id = e.booking_id
    WHERE e.kind = 'booking_expired' AND e.occurred_at >= :start AND e.occurred_at < :end
    UNION
    SELECT c.counter, c.user_name FROM cash_counts c WHERE c.day = :day
"""


def tills_of_day(db: Database, day: date, *, tz: tzinfo | None = None
                 ) -> list[tuple[str | None, str]]:
    """The (counter, clerk) pairs with a till that day, as ``cash_up`` lists them: what a
    manager can filter the cash-up by, without computing it whole."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidRequest("The cash-up is for a calendar day.", field="day")
    start, end = day_bounds(day, tz)
    with db.reads.connect() as conn:
        rows = conn.execute(text(_TILLS), {"start": start, "end": end, "day": day}).all()
    return sorted({(r.counter, r.clerk or "?") for r in rows}, key=lambda t: (t[0] or "", t[1]))


def _new_till() -> dict[str, Any]:
    return {"taken": defaultdict(int), "refunded": defaultdict(int), "tickets": 0,
            "expired": 0, "counted": None}


def _tz_name(start: datetime) -> str:
    """A name PostgreSQL understands for the hour chart: the day start's UTC offset."""
    offset = start.utcoffset() or timedelta(0)
    minutes = int(offset.total_seconds() // 60)
    sign = "+" if minutes >= 0 else "-"
    # POSIX zone names count west of Greenwich as positive: UTC+1 is '<+01:00>-01:00'.
    return f"<{sign}{abs(minutes) // 60:02d}{abs(minutes) % 60:02d}>{'-' if sign == '+' else '+'}" \
           f"{abs(minutes) // 60:02d}:{abs(minutes) % 60:02d}"


def record_cash_count(db: Database, day: date, counted: int, *, clerk: str,
                      counter: str | None = None) -> int:
    """Record the cash a clerk counted in the till; the latest count of a day counts."""
    if not isinstance(day, date) or isinstance(day, datetime):
        raise InvalidRequest("A cash count is for a calendar day.", field="day")
    counted = amount(counted, "counted cash", limit=2_000_000_000)
    params = {"d": day, "c": counted, "counter": validation.optional_name(counter, "counter"),
              "clerk": validation.name(clerk, "clerk")}
    with db.engine.begin() as conn:
        return int(conn.execute(text(
            "SELECT boxoffice_record_cash_count(:d, :c, :counter, :clerk)"), params).scalar_one())


def cash_up_csv(cu: CashUp) -> str:
    """The cash-up as one CSV file, section by section, amounts in plain decimals."""
    out = io.StringIO()
    w = csv.writer(out)
    c = cu.currency
    w.writerow(["BoxOffice cash-up", cu.day.isoformat(), f"counter: {cu.counter or 'all'}",
                f"clerk: {cu.clerk or 'all'}", f"currency: {c.code}"])
    w.writerow([])
    w.writerow(["Tickets", "show", "starts", "ticket type", "sold", "sold amount", "refunded",
                "refunded amount"])
    for t in cu.tickets:
        w.writerow(["", t.show_name, t.start_time.isoformat() if t.start_time else "",
                    t.ticket_type, t.sold, c.plain(t.sold_amount), t.refunded,
                    c.plain(t.refunded_amount)])
    w.writerow(["", "total", "", "", cu.tickets_sold, c.plain(sum(t.sold_amount for t in cu.tickets)),
                cu.tickets_refunded, c.plain(sum(t.refunded_amount for t in cu.tickets))])
    w.writerow([])
    w.writerow(["Takings", "method", "payments", "taken", "refunds", "refunded", "net"])
    for m in cu.methods:
        w.writerow(["", m.method, m.payments, c.plain(m.taken), m.refunds, c.plain(m.refunded),
                    c.plain(m.net)])
    w.writerow(["", "total", sum(m.payments for m in cu.methods), c.plain(cu.taken), cu.refunds,
                c.plain(cu.refunded), c.plain(cu.net)])
    w.writerow([])
    w.writerow(["Tills", "counter", "clerk", "tickets", *[f"{m} net" for m in PAYMENT_METHODS],
                "expired holds", "cash expected", "cash counted", "difference"])
    for till in cu.tills:
        w.writerow(["", till.counter or "", till.clerk, till.tickets,
                    *[c.plain(till.taken.get(m, 0) - till.refunded.get(m, 0))
                      for m in PAYMENT_METHODS],
                    till.expired_holds, c.plain(till.cash_expected),
                    "" if till.counted is None else c.plain(till.counted),
                    "" if till.difference is None else c.plain(till.difference)])
    w.writerow([])
    w.writerow(["Occupancy", "show", "starts", "capacity", "sold", "held", "occupancy %"])
    for o in cu.occupancy:
        w.writerow(["", o.name, o.start_time.isoformat(), o.capacity, o.sold, o.held,
                    f"{100 * o.sold_share:.1f}"])
    w.writerow([])
    w.writerow(["Expired holds", cu.expired_holds])
    return out.getvalue()
