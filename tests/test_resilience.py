"""Lost answers and restarted servers: retried with the same key, never twice, never lost.

The proxy cases cut one exact request: ``after`` forwards the write and drops its answer
(it committed; the client cannot know), ``before`` drops the write itself. The restart
cases stop and start a real PostgreSQL of the test's own.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from typing import Any

import psycopg
import pytest
from sqlalchemy import exc as sa_exc
from sqlalchemy import text

from boxoffice import booking, counter, resilience, shows
from boxoffice.audit import violations
from boxoffice.changes import Resync, SeatsChanged
from boxoffice.db import Database
from boxoffice.errors import DatabaseUnavailable, SeatsTaken, WrongBookingState
from boxoffice.layout import Layout
from boxoffice.live import LiveFeed
from tests import dbutil
from tests.faults.proxy import FaultProxy
from tests.faults.server import OwnServer

# -- with_retries on its own ----------------------------------------------------------


def _lost() -> psycopg.OperationalError:
    return psycopg.OperationalError("server closed the connection unexpectedly")


def test_retries_lost_connections_with_growing_bounded_backoff() -> None:
    calls, sleeps = [], []

    def flaky() -> str:
        calls.append(1)
        if len(calls) < 5:
            raise _lost()
        return "booked"

    stats = resilience.RetryStats()
    assert resilience.with_retries(flaky, attempts=5, backoff=0.5, max_backoff=2.0,
                                   stats=stats, sleep=sleeps.append) == "booked"
    assert sleeps == [0.5, 1.0, 2.0, 2.0]
    assert (stats.unknown, stats.resolved, stats.connection_errors, stats.gave_up) == (1, 1, 4, 0)


def test_gives_up_with_a_clear_message_and_keeps_nothing_for_later() -> None:
    calls = []

    def down() -> None:
        calls.append(1)
        raise sa_exc.OperationalError("SELECT 1", {}, _lost())

    stats = resilience.RetryStats()
    with pytest.raises(DatabaseUnavailable) as info:
        resilience.with_retries(down, attempts=3, what="The sale", stats=stats,
                                sleep=lambda s: None)
    assert len(calls) == 3  # and not one more, later
    assert info.value.message.startswith("The sale could not reach the database after 3 attempts")
    assert "Nothing was kept to send later" in info.value.message
    assert stats.gave_up == 1


def test_answers_and_bugs_are_not_retried() -> None:
    calls = []

    def taken() -> None:
        calls.append(1)
        raise SeatsTaken(["A2"], show_id=1, booking_id=9)

    with pytest.raises(SeatsTaken):
        resilience.with_retries(taken, sleep=lambda s: None)
    with pytest.raises(ZeroDivisionError):
        resilience.with_retries(lambda: 1 // 0, sleep=lambda s: None)
    assert len(calls) == 1
    with pytest.raises(ValueError):
        resilience.with_retries(lambda: 1, attempts=0)


def test_what_counts_as_a_lost_connection() -> None:
    assert resilience.is_connection_loss(_lost())
    assert resilience.is_connection_loss(psycopg.errors.AdminShutdown("terminated"))
    assert resilience.is_connection_loss(DatabaseUnavailable("down"))
    assert not resilience.is_connection_loss(psycopg.errors.UniqueViolation("dup"))
    assert not resilience.is_connection_loss(
        sa_exc.IntegrityError("INSERT", {}, psycopg.errors.UniqueViolation("dup")))
    assert not resilience.is_connection_loss(SeatsTaken(["A1"], show_id=1, booking_id=None))


# -- a real server of our own, and a proxy that loses answers --------------------------


@pytest.fixture(scope="module")
def server() -> Iterator[OwnServer]:
    s = OwnServer()
    yield s
    s.destroy()


@pytest.fixture(scope="module")
def template(server: OwnServer) -> str:
    return dbutil.build_template(server.admin_url)


@pytest.fixture
def own_db(server: OwnServer, template: str) -> Iterator[tuple[str, Database]]:
    name = dbutil.fresh_name()
    url = dbutil.create_database(server.admin_url, name, template=template)
    database = dbutil.open_db(url)
    yield name, database
    database.dispose()
    server.wait_ready()
    dbutil.drop_database(server.admin_url, name)


@pytest.fixture
def proxy(server: OwnServer) -> Iterator[FaultProxy]:
    p = FaultProxy(server.port, rate=0.0)
    yield p
    p.close()


def _show(db: Database) -> int:
    hall = shows.create_hall(db, "Small", Layout.grid(2, 6))
    return shows.create_show(db, "Matinee", dbutil.tomorrow(), hall=hall.id).id


def _bookings(db: Database, key: str | None = None) -> list[Any]:
    with db.engine.connect() as conn:
        return list(conn.execute(text(
            "SELECT id, status, request_key FROM bookings "
            "WHERE CAST(:k AS text) IS NULL OR request_key = :k ORDER BY id"), {"k": key}))


def _through(proxy: FaultProxy, name: str) -> Database:
    return dbutil.open_db(proxy.url(name))


def test_the_proxy_really_loses_a_committed_answer(own_db: tuple[str, Database],
                                                   proxy: FaultProxy) -> None:
    name, direct = own_db
    show_id = _show(direct)
    client = _through(proxy, name)
    proxy.plan = ["after"]
    with pytest.raises(psycopg.OperationalError):
        booking.sell(client, show_id, ["A2"], clerk="ann", request_key="k-lost")
    client.dispose()
    proxy.wait_drained()
    # The client saw a broken connection, yet the sale happened: an unknown outcome.
    assert [(b.status, b.request_key) for b in _bookings(direct)] == [("CONFIRMED", "k-lost")]


@pytest.mark.parametrize("fate", ["after", "before"])
@pytest.mark.parametrize("kind", ["sell", "hold"])
def test_lost_answer_resolved_by_the_same_key_into_one_booking(
        own_db: tuple[str, Database], proxy: FaultProxy, fate: str, kind: str) -> None:
    name, direct = own_db
    show_id = _show(direct)
    client = _through(proxy, name)
    stats = resilience.RetryStats()
    proxy.plan = [fate]
    if kind == "sell":  # the counter's Sell now: free tickets here, so nothing to pay
        made = counter.sell_for_money(client, show_id, {"B3": "Adult", "B4": "Adult"}, None,
                                      request_key=f"k-{kind}", clerk="ann", backoff=0.01,
                                      stats=stats).result.booking
    else:
        made = counter.hold(client, show_id, ["B3", "B4"], request_key=f"k-{kind}",
                            clerk="ann", backoff=0.01, stats=stats).result
    client.dispose()
    assert proxy.stats.cut_after_commit + proxy.stats.cut_before_commit == 1
    assert (stats.unknown, stats.resolved) == (1, 1)
    rows = _bookings(direct)
    assert [(r.id, r.request_key) for r in rows] == [(made.id, f"k-{kind}")]  # exactly one
    assert made.seats == ("B3", "B4")
    assert made.status == ("CONFIRMED" if kind == "sell" else "PENDING")
    with direct.engine.connect() as conn:
        assert violations(conn) == {}


def test_lost_refusal_is_refused_again_not_sold(own_db: tuple[str, Database],
                                                proxy: FaultProxy) -> None:
    name, direct = own_db
    show_id = _show(direct)
    booking.sell(direct, show_id, ["A3"], clerk="bob")
    client = _through(proxy, name)
    proxy.plan = ["after"]
    with pytest.raises(SeatsTaken) as info:
        counter.sell_for_money(client, show_id, {"A3": "Adult", "A4": "Adult"}, None,
                               request_key="k-late", clerk="ann", backoff=0.01)
    client.dispose()
    failed = _bookings(direct, "k-late")
    assert [(b.id, b.status) for b in failed] == [(info.value.booking_id, "FAILED")]
    assert info.value.taken == ("A3",)


EVENT = {"confirm": "booking_confirmed", "release": "booking_released",
         "cancel": "booking_cancelled"}


@pytest.mark.parametrize("action, status", [("confirm", "CONFIRMED"), ("release", "FAILED"),
                                            ("cancel", "CANCELLED")])
def test_lost_answer_of_confirm_release_cancel_is_settled_by_state(
        own_db: tuple[str, Database], proxy: FaultProxy, action: str, status: str) -> None:
    name, direct = own_db
    show_id = _show(direct)
    start = booking.sell if action == "cancel" else booking.hold
    b = start(direct, show_id, ["A5"], clerk="ann")
    client = _through(proxy, name)
    proxy.plan = ["after"]  # its COMMIT goes through, the answer does not
    stats = resilience.RetryStats()
    if action == "confirm":  # the counter's Confirm sale: the hold paid (free here)
        after = counter.pay_hold(client, b.id, {"A5": "Adult"}, None, clerk="ann",
                                 backoff=0.01, stats=stats).result.booking
    elif action == "release":
        after = counter.release(client, b.id, clerk="ann", backoff=0.01, stats=stats).result
    else:
        after = counter.cancel(client, b.id, clerk="ann", backoff=0.01,
                               stats=stats).result.booking
    client.dispose()
    assert proxy.stats.cut_after_commit == 1 and stats.resolved == 1
    assert after.status == status
    with direct.engine.connect() as conn:
        events = conn.execute(text("SELECT count(*) FROM booking_events WHERE booking_id = :b "
                                   "AND kind = :k"), {"b": b.id, "k": EVENT[action]}).scalar_one()
        assert violations(conn) == {}
    assert events == 1  # done once, not twice


@pytest.mark.parametrize("action", ["exchange", "refund"])
def test_lost_answer_of_an_exchange_or_refund_is_settled_by_the_seats(
        own_db: tuple[str, Database], proxy: FaultProxy, action: str) -> None:
    """Once not retried at all (the panel called booking.exchange bare): a lost answer
    is now settled by the booking's seats, and the work is done once."""
    name, direct = own_db
    show_id = _show(direct)
    b = booking.sell(direct, show_id, ["A2", "A3"], clerk="ann")
    client = _through(proxy, name)
    proxy.plan = ["after"]
    stats = resilience.RetryStats()
    if action == "exchange":
        moved = counter.exchange(client, b.id, ["B2", "B3"], clerk="ann", old_seats=b.seats,
                                 backoff=0.01, stats=stats).result
        assert sorted(moved.seats) == ["B2", "B3"]
        kind = "booking_exchanged"
    else:
        refund = counter.refund_seats(client, b.id, ["A3"], clerk="ann", backoff=0.01,
                                      stats=stats).result
        assert refund.seats == ("A3",) and refund.booking.seats == ("A2",)
        kind = "booking_part_cancelled"
    client.dispose()
    assert proxy.stats.cut_after_commit == 1 and stats.resolved == 1
    with direct.engine.connect() as conn:
        events = conn.execute(text("SELECT count(*) FROM booking_events WHERE booking_id = :b "
                                   "AND kind = :k"), {"b": b.id, "k": kind}).scalar_one()
        assert violations(conn) == {}
    assert events == 1


