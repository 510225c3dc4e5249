"""The operations figures, Qt-free: what the event log and PostgreSQL's statistics say.

Each function takes an open SQLAlchemy ``Connection`` and returns frozen values, so the
app's operations view can call them from its worker thread and hand the results to the
GUI thread, and the expiry worker can turn them into metrics and alerts. Windows are
measured on the database's clock (``now()``), never the PC's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Connection, text

from boxoffice.expiry import EXPIRY_APP_PREFIX, EXPIRY_LOCK_KEY
from boxoffice.statuses import EventKind

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)


@dataclass(frozen=True, slots=True)
class ShowFigures:
    """One show's bookings over a window, as the event log records them."""

    show_id: int
    sold: int = 0
    held: int = 0
    confirmed: int = 0
    conflicts: int = 0
    expired: int = 0
    released: int = 0
    cancelled: int = 0
    exchanged: int = 0
    seats_sold: int = 0
    seats_held: int = 0
    seats_expired: int = 0
    window_seconds: float = HOUR.total_seconds()

    @property
    def attempts(self) -> int:
        """Booking attempts that reached the locked transaction (sold, held or refused)."""
        return self.sold + self.held + self.conflicts

    @property
    def conflict_rate(self) -> float:
        return self.conflicts / self.attempts if self.attempts else 0.0

    @property
    def seats_per_second(self) -> float:
        return (self.seats_sold + self.seats_held) / self.window_seconds


_FIELDS = {  # kind → (bookings field, seats field or None)
    EventKind.BOOKING_SOLD: ("sold", "seats_sold"),
    EventKind.BOOKING_HELD: ("held", "seats_held"),
    EventKind.BOOKING_CONFIRMED: ("confirmed", None),
    EventKind.BOOKING_FAILED: ("conflicts", None),
    EventKind.BOOKING_EXPIRED: ("expired", "seats_expired"),
    EventKind.BOOKING_RELEASED: ("released", None),
    EventKind.BOOKING_CANCELLED: ("cancelled", None),
    EventKind.BOOKING_EXCHANGED: ("exchanged", None),
}


def show_figures(conn: Connection, window: timedelta = HOUR,
                 show_id: int | None = None) -> dict[int, ShowFigures]:
    """Per-show figures over the last ``window``: ``{show_id: ShowFigures}``."""
    rows = conn.execute(text("""
        SELECT show_id, kind, count(*) AS bookings,
               coalesce(sum(cardinality(seats)), 0) AS seats
        FROM booking_events
        WHERE occurred_at > now() - make_interval(secs => :secs)
          AND kind LIKE 'booking\\_%' AND show_id IS NOT NULL
          AND (CAST(:show AS bigint) IS NULL OR show_id = :show)
        GROUP BY show_id, kind
    """), {"secs": window.total_seconds(), "show": show_id}).all()
    values: dict[int, dict[str, int]] = {}
    for row in rows:
        fields = _FIELDS.get(row.kind)
        if fields is None:
            continue
        per_show = values.setdefault(int(row.show_id), {})
        per_show[fields[0]] = per_show.get(fields[0], 0) + int(row.bookings)
        if fields[1] is not None:
            per_show[fields[1]] = per_show.get(fields[1], 0) + int(row.seats)
    return {sid: ShowFigures(show_id=sid, window_seconds=window.total_seconds(), **v)
            for sid, v in sorted(values.items())}


def totals(figures: dict[int, ShowFigures], window: timedelta = HOUR) -> ShowFigures:
    """All shows together (``show_id`` 0)."""
    summed: dict[str, int] = {}
    for f in figures.values():
        for name in ("sold", "held", "confirmed", "conflicts", "expired", "released",
                     "cancelled", "exchanged", "seats_sold", "seats_held", "seats_expired"):
            summed[name] = summed.get(name, 0) + getattr(f, name)
    return ShowFigures(show_id=0, window_seconds=window.total_seconds(), **summed)


@dataclass(frozen=True, slots=True)
class Bucket:
    """One slice of a timeline, for charts."""

    start: datetime
    sold: int
    held: int
    conflicts: int
    expired: int
    seats: int


