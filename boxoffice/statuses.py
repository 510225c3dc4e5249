"""The words the database stores for a booking's status, a ticket's status and an event's
kind, named once. Each is a ``StrEnum``, so a member is the very string PostgreSQL holds
(``BookingStatus.PENDING == "PENDING"``); ``tests/test_db_constraints.py`` checks that the
database's CHECK constraints allow exactly these values, and the SQL functions in
``boxoffice/sql`` write the same words.
"""

from __future__ import annotations

from enum import StrEnum


class BookingStatus(StrEnum):
    """``bookings.status``: a hold, a sale, a hold that failed or was released or expired,
    a sale refunded."""

    PENDING = "PENDING"
    CONFIRMED = "CONFIRMED"
    FAILED = "FAILED"
    CANCELLED = "CANCELLED"


# A live booking owns its seats; a dead one owns none (migration 0001's trigger).
LIVE_STATUSES = (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class TicketStatus(StrEnum):
    """``booking_tickets.status``: a paid seat, or one whose price was given back."""

    SOLD = "SOLD"
    REFUNDED = "REFUNDED"


class EventKind(StrEnum):
    """``booking_events.kind``: what the append-only event log records."""

    BOOKING_HELD = "booking_held"
    BOOKING_SOLD = "booking_sold"
    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_FAILED = "booking_failed"
    BOOKING_RELEASED = "booking_released"
    BOOKING_EXPIRED = "booking_expired"
    BOOKING_CANCELLED = "booking_cancelled"
    BOOKING_EXCHANGED = "booking_exchanged"
    TICKET_PRINTED = "ticket_printed"
    SHOW_DELETED = "show_deleted"
    SHOW_CREATED = "show_created"
    SHOW_CHANGED = "show_changed"
    HALL_CREATED = "hall_created"
    HALL_CHANGED = "hall_changed"
    TICKET_CHECKED_IN = "ticket_checked_in"
    PAYMENT_TAKEN = "payment_taken"
    REFUND_GIVEN = "refund_given"
    BOOKING_PART_CANCELLED = "booking_part_cancelled"
    PRICES_CHANGED = "prices_changed"
    CUSTOMER_RENAMED = "customer_renamed"
