"""The private PostgreSQL that BoxOffice starts when no server is configured.

It comes from the pgserver wheel, lives in the user's data folder, listens only on a
Unix socket, and stops when the last BoxOffice process using it exits.
"""

from __future__ import annotations

import logging
import warnings
from pathlib import Path

log = logging.getLogger(__name__)

DATABASE = "boxoffice"


def start_embedded(pgdata: Path, *, delete_on_exit: bool = False) -> str:
    """Start (or join) the embedded server and return a URL for its ``boxoffice`` database.

    The server stops when the last BoxOffice process using it exits; with
    ``delete_on_exit`` (tests) its data folder goes too.
    """
    pgdata.parent.mkdir(parents=True, exist_ok=True)
    with warnings.catch_warnings():
        # pgserver asks platformdirs for a runtime dir, which warns without XDG_RUNTIME_DIR.
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

        server = get_server(pgdata, cleanup_mode="delete" if delete_on_exit else "stop")
    base = server.get_uri()
    _ensure_database(base, DATABASE)
    log.info("embedded PostgreSQL running", extra={"pgdata": str(pgdata)})
    return server.get_uri(DATABASE)


def _ensure_database(admin_url: str, name: str) -> None:
    import psycopg
    from psycopg import sql

    with psycopg.connect(admin_url, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone()
        if not exists:
            conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))


def restart_if_stopped(pgdata: Path) -> bool:
    """Start this process's embedded server again if it has stopped (killed, crashed, shut
    down by the system); True when it was restarted. A counter on the embedded database
    has nobody else to start it, so its reconnect loop calls this.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import PostgresServer
        from pgserver.utils import PostmasterInfo

    server = PostgresServer._instances.get(pgdata.expanduser().resolve())
    if server is None:
        return False
    with server._lock:
        info = PostmasterInfo.read_from_pgdata(server.pgdata)
        if info is not None and info.is_running():
            return False
        log.warning("the embedded PostgreSQL stopped; starting it again",
                    extra={"pgdata": str(pgdata)})
        server.ensure_postgres_running()
    return True
