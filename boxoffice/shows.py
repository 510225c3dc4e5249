"""Halls and shows, as managers set them up.

A hall is a reusable layout; a show copies its hall's layout when it is created, so
editing the hall later never moves a seat of a show already on sale. Each show's
seats are written out into ``show_seats``, which ``booking_seats`` references.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from sqlalchemy import text
from sqlalchemy.engine import Connection

from boxoffice import validation
from boxoffice.charts.model import Chart
from boxoffice.charts.rows import SEAT_COLUMNS, SEAT_TYPES, seat_rows
from boxoffice.db import Database
from boxoffice.errors import (
    HallNotFound,
    InvalidRequest,
    LayoutInUse,
    ShowHasBookings,
    ShowNotFound,
)
from boxoffice.layout import Layout
from boxoffice.statuses import LIVE_STATUSES, EventKind

log = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class HallView:
    id: int
    name: str
    layout: Layout | None  # the editable grid; None for an imported chart
    total_seats: int
    chart: Chart


@dataclass(frozen=True, slots=True)
class ShowSummary:
    """A line of the show list: what a clerk needs to pick a show."""

    id: int
    name: str
    start_time: datetime
    hall_id: int | None
    hall_name: str
    total_seats: int
    sold: int
    held: int
    next_expiry: datetime | None = None  # the first live hold's deadline: then held drops

    @property
    def seats_left(self) -> int:
        return self.total_seats - self.sold - self.held

    @property
    def taken_share(self) -> float:
        """Seats taken now (sold or held) over the hall's seats: how full the show list and
        the wall say a show is (the cash-up's ``sold_share`` counts sold seats only)."""
        return (self.sold + self.held) / self.total_seats if self.total_seats else 0.0


@dataclass(frozen=True, slots=True)
class ShowView:
    id: int
    name: str
    start_time: datetime
    hall_id: int | None
    hall_name: str
    total_seats: int
    layout: Layout | None  # the editable grid; None for an imported chart
    chart: Chart


def _layout(value: Layout | dict[str, Any]) -> Layout:
    if isinstance(value, Layout):
        return value
    return Layout.from_json(value)


def _chart_of(value: Layout | Chart | dict[str, Any]) -> tuple[Chart, Layout | None]:
    """A hall's chart and, for a grid, the grid it was made from (what the editor edits)."""
    if isinstance(value, Chart):
        from boxoffice.charts.importing import refuse_problems

        refuse_problems(value, source="chart")
        return value, None
    lay = _layout(value)
    return Chart.from_layout(lay), lay


def _layout_json(lay: Layout | None) -> str | None:
    return json.dumps(lay.to_json()) if lay is not None else None


def _read_layout(value: Any) -> Layout | None:
    return Layout.from_json(value) if value is not None else None


def _start_time(value: object) -> datetime:
    if not isinstance(value, datetime):
        raise InvalidRequest("The start time must be a date and time.", field="start_time")
    if value.tzinfo is None:
        raise InvalidRequest("The start time needs a time zone.", field="start_time")
    return value


def _refuse_past(conn: Connection, start: datetime) -> None:
    if conn.execute(text("SELECT CAST(:t AS timestamptz) <= now()"), {"t": start}).scalar_one():
        raise InvalidRequest("A show cannot start in the past.", field="start_time")


def _event(conn: Connection, kind: str, *, actor_counter: str | None, show_id: int | None,
           details: dict[str, Any]) -> None:
    conn.execute(text(
        "INSERT INTO booking_events (kind, counter, show_id, details) "
        "VALUES (:kind, :counter, :show, CAST(:details AS jsonb))"),
        {"kind": kind, "counter": actor_counter, "show": show_id,
         "details": json.dumps(details, default=str)})


def _notify_show(conn: Connection, show_id: int, change: str) -> None:
    conn.execute(text("SELECT boxoffice_notify(:show, NULL, :change, NULL, NULL)"),
                 {"show": show_id, "change": change})


# -- halls -----------------------------------------------------------------------------


def create_hall(db: Database, name: str, layout: Layout | Chart | dict[str, Any], *,
                counter: str | None = None) -> HallView:
    """A new hall from a grid layout or a chart (imported: ``boxoffice.charts``)."""
    name = validation.name(name, "hall name")
    chart, lay = _chart_of(layout)
    total = chart.sellable_count
    with db.engine.begin() as conn:
        if conn.execute(text("SELECT 1 FROM halls WHERE name = :n"), {"n": name}).first():
            raise InvalidRequest(f"There is already a hall called {name}.", field="hall name")
        hall_id = conn.execute(text(
            "INSERT INTO halls (name, layout, chart, total_seats) "
            "VALUES (:n, CAST(:l AS jsonb), CAST(:c AS jsonb), :t) RETURNING id"),
            {"n": name, "l": _layout_json(lay), "c": json.dumps(chart.to_json()),
             "t": total}).scalar_one()
        _event(conn, EventKind.HALL_CREATED, actor_counter=counter, show_id=None,
               details={"hall": hall_id, "name": name, "seats": total})
    log.info("created hall %s (%s)", hall_id, name)
    return HallView(hall_id, name, lay, total, chart)


def update_hall(db: Database, hall_id: int, *, name: str | None = None,
                layout: Layout | Chart | dict[str, Any] | None = None,
                counter: str | None = None) -> HallView:
    """Change a hall for future shows; shows already created keep their copy."""
    hall_id = validation.positive_id(hall_id, "hall")
    new_name = validation.name(name, "hall name") if name is not None else None
    new = _chart_of(layout) if layout is not None else None
    with db.engine.begin() as conn:
        row = conn.execute(text("SELECT id FROM halls WHERE id = :h FOR UPDATE"),
                           {"h": hall_id}).first()
        if row is None:
            raise HallNotFound(hall_id)
        if new_name is not None:
            clash = conn.execute(text("SELECT 1 FROM halls WHERE name = :n AND id <> :h"),
                                 {"n": new_name, "h": hall_id}).first()
            if clash:
                raise InvalidRequest(f"There is already a hall called {new_name}.",
                                     field="hall name")
            conn.execute(text("UPDATE halls SET name = :n, updated_at = now() WHERE id = :h"),
                         {"n": new_name, "h": hall_id})
        if new is not None:
            chart, lay = new
            conn.execute(text("UPDATE halls SET layout = CAST(:l AS jsonb), "
                              "chart = CAST(:c AS jsonb), total_seats = :t, "
                              "updated_at = now() WHERE id = :h"),
                         {"l": _layout_json(lay), "c": json.dumps(chart.to_json()),
                          "t": chart.sellable_count, "h": hall_id})
        _event(conn, EventKind.HALL_CHANGED, actor_counter=counter, show_id=None,
               details={"hall": hall_id, "name": new_name, "layout_changed": new is not None})
    return get_hall(db, hall_id)


def get_hall(db: Database, hall: int | str) -> HallView:
    column = "id" if isinstance(hall, int) else "name"
    with db.engine.connect() as conn:
        row = conn.execute(text(f"SELECT id, name, layout, chart, total_seats FROM halls "
                                f"WHERE {column} = :h"), {"h": hall}).first()
    if row is None:
        raise HallNotFound(hall)
    return HallView(row.id, row.name, _read_layout(row.layout), row.total_seats,
                    Chart.from_json(row.chart))


def list_halls(db: Database) -> list[HallView]:
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name, layout, chart, total_seats FROM halls "
                                 "ORDER BY name"))
        return [HallView(r.id, r.name, _read_layout(r.layout), r.total_seats,
                         Chart.from_json(r.chart)) for r in rows]


