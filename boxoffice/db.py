"""Connecting to the shared PostgreSQL and knowing the schema is right.

``Database`` bundles the engine with the settings every service needs (hold time,
per-booking limit). Services take a ``Database`` and own their transactions, because
the locked booking transaction must commit its FAILED record before it reports a
conflict; a caller-owned transaction would roll that record back.
"""

from __future__ import annotations

import logging
import os
import select
import sys
import threading
import time
import traceback
import weakref
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from weakref import WeakKeyDictionary, WeakSet

from sqlalchemy import Engine, create_engine, event, make_url
from sqlalchemy.engine import Connection, ExceptionContext
from sqlalchemy.exc import ArgumentError

from boxoffice.config import Settings
from boxoffice.errors import (
    BoxOfficeError,
    LoginFailed,
    NotAllowed,
    RequestRefused,
    SchemaOutOfDate,
)

log = logging.getLogger(__name__)


def sqlalchemy_url(url: str) -> str:
    """Accept libpq-style ``postgresql://`` URLs and route them through psycopg 3.

    Raises:
        ValueError: not a URL, or not a PostgreSQL one.
    """
    try:
        parsed = make_url(url)
    except ArgumentError as exc:
        raise ValueError(f"{url!r} is not a database URL (postgresql://user@host/db).") from exc
    if parsed.drivername in ("postgresql", "postgres", "postgresql+psycopg2"):
        parsed = parsed.set(drivername="postgresql+psycopg")
    if parsed.drivername != "postgresql+psycopg":
        raise ValueError(f"BoxOffice needs a PostgreSQL URL, not {parsed.drivername!r}.")
    return parsed.render_as_string(hide_password=False)


def libpq_url(url: str) -> str:
    """The same address as libpq and psql understand it: any form ``connections`` accepts
    (host lists, ``host=``/``port=`` lists, services), without a SQLAlchemy driver suffix."""
    from boxoffice.connections import conninfo

    return conninfo(url)


def describe_url(url: str) -> str:
    """Where a URL points, for a status bar: ``boxoffice on db.example:5432`` (no secrets)."""
    from boxoffice.connections import address

    try:
        return address(url).describe()
    except ValueError:
        return "database"


def url_has_password(url: str) -> bool:
    """True when a URL carries a password (settings must not: .pgpass holds it)."""
    from boxoffice.connections import address

    try:
        return address(url).has_password
    except ValueError:
        return False


def make_engine(url: str, *, pool_size: int = 5, max_overflow: int = 5,
                transaction_pooling: bool = False,
                application_name: str = "boxoffice") -> Engine:
    """An engine whose every connection is made by libpq from ``url`` (host lists and all).

    ``transaction_pooling``: the address is a PgBouncer in transaction mode, where a
    server-side prepared statement made on one server connection is missing on the next
    (``prepared statement "_pg3_0" does not exist``), so psycopg prepares nothing.
    """
    from psycopg.conninfo import conninfo_to_dict
    from sqlalchemy.engine import URL

    from boxoffice.connections import address, conninfo

    target, parts = conninfo(url), address(url)
    args: dict[str, Any] = {"application_name": application_name}
    if transaction_pooling:
        args["prepare_threshold"] = None
    if "connect_timeout" not in conninfo_to_dict(target) and not os.environ.get(
            "PGCONNECT_TIMEOUT"):
        # A dead host of a list that drops packets instead of refusing would hang the
        # connect for the OS's TCP timeout (minutes) before libpq tries the next one.
        args["connect_timeout"] = 5
    engine = create_engine(
        # Only the database and user ride on SQLAlchemy's URL (for whoever reads
        # engine.url); libpq gets the whole conninfo in do_connect below.
        URL.create("postgresql+psycopg", username=parts.user, database=parts.dbname),
        pool_size=pool_size,
        max_overflow=max_overflow,
        pool_pre_ping=True,
        connect_args=args,
    )

    @event.listens_for(engine, "do_connect")
    def _libpq_address(_dialect: Any, _record: Any, cargs: list[Any],
                       cparams: dict[str, Any]) -> None:
        cargs[:] = [target]
        for key in ("host", "port", "dbname", "user", "password"):
            cparams.pop(key, None)

    @event.listens_for(engine, "connect")
    def _say_where(dbapi_connection: Any, _record: Any) -> None:
        from boxoffice.connections import server_of

        log.info("connected to %s", server_of(dbapi_connection))

    event.listen(engine, "handle_error", _translate_refusals)
    event.listen(engine, "checkout", _GuardHook(engine))
    ping = _QuietPing(engine.dialect.do_ping)
    event.listen(engine, "checkin", ping.checked_in)
    engine.dialect.do_ping = ping  # type: ignore[method-assign]
    return engine


