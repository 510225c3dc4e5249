"""The schema's history: linear, matching the models, reversible, enforced at start."""

from __future__ import annotations

from typing import Any

import psycopg
import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from boxoffice import sqlsource
from boxoffice.db import (
    _alembic_config,
    check_schema,
    current_revision,
    head_revision,
    libpq_url,
    make_engine,
    migrations_dir,
    upgrade,
)
from boxoffice.errors import SchemaOutOfDate
from boxoffice.models import Base


def test_revision_chain_is_linear() -> None:
    script = ScriptDirectory.from_config(_alembic_config())
    assert len(script.get_heads()) == 1
    revisions = list(script.walk_revisions())
    assert all(not isinstance(r.down_revision, tuple) for r in revisions)
    assert revisions[-1].down_revision is None


def test_models_match_the_migrated_database(db_url: str) -> None:
    engine = make_engine(db_url)
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
    engine.dispose()
    assert diff == []


def test_empty_database_is_refused_with_the_command_that_fixes_it(empty_db: str) -> None:
    engine = make_engine(empty_db)
    with pytest.raises(SchemaOutOfDate) as err:
        check_schema(engine)
    assert "boxoffice db upgrade" in err.value.message
    # the command names the refused database (never its password)
    from sqlalchemy import make_url

    url = make_url(empty_db)
    assert "--database-url 'postgresql://" in err.value.message
    assert f"/{url.database}'" in err.value.message
    if url.password:
        assert url.password not in err.value.message
    upgrade(engine)
    check_schema(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


def test_downgrade_to_base_and_up_again(empty_db: str) -> None:
    engine = make_engine(empty_db)
    upgrade(engine)
    from alembic import command

    with engine.begin() as conn:
        command.downgrade(_alembic_config(conn), "base")
    assert current_revision(engine) is None
    upgrade(engine)
    assert current_revision(engine) == head_revision()
    engine.dispose()


# -- one living source for each database function and view (boxoffice/sql) -------------

_FUNCTIONS = """
    SELECT p.proname || '(' || pg_get_function_identity_arguments(p.oid) || ')',
           pg_get_functiondef(p.oid)
    FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
    WHERE n.nspname = 'public' AND p.proname LIKE 'boxoffice\\_%'
"""
_VIEWS = "SELECT viewname, pg_get_viewdef(viewname::regclass) FROM pg_views " \
         "WHERE schemaname = 'public'"


def _definitions(conn: psycopg.Connection[Any]) -> dict[str, str]:
    """Every BoxOffice function and view as PostgreSQL prints it, whitespace folded (a
    re-indented body is the same function)."""
    rows = [*conn.execute(_FUNCTIONS).fetchall(), *conn.execute(_VIEWS).fetchall()]
    return {name: " ".join(str(definition).split()) for name, definition in rows}


def test_the_database_at_head_defines_exactly_what_boxoffice_sql_says(db_url: str) -> None:
    """Loading every source file into the head database changes nothing and adds
    nothing: a function edited in boxoffice/sql without a migration that loads it, a
    migration that changes one without its source, or a function without a source file
    fails here."""
    sources = sqlsource.objects()
    with psycopg.connect(libpq_url(db_url)) as conn:
        at_head = _definitions(conn)
        sqlsource.load(conn, list(sources.values()))
        from_source = _definitions(conn)
        conn.rollback()
    assert {name.split("(")[0] for name in at_head} == set(sources)
    drifted = sorted(name for name in from_source if at_head.get(name) != from_source[name])
    assert drifted == []


def test_every_versioned_copy_is_a_revision_of_the_chain() -> None:
    """migrations/sql/<rev>/ holds the copies revision <rev> loads; each file names its
    object, and the newest copy of each object is its living source."""
    script = ScriptDirectory.from_config(_alembic_config())
    revisions = {r.revision for r in script.walk_revisions()}
    folders = sorted(p for p in (migrations_dir() / "sql").iterdir() if p.is_dir())
    assert {p.name for p in folders} <= revisions
    newest: dict[str, str] = {}
    for folder in folders:
        for name, obj in sqlsource.objects(folder).items():
            newest[name] = obj.sql
    assert set(newest) == set(sqlsource.objects())
    stale = sorted(name for name, obj in sqlsource.objects().items()
                   if " ".join(obj.sql.split()) != " ".join(newest[name].split()))
    assert stale == [], "edited in boxoffice/sql without a migration that loads the copy"


# -- 0007: grid halls and shows become charts with every sale intact ---------------------


def test_grid_halls_and_shows_with_sales_migrate_to_charts(empty_db: str) -> None:
    """A database made at 0006, with a sale and a hold on a grid show, upgrades to head
    with every seat id, sale and hold as it was, and the grid drawn as its chart."""
    import json

    from sqlalchemy import text

    from boxoffice import booking
    from boxoffice.audit import violations
    from boxoffice.charts import Chart
    from boxoffice.errors import SeatsTaken
    from boxoffice.layout import Layout
    from tests import dbutil

    engine = make_engine(empty_db)
    upgrade(engine, "0006")
    lay = Layout.grid(5, 14, aisles_after=[7], blocked=["A1"], wheelchair=["E1"],
                      companion=["E2"], blocked_reasons={"A1": "House seat"})
    with engine.begin() as conn:
        hall = conn.execute(text(
            "INSERT INTO halls (name, layout, total_seats) VALUES ('Old Hall', "
            "CAST(:l AS jsonb), :t) RETURNING id"),
            {"l": json.dumps(lay.to_json()), "t": lay.sellable_count}).scalar_one()
        show = conn.execute(text(
            "INSERT INTO shows (name, start_time, total_seats, hall_id, hall_name, layout) "
            "VALUES ('Old Show', :t, :n, :h, 'Old Hall', CAST(:l AS jsonb)) RETURNING id"),
            {"t": dbutil.tomorrow(), "n": lay.sellable_count, "h": hall,
             "l": json.dumps(lay.to_json())}).scalar_one()
        for s in lay.seats():
            conn.execute(text(
                "INSERT INTO show_seats (show_id, seat_number, row_label, row_index, "
                "column_index, kind, sellable) VALUES (:s, :n, :r, :ri, :c, :k, :ok)"),
                {"s": show, "n": s.label, "r": s.row_label, "ri": s.row_index, "c": s.column,
                 "k": s.kind, "ok": s.sellable})
        for seats, status in ((["C12", "C13"], "CONFIRMED"), (["E1", "E2"], "PENDING")):
            outcome = conn.execute(text(
                "SELECT outcome FROM boxoffice_book(:s, :seats, :st, 'ann', NULL, NULL, 600, "
                "NULL)"), {"s": show, "seats": seats, "st": status}).scalar_one()
            assert outcome == "booked"
        before = conn.execute(text("SELECT booking_id, seat_number FROM booking_seats "
                                   "ORDER BY 1, 2")).all()
    upgrade(engine)
    with engine.connect() as conn:
        assert conn.execute(text("SELECT booking_id, seat_number FROM booking_seats "
                                 "ORDER BY 1, 2")).all() == before
        hall_chart = conn.execute(text("SELECT chart FROM halls")).scalar_one()
        show_chart = conn.execute(text("SELECT chart FROM shows")).scalar_one()
        seat = conn.execute(text(
            "SELECT pos_x, pos_y, seat_label, blocked_reason, kind FROM show_seats "
            "WHERE show_id = :s AND seat_number = :n"), {"s": show, "n": "A1"}).one()
        c12 = conn.execute(text("SELECT pos_x, pos_y, seat_label FROM show_seats "
                                "WHERE show_id = :s AND seat_number = 'C12'"),
                           {"s": show}).one()
        assert violations(conn) == {}
    # The migration's frozen converter and today's Chart.from_layout agree.
    assert Chart.from_json(hall_chart) == Chart.from_layout(lay, "Old Hall")
    assert Chart.from_json(show_chart) == Chart.from_layout(lay, "Old Hall")
    assert tuple(seat) == (0.0, 0.0, "1", "House seat", "standard")
    assert tuple(c12) == (12.0, 2.0, "12")  # the aisle after seat 7 is column 7
    db = dbutil.open_test_hands(empty_db)
    try:
        with pytest.raises(SeatsTaken):
            booking.sell(db, show, ["C12"], clerk="bob")
        booking.sell(db, show, ["C14"], clerk="bob")
    finally:
        db.dispose()
    engine.dispose()
