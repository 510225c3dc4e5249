"""Plain, immutable views of bookings and events: what crosses layers and threads."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.engine import Row

from boxoffice.statuses import BookingStatus


@dataclass(frozen=True, slots=True)
class BookingRecord:
    """A booking as every layer sees it: plain, immutable, safe to pass between threads."""

    id: int
    show_id: int
    status: str
    seats: tuple[str, ...]
    seats_requested: int
    user_name: str
    customer_name: str | None
    counter: str | None
    hold_deadline: datetime | None
    request_key: str | None
    created_at: datetime
    updated_at: datetime

    @property
    def is_hold(self) -> bool:
        return self.status == BookingStatus.PENDING


BOOKING_COLUMNS = """
    b.id, b.show_id, b.status, b.seats_requested, b.user_name, b.customer_name, b.counter,
    b.hold_deadline, b.request_key, b.created_at, b.updated_at,
    coalesce((SELECT array_agg(bs.seat_number ORDER BY bs.id) FROM booking_seats bs
              WHERE bs.booking_id = b.id), '{}') AS seats
"""


def booking_record(row: Row[Any], seats: Sequence[str] | None = None) -> BookingRecord:
    m = row._mapping
    return BookingRecord(
        id=m["id"],
        show_id=m["show_id"],
        status=m["status"],
        seats=tuple(seats if seats is not None else m["seats"]),
        seats_requested=m["seats_requested"],
        user_name=m["user_name"],
        customer_name=m["customer_name"],
        counter=m["counter"],
        hold_deadline=m["hold_deadline"],
        request_key=m["request_key"],
        created_at=m["created_at"],
        updated_at=m["updated_at"],
    )




@dataclass(frozen=True, slots=True)
class EventRecord:
    """One line of a booking's or show's history, from the append-only event log."""

    id: int
    occurred_at: datetime
    actor: str
    counter: str | None
    kind: str
    show_id: int | None
    booking_id: int | None
    seats: tuple[str, ...]
    details: dict[str, Any]