# -- shows -----------------------------------------------------------------------------


def create_show(db: Database, name: str, start_time: datetime, *, hall: int | str,
                counter: str | None = None) -> ShowView:
    """A new show in a hall; the hall's layout is copied into the show."""
    name = validation.name(name, "show name")
    start = _start_time(start_time)
    with db.engine.begin() as conn:
        _refuse_past(conn, start)
        column = "id" if isinstance(hall, int) else "name"
        h = conn.execute(text(f"SELECT id, name, layout, chart FROM halls WHERE {column} = :h "
                              "FOR SHARE"), {"h": hall}).first()
        if h is None:
            raise HallNotFound(hall)
        chart = Chart.from_json(h.chart)
        total = chart.sellable_count
        show_id = conn.execute(text(
            "INSERT INTO shows (name, start_time, total_seats, hall_id, hall_name, layout, chart) "
            "VALUES (:n, :t, :total, :hid, :hname, CAST(:l AS jsonb), CAST(:c AS jsonb)) "
            "RETURNING id"),
            {"n": name, "t": start, "total": total, "hid": h.id, "hname": h.name,
             "l": json.dumps(h.layout) if h.layout is not None else None,
             "c": json.dumps(h.chart)}).scalar_one()
        _write_seats(conn, show_id, seat_rows(chart))
        _price_categories(conn, show_id, chart)
        _event(conn, EventKind.SHOW_CREATED, actor_counter=counter, show_id=show_id,
               details={"name": name, "start_time": start.isoformat(), "hall": h.name,
                        "seats": total})
        _notify_show(conn, show_id, "show_created")
    log.info("created show %s (%s) in %s", show_id, name, h.name, extra={"show_id": show_id})
    return ShowView(show_id, name, start, h.id, h.name, total, _read_layout(h.layout), chart)


