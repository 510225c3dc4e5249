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
