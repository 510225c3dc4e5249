"""A booking's customer: correcting the name afterwards, always with a trace.

The name is typed at the counter under time pressure ("Grace Hoper"); a clerk corrects it
later from the bookings window. The database function ``boxoffice_rename_customer`` is
the one way to do it (a clerk's login has no UPDATE on bookings) and it writes a
``customer_renamed`` event with the old and the new name, so the history tells it.
"""

from __future__ import annotations

import logging

from sqlalchemy import text

from boxoffice import validation
from boxoffice.booking import get_booking
from boxoffice.db import Database
from boxoffice.errors import BookingNotFound, WrongBookingState
from boxoffice.records import BookingRecord

log = logging.getLogger(__name__)

_RENAME = text("SELECT outcome, status FROM boxoffice_rename_customer(:b, :n, :c, :k)")


def rename_customer(db: Database, booking_id: int, name: str | None, *, clerk: str,
                    counter: str | None = None) -> BookingRecord:
    """Set the booking's customer name (None or blank: no name) and log the change.

    Raises:
        InvalidRequest: a bad name; nothing changed.
        BookingNotFound, WrongBookingState: no such booking, or one that holds nothing
            (a failed hold keeps the name it had).
    """
    booking_id = validation.positive_id(booking_id, "booking")
    new = validation.optional_name(name, "customer name")
    params = {"b": booking_id, "n": new, "c": validation.name(clerk, "clerk"),
              "k": validation.optional_name(counter, "counter")}
    with db.engine.begin() as conn:
        row = conn.execute(_RENAME, params).one()
    if row.outcome == "not_found":
        raise BookingNotFound(booking_id)
    if row.outcome == "wrong_state":
        raise WrongBookingState(booking_id, row.status, "renamed")
    if row.outcome == "renamed":
        log.info("renamed the customer of booking %s", booking_id,
                 extra={"booking_id": booking_id})
    return get_booking(db, booking_id)