def timeline(conn: Connection, window: timedelta = HOUR, step: timedelta = timedelta(minutes=1),
             show_id: int | None = None) -> list[Bucket]:
    """Bookings per ``step`` over the last ``window`` (empty slices included)."""
    rows = conn.execute(text("""
        WITH slots AS (
            SELECT generate_series(
                date_bin(make_interval(secs => :step), now() - make_interval(secs => :secs),
                         TIMESTAMPTZ '2000-01-01'),
                now(), make_interval(secs => :step)) AS start
        ), events AS (
            SELECT date_bin(make_interval(secs => :step), occurred_at,
                            TIMESTAMPTZ '2000-01-01') AS start, kind,
                   coalesce(cardinality(seats), 0) AS seats
            FROM booking_events
            WHERE occurred_at > now() - make_interval(secs => :secs)
              AND (CAST(:show AS bigint) IS NULL OR show_id = :show)
        )
        SELECT s.start,
               count(*) FILTER (WHERE e.kind = 'booking_sold') AS sold,
               count(*) FILTER (WHERE e.kind = 'booking_held') AS held,
               count(*) FILTER (WHERE e.kind = 'booking_failed') AS conflicts,
               count(*) FILTER (WHERE e.kind = 'booking_expired') AS expired,
               coalesce(sum(e.seats) FILTER (WHERE e.kind IN ('booking_sold', 'booking_held')),
                        0) AS seats
        FROM slots s LEFT JOIN events e USING (start)
        GROUP BY s.start ORDER BY s.start
    """), {"secs": window.total_seconds(), "step": step.total_seconds(), "show": show_id}).all()
    return [Bucket(r.start, int(r.sold), int(r.held), int(r.conflicts), int(r.expired),
                   int(r.seats)) for r in rows]


@dataclass(frozen=True, slots=True)
class ExpiryLag:
    overdue_holds: int
    oldest_seconds: float  # 0 when no hold is overdue


def expiry_lag(conn: Connection) -> ExpiryLag:
    """Holds past their deadline that no expiry round has released yet.

    The rule is migration 0006's ``holds_overdue`` view, written out here on the table:
    the health check reads databases whose schema is behind head (that is one of its
    alerts), where the view does not exist yet."""
    row = conn.execute(text("""
        SELECT count(*) AS n,
               coalesce(extract(epoch FROM now() - min(hold_deadline)), 0) AS age
        FROM bookings WHERE status = 'PENDING' AND hold_deadline <= now()
    """)).one()
    return ExpiryLag(int(row.n), float(row.age))


@dataclass(frozen=True, slots=True)
class LockWait:
    pid: int
    lock: str  # the table waited on, or the lock type ("transactionid": a row lock)
    seconds: float
    application: str


def lock_waits(conn: Connection) -> list[LockWait]:
    """Sessions of this database waiting for a lock now. Waiting on a show's row shows as
    ``transactionid`` (the holder's transaction) or as ``shows`` (a tuple lock).

    PostgreSQL keeps one snapshot of ``pg_stat_activity`` per transaction while
    ``pg_locks`` is live; the snapshot is dropped first so that a caller polling inside
    one transaction sees waits that began after its first look.
    """
    conn.execute(text("SELECT pg_stat_clear_snapshot()"))
    rows = conn.execute(text("""
        SELECT a.pid, coalesce(c.relname, l.locktype) AS lock,
               greatest(extract(epoch FROM clock_timestamp() - a.query_start), 0) AS seconds,
               a.application_name
        FROM pg_stat_activity a
        JOIN LATERAL (SELECT * FROM pg_locks l WHERE l.pid = a.pid AND NOT l.granted
                      LIMIT 1) l ON true
        LEFT JOIN pg_class c ON c.oid = l.relation
        WHERE a.datname = current_database() AND a.wait_event_type = 'Lock'
        ORDER BY a.pid
    """)).all()
    return [LockWait(int(r.pid), str(r.lock), float(r.seconds), str(r.application_name))
            for r in rows]


@dataclass(frozen=True, slots=True)
class DbSession:
    pid: int
    user: str
    application: str
    client: str
    since: datetime
    holds_expiry_lock: bool


def _sessions(conn: Connection, where: str) -> list[DbSession]:
    rows = conn.execute(text(f"""
        SELECT a.pid, a.usename, a.application_name,
               coalesce(host(a.client_addr), 'local') AS client, a.backend_start,
               EXISTS (SELECT 1 FROM pg_locks l
                       WHERE l.pid = a.pid AND l.locktype = 'advisory' AND l.granted
                         AND l.classid = :hi AND l.objid = :lo AND l.objsubid = 1) AS holds
        FROM pg_stat_activity a
        WHERE a.datname = current_database() AND a.pid <> pg_backend_pid() AND ({where})
        ORDER BY a.backend_start
    """), {"hi": EXPIRY_LOCK_KEY >> 32, "lo": EXPIRY_LOCK_KEY & 0xFFFF_FFFF}).all()
    return [DbSession(int(r.pid), str(r.usename), str(r.application_name), str(r.client),
                     r.backend_start, bool(r.holds)) for r in rows]