def _write_seats(conn: Connection, show_id: int, rows: dict[str, list[Any]]) -> None:
    names = ", ".join(SEAT_COLUMNS)
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(SEAT_COLUMNS, SEAT_TYPES,
                                                               strict=True))
    conn.execute(text(f"""
        INSERT INTO show_seats (show_id, {names})
        SELECT :show, {", ".join("s." + c for c in SEAT_COLUMNS)}
        FROM unnest({arrays}) AS s({names})
    """), {"show": show_id, **rows})


def _price_categories(conn: Connection, show_id: int, chart: Chart) -> None:
    """The chart's categories become the show's price categories, its seats priced by them."""
    by_seat = {s.id: s.category for s in chart.seats() if s.category is not None}
    for _, _, area in chart.standing_areas():
        if area.category is not None:
            by_seat.update({p: area.category for p in area.place_ids()})
    for order, cat in enumerate(chart.categories):
        cat_id = conn.execute(text(
            "INSERT INTO price_categories (show_id, name, sort_order) VALUES (:s, :n, :o) "
            "RETURNING id"), {"s": show_id, "n": cat.name, "o": order}).scalar_one()
        seats = [k for k, v in by_seat.items() if v == cat.name]
        conn.execute(text("UPDATE show_seats SET price_category_id = :c "
                          "WHERE show_id = :s AND seat_number = ANY(:seats)"),
                     {"c": cat_id, "s": show_id, "seats": seats})


def _lock_show(conn: Connection, show_id: int) -> Any:
    row = conn.execute(text("SELECT id, name, start_time FROM shows WHERE id = :s FOR UPDATE"),
                       {"s": show_id}).first()
    if row is None:
        raise ShowNotFound(show_id)
    return row


def rename_show(db: Database, show_id: int, name: str, *, counter: str | None = None) -> ShowView:
    return update_show(db, show_id, name=name, counter=counter)


def move_show(db: Database, show_id: int, start_time: datetime, *,
              counter: str | None = None) -> ShowView:
    return update_show(db, show_id, start_time=start_time, counter=counter)