def test_a_real_refusal_after_no_loss_is_not_mistaken_for_success(
        own_db: tuple[str, Database]) -> None:
    _, direct = own_db
    show_id = _show(direct)
    b = booking.sell(direct, show_id, ["A6"], clerk="ann")
    with pytest.raises(WrongBookingState):  # a first attempt that says "already sold"
        counter.pay_hold(direct, b.id, {"A6": "Adult"}, None, clerk="ann")


# -- a restarted server ---------------------------------------------------------------


def test_database_recovers_after_a_restart_and_queues_nothing_while_down(
        server: OwnServer, own_db: tuple[str, Database]) -> None:
    _, db = own_db
    show_id = _show(db)
    booking.sell(db, show_id, ["A2"], clerk="ann")  # the pool holds live connections now
    server.stop()
    try:
        with pytest.raises(DatabaseUnavailable) as info:
            counter.sell_for_money(db, show_id, {"A3": "Adult"}, None, request_key="k-down",
                                   clerk="ann", attempts=3, backoff=0.05)
        assert "could not reach the database" in info.value.message
    finally:
        server.start()
    assert _bookings(db, "k-down") == []  # nothing was kept and sent on reconnect
    # The same Database, no restart of the app: pre-ping drops the dead connections.
    again = counter.sell_for_money(db, show_id, {"A3": "Adult"}, None, request_key="k-down",
                                   clerk="ann").result.booking
    assert again.status == "CONFIRMED"
    assert booking.sell(db, show_id, ["A4"], clerk="ann").status == "CONFIRMED"
    assert len(_bookings(db)) == 3