def expiry_sessions(conn: Connection) -> list[DbSession]:
    """Sessions of expiry workers, and any session holding the expiry lock right now."""
    return _sessions(conn, f"a.application_name LIKE '{EXPIRY_APP_PREFIX}%' OR EXISTS ("
                           "SELECT 1 FROM pg_locks l WHERE l.pid = a.pid "
                           "AND l.locktype = 'advisory' AND l.classid = :hi "
                           "AND l.objid = :lo AND l.objsubid = 1)")


@dataclass(frozen=True, slots=True)
class CounterApp:
    """A counter app as PostgreSQL sees it: a login from a machine, with its sessions."""

    user: str
    client: str
    sessions: int
    since: datetime


def counters_connected(conn: Connection) -> list[CounterApp]:
    """Who is selling now: counter apps (application ``boxoffice*``, not expiry workers)."""
    out: dict[tuple[str, str], CounterApp] = {}
    for s in _sessions(conn, "a.application_name LIKE 'boxoffice%' AND "
                             f"a.application_name NOT LIKE '{EXPIRY_APP_PREFIX}%'"):
        key = (s.user, s.client)
        seen = out.get(key)
        out[key] = CounterApp(s.user, s.client, 1 + (seen.sessions if seen else 0),
                           min(s.since, seen.since) if seen else s.since)
    return sorted(out.values(), key=lambda c: (c.user, c.client))


def last_event_id(conn: Connection) -> int:
    return int(conn.execute(text("SELECT coalesce(max(id), 0) FROM booking_events")).scalar_one())


@dataclass(frozen=True, slots=True)
class EventRow:
    id: int
    kind: str
    show_id: int | None
    seats: int
    age_seconds: float  # since its transaction began, on the database's clock


def events_after(conn: Connection, after: int, limit: int = 100_000) -> list[EventRow]:
    """Event-log rows with ``id > after``, oldest first."""
    rows = conn.execute(text("""
        SELECT id, kind, show_id, coalesce(cardinality(seats), 0) AS seats,
               extract(epoch FROM now() - occurred_at) AS age
        FROM booking_events WHERE id > :after ORDER BY id LIMIT :limit
    """), {"after": after, "limit": limit}).all()
    return [EventRow(int(r.id), str(r.kind), None if r.show_id is None else int(r.show_id),
                     int(r.seats), float(r.age)) for r in rows]


_CURSOR = re.compile(r"^(?:([a-z_][a-z0-9_]*)\.)?([a-z_][a-z0-9_]*)\.([a-z_][a-z0-9_]*)$")


def outbox_cursor(cursor: str) -> tuple[str | None, str, str]:
    """``[schema.]table.column`` split and checked (ValueError when it is not one)."""
    match = _CURSOR.match(cursor.strip().lower())
    if match is None:
        raise ValueError("BOXOFFICE_OUTBOX_CURSOR must name [schema.]table.column "
                         f"holding the last event id a consumer handled, not {cursor!r}")
    schema, table, column = match.groups()
    return schema, table, column


def outbox_backlog(conn: Connection, cursor: str) -> int:
    """Event-log rows past a consumer's cursor, which it keeps as the last event id it
    handled in ``[schema.]table.column`` (the largest value there counts)."""
    schema, table, column = outbox_cursor(cursor)
    where = f'"{schema}"."{table}"' if schema else f'"{table}"'
    return int(conn.execute(text(
        f'SELECT count(*) FROM booking_events WHERE id > '
        f'coalesce((SELECT max("{column}") FROM {where}), 0)')).scalar_one())


@dataclass(frozen=True, slots=True)
class OperationsSnapshot:
    """Everything the managers' operations view shows, read in one transaction."""

    hour: dict[int, ShowFigures]
    day: dict[int, ShowFigures]
    hour_total: ShowFigures
    day_total: ShowFigures
    last_hour: list[Bucket]  # one-minute slices, for charts
    last_day: list[Bucket]  # half-hour slices
    expiry: ExpiryLag
    lock_waits: list[LockWait]
    counters: list[CounterApp]
    expiry_workers: list[DbSession]


def operations_snapshot(conn: Connection) -> OperationsSnapshot:
    """The figures for the last hour and day, charts included, and who is connected.
    Alerts come from ``boxoffice.ops.health.OpsMonitor(..., runs_expiry=False).refresh()``."""
    conn.execute(text("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY"))
    hour, day = show_figures(conn, HOUR), show_figures(conn, DAY)
    return OperationsSnapshot(
        hour=hour, day=day, hour_total=totals(hour, HOUR), day_total=totals(day, DAY),
        last_hour=timeline(conn, HOUR, timedelta(minutes=1)),
        last_day=timeline(conn, DAY, timedelta(minutes=30)),
        expiry=expiry_lag(conn), lock_waits=lock_waits(conn),
        counters=counters_connected(conn), expiry_workers=expiry_sessions(conn))