# A connection back from the pool less than this long ago, whose socket has nothing to
# read, is used without the pre-ping's round trip.
QUIET_PING_SECONDS = 5.0


class _QuietPing:
    """``pool_pre_ping`` without a round trip for a connection in constant use.

    A counter checks a connection out for every request; pinging each time doubled the
    round trips of a sale. A server that restarts, or a backend that is terminated,
    closes the socket (after an error message), so a connection returned moments ago
    whose socket has nothing to read and whose libpq state is idle and sound is as good
    as a pinged one: the ping could not see more, and a connection can die just after
    a ping as well. Anything else (idle for longer than ``QUIET_PING_SECONDS``, bytes or
    EOF waiting on the socket, a broken or busy connection) gets the real ``SELECT``,
    and SQLAlchemy's pre-ping handling (invalidate, reconnect) as before.
    """

    def __init__(self, ping: Callable[[Any], bool]) -> None:
        self._ping = ping
        self._returned: WeakKeyDictionary[Any, float] = WeakKeyDictionary()

    def checked_in(self, dbapi_connection: Any, record: Any) -> None:
        if dbapi_connection is not None:
            self._returned[dbapi_connection] = time.monotonic()

    def __call__(self, dbapi_connection: Any) -> bool:
        returned = self._returned.pop(dbapi_connection, None)
        if (returned is not None and time.monotonic() - returned < QUIET_PING_SECONDS
                and _quiet(dbapi_connection)):
            return True
        return self._ping(dbapi_connection)


def _quiet(conn: Any) -> bool:
    """True when an idle psycopg connection looks alive without asking the server."""
    import psycopg

    if not isinstance(conn, psycopg.Connection) or conn.closed or conn.broken:
        return False
    pgconn = conn.pgconn
    if (pgconn.status != psycopg.pq.ConnStatus.OK
            or pgconn.transaction_status != psycopg.pq.TransactionStatus.IDLE):
        return False
    try:
        fd = pgconn.socket
    except psycopg.OperationalError:
        return False
    poller = select.poll()
    poller.register(fd, select.POLLIN | select.POLLPRI)
    # Readable (a termination message, EOF), hung up or in error: not quiet.
    return not poller.poll(0)


# -- the GUI thread never waits on PostgreSQL ------------------------------------------


class GuiThreadDatabaseCall(RuntimeError):
    """The GUI thread asked for a database connection while the guard was on: a bug (the
    call belongs in the operation runner), raised so the test that provoked it fails."""


GUARD_VARIABLE = "BOXOFFICE_REFUSE_GUI_THREAD_SQL"


class _GuiThreadGuard:
    """Which thread is the GUI thread (the Qt app registers it, so the core need not import
    Qt) and whether a database call from it is refused. Every pooled connection is checked
    out through ``_GuardHook``, whatever the service or driver path above it.

    Off in production (a call there is logged once per call site); on in the UI tests,
    by ``refuse_gui_thread_calls`` or the environment variable ``GUARD_VARIABLE``.
    Refusals are also kept, so one an ``except Exception`` swallowed still fails the test.
    """

    def __init__(self) -> None:
        self.thread: int | None = None
        self.strict = os.environ.get(GUARD_VARIABLE, "") not in ("", "0")
        self.refused: list[str] = []
        self.logged: set[str] = set()
        self.allowed = threading.local()
        self.seeding: WeakSet[Engine] = WeakSet()

    def check(self, engine: Engine | None) -> None:
        if self.thread is None or threading.get_ident() != self.thread:
            return
        if getattr(self.allowed, "depth", 0):
            return
        if engine is not None and engine in self.seeding and not _called_from_screens():
            return
        caller = _caller()
        if self.strict:
            self.refused.append(caller)
            raise GuiThreadDatabaseCall(
                f"database call on the GUI thread from {caller}: run it through the "
                "OperationRunner (tests seed data inside db.gui_thread_allowed())")
        if caller not in self.logged:
            self.logged.add(caller)
            log.warning("database call on the GUI thread from %s; the window waits for it",
                        caller)


class _GuardHook:
    """The pool's checkout listener of one engine (held weakly: the engine holds it)."""

    def __init__(self, engine: Engine) -> None:
        self.engine = weakref.ref(engine)

    def __call__(self, _dbapi_connection: Any, _record: Any, _proxy: Any) -> None:
        _guard.check(self.engine())