def change_layout(db: Database, show_id: int, layout: Layout | Chart | dict[str, Any], *,
                  counter: str | None = None) -> ShowView:
    """Give one show a new layout; refused if it would drop or block a sold or held seat."""
    show_id = validation.positive_id(show_id, "show")
    chart, lay = _chart_of(layout)
    with db.engine.begin() as conn:
        _lock_show(conn, show_id)
        _apply_layout(conn, show_id, chart, lay, counter)
        _event(conn, EventKind.SHOW_CHANGED, actor_counter=counter, show_id=show_id,
               details={"layout": True, "seats": chart.sellable_count})
        _notify_show(conn, show_id, "layout_changed")
    log.info("changed layout of show %s", show_id, extra={"show_id": show_id})
    return get_show(db, show_id)


def update_show(db: Database, show_id: int, *, name: str | None = None,
                start_time: datetime | None = None, hall: int | str | None = None,
                counter: str | None = None) -> ShowView:
    """Rename, move and/or re-seat a show in another hall, all or nothing.

    A new hall's layout is copied in as ``change_layout`` would: refused with
    ``LayoutInUse`` when a sold or held seat would be lost.
    """
    show_id = validation.positive_id(show_id, "show")
    new_name = validation.name(name, "show name") if name is not None else None
    start = _start_time(start_time) if start_time is not None else None
    with db.engine.begin() as conn:
        old = _lock_show(conn, show_id)
        changes: dict[str, Any] = {}
        if start is not None and start != old.start_time:
            _refuse_past(conn, start)
            conn.execute(text("UPDATE shows SET start_time = :t, updated_at = now() "
                              "WHERE id = :s"), {"t": start, "s": show_id})
            changes["start_time"] = [old.start_time.isoformat(), start.isoformat()]
        if new_name is not None and new_name != old.name:
            conn.execute(text("UPDATE shows SET name = :n, updated_at = now() WHERE id = :s"),
                         {"n": new_name, "s": show_id})
            changes["name"] = [old.name, new_name]
        if hall is not None:
            column = "id" if isinstance(hall, int) else "name"
            h = conn.execute(text(f"SELECT id, name, layout, chart FROM halls "
                                  f"WHERE {column} = :h FOR SHARE"), {"h": hall}).first()
            if h is None:
                raise HallNotFound(hall)
            _apply_layout(conn, show_id, Chart.from_json(h.chart), _read_layout(h.layout),
                          counter)
            conn.execute(text("UPDATE shows SET hall_id = :hid, hall_name = :hn WHERE id = :s"),
                         {"hid": h.id, "hn": h.name, "s": show_id})
            changes["hall"] = h.name
        if changes:
            _event(conn, EventKind.SHOW_CHANGED, actor_counter=counter, show_id=show_id,
                   details=changes)
            _notify_show(conn, show_id, "layout_changed" if "hall" in changes
                         else "show_changed")
    log.info("updated show %s: %s", show_id, ", ".join(changes) or "nothing",
             extra={"show_id": show_id})
    return get_show(db, show_id)


