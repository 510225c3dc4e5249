"""The relay under faults, against a nats-server of the test's own: SIGKILLed mid-batch,
the broker killed under load, a poison message, several counters selling at once.
Whatever happens, every committed event ends up on the stream exactly once (the broker
drops re-sends by Nats-Msg-Id), in order."""

from __future__ import annotations

import asyncio
import json
import random
import signal
import threading
import time
import urllib.request
from typing import Any

import pytest
from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.errors import SeatsTaken
from boxoffice.events.consumer import DEAD_STREAM, TailCounts, TailSettings, tail
from boxoffice.events.relay import STREAM
from tests import dbutil
from tests.events.natsutil import (
    NatsServer,
    RelayThread,
    Stored,
    free_port,
    relay_process,
    stop_process,
    stored,
    wait_until,
)

pytestmark = pytest.mark.slow


def _events(db: Database) -> list[tuple[int, int, int | None, int | None, str]]:
    """(txid, id, show, booking, kind) of every committed event, in stream order."""
    with db.engine.connect() as conn:
        return [(int(r.txid_text), int(r.id), r.show_id, r.booking_id, str(r.kind))
                for r in conn.execute(text(
                    "SELECT txid::text AS txid_text, id, show_id, booking_id, kind "
                    "FROM booking_events ORDER BY txid, id"))]


def _count(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM booking_events")).scalar_one())


def _assert_exactly_once_in_order(db: Database, msgs: list[Stored]) -> None:
    events = _events(db)
    ids = [m.msg_id for m in msgs]
    assert len(ids) == len(set(ids)), "a duplicate reached the stream"
    assert ids == [f"boxoffice-event-{e[1]}" for e in events]  # none lost, stream order
    for m in msgs:
        body = json.loads(m.data)
        assert m.subject == f"boxoffice.{body['show_id'] or 'venue'}.{body['kind']}"


def _metrics(port: int) -> dict[str, float]:
    body = urllib.request.urlopen(f"http://127.0.0.1:{port}/metrics", timeout=5).read()
    out: dict[str, float] = {}
    for line in body.decode().splitlines():
        if line.startswith("boxoffice_events_relay_"):
            name, value = line.rsplit(" ", 1)
            out[name] = float(value)
    return out


def _health(port: int) -> dict[str, Any]:
    try:
        raw = urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=5).read()
    except urllib.error.HTTPError as exc:  # 503 still carries the report
        raw = exc.read()
    except OSError:
        return {}
    report: dict[str, Any] = json.loads(raw)
    return report


def test_relay_sigkilled_mid_batch_loses_nothing_and_a_standby_takes_over(
        db: Database, show: shows.ShowView, nats_server: NatsServer) -> None:
    ports = [free_port(), free_port()]
    first = relay_process(db.url, nats_server.url, "--batch", "50", "--port", str(ports[0]))
    wait_until(lambda: _health(ports[0]).get("role") == "active", 30, "the first relay")
    second = relay_process(db.url, nats_server.url, "--batch", "50", "--port", str(ports[1]))
    try:
        wait_until(lambda: _health(ports[1]).get("role") == "standby", 30, "a standby")
        with db.engine.connect() as conn:  # a backlog of 10,000 events in 50 transactions
            for _ in range(50):
                conn.execute(text(
                    "INSERT INTO booking_events (kind, show_id, booking_id) "
                    "SELECT 'booking_sold', :s, g FROM generate_series(1, 200) g"),
                    {"s": show.id})
                conn.commit()
        total = _count(db)
        wait_until(lambda: len(stored(nats_server.url)) >= 500, 30, "some batches out")
        first.send_signal(signal.SIGKILL)
        first.wait(10)
        at_kill = len(stored(nats_server.url))
        assert at_kill < total, "the relay finished before it could be killed mid-way"
        wait_until(lambda: _health(ports[1]).get("role") == "active", 30, "the takeover")
        wait_until(lambda: len(stored(nats_server.url)) >= total, 40, "the rest")
        wait_until(lambda: _health(ports[1]).get("backlog") == 0, 10, "an empty backlog")
        figures = _metrics(ports[1])
    finally:
        stop_process(first)
        stop_process(second)
    msgs = stored(nats_server.url)
    _assert_exactly_once_in_order(db, msgs)
    assert len(msgs) == total
    print(f"\nSIGKILL mid-batch: {total} events, {at_kill} on the stream at the kill, "
          f"{int(figures['boxoffice_events_relay_duplicates_total'])} re-sent and dropped "
          f"by the broker, {total - len(msgs)} lost")


def _hold_and_release(db: Database, show_id: int, seats: list[str], stop: threading.Event,
                      done: list[float]) -> None:
    while not stop.is_set():
        for seat in seats:
            h = booking.hold(db, show_id, [seat], clerk="ann")
            booking.release(db, h.id, clerk="ann")
            done.append(time.monotonic())


def _rate(done: list[float], start: float, end: float) -> float:
    return sum(1 for t in done if start <= t < end) / (end - start)


