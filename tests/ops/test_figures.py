"""The figures the operations view shows, against what the event log says."""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import timedelta

import pytest
from sqlalchemy import text

from boxoffice import booking, expiry, shows
from boxoffice.db import Database
from boxoffice.errors import SeatsTaken
from boxoffice.layout import Layout
from boxoffice.live import LiveFeed
from boxoffice.ops import figures, metrics
from boxoffice.ops.health import OpsMonitor
from tests import dbutil


def test_per_show_figures_match_the_event_log(db: Database, hall: shows.HallView) -> None:
    one = shows.create_show(db, "One", dbutil.tomorrow(), hall=hall.id)
    two = shows.create_show(db, "Two", dbutil.tomorrow(2), hall=hall.id)
    booking.sell(db, one.id, ["B1", "B2", "B3"], clerk="ann")
    booking.sell(db, one.id, ["B4"], clerk="ann")
    for seats in (["B1"], ["B3", "B5"]):
        with pytest.raises(SeatsTaken):
            booking.sell(db, one.id, seats, clerk="bob")
    held = booking.hold(db, one.id, ["C1", "C2"], clerk="ann")
    booking.confirm(db, held.id, clerk="ann")
    booking.sell(db, two.id, ["D1"], clerk="cat")
    dbutil.seed_stale_holds(db, two.id, 5)
    assert expiry.expire_holds(db).bookings == 5

    with db.engine.connect() as conn:
        hour = figures.show_figures(conn)
        day = figures.show_figures(conn, figures.DAY)
        only_two = figures.show_figures(conn, show_id=two.id)
        by_kind = {kind: n for kind, n in conn.execute(text(
            "SELECT kind, count(*) FROM booking_events "
            "WHERE show_id = :s AND occurred_at > now() - interval '1 hour' GROUP BY kind"),
            {"s": one.id})}
        buckets = figures.timeline(conn, figures.HOUR, timedelta(minutes=5))
    f1, f2 = hour[one.id], hour[two.id]
    assert (f1.sold, f1.conflicts, f1.held, f1.confirmed, f1.expired) == (2, 2, 1, 1, 0)
    assert (f1.sold, f1.conflicts, f1.held, f1.confirmed) == (
        by_kind["booking_sold"], by_kind["booking_failed"], by_kind["booking_held"],
        by_kind["booking_confirmed"])
    assert (f1.seats_sold, f1.seats_held) == (4, 2)
    assert f1.conflict_rate == pytest.approx(2 / 5)
    assert f1.seats_per_second == pytest.approx(6 / 3600)
    assert (f2.sold, f2.held, f2.expired, f2.seats_expired, f2.conflicts) == (1, 5, 5, 5, 0)
    assert day == {sid: replace(f, window_seconds=86400.0) for sid, f in hour.items()}
    assert list(only_two) == [two.id] and only_two[two.id] == f2
    total = figures.totals(hour)
    assert (total.sold, total.conflicts, total.expired) == (3, 2, 5)
    assert len(buckets) in (12, 13) and buckets == sorted(buckets, key=lambda b: b.start)
    assert sum(b.sold for b in buckets) == 3 and sum(b.conflicts for b in buckets) == 2
    assert sum(b.expired for b in buckets) == 5 and sum(b.seats for b in buckets) == 4 + 2 + 1 + 5


def test_expiry_lag_counts_overdue_holds(db: Database, show: shows.ShowView) -> None:
    with db.engine.connect() as conn:
        assert figures.expiry_lag(conn) == figures.ExpiryLag(0, 0.0)
    dbutil.seed_stale_holds(db, show.id, 3)
    with db.engine.connect() as conn:
        lag = figures.expiry_lag(conn)
    assert lag.overdue_holds == 3 and 60 <= lag.oldest_seconds < 120


def test_lock_waits_on_a_show_row_are_seen(db: Database) -> None:
    """Also in a transaction that looked before the wait began: PostgreSQL keeps one
    snapshot of pg_stat_activity per transaction, so a watcher polling inside one
    transaction never saw the wait (flaky under load, issue 13 item 11)."""
    hall = shows.create_hall(db, "Lock Hall", Layout.grid(3, 3))
    show = shows.create_show(db, "Locked", dbutil.tomorrow(), hall=hall.id)
    done = threading.Event()
    with db.engine.connect() as holder, db.engine.connect() as watcher:
        assert figures.lock_waits(watcher) == []  # the watcher's transaction has looked
        holder.execute(text("SELECT id FROM shows WHERE id = :s FOR UPDATE"), {"s": show.id})

        def sell() -> None:
            booking.sell(db, show.id, ["A1"], clerk="ann")
            done.set()

        t = threading.Thread(target=sell)
        t.start()
        give_up = time.monotonic() + 20
        waiting = False
        while not waiting and time.monotonic() < give_up:
            with db.engine.connect() as probe:  # a new transaction: a fresh look
                waiting = bool(figures.lock_waits(probe))
            time.sleep(0.05)
        assert waiting, "the sale never queued on the show lock"
        waits = figures.lock_waits(watcher)  # same transaction as the first look
        assert not done.is_set()
        holder.rollback()
    t.join(20)
    assert done.is_set()
    assert len(waits) == 1 and waits[0].lock in ("transactionid", "shows", "tuple")
    assert waits[0].application == "boxoffice" and waits[0].seconds >= 0