_guard = _GuiThreadGuard()


def _caller() -> str:
    """Who made the call: the innermost frame of BoxOffice's own code below the driver,
    and the innermost one in the screens (or a test) that led to it."""
    package = Path(__file__).resolve().parent
    ours = [f for f in traceback.extract_stack()
            if "site-packages" not in f.filename and Path(f.filename).resolve() != Path(__file__)
            and not f.filename.startswith("<")]
    if not ours:
        return "unknown"
    inner = ours[-1]
    screens = [f for f in ours if not Path(f.filename).resolve().is_relative_to(package)
               or Path(f.filename).resolve().is_relative_to(package / "ui")]
    where = f"{Path(inner.filename).name}:{inner.lineno} {inner.name}"
    if screens and screens[-1] is not inner:
        outer = screens[-1]
        where += f" (from {Path(outer.filename).name}:{outer.lineno} {outer.name})"
    return where


_SCREENS = str(Path(__file__).resolve().parent / "ui")


def _called_from_screens() -> bool:
    """True when code of ``boxoffice.ui`` is on the stack: a widget made this call."""
    frame = sys._getframe(1)
    while frame is not None:
        if frame.f_code.co_filename.startswith(_SCREENS):
            return True
        frame = frame.f_back  # type: ignore[assignment]
    return False


def register_gui_thread(ident: int | None) -> None:
    """Thread ``ident`` (``threading.get_ident()``) is the GUI thread; None forgets it.
    The Qt app registers its thread at start, the UI tests theirs."""
    _guard.thread = ident


def refuse_gui_thread_calls(on: bool = True) -> None:
    """Turn the guard on (tests) or off; refusals and logged call sites are forgotten."""
    _guard.strict = on
    _guard.refused.clear()
    _guard.logged.clear()


def refused_gui_thread_calls() -> list[str]:
    """Where the GUI thread called the database while the guard was on (call sites)."""
    return list(_guard.refused)


def seeds_from_gui_thread(engine: Engine) -> None:
    """Calls on ``engine`` from the GUI thread are allowed unless code of ``boxoffice.ui``
    makes them: for a test's own connection, which seeds and checks data from pytest-qt's
    thread (the GUI thread) like a second PC would. A widget using it is still refused."""
    _guard.seeding.add(engine)


@contextmanager
def gui_thread_allowed() -> Iterator[None]:
    """Let this thread use the database even if it is the GUI thread: for a test that
    seeds data (pytest-qt runs tests on the GUI thread), never for the app."""
    _guard.allowed.depth = getattr(_guard.allowed, "depth", 0) + 1
    try:
        yield
    finally:
        _guard.allowed.depth -= 1


def driver_refusal(exc: BaseException) -> BoxOfficeError | None:
    """The typed error a refusal from PostgreSQL stands for, or None: permission denied
    becomes ``NotAllowed``, a function's own refusal (SQLSTATE BO003) ``RequestRefused``.

    Shared by SQLAlchemy's error hook and the hot paths that use psycopg directly.
    """
    import psycopg

    if isinstance(exc, psycopg.errors.InsufficientPrivilege):
        return NotAllowed(exc.diag.message_primary or "")
    if isinstance(exc, psycopg.Error) and exc.sqlstate == "BO003":
        return RequestRefused(exc.diag.message_primary or "Refused.")
    return None


def _translate_refusals(context: ExceptionContext) -> None:
    """PostgreSQL's permission refusals become ``NotAllowed``; a login PostgreSQL turns
    away (bad password, disabled, dropped role) becomes ``LoginFailed``."""
    import psycopg

    orig = context.original_exception
    refusal = driver_refusal(orig)
    if refusal is not None:
        raise refusal from orig
    if isinstance(orig, psycopg.OperationalError) and context.is_pre_ping is False:
        text_ = str(orig)
        for needle, message in _LOGIN_REFUSALS:
            if needle in text_:
                raise LoginFailed(message) from orig


_LOGIN_REFUSALS = (
    ("password authentication failed", "The user name or password is wrong."),
    ("is not permitted to log in", "This login is disabled. Ask a manager to enable it."),
    ("does not exist", "There is no such login or database. Check the connection settings."),
)


# A counter's pool: its one worker, the alert watcher and the expiry job of a designated
# instance; with the live feed's connection that is four (README, "Connections").
COUNTER_POOL = 3


