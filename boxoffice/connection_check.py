"""What went wrong with the database connection, in words a clerk can act on; and a
quick check of a connection before it is saved.

Drivers say "connection failed: connection to server at "10.0.0.5", port 5432 failed:
Connection refused  Is the server running on that host and accepting TCP/IP
connections?" — true, long, and cut off wherever a banner ends. ``plain_reason`` turns
the failures a counter meets into one sentence; the driver's text stays in the log.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from sqlalchemy import text

from boxoffice.db import Database, describe_url, head_revision
from boxoffice.errors import BoxOfficeError

log = logging.getLogger(__name__)

# (all of these words in the driver's message, what it means for the clerk); first match wins.
_PLAIN: tuple[tuple[tuple[str, ...], str], ...] = (
    (("starting up",), "The database server is starting up; BoxOffice connects as soon as "
                       "it is ready."),
    (("shutting down",), "The database server is shutting down or restarting."),
    (("administrator command",), "The database server was stopped or restarted."),
    (("closed the connection",), "The database server stopped or dropped the connection."),
    (("connection is closed",), "The database server stopped or dropped the connection."),
    (("consuming input failed",), "The database server stopped or dropped the connection."),
    (("connection refused",), "The database server is not running, or this computer cannot "
                              "reach it."),
    (("no such file or directory",), "The database server is not running (its socket is "
                                     "gone)."),
    (("translate host name",), "The database server's name cannot be found on the network: "
                               "check the host name."),
    (("name or service not known",), "The database server's name cannot be found on the "
                                     "network: check the host name."),
    (("name resolution",), "The database server's name cannot be found on the network: "
                           "check the host name."),
    (("no route to host",), "The network cannot reach the database server."),
    (("network is unreachable",), "The network cannot reach the database server."),
    (("timeout",), "The database server did not answer in time (network or server "
                   "overloaded)."),
    (("timed out",), "The database server did not answer in time (network or server "
                     "overloaded)."),
    (("too many clients",), "The database server has no free connections left; ask IT to "
                            "raise its limit."),
    (("password authentication failed",), "The database refused this login: check the user "
                                          "name and its password in .pgpass."),
    (("no password supplied",), "The database wants a password for this login: put it in "
                                ".pgpass (never in the settings)."),
    (("pg_hba.conf",), "The database server does not let this computer or login in "
                       "(pg_hba.conf)."),
    (("role", "does not exist"), "The database does not know this login: ask a manager to "
                                 "add it ('boxoffice staff add')."),
    (("database", "does not exist"), "There is no database of that name on the server: "
                                     "check the database name."),
    (("service",), "The libpq service named in the settings is not in pg_service.conf."),
    (("invalid dsn",), "The connection URL is not valid (postgresql://user@host:5432/db)."),
    (("invalid connection option",), "The connection URL has an option PostgreSQL does not "
                                     "know."),
    (("invalid integer value",), "The connection URL has a bad number in it (the port?)."),
)

UNKNOWN = "The database does not answer."


def plain_reason(error: BaseException | str) -> str:
    """One sentence a clerk understands for a connection failure (a driver error, its
    text, or a BoxOffice error, whose own message is kept)."""
    if isinstance(error, BoxOfficeError):
        return error.message
    if isinstance(error, ValueError) and not isinstance(error, str):
        return str(error)  # sqlalchemy_url's own sentence: not a (PostgreSQL) URL
    said = str(getattr(error, "orig", None) or error).lower()
    for words, meaning in _PLAIN:
        if all(w in said for w in words):
            return meaning
    return UNKNOWN


@dataclass(frozen=True, slots=True)
class ConnectionCheck:
    """The answer to "does this connection work?": usable, and what to tell the clerk."""

    ok: bool
    message: str


def check_connection(db: Database) -> ConnectionCheck:
    """Connect, and see that the schema is the one this BoxOffice needs. Never raises:
    every failure is an answer (run it on the operation runner)."""
    where = describe_url(db.url)
    try:
        with db.engine.connect() as conn:
            version = conn.execute(text("SHOW server_version")).scalar_one()
            known = conn.execute(text("SELECT to_regclass('alembic_version')")).scalar()
            current = conn.execute(text(
                "SELECT version_num FROM alembic_version LIMIT 1")).scalar() if known else None
    except Exception as exc:
        log.info("connection check of %s failed: %s", where, exc)
        return ConnectionCheck(False, f"Not connected to {where}. {plain_reason(exc)}")
    head = head_revision()
    if current != head:
        return ConnectionCheck(False, (
            f"Connected to {where} (PostgreSQL {version}), but its schema is at "
            f"{current or 'nothing: an empty database'} and this BoxOffice needs {head}: "
            "run 'boxoffice db upgrade' on it."))
    return ConnectionCheck(True, f"Connected to {where} (PostgreSQL {version}); the schema "
                                 "is up to date.")
