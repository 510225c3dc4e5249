"""The live change feed: typed records arrive on commit, and a dropped connection resyncs."""

from __future__ import annotations

import logging
import queue
from collections.abc import Iterator

import psycopg
import pytest
from sqlalchemy import text

from boxoffice import booking, checkin, expiry, money, shows
from boxoffice.changes import (
    Change,
    CheckedIn,
    MoneyChanged,
    PricesChanged,
    Resync,
    SeatsChanged,
    SeatState,
    ShowChange,
    ShowChanged,
)
from boxoffice.db import Database, libpq_url
from boxoffice.errors import SeatsTaken
from boxoffice.live import (
    CHANNEL,
    CHECKIN_CHANNEL,
    LiveFeed,
    parse,
    parse_checkin,
    parse_notification,
)
from boxoffice.money import PriceCategory
from boxoffice.tickets.service import booking_tickets

HELD, SOLD, FREE = SeatState.HELD, SeatState.SOLD, SeatState.FREE


def next_change(q: queue.Queue[Change], timeout: float = 10.0) -> Change:
    return q.get(timeout=timeout)


@pytest.fixture
def feed(db: Database) -> Iterator[queue.Queue[Change]]:
    """A started feed on the test database; what it hears lands in the queue."""
    live = LiveFeed(db.url).start()
    q: queue.Queue[Change] = queue.Queue()
    live.subscribe(q.put)
    try:
        assert live.wait_connected()
        yield q
    finally:
        live.stop()


def test_feed_delivers_sales_holds_releases_and_expiry(db: Database, show: shows.ShowView,
                                                       feed: queue.Queue[Change]) -> None:
    b = booking.sell(db, show.id, ["C1", "C2"], clerk="ann", counter="Counter 1")
    assert next_change(feed) == SeatsChanged(show.id, ("C1", "C2"), SOLD, b.id, "Counter 1")
    h = booking.hold(db, show.id, ["C3"], clerk="ann")
    assert next_change(feed) == SeatsChanged(show.id, ("C3",), HELD, h.id)
    booking.release(db, h.id, clerk="ann")
    assert next_change(feed) == SeatsChanged(show.id, ("C3",), FREE, h.id)
    h2 = booking.hold(db, show.id, ["C4"], clerk="ann")
    next_change(feed)
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1s' "
                          "WHERE id = :b"), {"b": h2.id})
    expiry.expire_holds(db)
    assert next_change(feed) == SeatsChanged(show.id, ("C4",), FREE, h2.id)


def test_nothing_is_announced_for_a_rolled_back_or_failed_booking(
    db: Database, show: shows.ShowView, feed: queue.Queue[Change]
) -> None:
    booking.sell(db, show.id, ["D1"], clerk="ann")
    next_change(feed)
    with pytest.raises(SeatsTaken):
        booking.sell(db, show.id, ["D1", "D2"], clerk="ben")
    marker = booking.sell(db, show.id, ["D9"], clerk="ann")
    # The next message is the marker sale: the conflict announced nothing.
    assert next_change(feed) == SeatsChanged(show.id, ("D9",), SOLD, marker.id)


def test_feed_reconnects_and_asks_for_a_refetch(db: Database, show: shows.ShowView) -> None:
    feed = LiveFeed(db.url, max_backoff=0.5).start()
    q: queue.Queue[Change] = queue.Queue()
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
        assert next_change(q) == SeatsChanged(show.id, ("E1",), SOLD, b.id)
        assert feed.reconnects == 1
    finally:
        feed.stop()


def test_show_changes_are_announced_as_show_records(db: Database, hall: shows.HallView,
                                                    show: shows.ShowView,
                                                    feed: queue.Queue[Change]) -> None:
    shows.rename_show(db, show.id, "Renamed", counter="Office")
    assert next_change(feed) == ShowChanged(show.id, ShowChange.CHANGED)
    shows.update_show(db, show.id, hall=hall.id)
    assert next_change(feed) == ShowChanged(show.id, ShowChange.LAYOUT_CHANGED)
    late = shows.create_show(db, "Late Show", show.start_time, hall=hall.id)
    assert next_change(feed) == ShowChanged(late.id, ShowChange.CREATED)
    shows.delete_show(db, late.id)
    assert next_change(feed) == ShowChanged(late.id, ShowChange.DELETED)


def test_a_new_price_plan_is_announced(db: Database, show: shows.ShowView,
                                       feed: queue.Queue[Change]) -> None:
    money.set_price_plan(db, show.id, [PriceCategory("Stalls", {"Adult": 2500})],
                         counter="Office")
    assert next_change(feed) == PricesChanged(show.id, "Office")


def test_a_door_check_in_is_announced(db: Database, show: shows.ShowView,
                                      feed: queue.Queue[Change]) -> None:
    sold = booking.sell(db, show.id, ["F3"], clerk="ann")
    next_change(feed)
    code = next(t.code for t in booking_tickets(db, sold.id) if t.seat == "F3")
    checkin.check_in(db, code, show_id=show.id, door="Door A")
    assert next_change(feed) == CheckedIn(show.id, "F3", sold.id)