def _apply_layout(conn: Connection, show_id: int, chart: Chart, lay: Layout | None,
                  counter: str | None) -> None:
    """With the show locked: its seats become ``chart``'s, keeping every sold or held seat."""
    rows = seat_rows(chart)
    sellable = {label for label, ok in zip(rows["seat_number"], rows["sellable"], strict=True)
                if ok}
    owned = conn.execute(text("SELECT seat_number FROM seats_taken_now WHERE show_id = :s"),
                         {"s": show_id}).scalars().all()
    lost = sorted(set(owned) - sellable)
    if lost:
        raise LayoutInUse(show_id, lost)
    # Expired holds on seats that disappear are released now, like the next sale would.
    conn.execute(text("""
        WITH gone AS (
            UPDATE bookings b SET status = 'FAILED', updated_at = now()
            WHERE b.id IN (SELECT h.id FROM holds_overdue h WHERE h.show_id = :s)
              AND b.status = 'PENDING'
              AND EXISTS (SELECT 1 FROM booking_seats bs WHERE bs.booking_id = b.id
                          AND NOT bs.seat_number = ANY(:keep))
            RETURNING b.id
        ), freed AS (
            DELETE FROM booking_seats bs USING gone WHERE bs.booking_id = gone.id
            RETURNING bs.booking_id, bs.seat_number
        )
        INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
        SELECT 'booking_expired', :counter, :s, booking_id, array_agg(seat_number),
               '{"released_by": "layout change"}'::jsonb
        FROM freed GROUP BY booking_id
    """), {"s": show_id, "keep": sorted(sellable), "counter": counter})
    # Seats are rewritten below; the price category each had (migration 0005) comes back.
    priced = conn.execute(text(
        "SELECT seat_number, price_category_id FROM show_seats "
        "WHERE show_id = :s AND price_category_id IS NOT NULL"), {"s": show_id}).all()
    conn.execute(text("""
        DELETE FROM show_seats ss WHERE ss.show_id = :s
          AND NOT EXISTS (SELECT 1 FROM booking_seats bs
                          WHERE bs.show_id = ss.show_id AND bs.seat_number = ss.seat_number)
    """), {"s": show_id})
    # Seats still owned stay (they are all in the new layout and sellable); refresh them.
    names = ", ".join(SEAT_COLUMNS)
    arrays = ", ".join(f"CAST(:{c} AS {t}[])" for c, t in zip(SEAT_COLUMNS, SEAT_TYPES,
                                                               strict=True))
    conn.execute(text(f"""
        UPDATE show_seats ss SET {", ".join(f"{c} = n.{c}" for c in SEAT_COLUMNS[1:])}
        FROM unnest({arrays}) AS n({names})
        WHERE ss.show_id = :show AND ss.seat_number = n.seat_number
    """), {"show": show_id, **rows})
    kept = set(conn.execute(text("SELECT seat_number FROM show_seats WHERE show_id = :s"),
                            {"s": show_id}).scalars())
    new = [i for i, label in enumerate(rows["seat_number"]) if label not in kept]
    _write_seats(conn, show_id, {c: [v[i] for i in new] for c, v in rows.items()})
    if priced:
        conn.execute(text("""
            UPDATE show_seats ss SET price_category_id = m.category
            FROM unnest(CAST(:labels AS text[]), CAST(:cats AS bigint[])) AS m(label, category)
            WHERE ss.show_id = :s AND ss.seat_number = m.label
        """), {"s": show_id, "labels": [r.seat_number for r in priced],
               "cats": [r.price_category_id for r in priced]})
    conn.execute(text("UPDATE shows SET layout = CAST(:l AS jsonb), chart = CAST(:c AS jsonb), "
                      "total_seats = :t, updated_at = now() WHERE id = :s"),
                 {"l": _layout_json(lay), "c": json.dumps(chart.to_json()),
                  "t": chart.sellable_count, "s": show_id})


def delete_show(db: Database, show_id: int, *, counter: str | None = None) -> None:
    """Remove a show set up by mistake; a show with any booking on record stays."""
    show_id = validation.positive_id(show_id, "show")
    with db.engine.begin() as conn:
        old = _lock_show(conn, show_id)
        n = conn.execute(text("SELECT count(*) FROM bookings WHERE show_id = :s"),
                         {"s": show_id}).scalar_one()
        if n:
            raise ShowHasBookings(show_id, n, old.name)
        conn.execute(text("DELETE FROM shows WHERE id = :s"), {"s": show_id})
        _event(conn, EventKind.SHOW_DELETED, actor_counter=counter, show_id=show_id,
               details={"name": old.name, "start_time": old.start_time.isoformat()})
        _notify_show(conn, show_id, "show_deleted")
    log.info("deleted show %s (%s)", show_id, old.name, extra={"show_id": show_id})


@dataclass(frozen=True, slots=True)
class ShowTitle:
    """What a list row needs to name a show, without its (possibly huge) layout."""

    id: int
    name: str
    start_time: datetime
    hall_name: str


def show_titles(db: Database, show_ids: Iterable[int]) -> dict[int, ShowTitle]:
    """Names of many shows in one query; ids of deleted shows are simply absent."""
    ids = sorted({int(i) for i in show_ids})
    if not ids:
        return {}
    with db.engine.connect() as conn:
        rows = conn.execute(text("SELECT id, name, start_time, hall_name FROM shows "
                                 "WHERE id = ANY(:ids)"), {"ids": ids})
        return {r.id: ShowTitle(r.id, r.name, r.start_time, r.hall_name) for r in rows}


