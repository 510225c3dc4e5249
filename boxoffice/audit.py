"""The promises a box office keeps, audited in SQL on a live database.

``boxoffice check`` runs these against the shared database (exit status 1 when any is
broken); the concurrency, expiry and fault tests run them after every storm. The
database's own constraints make most of them impossible; this is the second opinion.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.engine import Connection

CHECKS = {
    "seat sold twice": """
        SELECT show_id, seat_number FROM booking_seats
        GROUP BY show_id, seat_number HAVING count(*) > 1""",
    "live booking not owning exactly seats_requested": """
        SELECT b.id FROM bookings b
        WHERE b.status IN ('PENDING', 'CONFIRMED')
          AND b.seats_requested <> (SELECT count(*) FROM booking_seats bs
                                    WHERE bs.booking_id = b.id)""",
    "dead booking owning seats": """
        SELECT b.id FROM bookings b JOIN booking_seats bs ON bs.booking_id = b.id
        WHERE b.status IN ('FAILED', 'CANCELLED')""",
    "show with more owned seats than total_seats": """
        SELECT s.id FROM shows s
        WHERE (SELECT count(*) FROM booking_seats bs WHERE bs.show_id = s.id) > s.total_seats""",
    "owned seat not sellable in the layout": """
        SELECT bs.id FROM booking_seats bs
        LEFT JOIN show_seats ss ON ss.show_id = bs.show_id AND ss.seat_number = bs.seat_number
        WHERE ss.sellable IS NOT TRUE""",
    "booking without its opening event": """
        SELECT b.id FROM bookings b
        WHERE NOT EXISTS (SELECT 1 FROM booking_events e WHERE e.booking_id = b.id
                          AND e.kind IN ('booking_sold', 'booking_held', 'booking_failed'))""",
    "ended booking without its ending event": """
        SELECT b.id FROM bookings b
        WHERE (b.status = 'CANCELLED' AND NOT EXISTS (
                   SELECT 1 FROM booking_events e WHERE e.booking_id = b.id
                   AND e.kind = 'booking_cancelled'))
           OR (b.status = 'FAILED' AND NOT EXISTS (
                   SELECT 1 FROM booking_events e WHERE e.booking_id = b.id
                   AND e.kind IN ('booking_failed', 'booking_released', 'booking_expired')))""",
    "hold expired twice": """
        SELECT booking_id FROM booking_events WHERE kind = 'booking_expired'
        GROUP BY booking_id HAVING count(*) > 1""",
    "booking opened more than once": """
        SELECT booking_id FROM booking_events
        WHERE kind IN ('booking_sold', 'booking_held', 'booking_failed')
        GROUP BY booking_id HAVING count(*) > 1""",
    "booking event filed under another show": """
        SELECT e.id, e.booking_id FROM booking_events e JOIN bookings b ON b.id = e.booking_id
        WHERE e.show_id IS DISTINCT FROM b.show_id""",
    "hold without a deadline, or sale with one": """
        SELECT b.id FROM bookings b
        WHERE (b.status = 'PENDING' AND b.hold_deadline IS NULL)
           OR (b.status = 'CONFIRMED' AND b.hold_deadline IS NOT NULL)""",
    # The last event that sets a booking's state must name the state it is in: a sale
    # whose log ends in a release, or a hold whose log ends in a sale, lost a step.
    "event log disagrees with the booking's status": """
        WITH last AS (
            SELECT DISTINCT ON (e.booking_id) e.booking_id, e.kind FROM booking_events e
            WHERE e.booking_id IS NOT NULL AND e.kind IN (
                'booking_held', 'booking_sold', 'booking_confirmed', 'booking_failed',
                'booking_released', 'booking_expired', 'booking_cancelled')
            ORDER BY e.booking_id, e.id DESC)
        SELECT b.id, b.status, last.kind FROM bookings b JOIN last ON last.booking_id = b.id
        WHERE b.status IN ('PENDING', 'CONFIRMED', 'FAILED', 'CANCELLED')
          AND b.status <> CASE last.kind
                WHEN 'booking_held' THEN 'PENDING'
                WHEN 'booking_sold' THEN 'CONFIRMED'
                WHEN 'booking_confirmed' THEN 'CONFIRMED'
                WHEN 'booking_cancelled' THEN 'CANCELLED'
                ELSE 'FAILED' END""",
    # -- money (migration 0005) ---------------------------------------------------------
    "paid booking whose sold tickets are not its seats": """
        SELECT b.id FROM bookings b
        WHERE EXISTS (SELECT 1 FROM booking_tickets t WHERE t.booking_id = b.id)
          AND ARRAY(SELECT seat_number FROM booking_tickets t WHERE t.booking_id = b.id
                    AND t.status = 'SOLD' ORDER BY 1)
           <> ARRAY(SELECT seat_number FROM booking_seats bs WHERE bs.booking_id = b.id
                    ORDER BY 1)""",
    "money kept disagrees with the tickets still sold": """
        SELECT t.booking_id, sum(t.price) FILTER (WHERE t.status = 'SOLD') AS sold,
               (SELECT coalesce(sum(CASE p.kind WHEN 'payment' THEN p.amount ELSE -p.amount END), 0)
                FROM payments p WHERE p.booking_id = t.booking_id) AS kept
        FROM booking_tickets t GROUP BY t.booking_id
        HAVING coalesce(sum(t.price) FILTER (WHERE t.status = 'SOLD'), 0)
            <> (SELECT coalesce(sum(CASE p.kind WHEN 'payment' THEN p.amount ELSE -p.amount END), 0)
                FROM payments p WHERE p.booking_id = t.booking_id)""",
    # A ticket is priced in its seat's category when it is sold and when an exchange
    # moves it (the event's "tickets" record which one that was); a ticket with no such
    # record (sold or moved before migration 0007) must match its seat's category now.
    # An exchange that moved a ticket into another category without re-pricing it, as
    # exchanges did before 0007, leaves the old category behind and is caught here.
    "kept ticket not in its seat's category at sale or exchange time": """
        SELECT t.booking_id, t.seat_number, t.category,
               CASE WHEN rec.found THEN rec.category ELSE sc.category END AS expected
        FROM booking_tickets t
        LEFT JOIN seat_categories sc ON sc.show_id = t.show_id
                                    AND sc.seat_number = t.seat_number
        LEFT JOIN LATERAL (
            SELECT true AS found, x->>'category' AS category
            FROM booking_events e
            CROSS JOIN LATERAL jsonb_array_elements(
                CASE jsonb_typeof(e.details->'tickets') WHEN 'array'
                     THEN e.details->'tickets' ELSE '[]'::jsonb END) x
            WHERE e.booking_id = t.booking_id AND x->>'seat' = t.seat_number
              AND e.kind IN ('payment_taken', 'booking_exchanged')
            ORDER BY e.id DESC LIMIT 1) rec ON true
        WHERE t.status = 'SOLD'
          AND t.category IS DISTINCT FROM
              CASE WHEN rec.found THEN rec.category ELSE sc.category END""",
    "event log disagrees with the payments": """
        SELECT coalesce(e.booking_id, p.booking_id) FROM
            (SELECT booking_id, sum((details->>'amount')::bigint
                                    * CASE kind WHEN 'payment_taken' THEN 1 ELSE -1 END) AS net
             FROM booking_events WHERE kind IN ('payment_taken', 'refund_given')
             GROUP BY booking_id) e
        FULL JOIN
            (SELECT booking_id, sum(CASE kind WHEN 'payment' THEN amount ELSE -amount END) AS net
             FROM payments GROUP BY booking_id) p ON p.booking_id = e.booking_id
        WHERE coalesce(e.net, 0) <> coalesce(p.net, 0)""",
}


def violations(conn: Connection) -> dict[str, list[object]]:
    """Each broken promise, with up to ten offending rows; empty when all is well."""
    out: dict[str, list[object]] = {}
    for name, sql in CHECKS.items():
        rows = conn.execute(text(sql)).all()
        if rows:
            out[name] = [tuple(r) for r in rows[:10]]
    return out
