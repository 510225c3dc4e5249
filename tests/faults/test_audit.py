"""``boxoffice check`` notices each kind of damage a fault could leave behind.

Each case plants one inconsistency behind the database's back (triggers off for the
session, as a bad restore or a hand edit would) and expects exactly that promise named.
"""

from __future__ import annotations

import pytest
from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.audit import CHECKS, violations
from boxoffice.db import Database

DAMAGE = {
    "booking opened more than once": """
        INSERT INTO booking_events (kind, show_id, booking_id, seats)
        VALUES ('booking_sold', :show, :sold, ARRAY['B2'])""",
    "booking event filed under another show": """
        INSERT INTO booking_events (kind, show_id, booking_id, seats)
        VALUES ('ticket_printed', :other, :sold, ARRAY['B2'])""",
    "hold without a deadline, or sale with one": """
        UPDATE bookings SET hold_deadline = now() WHERE id = :sold""",
    "event log disagrees with the booking's status": """
        INSERT INTO booking_events (kind, show_id, booking_id, seats)
        VALUES ('booking_released', :show, :held, ARRAY['C3'])""",
}


@pytest.mark.parametrize("promise", sorted(DAMAGE))
def test_each_new_check_names_its_damage(db: Database, show: shows.ShowView,
                                         hall: shows.HallView, promise: str) -> None:
    other = shows.create_show(db, "Other", show.start_time.replace(year=show.start_time.year + 1),
                              hall=hall.id)
    sold = booking.sell(db, show.id, ["B2"], clerk="ann")
    held = booking.hold(db, show.id, ["C3"], clerk="ann")
    with db.engine.begin() as conn:
        assert violations(conn) == {}
        conn.execute(text("SET LOCAL session_replication_role = replica"))  # triggers off
        conn.execute(text(DAMAGE[promise]), {"show": show.id, "other": other.id,
                                             "sold": sold.id, "held": held.id})
    with db.engine.connect() as conn:
        found = violations(conn)
    assert set(found) == {promise}, found
    assert promise in CHECKS