def test_retry_rides_out_a_restart(server: OwnServer, own_db: tuple[str, Database]) -> None:
    _, db = own_db
    show_id = _show(db)
    booking.sell(db, show_id, ["A2"], clerk="ann")
    server.stop()
    stats = resilience.RetryStats()
    restarter = threading.Thread(target=lambda: (threading.Event().wait(1.0), server.start()))
    restarter.start()
    try:
        made = counter.sell_for_money(db, show_id, {"B2": "Adult"}, None, request_key="k-ride",
                                      clerk="ann", attempts=10, backoff=0.1,
                                      stats=stats).result.booking
    finally:
        restarter.join()
    assert stats.unknown == 1 and stats.resolved == 1 and stats.connection_errors >= 1
    assert [b.id for b in _bookings(db, "k-ride")] == [made.id]


def test_live_feed_recovers_after_a_restart(server: OwnServer,
                                            own_db: tuple[str, Database]) -> None:
    _, db = own_db
    show_id = _show(db)
    events: list[Any] = []
    got_sale = threading.Event()
    resynced = threading.Event()

    def on_event(e: Any) -> None:
        events.append(e)
        if isinstance(e, Resync) and e.reason == "reconnected":
            resynced.set()
        if isinstance(e, SeatsChanged) and e.seats == ("B5",):
            got_sale.set()

    feed = LiveFeed(db.url, max_backoff=1.0)
    feed.subscribe(on_event)
    feed.start()
    try:
        assert feed.wait_connected(10)
        server.restart(down_for=1.0)
        assert resynced.wait(20), events
        assert feed.wait_connected(10) and feed.reconnects >= 1
        booking.sell(db, show_id, ["B5"], clerk="ann")
        assert got_sale.wait(10), events
    finally:
        feed.stop()
    lost = [e for e in events if isinstance(e, Resync) and e.reason.startswith("connection lost")]
    assert lost, events  # subscribers were told to refetch, not left with a stale view
