"""The pooled connections: pre-ping without a round trip while they are in use, a real
ping (and a fresh connection) when they may be dead, and clean after a refusal."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import make_url

from boxoffice import booking, staff
from boxoffice import db as db_module
from boxoffice.db import Database, libpq_url
from boxoffice.errors import NotAllowed
from boxoffice.shows import ShowView
from tests.dbutil import open_db


@pytest.fixture
def pings(db: Database) -> Iterator[list[bool]]:
    """The real pre-pings (round trips) the engine sends: True answered, False failed."""
    quiet = db.engine.dialect.do_ping
    real: Callable[[Any], bool] = quiet._ping  # type: ignore[attr-defined]
    sent: list[bool] = []

    def counted(conn: Any) -> bool:
        try:
            ok = real(conn)
        except Exception:
            sent.append(False)  # a dead connection: SQLAlchemy invalidates and reconnects
            raise
        sent.append(ok)
        return ok

    quiet._ping = counted  # type: ignore[attr-defined]
    yield sent
    quiet._ping = real  # type: ignore[attr-defined]


def _backend_pid(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.exec_driver_sql("SELECT pg_backend_pid()").scalar_one())


def test_a_connection_in_constant_use_is_not_pinged(db: Database, show: ShowView,
                                                    pings: list[bool]) -> None:
    pid = _backend_pid(db)
    for seat in ("B1", "B2", "B3"):
        held = booking.hold(db, show.id, [seat], clerk="ann")
        booking.confirm(db, held.id, clerk="ann")
    assert pings == []
    assert _backend_pid(db) == pid  # the same connection all along


def test_a_connection_idle_for_a_while_gets_the_real_ping(
        db: Database, show: ShowView, pings: list[bool],
        monkeypatch: pytest.MonkeyPatch) -> None:
    _backend_pid(db)
    monkeypatch.setattr(db_module, "QUIET_PING_SECONDS", 0.0)
    booking.sell(db, show.id, ["C1"], clerk="ann")
    assert pings == [True]


def test_terminated_backends_are_replaced_before_the_next_request(
        db: Database, show: ShowView, pings: list[bool]) -> None:
    booking.sell(db, show.id, ["D1"], clerk="ann")
    with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
        others = "datname = current_database() AND pid <> pg_backend_pid()"
        killed = {pid for (pid,) in admin.execute(f"SELECT pid FROM pg_stat_activity WHERE {others}")}
        assert killed  # every pooled connection of ours
        for pid in killed:
            admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        # Gone from pg_stat_activity: the backends have exited, their sockets are closed.
        while admin.execute(f"SELECT 1 FROM pg_stat_activity WHERE {others}").fetchone():
            admin.execute("SELECT pg_stat_clear_snapshot()")
    sold = booking.sell(db, show.id, ["D2"], clerk="ann")  # no error reaches the caller
    assert sold.status == "CONFIRMED"
    assert pings == [False]  # the socket said "look"; the real ping found it dead
    assert _backend_pid(db) not in killed


def test_a_refused_confirm_leaves_the_pooled_connection_clean(
        db: Database, show: ShowView) -> None:
    held = booking.hold(db, show.id, ["E1"], clerk="ann")
    viewer = f"t{uuid.uuid4().hex[:8]}_viewer"
    staff.add_staff(db, viewer, "viewer", "correct horse battery")
    session = open_db(make_url(db.url).set(username=viewer, password=None)
                      .render_as_string(hide_password=False))
    try:
        with pytest.raises(NotAllowed):
            booking.confirm(session, held.id, clerk="x")
        with session.engine.connect() as conn:
            driver = conn.connection.driver_connection
            assert isinstance(driver, psycopg.Connection)
            assert driver.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
            assert driver.autocommit is False
        assert booking.get_booking(session, held.id).status == "PENDING"
    finally:
        session.dispose()
        with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
            admin.execute(f'DROP ROLE IF EXISTS "{viewer}"')