def test_a_money_notice_becomes_money_changed(db: Database, show: shows.ShowView,
                                              feed: queue.Queue[Change]) -> None:
    # Sent the way the payment, refund and till-count functions send it.
    with db.engine.begin() as conn:
        conn.execute(text("SELECT boxoffice_notify(:s, NULL, 'money', 7, 'Counter 2')"),
                     {"s": show.id})
        conn.execute(text("SELECT boxoffice_notify(NULL, NULL, 'money', NULL, 'Counter 2')"))
    assert next_change(feed) == MoneyChanged(show.id, 7, "Counter 2")
    assert next_change(feed) == MoneyChanged(None, None, "Counter 2")


# -- parsing, word by word ------------------------------------------------------------


@pytest.mark.parametrize(("payload", "record"), [
    ('{"show": 3, "seats": ["A1", "A2"], "state": "sold", "booking": 9, "counter": "Box 1"}',
     SeatsChanged(3, ("A1", "A2"), SOLD, 9, "Box 1")),
    ('{"show": 3, "seats": ["A1"], "state": "held", "booking": 9, "counter": null}',
     SeatsChanged(3, ("A1",), HELD, 9)),
    ('{"show": 3, "seats": ["A1"], "state": "free", "booking": null, "counter": "Box 1"}',
     SeatsChanged(3, ("A1",), FREE, None, "Box 1")),
    ('{"show": 3, "refetch": true, "state": "free", "booking": 9, "counter": null}',
     SeatsChanged(3, (), FREE, 9, refetch=True)),
    ('{"show": 4, "seats": null, "state": "show_created", "booking": null, "counter": null}',
     ShowChanged(4, ShowChange.CREATED)),
    ('{"show": 4, "seats": null, "state": "show_changed", "booking": null, "counter": "Office"}',
     ShowChanged(4, ShowChange.CHANGED, "Office")),
    ('{"show": 4, "seats": null, "state": "show_deleted", "booking": null, "counter": null}',
     ShowChanged(4, ShowChange.DELETED)),
    ('{"show": 4, "seats": null, "state": "layout_changed", "booking": null, "counter": null}',
     ShowChanged(4, ShowChange.LAYOUT_CHANGED)),
    ('{"show": 5, "seats": null, "state": "prices_changed", "booking": null, "counter": "Office"}',
     PricesChanged(5, "Office")),
    ('{"show": 6, "booking": 12, "counter": "Box 2", "state": "money"}',
     MoneyChanged(6, 12, "Box 2")),
    ('{"show": null, "seats": null, "state": "money", "booking": null, "counter": "Box 2"}',
     MoneyChanged(None, None, "Box 2")),
    ('{"state": "money"}', MoneyChanged(None)),
    ('{"show": "7", "seats": ["B1"], "state": "sold", "booking": "8"}',
     SeatsChanged(7, ("B1",), SOLD, 8)),
])
def test_every_payload_word_parses_into_its_record(payload: str, record: Change) -> None:
    assert parse(payload) == record
    assert parse_notification(CHANNEL, payload) == record


def test_a_check_in_payload_parses_into_checked_in() -> None:
    payload = '{"show": 3, "booking": 9, "seat": "C5"}'
    assert parse_checkin(payload) == CheckedIn(3, "C5", 9)
    assert parse_notification(CHECKIN_CHANNEL, payload) == CheckedIn(3, "C5", 9)


@pytest.mark.parametrize("payload", [
    "not json",
    "[1, 2]",
    '{"seats": [], "state": "sold"}',  # no show
    '{"show": 3}',  # no state
    '{"show": 3, "state": "checked_in"}',  # a word of the other channel
    '{"show": 3, "state": "booked"}',  # a word nobody sends
    '{"show": 3, "state": "money", "booking": "x"}',
    '{"show": "three", "state": "sold"}',
    '{"show": 3.5, "state": "sold"}',
    '{"show": true, "state": "sold"}',
    '{"show": 3, "state": "sold", "seats": "A1"}',  # one string, not a list
    '{"show": 3, "state": "sold", "seats": [1, 2]}',
    '{"show": 3, "state": "sold", "counter": 5}',
])
def test_malformed_change_payloads_are_logged_and_dropped(
    payload: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="boxoffice.live"):
        assert parse(payload) is None
    assert "malformed change notification" in caplog.text


@pytest.mark.parametrize("payload", [
    "{",
    '{"show": 3, "booking": 9}',  # no seat
    '{"booking": 9, "seat": "C5"}',  # no show
    '{"show": 3, "booking": 9, "seat": ["C5"]}',
])
def test_malformed_check_in_payloads_are_logged_and_dropped(
    payload: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="boxoffice.live"):
        assert parse_checkin(payload) is None
    assert "malformed check-in notification" in caplog.text
