"""The benchmark's own databases: created, migrated, filled with halls and shows, checked, dropped.

Every run works in a fresh ``bo_bench_<random>`` database on the chosen server, so a
benchmark never touches real data. The database pgbench drives is a template copy of
the one the Python clients drive, so both start from identical rows.
"""

from __future__ import annotations

import logging
import math
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import psycopg
from psycopg import sql
from sqlalchemy import text

from boxoffice import shows
from boxoffice.config import Settings
from boxoffice.connections import with_dbname
from boxoffice.db import Database, libpq_url, make_engine, upgrade
from boxoffice.layout import Layout

log = logging.getLogger(__name__)

ROWS = 26  # rows A..Z: seat labels are chr(64 + row) || column, in Python and in SQL alike
MAX_COLS = 7692  # 26 × 7692 seats: within Layout's 200,000-seat limit


@dataclass(frozen=True, slots=True)
class Plan:
    """What the clients book: shows ``show_base .. show_base + shows - 1``, ROWS × cols each."""

    show_base: int
    shows: int
    cols: int
    spare_show: int | None = None

    @property
    def rows(self) -> int:
        return ROWS

    def show_for(self, client: int) -> int:
        return self.show_base + (client if self.shows > 1 else 0)


def url_for(admin: str, name: str) -> str:
    """The admin address on another database (host lists and services kept)."""
    return with_dbname(admin, name)


def new_name() -> str:
    return f"bo_bench_{uuid.uuid4().hex[:10]}"


def create_database(admin: str, name: str, template: str | None = None) -> str:
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        q = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template is not None:
            q = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template))
        conn.execute(q)
    return url_for(admin, name)


def drop_database(admin: str, name: str) -> None:
    with psycopg.connect(libpq_url(admin), autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def columns_for(seats_per_show: int) -> int:
    return max(12, min(MAX_COLS, math.ceil(seats_per_show / ROWS)))


def prepare(url: str, *, shows_count: int, cols: int, stale_holds: int = 0) -> Plan:
    """Migrate an empty database and create the benchmark's shows (and a stale backlog)."""
    engine = make_engine(url, pool_size=1)
    try:
        upgrade(engine)
        db = Database(engine, Settings(database_url=url), url)
        start = datetime.now(UTC) + timedelta(days=30)
        hall = shows.create_hall(db, "Bench hall", Layout.grid(ROWS, cols))
        ids = [shows.create_show(db, f"Bench show {i + 1}", start, hall=hall.id).id
               for i in range(shows_count)]
        assert ids == list(range(ids[0], ids[0] + shows_count)), "show ids are not consecutive"
        spare = None
        if stale_holds:
            spare = _stale_backlog(db, start, stale_holds)
    finally:
        engine.dispose()
    return Plan(show_base=ids[0], shows=shows_count, cols=cols, spare_show=spare)


def _stale_backlog(db: Database, start: datetime, holds: int) -> int:
    """``holds`` PENDING one-seat bookings whose deadline passed, in a big spare show."""
    cols = math.ceil(holds / ROWS)
    if cols > MAX_COLS:
        raise ValueError(f"at most {ROWS * MAX_COLS} stale holds")
    hall = shows.create_hall(db, "Spare hall", Layout.grid(ROWS, cols))
    spare = shows.create_show(db, "Spare show (stale holds)", start, hall=hall.id).id
    with db.engine.begin() as conn:
        conn.execute(text("""
            WITH seats AS (
                SELECT seat_number, row_number() OVER (ORDER BY row_index, column_index) AS n
                FROM show_seats WHERE show_id = :show ORDER BY row_index, column_index
                LIMIT :holds
            ), made AS (
                INSERT INTO bookings (show_id, seats_requested, status, user_name, counter,
                                      hold_deadline, created_at, updated_at)
                SELECT :show, 1, 'PENDING', 'bench', 'stale', now() - interval '10 minutes',
                       now() - interval '15 minutes', now() - interval '15 minutes'
                FROM seats
                RETURNING id
            ), numbered AS (
                SELECT id, row_number() OVER (ORDER BY id) AS n FROM made
            )
            INSERT INTO booking_seats (booking_id, show_id, seat_number)
            SELECT numbered.id, :show, seats.seat_number FROM numbered JOIN seats USING (n)
        """), {"show": spare, "holds": holds})
    with db.engine.connect() as conn:
        conn.execution_options(isolation_level="AUTOCOMMIT").execute(text("ANALYZE"))
    log.info("stale backlog: %s holds on show %s", holds, spare)
    return spare


INVARIANTS = {
    "seat_twice": """
        SELECT count(*) FROM (SELECT 1 FROM booking_seats GROUP BY show_id, seat_number
                              HAVING count(*) > 1) x""",
    "live_booking_wrong_seat_count": """
        SELECT count(*) FROM bookings b
        WHERE b.status IN ('CONFIRMED', 'PENDING')
          AND b.seats_requested <> (SELECT count(*) FROM booking_seats bs
                                    WHERE bs.booking_id = b.id)""",
    "dead_booking_owns_seats": """
        SELECT count(*) FROM bookings b
        WHERE b.status IN ('FAILED', 'CANCELLED')
          AND EXISTS (SELECT 1 FROM booking_seats bs WHERE bs.booking_id = b.id)""",
    "show_oversold": """
        SELECT count(*) FROM shows s
        WHERE s.total_seats < (SELECT count(*) FROM booking_seats bs WHERE bs.show_id = s.id)""",
}


def check_invariants(url: str) -> dict[str, int]:
    """Violations per invariant (all zero when the run kept every guarantee)."""
    with psycopg.connect(libpq_url(url)) as conn:
        return {name: int(conn.execute(q).fetchone()[0])  # type: ignore[index]
                for name, q in INVARIANTS.items()}


def outcome_counts(url: str, plan: Plan) -> dict[str, int]:
    """What the run left in the benchmark's shows, read from the database itself."""
    last = plan.show_base + plan.shows - 1
    with psycopg.connect(libpq_url(url)) as conn:
        row = conn.execute("""
            SELECT count(*) FILTER (WHERE status = 'CONFIRMED'),
                   count(*) FILTER (WHERE status = 'PENDING'),
                   count(*) FILTER (WHERE status = 'FAILED'),
                   (SELECT count(*) FROM booking_seats WHERE show_id BETWEEN %s AND %s),
                   (SELECT count(*) FROM booking_events
                    WHERE kind = 'booking_confirmed' AND show_id BETWEEN %s AND %s)
            FROM bookings WHERE show_id BETWEEN %s AND %s""",
            (plan.show_base, last) * 3).fetchone()
    assert row is not None
    return {"confirmed": int(row[0]), "pending": int(row[1]), "failed": int(row[2]),
            "seats": int(row[3]), "confirms": int(row[4])}
