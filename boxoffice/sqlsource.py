"""The database's functions and views as files: one living source, versioned copies in history.

``boxoffice/sql/<name>.sql`` holds the current definition of each database function
(plpgsql, sql, trigger functions) and view, as ``CREATE OR REPLACE``; it is what a reader
opens to see what the database does. A migration never reads it: a migration that changes
an object loads its own copy, ``migrations/sql/<revision>/<name>.sql``, taken from
``boxoffice/sql`` when the migration was written, so a later edit of the living file
never rewrites history. ``migrations/sql/0005/`` is the baseline: every function as
migrations 0001-0005 left them. ``tests/test_migrations.py`` checks that the database
at head defines exactly what ``boxoffice/sql`` says.

To change a function: edit ``boxoffice/sql/<name>.sql``, copy it into
``migrations/sql/<new revision>/``, and in that migration call
``upgrade_objects(__file__, "<rev>")`` / ``downgrade_objects(__file__, "<rev>")``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

SOURCE_DIR = Path(__file__).with_name("sql")

_CREATES = re.compile(
    r"^\s*CREATE\s+OR\s+REPLACE\s+(FUNCTION|VIEW)\s+(\w+)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True, slots=True)
class SqlObject:
    """One ``CREATE OR REPLACE FUNCTION|VIEW`` file; its name is the object's name."""

    name: str
    kind: Literal["function", "view"]
    path: Path

    @property
    def sql(self) -> str:
        return self.path.read_text(encoding="utf-8")


def objects(folder: Path = SOURCE_DIR) -> dict[str, SqlObject]:
    """The objects defined in ``folder``, by name. A file must create exactly the object
    it is named after (ValueError otherwise), so a name always leads to its definition."""
    out: dict[str, SqlObject] = {}
    for path in sorted(folder.glob("*.sql")):
        found = _CREATES.findall(path.read_text(encoding="utf-8"))
        if len(found) != 1 or found[0][1] != path.stem:
            raise ValueError(f"{path} must create one function or view named {path.stem} "
                             f"with CREATE OR REPLACE (found {found})")
        kind = found[0][0].lower()
        out[path.stem] = SqlObject(path.stem, "view" if kind == "view" else "function", path)
    return out


def load(driver_connection: Any, objs: list[SqlObject]) -> None:
    """Run each definition on a psycopg connection: views first (a SQL-language
    function's body is checked against them when created). No parameters are passed,
    so the ``%`` of a RAISE format is sent as written."""
    for obj in sorted(objs, key=lambda o: (o.kind != "view", o.name)):
        driver_connection.execute(obj.sql)


def _versions_dir(migration_file: str) -> Path:
    return Path(migration_file).resolve().parents[1] / "sql"


def _driver() -> Any:
    from alembic import op

    return op.get_bind().connection.driver_connection


def upgrade_objects(migration_file: str, revision: str) -> None:
    """In a migration: create or replace every object of ``migrations/sql/<revision>/``."""
    load(_driver(), list(objects(_versions_dir(migration_file) / revision).values()))


def downgrade_objects(migration_file: str, revision: str) -> None:
    """In a migration: undo ``upgrade_objects`` — each object goes back to its copy in
    the latest earlier revision folder, or is dropped if no earlier revision had it.
    Revision folders sort by name (revision ids are zero-padded numbers)."""
    root = _versions_dir(migration_file)
    earlier = sorted(p for p in root.iterdir() if p.is_dir() and p.name < revision)
    mine = objects(root / revision)
    restore: list[SqlObject] = []
    drop: list[SqlObject] = []
    for name, obj in mine.items():
        previous = [objects(p)[name] for p in earlier if (p / f"{name}.sql").exists()]
        if previous:
            restore.append(previous[-1])
        else:
            drop.append(obj)
    conn = _driver()
    load(conn, restore)
    for obj in sorted(drop, key=lambda o: o.kind == "view"):  # functions, then views
        conn.execute(f"DROP {obj.kind.upper()} {obj.name}")
