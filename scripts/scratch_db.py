"""A throwaway, migrated database for the scripts that make the docs' PDFs and pictures.

The scripts play a day (or a sale) on a fresh database so their output never depends on
what a real venue holds: a new database on the given server, or the embedded PostgreSQL
in a temporary folder, upgraded to head, and dropped or deleted afterwards.
"""

from __future__ import annotations

import shutil
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from boxoffice.config import Settings
from boxoffice.db import Database, libpq_url, make_engine, upgrade


@contextmanager
def scratch_database(database_url: str | None, purpose: str) -> Iterator[tuple[Database, Path]]:
    """Yield a migrated database and a temporary folder; both are gone on exit.

    Args:
        database_url: a server to create ``bo_<purpose>_<random>`` on (dropped on exit);
            ``None`` starts the embedded PostgreSQL in the temporary folder instead.
        purpose: a short word naming the database and the folder (``"cashup"``).
    """
    tmp = Path(tempfile.mkdtemp(prefix=f"boxoffice-{purpose}-"))
    tmp.chmod(0o755)
    admin = name = None
    try:
        if database_url:
            import psycopg
            from sqlalchemy import make_url

            admin = libpq_url(database_url)
            name = f"bo_{purpose}_{uuid.uuid4().hex[:8]}"
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'CREATE DATABASE "{name}"')
            url = make_url(admin).set(database=name).render_as_string(hide_password=False)
        else:
            from boxoffice.embedded import start_embedded

            url = start_embedded(tmp / "pgdata", delete_on_exit=True)
        db = Database(make_engine(url, pool_size=2), Settings(database_url=url, data_dir=tmp),
                      url)
        try:
            upgrade(db.engine)
            yield db, tmp
        finally:
            db.dispose()
    finally:
        if admin and name:
            import psycopg

            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        shutil.rmtree(tmp, ignore_errors=True)
