"""A booking's story, read from the append-only event log."""

from __future__ import annotations

from sqlalchemy import text

from boxoffice import validation
from boxoffice.db import Database
from boxoffice.errors import BookingNotFound
from boxoffice.records import EventRecord

_EVENTS = text("""
SELECT id, occurred_at, actor, counter, kind, show_id, booking_id,
       coalesce(seats, '{}') AS seats, details
FROM booking_events WHERE booking_id = :b ORDER BY id
""")


def booking_history(db: Database, booking_id: int) -> list[EventRecord]:
    """Every event of one booking, oldest first: who did what, when, at which counter."""
    booking_id = validation.positive_id(booking_id, "booking")
    with db.reads.connect() as conn:  # a report: may read a standby
        if conn.execute(text("SELECT 1 FROM bookings WHERE id = :b"), {"b": booking_id}).first() \
                is None:
            raise BookingNotFound(booking_id)
        rows = conn.execute(_EVENTS, {"b": booking_id}).all()
    return [EventRecord(r.id, r.occurred_at, r.actor, r.counter, r.kind, r.show_id, r.booking_id,
                      tuple(r.seats), dict(r.details)) for r in rows]
