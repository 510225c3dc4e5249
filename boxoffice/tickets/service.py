"""What a printed ticket shows, read from the database; the print log; the ticket key.

Plain functions of a ``Database`` returning frozen dataclasses, so the UI can run them
on its operation runner and draw the result on the GUI thread.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import text

from boxoffice import validation
from boxoffice.db import Database
from boxoffice.errors import BookingNotFound, WrongBookingState
from boxoffice.statuses import BookingStatus
from boxoffice.tickets import payload

log = logging.getLogger(__name__)

# Until prices exist every ticket is the same: these stand in for the price category
# and ticket type the layout prints.
DEFAULT_CATEGORY = "Standard"
DEFAULT_TICKET_TYPE = "Adult"

_keys: dict[str, bytes] = {}


def ticket_key(db: Database) -> bytes:
    """The database's ticket signing key (created by migration 0004; it never changes)."""
    key = _keys.get(db.url)
    if key is None:
        with db.engine.connect() as conn:
            value = conn.execute(text("SELECT boxoffice_ticket_key()")).scalar_one()
        if not value:
            raise RuntimeError("this database has no ticket key (migration 0004 missing?)")
        key = _keys[db.url] = value.encode()
    return key


@dataclass(frozen=True, slots=True)
class Ticket:
    """One seat's ticket: everything the layout can print."""

    booking_id: int
    show_id: int
    show_name: str
    start_time: datetime
    hall_name: str
    seat: str
    row: str
    seat_in_row: str
    category: str
    ticket_type: str
    customer_name: str | None
    code: str  # the QR text

    def fields(self) -> dict[str, object]:
        """The values a layout's text templates may use, by name."""
        local = self.start_time.astimezone()
        return {
            "booking_id": self.booking_id, "booking_number": f"{self.booking_id:06d}",
            "show_id": self.show_id, "show_name": self.show_name, "start_time": local,
            "hall_name": self.hall_name, "seat": self.seat, "row": self.row,
            "seat_in_row": self.seat_in_row, "category": self.category,
            "ticket_type": self.ticket_type, "customer_name": self.customer_name or "",
            "code": self.code,
        }


FIELD_NAMES = frozenset({
    "booking_id", "booking_number", "show_id", "show_name", "start_time", "hall_name",
    "seat", "row", "seat_in_row", "category", "ticket_type", "customer_name", "code",
})

_TICKETS = """
SELECT b.id AS booking_id, b.status, b.customer_name, s.id AS show_id, s.name AS show_name,
       s.start_time, s.hall_name, bs.seat_number, ss.row_label, ss.seat_label,
       ss.row_index, ss.column_index
FROM bookings b
JOIN shows s ON s.id = b.show_id
LEFT JOIN booking_seats bs ON bs.booking_id = b.id
LEFT JOIN show_seats ss ON ss.show_id = bs.show_id AND ss.seat_number = bs.seat_number
WHERE b.id = :b
ORDER BY ss.row_index, ss.column_index
"""


def booking_tickets(db: Database, booking_id: int) -> list[Ticket]:
    """One ticket per seat of a sold booking, in seat order.

    Raises:
        BookingNotFound: no such booking.
        WrongBookingState: the booking is not sold (a hold, released or cancelled).
    """
    booking_id = validation.positive_id(booking_id, "booking")
    key = ticket_key(db)
    with db.engine.connect() as conn:
        rows = conn.execute(text(_TICKETS), {"b": booking_id}).all()
    if not rows:
        raise BookingNotFound(booking_id)
    if rows[0].status != BookingStatus.CONFIRMED:
        raise WrongBookingState(booking_id, rows[0].status, "printed")
    return [
        Ticket(
            booking_id=r.booking_id, show_id=r.show_id, show_name=r.show_name,
            start_time=r.start_time, hall_name=r.hall_name, seat=r.seat_number,
            row=r.row_label,
            seat_in_row=r.seat_label or r.seat_number[len(r.row_label):],
            category=DEFAULT_CATEGORY, ticket_type=DEFAULT_TICKET_TYPE,
            customer_name=r.customer_name,
            code=payload.encode(key, r.show_id, r.booking_id,
                                payload.seat_token(r.seat_number, r.row_index, r.column_index)),
        )
        for r in rows
    ]


def log_printed(db: Database, booking_id: int, *, reprint: bool = False,
                counter: str | None = None) -> bool:
    """Record that a booking's tickets were printed; returns whether it was a reprint.

    The database calls it a reprint when the booking's tickets were printed before,
    whatever ``reprint`` says, so a duplicate ticket always shows in the event log.
    """
    booking_id = validation.positive_id(booking_id, "booking")
    counter = validation.optional_name(counter, "counter")
    with db.engine.begin() as conn:
        row = conn.execute(text("SELECT * FROM boxoffice_ticket_printed(:b, :r, :c)"),
                           {"b": booking_id, "r": reprint, "c": counter}).one()
    if row.outcome == "not_found":
        raise BookingNotFound(booking_id)
    if row.outcome == "wrong_state":
        raise WrongBookingState(booking_id, "not sold", "printed")
    log.info("tickets of booking %s %s", booking_id, "reprinted" if row.reprint else "printed",
             extra={"booking_id": booking_id})
    return bool(row.reprint)


def was_printed(db: Database, booking_id: int) -> bool:
    """Whether the booking's tickets were printed before (the next print is a reprint)."""
    booking_id = validation.positive_id(booking_id, "booking")
    with db.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM booking_events WHERE booking_id = :b "
            "AND kind = 'ticket_printed')"), {"b": booking_id}).scalar())
