from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from boxoffice import shows
from boxoffice.db import Database
from boxoffice.layout import Layout
from tests import dbutil


@pytest.fixture(scope="session")
def pg_admin() -> str:
    """A maintenance URL of the PostgreSQL server the tests use."""
    return dbutil.admin_url()


@pytest.fixture(scope="session")
def template_db(pg_admin: str) -> Iterator[str]:
    name = dbutil.build_template(pg_admin)
    yield name
    dbutil.drop_database(pg_admin, name)


@pytest.fixture
def db_url(pg_admin: str, template_db: str) -> Iterator[str]:
    """A fresh database at schema head, dropped after the test."""
    name = dbutil.fresh_name()
    url = dbutil.create_database(pg_admin, name, template=template_db)
    yield url
    dbutil.drop_database(pg_admin, name)


@pytest.fixture
def empty_db(pg_admin: str) -> Iterator[str]:
    """A fresh database with no schema at all, dropped after the test."""
    name = dbutil.fresh_name()
    url = dbutil.create_database(pg_admin, name)
    yield url
    dbutil.drop_database(pg_admin, name)


@pytest.fixture
def db(db_url: str) -> Iterator[Database]:
    """The test's own connection (seeds and checks; see ``dbutil.open_test_hands``)."""
    database = dbutil.open_test_hands(db_url)
    yield database
    database.dispose()


@pytest.fixture
def hall(db: Database) -> shows.HallView:
    """A 10-row × 12-seat hall with an aisle after seat 6, A1 blocked, J1 wheelchair."""
    layout = Layout.grid(10, 12, aisles_after=[6], blocked=["A1"], wheelchair=["J1"],
                         companion=["J2"])
    return shows.create_hall(db, "Test Hall", layout)


@pytest.fixture
def show(db: Database, hall: shows.HallView) -> shows.ShowView:
    return shows.create_show(db, "Test Show", dbutil.tomorrow(), hall=hall.id)


def table_snapshot(db: Database) -> dict[str, Any]:
    """Every row of every table, to prove that a refused request wrote nothing."""
    from sqlalchemy import text

    out: dict[str, Any] = {}
    with db.engine.connect() as conn:
        for table in ("halls", "shows", "show_seats", "bookings", "booking_seats",
                      "booking_events", "venue_settings", "ticket_types", "price_categories",
                      "prices", "booking_tickets", "payments", "cash_counts"):
            out[table] = conn.execute(text(f"SELECT * FROM {table} ORDER BY 1, 2")).all()
    return out
