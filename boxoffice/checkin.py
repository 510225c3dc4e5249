"""Door check-in: a scanned ticket code lets its seat in once, for the right show.

The code's check value is verified here (``boxoffice.tickets.payload``); everything the
database knows - does the booking exist, is it sold, is it this show, is the seat still
in the booking, was it let in already - is decided in one locked call,
``boxoffice_check_in`` (migration 0004), which door staff (viewers) may run. Refusals
are typed errors with a message for the person at the door; nothing is written for them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, replace
from datetime import datetime

from sqlalchemy import text

from boxoffice import validation
from boxoffice.db import Database
from boxoffice.errors import BoxOfficeError
from boxoffice.tickets.payload import BadTicketCode, decode, place_of
from boxoffice.tickets.service import ticket_key

log = logging.getLogger(__name__)

__all__ = [
    "AlreadyCheckedIn", "BadTicketCode", "CheckInRefused", "CheckedIn", "SeatRefunded",
    "TicketCancelled", "TicketNotSold", "TicketVoid", "UnknownTicket", "WrongShow", "check_in",
    "checked_in_seats", "checkin_counts",
]


class CheckInRefused(BoxOfficeError):
    """The ticket may not enter; ``message`` says why, for the door."""


class AlreadyCheckedIn(CheckInRefused):
    def __init__(self, seat: str, booking_id: int, at: datetime, by: str) -> None:
        super().__init__(f"ALREADY USED: seat {seat} (booking {booking_id}) was checked in "
                         f"at {at.astimezone():%H:%M:%S} on {at.astimezone():%d %b} by {by}.")
        self.seat, self.booking_id, self.at, self.by = seat, booking_id, at, by


class UnknownTicket(CheckInRefused):
    def __init__(self, booking_id: int) -> None:
        super().__init__(f"UNKNOWN TICKET: there is no booking {booking_id}.")
        self.booking_id = booking_id


class TicketCancelled(CheckInRefused):
    def __init__(self, booking_id: int, seat: str) -> None:
        super().__init__(f"CANCELLED: booking {booking_id} (seat {seat}) was cancelled and "
                         "refunded. Send the guest to the box office.")
        self.booking_id, self.seat = booking_id, seat


class TicketNotSold(CheckInRefused):
    def __init__(self, booking_id: int, status: str) -> None:
        super().__init__(f"NOT PAID: booking {booking_id} is {status.lower()}, not sold. "
                         "Send the guest to the box office.")
        self.booking_id, self.status = booking_id, status


class TicketVoid(CheckInRefused):
    def __init__(self, booking_id: int, seat: str) -> None:
        super().__init__(f"VOID: booking {booking_id} no longer has seat {seat} (its seats "
                         "were exchanged). Ask for the newer ticket.")
        self.booking_id, self.seat = booking_id, seat


class SeatRefunded(CheckInRefused):
    """One seat of a sale was cancelled and refunded; the rest of the booking stands."""

    def __init__(self, booking_id: int, seat: str) -> None:
        super().__init__(f"REFUNDED: seat {seat} of booking {booking_id} was cancelled and "
                         "refunded. Send the guest to the box office.")
        self.booking_id, self.seat = booking_id, seat


class WrongShow(CheckInRefused):
    def __init__(self, booking_id: int, ticket_show: int, ticket_show_name: str | None,
                 door_show: int) -> None:
        what = f"“{ticket_show_name}” (show {ticket_show})" if ticket_show_name else \
            f"show {ticket_show}"
        super().__init__(f"WRONG SHOW: this ticket (booking {booking_id}) is for {what}, "
                         "not the show at this door.")
        self.booking_id, self.ticket_show, self.door_show = booking_id, ticket_show, door_show


@dataclass(frozen=True, slots=True)
class CheckedIn:
    """A seat let in: show it green."""

    show_id: int
    booking_id: int
    seat: str
    at: datetime
    by: str

    @property
    def message(self) -> str:
        return f"WELCOME: seat {self.seat} (booking {self.booking_id}) checked in."


def check_in(db: Database, qr_text: str, *, show_id: int, door: str | None = None) -> CheckedIn:
    """Let in the seat a scanned code names, once, for ``show_id``.

    Raises:
        BadTicketCode: not a ticket code, or a typo'd / forged one.
        AlreadyCheckedIn, UnknownTicket, TicketCancelled, TicketNotSold, TicketVoid,
        WrongShow: refused; nothing was written.
    """
    show_id = validation.positive_id(show_id, "show")
    door = validation.optional_name(door, "door")
    if not isinstance(qr_text, str):
        raise BadTicketCode("Nothing was scanned.", reason="format")
    code = decode(ticket_key(db), qr_text)
    with db.engine.begin() as conn:
        place = place_of(code.seat)
        if place is not None:  # a chart's seat, named by its place in the booking's show
            seat = conn.execute(text(
                "SELECT ss.seat_number FROM bookings b JOIN show_seats ss "
                "ON ss.show_id = b.show_id WHERE b.id = :b AND ss.row_index = :r "
                "AND ss.column_index = :c"),
                {"b": code.booking_id, "r": place[0], "c": place[1]}).scalar()
            if seat is not None:
                code = replace(code, seat=seat)
        r = conn.execute(text("SELECT * FROM boxoffice_check_in(:show, :booking, :seat, :door)"),
                         {"show": show_id, "booking": code.booking_id, "seat": code.seat,
                          "door": door}).one()
        ticket_show_name = None
        seat_left_by = None
        if r.outcome == "wrong_show":
            ticket_show_name = conn.execute(text("SELECT name FROM shows WHERE id = :s"),
                                            {"s": r.booking_show}).scalar()
        elif r.outcome == "seat_not_in_booking":
            seat_left_by = conn.execute(_SEAT_LEFT_BY, {"b": code.booking_id,
                                                        "seat": code.seat}).scalar()
    extra = {"show_id": show_id, "booking_id": code.booking_id, "seat": code.seat}
    if r.outcome == "checked_in":
        log.info("checked in seat %s of booking %s for show %s", code.seat, code.booking_id,
                 show_id, extra=extra)
        return CheckedIn(show_id, code.booking_id, code.seat, r.checked_in_at, r.checked_in_by)
    log.info("check-in refused (%s): seat %s of booking %s at show %s", r.outcome, code.seat,
             code.booking_id, show_id, extra=extra)
    if r.outcome == "already":
        raise AlreadyCheckedIn(code.seat, code.booking_id, r.checked_in_at, r.checked_in_by)
    if r.outcome == "unknown":
        raise UnknownTicket(code.booking_id)
    if r.outcome == "wrong_show":
        raise WrongShow(code.booking_id, r.booking_show, ticket_show_name, show_id)
    if r.outcome == "cancelled":
        raise TicketCancelled(code.booking_id, code.seat)
    if r.outcome == "not_sold":
        raise TicketNotSold(code.booking_id, r.status)
    if r.outcome == "seat_not_in_booking":
        if seat_left_by == "booking_part_cancelled":
            raise SeatRefunded(code.booking_id, code.seat)
        raise TicketVoid(code.booking_id, code.seat)
    raise RuntimeError(f"boxoffice_check_in answered {r.outcome!r}")


# How a seat left its booking, the latest first: a refund of some seats
# (boxoffice_cancel_seats logs the seats it freed) or an exchange (logs the seats it left
# in details.from). Only these two take a seat out of a sale that stands.
_SEAT_LEFT_BY = text("""
SELECT kind FROM booking_events
WHERE booking_id = :b
  AND ((kind = 'booking_part_cancelled' AND CAST(:seat AS text) = ANY(seats))
       OR (kind = 'booking_exchanged'
           AND details->'from' @> jsonb_build_array(CAST(:seat AS text))))