@dataclass
class Database:
    engine: Engine
    settings: Settings
    url: str
    # BOXOFFICE_READ_URL's engine (a standby, perhaps a moment behind), for reports only.
    read_engine: Engine | None = None

    @classmethod
    def connect(cls, settings: Settings, *, pool_size: int = COUNTER_POOL) -> Database:
        """Open the configured database, starting the embedded one when none is configured.

        At most ``pool_size`` connections, no overflow: past a pooler or at 200 counters
        each one counts, and a counter never needs more than its threads use at once.
        """
        url = settings.database_url
        if url is None:
            from boxoffice.embedded import start_embedded

            url = start_embedded(settings.embedded_pgdata)
        engine = make_engine(url, pool_size=pool_size, max_overflow=0,
                             transaction_pooling=settings.transaction_pooling)
        reads = None
        if settings.read_url:
            reads = make_engine(settings.read_url, pool_size=1, max_overflow=0,
                                transaction_pooling=settings.transaction_pooling,
                                application_name="boxoffice-reports")
        return cls(engine, settings, url, reads)

    @property
    def reads(self) -> Engine:
        """Where reports read (cash-up, operations figures, booking lookup, history): the
        read address when one is set, else the primary. Never a seat map or anything
        that decides a sale: a standby may be a moment behind."""
        return self.read_engine if self.read_engine is not None else self.engine

    def ping(self, *, fresh: bool = False) -> None:
        """Raise unless the database answers; ``fresh`` drops pooled connections first
        (after an outage they are all dead)."""
        if fresh:
            self.engine.dispose()
        with self.engine.connect() as conn:
            conn.exec_driver_sql("SELECT 1")

    def server_host(self) -> str:
        """``host:port`` of the server this database's connections are on now: with a
        host list, which one of them (status bar, ``/health``, logs)."""
        from boxoffice.connections import server_of

        with self.engine.connect() as conn:
            raw = conn.connection.dbapi_connection
            assert raw is not None
            return server_of(raw)  # type: ignore[arg-type]

    def server_version(self) -> str:
        with self.engine.connect() as conn:
            return str(conn.exec_driver_sql("SHOW server_version").scalar_one())

    def dispose(self) -> None:
        self.engine.dispose()
        if self.read_engine is not None:
            self.read_engine.dispose()


def open_database(settings: Settings, *, pool_size: int = COUNTER_POOL) -> Database:
    """Connect; the embedded database is brought to head, a shared one must already be
    (``boxoffice db upgrade`` is a manager's deliberate step on a server every counter
    shares)."""
    db = Database.connect(settings, pool_size=pool_size)
    try:
        if settings.database_url is None:
            upgrade(db.engine)
        else:
            check_schema(db.engine)
    except BaseException:
        db.dispose()
        raise
    return db


# -- migrations ----------------------------------------------------------------------


def migrations_dir() -> Path:
    """``migrations/`` beside the package (source tree) or inside a PyInstaller bundle."""
    bundle = getattr(sys, "_MEIPASS", None)
    candidates = [Path(bundle) / "migrations"] if bundle else []
    candidates.append(Path(__file__).resolve().parent.parent / "migrations")
    for path in candidates:
        if (path / "env.py").exists():
            return path
    raise FileNotFoundError("BoxOffice's migrations folder is missing from this installation.")


def _alembic_config(connection: Connection | None = None):  # type: ignore[no-untyped-def]
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(migrations_dir()))
    if connection is not None:
        cfg.attributes["connection"] = connection
    return cfg


def head_revision() -> str:
    from alembic.script import ScriptDirectory

    head = ScriptDirectory.from_config(_alembic_config()).get_current_head()
    assert head is not None
    return head


def current_revision(engine: Engine) -> str | None:
    from alembic.runtime.migration import MigrationContext

    with engine.connect() as conn:
        return MigrationContext.configure(conn).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> None:
    """Bring the schema to ``revision`` (default: head) with the real migrations."""
    from alembic import command

    with engine.begin() as conn:
        # Serialise concurrent upgrades from several counters starting at once.
        conn.exec_driver_sql("SELECT pg_advisory_xact_lock(727274)")
        command.upgrade(_alembic_config(conn), revision)
    log.info("schema upgraded", extra={"revision": revision})


def check_schema(engine: Engine) -> None:
    """Refuse to run on a schema that is not at head; the message names the fix."""
    current, head = current_revision(engine), head_revision()
    if current != head:
        # never a password in a message: libpq finds it in .pgpass or PGPASSWORD
        url = engine.url.set(drivername="postgresql", password=None).render_as_string(
            hide_password=False)
        raise SchemaOutOfDate(current, head, url)
