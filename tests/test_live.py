"""The live change feed: changes arrive on commit, and a dropped connection resyncs."""

from __future__ import annotations

import queue

import psycopg
import pytest
from sqlalchemy import text

from boxoffice import booking, expiry, shows
from boxoffice.db import Database, libpq_url
from boxoffice.errors import SeatsTaken
from boxoffice.live import LiveFeed, Resync, SeatChange, parse


def next_change(q: queue.Queue[object], timeout: float = 10.0) -> object:
    return q.get(timeout=timeout)


def test_feed_delivers_sales_holds_releases_and_expiry(db: Database, show: shows.ShowView) -> None:
    feed = LiveFeed(db.url).start()
    q: queue.Queue[object] = queue.Queue()
    feed.subscribe(q.put)
    try:
        assert feed.wait_connected()
        b = booking.sell(db, show.id, ["C1", "C2"], clerk="ann", counter="Counter 1")
        c = next_change(q)
        assert c == SeatChange(show.id, ("C1", "C2"), "sold", b.id, "Counter 1")
        h = booking.hold(db, show.id, ["C3"], clerk="ann")
        assert next_change(q) == SeatChange(show.id, ("C3",), "held", h.id, None)
        booking.release(db, h.id, clerk="ann")
        assert next_change(q) == SeatChange(show.id, ("C3",), "free", h.id, None)
        h2 = booking.hold(db, show.id, ["C4"], clerk="ann")
        next_change(q)
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1s' "
                              "WHERE id = :b"), {"b": h2.id})
        expiry.expire_holds(db)
        assert next_change(q) == SeatChange(show.id, ("C4",), "free", h2.id, None)
    finally:
        feed.stop()


def test_nothing_is_announced_for_a_rolled_back_or_failed_booking(
    db: Database, show: shows.ShowView
) -> None:
    feed = LiveFeed(db.url).start()
    q: queue.Queue[object] = queue.Queue()
    feed.subscribe(q.put)
    try:
        assert feed.wait_connected()
        booking.sell(db, show.id, ["D1"], clerk="ann")
        next_change(q)
        with pytest.raises(SeatsTaken):
            booking.sell(db, show.id, ["D1", "D2"], clerk="ben")
        marker = booking.sell(db, show.id, ["D9"], clerk="ann")
        # The next message is the marker sale: the conflict announced nothing.
        assert next_change(q) == SeatChange(show.id, ("D9",), "sold", marker.id, None)
    finally:
        feed.stop()


def test_feed_reconnects_and_asks_for_a_refetch(db: Database, show: shows.ShowView) -> None:
    feed = LiveFeed(db.url, max_backoff=0.5).start()
    q: queue.Queue[object] = queue.Queue()
    feed.subscribe(q.put)
    try:
        assert feed.wait_connected()
        with psycopg.connect(libpq_url(db.url), autocommit=True) as admin:
            admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                          "WHERE application_name = 'boxoffice-live' "
                          "AND datname = current_database()")
        events = [next_change(q), next_change(q)]
        assert all(isinstance(e, Resync) for e in events)
        assert "reconnected" in events[1].reason  # type: ignore[union-attr]
        b = booking.sell(db, show.id, ["E1"], clerk="ann")
        assert next_change(q) == SeatChange(show.id, ("E1",), "sold", b.id, None)
        assert feed.reconnects == 1
    finally:
        feed.stop()


def test_show_changes_are_announced(db: Database, show: shows.ShowView) -> None:
    feed = LiveFeed(db.url).start()
    q: queue.Queue[object] = queue.Queue()
    feed.subscribe(q.put)
    try:
        assert feed.wait_connected()
        shows.rename_show(db, show.id, "Renamed")
        c = next_change(q)
        assert isinstance(c, SeatChange) and c.show_id == show.id and c.state == "show_changed"
    finally:
        feed.stop()


def test_malformed_payloads_are_ignored() -> None:
    assert parse("not json") is None
    assert parse('{"seats": []}') is None
    assert parse('{"show": 3, "refetch": true, "state": "free"}') == SeatChange(
        3, (), "free", None, None, True)


def test_money_notices_are_not_seat_changes(caplog: pytest.LogCaptureFixture) -> None:
    """Payments, refunds and till counts notify with state 'money' (migration 0006), a
    till count without a show: no seat changed, and nothing is malformed."""
    for payload in ('{"show": 3, "seats": null, "state": "money", "booking": 7, '
                    '"counter": "Till 1"}',
                    '{"show": null, "seats": null, "state": "money", "booking": null, '
                    '"counter": "Till 1"}'):
        assert parse(payload) is None
    assert "malformed" not in caplog.text
