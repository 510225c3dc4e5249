"""The event log read as a stream that cannot skip a committed event.

Event ids come from a sequence taken at insert, but a row becomes visible when its
transaction commits, in another order: with two counters, event 383 can commit after 384,
and a reader that remembers "the last id" never sees 383. So every event carries the id
of the transaction that wrote it (``txid``, stamped by the database), and a reader takes
only events whose transaction is below ``pg_snapshot_xmin(pg_current_snapshot())`` -
every transaction below that has ended, committed or rolled back, and every later one
gets a higher id - in ``(txid, id)`` order after the position it last handled. An event
still in flight is simply not readable yet; once readable, nothing can appear before it.

The order is commit-consistent: an event whose transaction began after another committed
comes later, and the booking functions take the show's lock as their first write, so a
show's seat events come in the order they took it. The price: a transaction left open
holds the stream back (``backlog().lag_seconds`` shows it), never a lost event.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Connection, text


@dataclass(frozen=True, slots=True, order=True)
class Position:
    """Where a reader is: the last event it handled, as ``(txid, event id)``."""

    txid: int
    event_id: int


START = Position(0, 0)


@dataclass(frozen=True, slots=True)
class StreamEvent:
    """One committed event-log row, as the stream hands it on."""

    id: int
    txid: int
    occurred_at: datetime
    kind: str
    show_id: int | None
    booking_id: int | None
    counter: str | None
    actor: str
    seats: tuple[str, ...]
    details: dict[str, Any]

    @property
    def position(self) -> Position:
        return Position(self.txid, self.id)

    @property
    def message_id(self) -> str:
        """Stable across re-sends (a relay restarted mid-batch), so a broker drops the
        duplicate: the event id never changes and is never reused in a database."""
        return f"boxoffice-event-{self.id}"

    def subject(self, prefix: str = "boxoffice") -> str:
        """``boxoffice.<show_id>.<kind>``; an event of no show (a hall, a till count)
        goes under ``boxoffice.venue.<kind>``."""
        return f"{prefix}.{'venue' if self.show_id is None else self.show_id}.{self.kind}"

    def as_json(self) -> dict[str, Any]:
        return {"id": self.id, "txid": self.txid, "occurred_at": self.occurred_at.isoformat(),
                "kind": self.kind, "show_id": self.show_id, "booking_id": self.booking_id,
                "counter": self.counter, "actor": self.actor, "seats": list(self.seats),
                "details": self.details}

    def payload(self) -> bytes:
        return json.dumps(self.as_json(), separators=(",", ":"), sort_keys=True).encode()


# The text copy of txid must not be named txid: ORDER BY would sort by it, as text
# ('1000' before '999'), and a batch cut at a digit boundary would skip events.
_READ = text("""
    SELECT id, txid::text AS txid_text, occurred_at, kind, show_id, booking_id, counter, actor,
           seats, details
    FROM booking_events
    WHERE (txid, id) > (CAST(:txid AS text)::xid8, :event_id)
      AND txid < pg_snapshot_xmin(pg_current_snapshot())
    ORDER BY txid, id
    LIMIT :limit
""")


def read_after(conn: Connection, after: Position, limit: int = 500) -> list[StreamEvent]:
    """The committed events after ``after``, oldest first, at most ``limit``. Reading
    again from the last one's ``position`` continues without gap or repeat."""
    rows = conn.execute(_READ, {"txid": str(after.txid), "event_id": after.event_id,
                                "limit": limit}).all()
    return [StreamEvent(int(r.id), int(r.txid_text), r.occurred_at, str(r.kind), r.show_id,
                        r.booking_id, r.counter, str(r.actor), tuple(r.seats or ()),
                        dict(r.details or {})) for r in rows]


@dataclass(frozen=True, slots=True)
class Backlog:
    """Events past a position, committed or still in flight, and how old the oldest is
    (0 when there are none): what a relay's /health and /metrics show."""

    events: int
    lag_seconds: float


def backlog(conn: Connection, after: Position) -> Backlog:
    row = conn.execute(text("""
        SELECT count(*) AS n,
               coalesce(extract(epoch FROM now() - min(occurred_at)), 0) AS lag
        FROM booking_events WHERE (txid, id) > (CAST(:txid AS text)::xid8, :event_id)
    """), {"txid": str(after.txid), "event_id": after.event_id}).one()
    return Backlog(int(row.n), max(float(row.lag), 0.0))


def head(conn: Connection) -> Position:
    """The position of the newest readable event (``START`` when there is none): where a
    consumer that wants only what happens from now on begins."""
    row = conn.execute(text("""
        SELECT txid::text AS txid_text, id FROM booking_events
        WHERE txid < pg_snapshot_xmin(pg_current_snapshot())
        ORDER BY txid DESC, id DESC LIMIT 1
    """)).first()
    return START if row is None else Position(int(row.txid_text), int(row.id))


def load_position(conn: Connection, consumer: str) -> Position:
    """Where ``consumer`` got to (``START`` for a new one)."""
    row = conn.execute(text(
        "SELECT txid::text AS txid_text, event_id FROM event_relay_positions "
        "WHERE consumer = :c"), {"c": consumer}).first()
    return START if row is None else Position(int(row.txid_text), int(row.event_id))


def save_position(conn: Connection, consumer: str, position: Position) -> None:
    """Record that ``consumer`` handled everything up to ``position``. It only moves
    forward, so a stale writer (a relay that lost its lock) cannot rewind it."""
    conn.execute(text("""
        INSERT INTO event_relay_positions AS p (consumer, txid, event_id)
        VALUES (:c, CAST(:txid AS text)::xid8, :event_id)
        ON CONFLICT (consumer) DO UPDATE
            SET txid = excluded.txid, event_id = excluded.event_id, updated_at = now()
            WHERE (p.txid, p.event_id) < (excluded.txid, excluded.event_id)
    """), {"c": consumer, "txid": str(position.txid), "event_id": position.event_id})
