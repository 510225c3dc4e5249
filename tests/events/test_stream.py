"""The event stream cannot skip an event that commits after a higher id."""

from __future__ import annotations

import time

import psycopg
from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.db import Database, libpq_url
from boxoffice.events import stream
from boxoffice.events.stream import START, Position

_EVENT = "INSERT INTO booking_events (kind, show_id) VALUES ('show_changed', %s) RETURNING id"


def _read_all(db: Database, after: Position) -> list[stream.StreamEvent]:
    with db.engine.connect() as conn:
        return stream.read_after(conn, after)


def _read_settled(db: Database, after: Position, count: int) -> list[stream.StreamEvent]:
    """Read until ``count`` events are readable: the snapshot's xmin is the server's, so
    any transaction on it (another test's CREATE DATABASE) delays the stream briefly."""
    deadline = time.monotonic() + 10
    while len(got := _read_all(db, after)) < count and time.monotonic() < deadline:
        time.sleep(0.02)
    return got


def _caught_up(db: Database) -> Position:
    """The position after every event written so far (the fixtures' show and hall)."""
    with db.engine.connect() as conn:
        n = int(conn.execute(text("SELECT count(*) FROM booking_events")).scalar_one())
    got = _read_settled(db, START, n)
    assert len(got) == n
    return got[-1].position if got else START


def _read_batch(db: Database, after: Position) -> list[stream.StreamEvent]:
    with db.engine.connect() as conn:
        return stream.read_after(conn, after, limit=2)


def test_an_event_committed_out_of_id_order_is_not_skipped(db: Database,
                                                           show: shows.ShowView) -> None:
    start = _caught_up(db)
    with db.engine.connect() as conn:
        last_id = int(conn.execute(text("SELECT coalesce(max(id), 0) FROM booking_events"))
                      .scalar_one())
    first = psycopg.connect(libpq_url(db.url))
    second = psycopg.connect(libpq_url(db.url), autocommit=True)
    try:
        early = first.execute(_EVENT, (show.id,)).fetchone()
        assert early is not None
        late = second.execute(_EVENT, (show.id,)).fetchone()  # commits at once
        assert late is not None and late[0] > early[0]

        # The old advice, "remember the last id": it sees the later id and moves past
        # the earlier one, whose transaction has not committed yet.
        with db.engine.connect() as conn:
            seen = [r.id for r in conn.execute(
                text("SELECT id FROM booking_events WHERE id > :i ORDER BY id"), {"i": last_id})]
        assert seen == [late[0]]
        skipped_by_last_id = max(seen)

        # The stream waits instead: nothing is readable while a lower transaction runs.
        assert _read_all(db, start) == []
        first.commit()

        got = _read_settled(db, start, 2)
        assert [e.id for e in got] == [early[0], late[0]]
        with db.engine.connect() as conn:
            missed = conn.execute(text("SELECT count(*) FROM booking_events WHERE id > :i"),
                                  {"i": skipped_by_last_id}).scalar_one()
        assert missed == 0  # a last-id reader would never see the early event
        assert _read_all(db, got[-1].position) == []  # and reading on repeats nothing
    finally:
        first.close()
        second.close()


def test_a_rolled_back_event_does_not_hold_the_stream(db: Database, show: shows.ShowView) -> None:
    start = _caught_up(db)
    doomed = psycopg.connect(libpq_url(db.url))
    try:
        doomed.execute(_EVENT, (show.id,))
        sold = booking.sell(db, show.id, ["C1"], clerk="ann", counter="Counter 1")
        assert _read_all(db, start) == []
        doomed.rollback()
        got = _read_settled(db, start, 1)
        assert [(e.kind, e.booking_id, e.seats) for e in got] == [
            ("booking_sold", sold.id, ("C1",))]
        assert got[0].subject() == f"boxoffice.{show.id}.booking_sold"
        assert got[0].message_id == f"boxoffice-event-{got[0].id}"
    finally:
        doomed.close()


def test_reading_in_batches_sees_each_event_once_in_order(db: Database,
                                                          show: shows.ShowView) -> None:
    start = _caught_up(db)
    for seat in ("C1", "C2", "C3", "C4", "C5"):
        booking.sell(db, show.id, [seat], clerk="ann")
    _read_settled(db, start, 5)
    seen: list[stream.StreamEvent] = []
    position = start
    while batch := _read_batch(db, position):
        seen.extend(batch)
        position = batch[-1].position
    assert [e.seats for e in seen] == [("C1",), ("C2",), ("C3",), ("C4",), ("C5",)]
    assert [e.position for e in seen] == sorted(e.position for e in seen)


def test_position_is_kept_and_only_moves_forward(db: Database) -> None:
    with db.engine.begin() as conn:
        assert stream.load_position(conn, "mailer") == START
        stream.save_position(conn, "mailer", Position(900, 12))
        stream.save_position(conn, "mailer", Position(899, 40))  # a stale writer
        assert stream.load_position(conn, "mailer") == Position(900, 12)
        stream.save_position(conn, "mailer", Position(900, 13))
        assert stream.load_position(conn, "mailer") == Position(900, 13)


def test_backlog_counts_events_in_flight_and_their_age(db: Database, show: shows.ShowView) -> None:
    start = _caught_up(db)
    booking.sell(db, show.id, ["B1"], clerk="ann")
    with db.engine.connect() as conn:
        late = stream.backlog(conn, start)
    assert late.events == 1 and late.lag_seconds >= 0
    handled = _read_settled(db, start, 1)
    with db.engine.connect() as conn:
        done = stream.backlog(conn, handled[-1].position)
    assert done == stream.Backlog(0, 0.0)


def test_the_stream_orders_transaction_ids_as_numbers(db: Database) -> None:
    """Ids 999 and 1000: as text '1000' sorts first, and a reader cut after it would
    never see 999 (the relay did, on a fresh cluster)."""
    with db.engine.begin() as conn:
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # no stamping
        conn.execute(text(
            "INSERT INTO booking_events (kind, txid) VALUES "
            "('show_changed', '1000'::xid8), ('show_changed', '999'::xid8)"))
    got = _read_settled(db, START, 2)
    assert [e.txid for e in got[:2]] == [999, 1000]
    with db.engine.connect() as conn:
        first = stream.read_after(conn, START, limit=1)
        assert [e.txid for e in first] == [999]
        assert [e.txid for e in stream.read_after(conn, first[0].position, limit=1)] == [1000]
        assert stream.head(conn).txid >= 1000