def test_counters_connected_and_no_expiry_sessions(db: Database) -> None:
    with db.engine.connect() as a, db.engine.connect() as b:
        a.execute(text("SELECT 1"))
        b.execute(text("SELECT 1"))
        with db.engine.connect() as conn:
            counters = figures.counters_connected(conn)
            runners = figures.expiry_sessions(conn)
    assert len(counters) == 1 and counters[0].sessions >= 2
    assert runners == []


def test_observe_operation_feeds_the_latency_histogram() -> None:
    before = metrics.REGISTRY.get_sample_value(
        "boxoffice_booking_latency_seconds_count", {"operation": "sell", "outcome": "ok"}) or 0
    metrics.observe_operation("sell", 0.02, "ok")
    metrics.observe_operation("sell", 0.3, "ok")
    after = metrics.REGISTRY.get_sample_value(
        "boxoffice_booking_latency_seconds_count", {"operation": "sell", "outcome": "ok"})
    assert after == before + 2
    assert b"boxoffice_booking_latency_seconds_bucket" in metrics.exposition()


def test_live_feed_reconnects_are_counted(db: Database) -> None:
    feed = LiveFeed(db.url, max_backoff=0.5).start()
    metrics.track_live_feed(lambda: feed.reconnects)
    try:
        assert feed.wait_connected()
        with db.engine.connect() as conn:
            killed = conn.execute(text(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity "
                "WHERE datname = current_database() AND application_name = 'boxoffice-live'"
            )).scalar_one()
        assert killed == 1
        give_up = time.monotonic() + 20
        while feed.reconnects < 1 and time.monotonic() < give_up:
            time.sleep(0.05)
        assert metrics.REGISTRY.get_sample_value("boxoffice_live_feed_reconnects_total") == 1
    finally:
        metrics._LIVE.sources.clear()
        feed.stop()


def sample(name: str, **labels: str) -> float:
    return metrics.REGISTRY.get_sample_value(name, labels) or 0.0


def test_an_event_committed_late_is_counted_once(db: Database, show: shows.ShowView) -> None:
    """Ids come from a sequence: a transaction can commit after a higher id was read."""
    monitor = OpsMonitor(db, interval=5, runs_expiry=False)
    monitor.refresh()
    sid = str(show.id)
    before = sample("boxoffice_bookings_total", outcome="sold", show=sid)
    with db.engine.connect() as slow:
        slow.execute(text("INSERT INTO booking_events (kind, show_id, booking_id, seats) "
                          "VALUES ('booking_sold', :s, NULL, ARRAY['Z9'])"), {"s": show.id})
        booking.sell(db, show.id, ["E1"], clerk="ann")  # a higher id, committed first
        monitor.refresh()
        assert sample("boxoffice_bookings_total", outcome="sold", show=sid) == before + 1
        slow.commit()
    monitor.refresh()
    monitor.refresh()
    assert sample("boxoffice_bookings_total", outcome="sold", show=sid) == before + 2
    assert sample("boxoffice_booking_seats_total", outcome="sold", show=sid) >= 2


def test_outbox_backlog_of_a_configured_consumer(db: Database, show: shows.ShowView) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("CREATE TABLE mailer_cursor (last_event bigint NOT NULL)"))
        conn.execute(text("INSERT INTO mailer_cursor SELECT coalesce(max(id), 0) "
                          "FROM booking_events"))
    booking.sell(db, show.id, ["F1"], clerk="ann")
    booking.sell(db, show.id, ["F2"], clerk="ann")
    monitor = OpsMonitor(db, interval=5, runs_expiry=False,
                         outbox_cursor="public.mailer_cursor.last_event")
    monitor.refresh()
    assert sample("boxoffice_outbox_backlog_events",
                  consumer="public.mailer_cursor.last_event") == 2
    with db.engine.connect() as conn:
        assert figures.outbox_backlog(conn, "mailer_cursor.last_event") == 2
    with pytest.raises(ValueError):
        OpsMonitor(db, interval=5, outbox_cursor="mailer_cursor; DROP TABLE shows")


def test_timed_records_the_outcome(db: Database, show: shows.ShowView) -> None:
    ok = sample("boxoffice_booking_latency_seconds_count", operation="sell", outcome="ok")
    clash = sample("boxoffice_booking_latency_seconds_count", operation="sell",
                   outcome="conflict")
    with metrics.timed("sell"):
        booking.sell(db, show.id, ["G1"], clerk="ann")
    with pytest.raises(SeatsTaken), metrics.timed("sell"):
        booking.sell(db, show.id, ["G1"], clerk="bob")
    assert sample("boxoffice_booking_latency_seconds_count", operation="sell",
                  outcome="ok") == ok + 1
    assert sample("boxoffice_booking_latency_seconds_count", operation="sell",
                  outcome="conflict") == clash + 1


def test_operations_snapshot_reads_hour_and_day_at_once(db: Database,
                                                       show: shows.ShowView) -> None:
    booking.sell(db, show.id, ["H1", "H2"], clerk="ann")
    with pytest.raises(SeatsTaken):
        booking.sell(db, show.id, ["H2"], clerk="bob")
    with db.engine.begin() as conn:
        snap = figures.operations_snapshot(conn)
    assert snap.hour[show.id].sold == 1 and snap.hour[show.id].conflicts == 1
    assert snap.day_total.seats_sold == snap.hour_total.seats_sold == 2
    assert len(snap.last_hour) in (60, 61) and len(snap.last_day) in (48, 49)
    assert sum(b.conflicts for b in snap.last_day) == 1
    assert snap.expiry.overdue_holds == 0 and snap.lock_waits == []
    assert snap.expiry_workers == []
