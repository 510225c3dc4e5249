"""Moving a booking to other seats of the same show, in one locked transaction.

The customer keeps their booking (number, payment, history); seats they give up go
back on sale and the new ones are taken under the same UNIQUE (show_id, seat_number)
guarantee as a sale. If any new seat is taken, nothing changes at all.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable

from sqlalchemy import text

from boxoffice import validation
from boxoffice.db import Database
from boxoffice.errors import (
    BlockedSeats,
    BookingNotFound,
    HoldExpired,
    SeatsTaken,
    UnknownSeats,
    WrongBookingState,
)
from boxoffice.views import BookingView

log = logging.getLogger(__name__)

_LOCK = text("""
SELECT s.id AS show_id, b.id, b.status, b.hold_deadline <= now() AS overdue
FROM bookings b JOIN shows s ON s.id = b.show_id
WHERE b.id = :b
FOR UPDATE OF s, b
""")

# After the locks, in its own statement (and so its own snapshot): seats as they are now.
_SEATS_OF = text("SELECT seat_number FROM booking_seats WHERE booking_id = :b ORDER BY id")

_CHECK = text("""
SELECT
    ARRAY(SELECT x FROM unnest(CAST(:seats AS text[])) x
          WHERE NOT EXISTS (SELECT 1 FROM show_seats ss
                            WHERE ss.show_id = :show AND ss.seat_number = x)) AS unknown,
    ARRAY(SELECT ss.seat_number FROM show_seats ss
          WHERE ss.show_id = :show AND ss.seat_number = ANY(:seats) AND NOT ss.sellable) AS blocked
""")

# Expired holds standing on the wanted seats are released first, as a sale would.
_RELEASE_STALE = text("""
WITH released AS (
    UPDATE bookings b SET status = 'FAILED', updated_at = now()
    WHERE b.id IN (SELECT bs.booking_id FROM booking_seats bs
                   WHERE bs.show_id = :show AND bs.seat_number = ANY(:seats))
      AND b.id <> :b AND b.status = 'PENDING' AND b.hold_deadline <= now()
    RETURNING b.id
), freed AS (
    DELETE FROM booking_seats bs USING released WHERE bs.booking_id = released.id
    RETURNING bs.booking_id, bs.seat_number
)
INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
SELECT 'booking_expired', :counter, :show, booking_id, array_agg(seat_number),
       '{"released_by": "exchange"}'::jsonb
FROM freed GROUP BY booking_id
""")

_MOVE = text("""
WITH gone AS (
    DELETE FROM booking_seats WHERE booking_id = :b AND NOT seat_number = ANY(:seats)
    RETURNING seat_number
), added AS (
    INSERT INTO booking_seats (booking_id, show_id, seat_number)
    SELECT :b, :show, x FROM unnest(CAST(:new AS text[])) x
    ON CONFLICT (show_id, seat_number) DO NOTHING
    RETURNING seat_number
)
SELECT ARRAY(SELECT seat_number FROM gone) AS gone,
       ARRAY(SELECT seat_number FROM added) AS added
""")

_FINISH = text("""
WITH moved AS (
    UPDATE bookings SET seats_requested = :n, updated_at = now() WHERE id = :b
    RETURNING id
)
INSERT INTO booking_events (kind, counter, show_id, booking_id, seats, details)
SELECT 'booking_exchanged', :counter, :show, :b, CAST(:seats AS text[]),
       jsonb_build_object('from', CAST(:old AS text[]), 'to', CAST(:seats AS text[]))
FROM moved
""")

_NOTIFY = text("SELECT boxoffice_notify(:show, CAST(:seats AS text[]), :state, :b, :counter)")


def exchange(db: Database, booking_id: int, new_seats: Iterable[str], *, clerk: str,
             counter: str | None = None) -> BookingView:
    """Give a sold or held booking a new set of seats (may overlap the old ones).

    Raises:
        SeatsTaken: some new seat belongs to another booking; the booking is unchanged.
        HoldExpired: the booking was a hold past its deadline.
        WrongBookingState: the booking is released, failed or cancelled.
    """
    from boxoffice.booking import get_booking

    booking_id = validation.positive_id(booking_id, "booking")
    wanted = validation.seat_labels(new_seats, db.settings.max_seats_per_booking)
    validation.name(clerk, "clerk")
    counter = validation.optional_name(counter, "counter")
    with db.engine.begin() as conn:
        b = conn.execute(_LOCK, {"b": booking_id}).first()
        if b is None:
            raise BookingNotFound(booking_id)
        if b.status not in ("PENDING", "CONFIRMED"):
            raise WrongBookingState(booking_id, b.status, "changed to other seats")
        if b.status == "PENDING" and b.overdue:
            raise HoldExpired(booking_id)
        show = b.show_id
        check = conn.execute(_CHECK, {"show": show, "seats": wanted}).one()
        if check.unknown:
            raise UnknownSeats(check.unknown)
        if check.blocked:
            raise BlockedSeats(check.blocked)
        old = list(conn.execute(_SEATS_OF, {"b": booking_id}).scalars())
        new_only = [s for s in wanted if s not in old]
        conn.execute(_RELEASE_STALE, {"show": show, "seats": new_only, "b": booking_id,
                                      "counter": counter})
        moved = conn.execute(_MOVE, {"b": booking_id, "show": show, "seats": wanted,
                                     "new": new_only}).one()
        if len(moved.added) != len(new_only):
            taken = [s for s in new_only if s not in set(moved.added)]
            conn.rollback()
            raise SeatsTaken(taken, show_id=show, booking_id=booking_id)
        conn.execute(_FINISH, {"n": len(wanted), "b": booking_id, "counter": counter,
                               "show": show, "seats": wanted, "old": old})
        state = "sold" if b.status == "CONFIRMED" else "held"
        if moved.gone:
            conn.execute(_NOTIFY, {"show": show, "seats": list(moved.gone), "state": "free",
                                   "b": booking_id, "counter": counter})
        if new_only:
            conn.execute(_NOTIFY, {"show": show, "seats": new_only, "state": state,
                                   "b": booking_id, "counter": counter})
    log.info("exchanged booking %s on show %s: %s -> %s", booking_id, show, ",".join(old),
             ",".join(wanted), extra={"booking_id": booking_id, "show_id": show})
    return get_booking(db, booking_id)
