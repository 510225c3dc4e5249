"""Moving a booking to other seats of the same show, in one locked transaction.

The customer keeps their booking (number, payment, history); seats they give up go
back on sale and the new ones are taken under the same UNIQUE (show_id, seat_number)
guarantee as a sale. If any new seat is taken, nothing changes at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from boxoffice import validation
from boxoffice.booking import get_booking, refuse_outcome
from boxoffice.db import Database
from boxoffice.errors import (
    SeatsTaken,
)
from boxoffice.records import BookingRecord

log = logging.getLogger(__name__)

# The whole exchange runs in one SECURITY DEFINER function (migration 0003), which a
# clerk's login may execute; a taken seat raises SQLSTATE BO002 with the seats in DETAIL,
# undoing everything.
_EXCHANGE = text("SELECT * FROM boxoffice_exchange(:b, CAST(:seats AS text[]), :clerk, :counter)")
_TAKEN = "BO002"


def exchange(db: Database, booking_id: int, new_seats: Iterable[str], *, clerk: str,
             counter: str | None = None) -> BookingRecord:
    """Give a sold or held booking a new set of seats (may overlap the old ones).

    Raises:
        SeatsTaken: some new seat belongs to another booking; the booking is unchanged.
        HoldExpired: the booking was a hold past its deadline.
        WrongBookingState: the booking is released, failed or cancelled.
        UnknownSeats, BlockedSeats: nothing was changed.
    """
    booking_id = validation.positive_id(booking_id, "booking")
    wanted = validation.seat_labels(new_seats, db.settings.max_seats_per_booking)
    clerk = validation.name(clerk, "clerk")
    counter = validation.optional_name(counter, "counter")
    try:
        with db.engine.begin() as conn:
            r = conn.execute(_EXCHANGE, {"b": booking_id, "seats": wanted, "clerk": clerk,
                                         "counter": counter}).one()
    except DBAPIError as exc:
        diag = getattr(exc.orig, "diag", None)
        if getattr(exc.orig, "sqlstate", None) != _TAKEN or diag is None:
            raise
        taken = [s for s in (diag.message_detail or "").split(",") if s]
        show_id = get_booking(db, booking_id).show_id
        raise SeatsTaken(taken, show_id=show_id, booking_id=booking_id) from None
    refuse_outcome(r.outcome, r.status, booking_id, "changed to other seats", r.seats or ())
    view = get_booking(db, booking_id)
    log.info("exchanged booking %s on show %s: now %s", booking_id, view.show_id,
             ",".join(wanted), extra={"booking_id": booking_id, "show_id": view.show_id})
    return view
