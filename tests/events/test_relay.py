"""The relay publishes every committed event once, under boxoffice.<show>.<kind>."""

from __future__ import annotations

import json
import urllib.request

from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.events import stream
from boxoffice.events.relay import CONSUMER
from boxoffice.ops import metrics
from boxoffice.ops.health import OpsServer
from tests.events.natsutil import NatsServer, RelayThread, stored, wait_until


def _event_ids(db: Database) -> list[int]:
    with db.engine.connect() as conn:
        return [int(i) for i in conn.execute(text("SELECT id FROM booking_events ORDER BY id"))
                .scalars()]


def test_relay_publishes_each_event_with_its_subject_and_message_id(
        db: Database, show: shows.ShowView, nats_server: NatsServer) -> None:
    sold = booking.sell(db, show.id, ["C1", "C2"], clerk="ann", counter="Counter 1")
    held = booking.hold(db, show.id, ["C3"], clerk="ann")
    booking.release(db, held.id, clerk="ann")
    with RelayThread(db, nats_server.url, poll_seconds=0.02) as relay:
        wait_until(lambda: len(stored(nats_server.url)) == len(_event_ids(db)), 30,
                   "every event on the stream")
        server = OpsServer(relay, "127.0.0.1", 0).start()
        try:
            wait_until(lambda: relay.report().backlog == 0, 10, "the backlog figure")
            health = json.loads(urllib.request.urlopen(
                f"http://127.0.0.1:{server.port}/health", timeout=5).read())
        finally:
            server.stop()
    msgs = stored(nats_server.url)
    assert [m.msg_id for m in msgs] == [f"boxoffice-event-{i}" for i in _event_ids(db)]
    mine = [m for m in msgs if m.subject.startswith(f"boxoffice.{show.id}.booking_")]
    assert [m.subject for m in mine] == [f"boxoffice.{show.id}.booking_sold",
                                         f"boxoffice.{show.id}.booking_held",
                                         f"boxoffice.{show.id}.booking_released"]
    body = json.loads(mine[0].data)
    assert (body["booking_id"], body["seats"], body["counter"]) == (sold.id, ["C1", "C2"],
                                                                    "Counter 1")
    assert health["ready"] and health["role"] == "active" and health["backlog"] == 0
    assert health["published"] == len(msgs) and health["failures"] == 0
    with db.engine.connect() as conn:
        assert stream.load_position(conn, CONSUMER).event_id == max(_event_ids(db))


def test_a_relay_that_crashed_before_saving_its_position_is_deduplicated(
        db: Database, show: shows.ShowView, nats_server: NatsServer) -> None:
    for seat in ("C1", "C2", "C3", "C4"):
        booking.sell(db, show.id, [seat], clerk="ann")
    with RelayThread(db, nats_server.url, poll_seconds=0.02) as relay:
        wait_until(lambda: len(stored(nats_server.url)) == len(_event_ids(db)), 30)
    published = len(stored(nats_server.url))
    # What a crash between the broker's acks and the position's commit leaves behind.
    with db.engine.begin() as conn:
        conn.execute(text("DELETE FROM event_relay_positions"))
    with RelayThread(db, nats_server.url, poll_seconds=0.02) as relay:
        wait_until(lambda: relay.report().duplicates == published, 30, "the re-sends")
    assert len(stored(nats_server.url)) == published


def test_relay_figures_are_on_metrics(db: Database, show: shows.ShowView,
                                      nats_server: NatsServer) -> None:
    from boxoffice.events.command import _RelayCollector

    booking.sell(db, show.id, ["C1"], clerk="ann")
    with RelayThread(db, nats_server.url, poll_seconds=0.02) as relay:
        wait_until(lambda: relay.report().published == len(_event_ids(db)), 30)
        collector = _RelayCollector(relay)
        metrics.REGISTRY.register(collector)
        try:
            body = metrics.exposition().decode()
        finally:
            metrics.REGISTRY.unregister(collector)
    for name in ("boxoffice_events_relay_backlog_events", "boxoffice_events_relay_lag_seconds",
                 "boxoffice_events_relay_published_per_second",
                 "boxoffice_events_relay_failures_total", "boxoffice_events_relay_published_total"):
        assert name in body
    assert f"boxoffice_events_relay_published_total {float(len(_event_ids(db)))}" in body