ORDER BY id DESC LIMIT 1
""")


_LET_IN = """
SELECT {what} FROM ticket_checkins t
JOIN booking_seats bs ON bs.booking_id = t.booking_id AND bs.seat_number = t.seat_number
WHERE t.show_id = :s
"""


def checked_in_seats(db: Database, show_id: int) -> set[str]:
    """The seats of a show let in so far, on tickets that still hold them (for the wall
    view: a seat refunded after its guest went in shows as free, not as occupied)."""
    show_id = validation.positive_id(show_id, "show")
    with db.engine.connect() as conn:
        return set(conn.execute(text(_LET_IN.format(what="t.seat_number")),
                                {"s": show_id}).scalars())


@dataclass(frozen=True, slots=True)
class CheckInCounts:
    checked_in: int
    sold: int


def checkin_counts(db: Database, show_id: int) -> CheckInCounts:
    """How many seats of a show are let in, of how many sold."""
    show_id = validation.positive_id(show_id, "show")
    with db.engine.connect() as conn:
        r = conn.execute(text("""
            SELECT ({let_in}) AS checked_in,
                   (SELECT count(*) FROM booking_seats bs JOIN bookings b ON b.id = bs.booking_id
                    WHERE bs.show_id = :s AND b.status = 'CONFIRMED') AS sold
        """.replace("{let_in}", _LET_IN.format(what="count(*)"))), {"s": show_id}).one()
    return CheckInCounts(r.checked_in, r.sold)