def test_broker_killed_and_restarted_under_load_drains_the_backlog(
        db: Database, show: shows.ShowView, nats_server: NatsServer) -> None:
    stop = threading.Event()
    done: list[float] = []
    load = [threading.Thread(target=_hold_and_release,
                             args=(db, show.id, [f"{row}{n}" for n in range(1, 10)], stop, done))
            for row in ("C", "D")]
    with RelayThread(db, nats_server.url, poll_seconds=0.02, ack_timeout_seconds=1.0) as relay:
        for t in load:
            t.start()
        try:
            time.sleep(2)
            t0 = time.monotonic()
            time.sleep(2)
            t1 = time.monotonic()
            nats_server.kill()
            time.sleep(3)
            t2 = time.monotonic()
            backlog_while_down = _count(db) - len(done) * 0  # counted below
            nats_server.start()
            time.sleep(2)
        finally:
            stop.set()
            for t in load:
                t.join(30)
        up, down = _rate(done, t0, t1), _rate(done, t1, t2)
        total = _count(db)
        wait_until(lambda: relay.report().published >= total and relay.report().backlog == 0,
                   40, "the backlog to drain")
        failures = relay.report().failures
        duplicates = relay.report().duplicates
    msgs = stored(nats_server.url)
    _assert_exactly_once_in_order(db, msgs)
    assert failures > 0, "the relay never noticed the broker was gone"
    assert down > 0.3 * up, f"bookings slowed with the broker down: {down:.0f}/s vs {up:.0f}/s"
    del backlog_while_down
    print(f"\nbroker down 3 s under load: {up:.0f} booking ops/s with it, {down:.0f}/s "
          f"without; {total} events published once each ({duplicates} re-sends dropped, "
          f"{failures} failed rounds retried), 0 lost")


def test_a_poison_message_is_dead_lettered_after_n_deliveries(
        db: Database, show: shows.ShowView, nats_server: NatsServer) -> None:
    booking.sell(db, show.id, ["C1"], clerk="ann")
    with RelayThread(db, nats_server.url, poll_seconds=0.02):
        wait_until(lambda: len(stored(nats_server.url)) == _count(db), 30)

    async def run() -> tuple[TailCounts, Any]:
        import nats

        nc = await nats.connect(nats_server.url)
        js = nc.jetstream()
        await js.publish(f"boxoffice.{show.id}.booking_sold", b"\xff not an event",
                         headers={"Nats-Msg-Id": "poison-1"})
        handled: list[dict[str, Any]] = []
        stop = asyncio.Event()
        counts = TailCounts()
        task = asyncio.create_task(tail(
            TailSettings(nats_server.url, durable="test", max_deliver=3, retry_seconds=0.1),
            handled.append, stop, counts))
        deadline = time.monotonic() + 30
        while counts.dead < 1 and time.monotonic() < deadline:
            await asyncio.sleep(0.05)
        stop.set()
        await task
        dead = await js.get_msg(DEAD_STREAM, 1)
        info = await js.consumer_info(STREAM, "test")
        await nc.close()
        return counts, (dead, info, handled)

    counts, (dead, info, handled) = asyncio.run(run())
    assert counts.dead == 1 and counts.retried == 2
    assert counts.handled == len(handled) == _count(db)
    assert dead.subject == f"boxoffice-dead.boxoffice.{show.id}.booking_sold"
    assert dead.headers["BoxOffice-Deliveries"] == "3"
    assert "PoisonEvent" in dead.headers["BoxOffice-Error"]
    assert info.num_ack_pending == 0  # nothing left behind the poison message


def _counter(db: Database, show_ids: list[int], stop: threading.Event, name: str) -> None:
    rng = random.Random(name)
    while not stop.is_set():
        show_id = rng.choice(show_ids)
        row = rng.choice("BCDEFGHI")
        first = rng.randint(2, 10)
        try:
            booking.sell(db, show_id, [f"{row}{first}", f"{row}{first + 1}"], clerk="ann",
                         counter=name)
        except SeatsTaken:
            pass


def test_counters_selling_at_once_publish_every_event_once_in_per_show_order(
        db: Database, hall: shows.HallView, nats_server: NatsServer) -> None:
    show_ids = [shows.create_show(db, f"Show {n}", dbutil.tomorrow(), hall=hall.id).id
                for n in range(3)]
    stop = threading.Event()
    counters = [threading.Thread(target=_counter, args=(db, show_ids, stop, f"Counter {n}"))
                for n in range(6)]
    port = free_port()
    relay = relay_process(db.url, nats_server.url, "--batch", "20", "--port", str(port))
    try:
        for t in counters:
            t.start()
        time.sleep(3)
        relay.send_signal(signal.SIGKILL)  # and once more, mid-sales
        relay.wait(10)
        relay = relay_process(db.url, nats_server.url, "--batch", "20", "--port", str(port))
        time.sleep(4)
        stop.set()
        for t in counters:
            t.join(30)
        total = _count(db)
        wait_until(lambda: len(stored(nats_server.url)) >= total, 40, "every event")
        duplicates = _metrics(port)["boxoffice_events_relay_duplicates_total"]
    finally:
        stop.set()
        stop_process(relay)
    msgs = stored(nats_server.url)
    _assert_exactly_once_in_order(db, msgs)
    # Per show: the booking function's events (it takes the show's lock first) in the
    # order they took it, which is their id order.
    by_show: dict[int, list[int]] = {}
    for m in msgs:
        body = json.loads(m.data)
        if body["kind"] in ("booking_sold", "booking_failed") and body["show_id"] in show_ids:
            by_show.setdefault(body["show_id"], []).append(body["id"])
    assert all(ids == sorted(ids) for ids in by_show.values())
    sold = sum(1 for m in msgs if m.subject.endswith(".booking_sold"))
    print(f"\n6 counters, 3 shows, 7 s, relay SIGKILLed once: {total} events ({sold} sales) "
          f"published once each, {int(duplicates)} re-sends dropped by the broker after the "
          f"restart, 0 lost, per-show order kept")
