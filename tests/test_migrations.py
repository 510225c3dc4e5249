"""The schema's history: linear, matching the models, reversible, enforced at start."""

from __future__ import annotations

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from boxoffice.db import (
    _alembic_config,
    check_schema,
    current_revision,
    head_revision,
    make_engine,
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
