"""Test databases on a real PostgreSQL: the machine's (BOXOFFICE_TEST_DATABASE_URL) or
an embedded one started for the run. The schema is built once with the real migrations
into a template; every test gets a fresh copy of it."""

from __future__ import annotations

import atexit
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg
from psycopg import sql
from sqlalchemy import make_url

from boxoffice.config import Settings
from boxoffice.db import (
    Database,
    gui_thread_allowed,
    libpq_url,
    make_engine,
    seeds_from_gui_thread,
    upgrade,
)


def admin_url() -> str:
    url = os.environ.get("BOXOFFICE_TEST_DATABASE_URL")
    if url:
        return libpq_url(url)
    from boxoffice.embedded import start_embedded

    return libpq_url(start_embedded(private_dir() / "pgdata", delete_on_exit=True))


def private_dir() -> Path:
    """A folder the embedded server's own system user can reach (pytest's tmp root is 0700),
    removed when the test process ends (after pgserver's own exit hook, registered later,
    has stopped a server in it: atexit runs last-registered first)."""
    base = Path(tempfile.gettempdir()) / "boxoffice-tests"
    base.mkdir(mode=0o755, exist_ok=True)
    base.chmod(0o755)
    path = Path(tempfile.mkdtemp(prefix="run-", dir=base))
    path.chmod(0o755)
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def url_for(admin: str, name: str) -> str:
    return make_url(admin).set(database=name).render_as_string(hide_password=False)


def create_database(admin: str, name: str, template: str | None = None) -> str:
    with psycopg.connect(admin, autocommit=True) as conn:
        q = sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name))
        if template:
            q = sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template))
        conn.execute(q)
    return url_for(admin, name)


def drop_database(admin: str, name: str) -> None:
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
            sql.Identifier(name)))


def build_template(admin: str) -> str:
    name = f"bo_tpl_{uuid.uuid4().hex[:10]}"
    url = create_database(admin, name)
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    return name


def fresh_name() -> str:
    return f"bo_t_{uuid.uuid4().hex[:12]}"


def test_settings(url: str, **over: object) -> Settings:
    return Settings(database_url=url).with_(**over)


def open_db(url: str, **settings: object) -> Database:
    return Database(make_engine(url, pool_size=3), test_settings(url, **settings), url)


def open_test_hands(url: str) -> Database:
    """The test's own Database (the ``db`` fixture): it seeds and checks data from the
    test's thread, which in the UI tests is the GUI thread. The GUI-thread guard lets the
    test use it there, but still refuses any call on it that code in ``boxoffice.ui``
    makes; windows get Databases of their own."""
    db = open_db(url)
    seeds_from_gui_thread(db.engine)
    return db


@contextmanager
def seeding() -> Iterator[None]:
    """Test data written (or read back) from the test's own thread through a window's own
    Database. In the UI tests that thread is the GUI thread, which may not call the
    database (tests/ui/conftest.py turns the guard on); the ``db`` fixture needs no such
    block (``open_test_hands``)."""
    with gui_thread_allowed():
        yield


def tomorrow(hours: int = 0) -> datetime:
    return datetime.now(UTC).replace(microsecond=0) + timedelta(days=1, hours=hours)


def seed_stale_holds(db: Database, show_id: int, count: int) -> None:
    """``count`` one-seat holds already past their deadline, written in one statement."""
    from sqlalchemy import text

    with db.engine.begin() as conn:
        conn.execute(text("""
            WITH made AS (
                INSERT INTO bookings (show_id, seats_requested, status, user_name, counter,
                                      hold_deadline, created_at, updated_at)
                SELECT :show, 1, 'PENDING', 'seed', 'Seed', now() - interval '1 minute',
                       now() - interval '3 minutes', now() - interval '3 minutes'
                FROM generate_series(1, :n)
                RETURNING id
            ), numbered AS (
                SELECT id, row_number() OVER (ORDER BY id) AS rn FROM made
            ), free AS (
                SELECT seat_number, row_number() OVER (ORDER BY row_index, column_index) AS rn
                FROM show_seats WHERE show_id = :show AND sellable
            ), seated AS (
                INSERT INTO booking_seats (booking_id, show_id, seat_number)
                SELECT n.id, :show, f.seat_number FROM numbered n JOIN free f USING (rn)
                RETURNING booking_id, seat_number
            )
            INSERT INTO booking_events (kind, counter, show_id, booking_id, seats)
            SELECT 'booking_held', 'Seed', :show, booking_id, ARRAY[seat_number] FROM seated
        """), {"show": show_id, "n": count})
