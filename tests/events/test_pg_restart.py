"""PostgreSQL restarted under the relay: committed events survive, the relay reconnects,
takes its lock again, resumes from its saved position, and nothing is lost. The test
runs a PostgreSQL of its own (pgserver's, the embedded one) so it can restart it. A
fresh cluster's transaction ids also cross 999 -> 1000, which caught the stream sorting
its text copy of txid (tests/events/test_stream.py pins that now)."""

from __future__ import annotations

import threading
import time
import warnings
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from boxoffice.db import make_engine, upgrade
from tests import dbutil
from tests.events.natsutil import NatsServer, relay_process, stop_process, stored, wait_until
from tests.events.test_faults import _assert_exactly_once_in_order

pytestmark = pytest.mark.slow


@pytest.fixture
def own_postgres() -> Iterator[Any]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver.postgres_server import get_server

        server = get_server(dbutil.private_dir() / "pgdata", cleanup_mode="delete")
    try:
        yield server
    finally:
        server.cleanup()


def _restart(server: Any) -> None:
    from pgserver._commands import pg_ctl

    # pg_ctl restart starts it again with the options it was started with
    pg_ctl(["-w", "-m", "fast", "restart"], pgdata=server.pgdata, user=server.system_user,
           timeout=60)


def _sell_events(url: str, stop: threading.Event, committed: list[int]) -> None:
    """Event rows in small transactions, riding out the restart (reconnect and go on)."""
    while not stop.is_set():
        try:
            with psycopg.connect(url, autocommit=True, connect_timeout=2) as conn:
                while not stop.is_set():
                    row = conn.execute("INSERT INTO booking_events (kind, show_id) "
                                       "VALUES ('booking_sold', 1) RETURNING id").fetchone()
                    assert row is not None
                    committed.append(int(row[0]))
                    time.sleep(0.002)
        except psycopg.OperationalError:
            time.sleep(0.1)


def test_postgresql_restarted_under_load_loses_nothing(own_postgres: Any,
                                                       nats_server: NatsServer) -> None:
    admin = dbutil.libpq_url(own_postgres.get_uri())
    url = dbutil.create_database(admin, "relay_restart")
    engine = make_engine(url)
    upgrade(engine)
    engine.dispose()
    db = dbutil.open_db(url)
    stop = threading.Event()
    committed: list[int] = []
    load = threading.Thread(target=_sell_events, args=(url, stop, committed), daemon=True)
    relay = relay_process(url, nats_server.url, "--batch", "50")
    try:
        load.start()
        wait_until(lambda: len(stored(nats_server.url)) > 100, 30, "the relay at work")
        _restart(own_postgres)
        time.sleep(2)
        stop.set()
        load.join(30)
        wait_until(lambda: len(stored(nats_server.url)) >= len(committed), 40,
                   "the backlog after the restart")
    finally:
        stop.set()
        stop_process(relay)
    msgs = stored(nats_server.url)
    _assert_exactly_once_in_order(db, msgs)
    assert {int(m.msg_id.rsplit("-", 1)[1]) for m in msgs} >= set(committed)
    db.dispose()
    print(f"\nPostgreSQL restarted under load: {len(committed)} events committed, "
          f"{len(msgs)} on the stream once each, 0 lost")