def get_show(db: Database, show_id: int) -> ShowView:
    show_id = validation.positive_id(show_id, "show")
    with db.engine.connect() as conn:
        r = conn.execute(text("SELECT id, name, start_time, hall_id, hall_name, total_seats, "
                              "layout, chart FROM shows WHERE id = :s"), {"s": show_id}).first()
    if r is None:
        raise ShowNotFound(show_id)
    return ShowView(r.id, r.name, r.start_time, r.hall_id, r.hall_name, r.total_seats,
                    _read_layout(r.layout), Chart.from_json(r.chart))


_SUMMARY = """
SELECT s.id, s.name, s.start_time, s.hall_id, s.hall_name, s.total_seats,
       coalesce(c.sold, 0) AS sold, coalesce(c.held, 0) AS held, c.next_expiry
FROM shows s
LEFT JOIN LATERAL (
    SELECT count(*) FILTER (WHERE t.state = 'sold') AS sold,
           count(*) FILTER (WHERE t.state = 'held') AS held,
           min(t.hold_deadline) FILTER (WHERE t.state = 'held') AS next_expiry
    FROM seats_taken_now t
    WHERE t.show_id = s.id
) c ON true
"""


def list_shows(db: Database, *, day: date | None = None, search: str | None = None,
               include_past: bool = False, limit: int = 500) -> list[ShowSummary]:
    """Shows with seats left, soonest first; by default only those not yet started."""
    where = []
    params: dict[str, Any] = {"limit": max(1, min(limit, 5000))}
    if not include_past:
        where.append("s.start_time > now() - interval '3 hours'")
    if day is not None:
        where.append("s.start_time >= :d0 AND s.start_time < :d1")
        start = datetime.combine(day, datetime.min.time()).astimezone()
        params.update(d0=start, d1=start + timedelta(days=1))
    if search:
        where.append("lower(s.name) LIKE :q")
        params["q"] = f"%{validation.name(search, 'search').lower()}%"
    sql = _SUMMARY + (" WHERE " + " AND ".join(where) if where else "") + \
        " ORDER BY s.start_time, s.id LIMIT :limit"
    with db.engine.connect() as conn:
        return [ShowSummary(**r._mapping) for r in conn.execute(text(sql), params)]


def show_summary(db: Database, show_id: int) -> ShowSummary:
    with db.engine.connect() as conn:
        r = conn.execute(text(_SUMMARY + " WHERE s.id = :s"), {"s": show_id}).first()
    if r is None:
        raise ShowNotFound(show_id)
    return ShowSummary(**r._mapping)


@dataclass(frozen=True, slots=True)
class ShowAudience:
    """Who holds tickets for a show: what a manager must know before moving it."""

    bookings: int
    customers: int  # distinct names given; bookings without a name are not counted
    names: tuple[str, ...]  # some of them, alphabetically, for the question


def show_audience(db: Database, show_id: int, *, names: int = 8) -> ShowAudience:
    """The show's sold and held bookings, and the customers named on them."""
    show_id = validation.positive_id(show_id, "show")
    with db.engine.connect() as conn:
        r = conn.execute(text(
            "SELECT count(*) AS bookings, count(DISTINCT customer_name) AS customers, "
            "(ARRAY(SELECT DISTINCT customer_name FROM bookings WHERE show_id = :s "
            "       AND status = ANY(:live) AND customer_name IS NOT NULL "
            "       ORDER BY 1 LIMIT :n)) AS names "
            "FROM bookings WHERE show_id = :s AND status = ANY(:live)"),
            {"s": show_id, "n": max(0, names), "live": list(LIVE_STATUSES)}).one()
    return ShowAudience(r.bookings, r.customers, tuple(r.names))
