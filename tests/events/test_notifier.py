"""The designated live notifier: while it runs, bookings queue their seat changes and it
announces them in batches; the screens' feed unpacks them; without it, nothing changes."""

from __future__ import annotations

import queue

import psycopg
from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.changes import SeatsChanged, SeatState
from boxoffice.db import Database, libpq_url
from boxoffice.events.notifier import MAX_PAYLOAD, NotifierThread, batches
from boxoffice.live import CHANNEL, LiveFeed, unbatch


def _queued(db: Database) -> int:
    with db.engine.connect() as conn:
        return int(conn.execute(text("SELECT count(*) FROM live_changes")).scalar_one())


def _notes(conn: psycopg.Connection[tuple[object, ...]]) -> list[str]:
    return [n.payload for n in conn.notifies(timeout=0.5)]


def test_with_the_notifier_changes_arrive_in_batches_and_in_order(
        db: Database, show: shows.ShowView) -> None:
    feed = LiveFeed(db.url).start()
    got: queue.Queue[object] = queue.Queue()
    feed.subscribe(got.put)
    listener = psycopg.connect(libpq_url(db.url), autocommit=True)
    listener.execute(f"LISTEN {CHANNEL}")
    try:
        assert feed.wait_connected()
        with NotifierThread(db.url, interval=0.2) as notifier:
            sold = [booking.sell(db, show.id, [seat], clerk="ann", counter="Counter 1")
                    for seat in ("C1", "C2", "C3")]
            held = booking.hold(db, show.id, ["C4"], clerk="ann")
            booking.release(db, held.id, clerk="ann")
            changes = [got.get(timeout=10) for _ in range(5)]
            assert notifier.announced == 5
            assert notifier.notifies < 5  # several changes to one NOTIFY
        assert changes == [SeatsChanged(show.id, (f"C{i + 1}",), SeatState.SOLD, b.id, "Counter 1")
                           for i, b in enumerate(sold)] + [
            SeatsChanged(show.id, ("C4",), SeatState.HELD, held.id, None),
            SeatsChanged(show.id, ("C4",), SeatState.FREE, held.id, None)]
        raw = [p for p in _notes(listener)]
        assert any("\n" in p for p in raw)  # what went over the wire: several a NOTIFY
        assert _queued(db) == 0

        # The notifier gone, a booking announces its own change again, at once.
        again = booking.sell(db, show.id, ["C5"], clerk="ann", counter="Counter 1")
        assert got.get(timeout=10) == SeatsChanged(show.id, ("C5",), SeatState.SOLD, again.id,
                                                 "Counter 1")
        assert _queued(db) == 0
    finally:
        feed.stop()
        listener.close()


def test_a_notifier_that_died_leaves_its_queue_to_the_next(db: Database,
                                                          show: shows.ShowView) -> None:
    holder = psycopg.connect(libpq_url(db.url), autocommit=True)
    from boxoffice.events.notifier import NOTIFIER_LOCK_KEY

    holder.execute("SELECT pg_advisory_lock(%s)", (NOTIFIER_LOCK_KEY,))  # a notifier...
    booking.sell(db, show.id, ["D1"], clerk="ann")
    assert _queued(db) == 1
    holder.close()  # ...killed before its round
    feed = LiveFeed(db.url).start()
    got: queue.Queue[object] = queue.Queue()
    feed.subscribe(got.put)
    try:
        assert feed.wait_connected()
        with NotifierThread(db.url):
            change = got.get(timeout=10)
        assert isinstance(change, SeatsChanged) and change.seats == ("D1",)
    finally:
        feed.stop()


def test_batches_stay_under_the_notify_limit_and_unpack_to_the_same_payloads() -> None:
    payloads = [f'{{"show": 1, "seats": ["A{i}"], "state": "sold"}}' for i in range(2000)]
    sent = batches(payloads)
    assert len(sent) > 1 and all(len(b.encode()) <= MAX_PAYLOAD for b in sent)
    import json

    assert [json.loads(p) for b in sent for p in unbatch(b)] == [json.loads(p)
                                                                 for p in payloads]
    assert unbatch('{"show": 1}') == ['{"show": 1}']
    assert all("\n" not in p for p in payloads)
