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
from boxoffice.money.amounts import Currency
from boxoffice.statuses import BookingStatus
from boxoffice.tickets import payload

log = logging.getLogger(__name__)

# What a seat sold with no price plan (booking.sell, the API's plain sale) prints: it has
# no booking_tickets row, so no category, type or price was ever fixed for it.
UNPRICED_TICKET_TYPE = "Admission"

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
    category: str  # "" when the show had no price plan
    ticket_type: str
    price: str  # as sold, with the currency ("EUR 12.50"); "" when sold unpriced
    customer_name: str | None
    code: str  # the QR text
    venue_name: str = ""

    def fields(self) -> dict[str, object]:
        """The values a layout's text templates may use, by name."""
        local = self.start_time.astimezone()
        return {
            "booking_id": self.booking_id, "booking_number": f"{self.booking_id:06d}",
            "show_id": self.show_id, "show_name": self.show_name, "start_time": local,
            "hall_name": self.hall_name, "seat": self.seat, "row": self.row,
            "seat_in_row": self.seat_in_row, "category": self.category,
            "ticket_type": self.ticket_type, "price": self.price,
            "customer_name": self.customer_name or "", "code": self.code,
            "venue_name": self.venue_name,
        }


FIELD_NAMES = frozenset({
    "booking_id", "booking_number", "show_id", "show_name", "start_time", "hall_name",
    "seat", "row", "seat_in_row", "category", "ticket_type", "price", "customer_name",
    "code", "venue_name",
})

# The category, type and price come from booking_tickets, fixed when the seat was sold
# (or moved by an exchange): a later price-plan change never reprints differently.
_TICKETS = """
SELECT b.id AS booking_id, b.status, b.customer_name, s.id AS show_id, s.name AS show_name,
       s.start_time, s.hall_name, bs.seat_number, ss.row_label, ss.seat_label,
       ss.row_index, ss.column_index,
       bt.category, bt.ticket_type, bt.price,
       v.currency, v.minor_units
FROM bookings b
JOIN shows s ON s.id = b.show_id
CROSS JOIN venue_settings v
LEFT JOIN booking_seats bs ON bs.booking_id = b.id
LEFT JOIN show_seats ss ON ss.show_id = bs.show_id AND ss.seat_number = bs.seat_number
LEFT JOIN booking_tickets bt ON bt.booking_id = b.id AND bt.seat_number = bs.seat_number
                            AND bt.status = 'SOLD'
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
    currency = Currency(rows[0].currency, rows[0].minor_units)
    return [
        Ticket(
            booking_id=r.booking_id, show_id=r.show_id, show_name=r.show_name,
            start_time=r.start_time, hall_name=r.hall_name, seat=r.seat_number,
            row=r.row_label,
            seat_in_row=r.seat_label or r.seat_number[len(r.row_label):],
            category=r.category or "", ticket_type=r.ticket_type or UNPRICED_TICKET_TYPE,
            price="" if r.price is None else currency.format(r.price),
            customer_name=r.customer_name,
            code=payload.encode(key, r.show_id, r.booking_id,
                                payload.seat_token(r.seat_number, r.row_index, r.column_index)),
            venue_name=db.settings.venue_name,
        )
        for r in rows if r.seat_number is not None
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
    """Whether the booking's tickets were printed before (the next print is a reprint).

    Only prints since the booking's last exchange count: an exchange makes new tickets
    (new seats, new codes), so their first print is no duplicate of anything.
    """
    booking_id = validation.positive_id(booking_id, "booking")
    with db.engine.connect() as conn:
        return bool(conn.execute(text(
            "SELECT EXISTS (SELECT 1 FROM booking_events p WHERE p.booking_id = :b "
            "AND p.kind = 'ticket_printed' AND p.id > coalesce((SELECT max(x.id) "
            "FROM booking_events x WHERE x.booking_id = :b "
            "AND x.kind = 'booking_exchanged'), 0))"), {"b": booking_id}).scalar())
