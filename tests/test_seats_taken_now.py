"""The "taken now" rule (migration 0006): ``seats_taken_now`` and its complement
``holds_overdue``, which every reader and the booking functions use."""

from __future__ import annotations

from sqlalchemy import text

from boxoffice import booking, seatmap, shows
from boxoffice.db import Database


def test_a_seat_is_taken_now_or_its_hold_is_overdue_never_both(
        db: Database, show: shows.ShowView) -> None:
    sold = booking.sell(db, show.id, ["C1"], clerk="ann")
    live = booking.hold(db, show.id, ["C2", "C3"], clerk="ann")
    stale = booking.hold(db, show.id, ["C4"], clerk="ann")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1 s' "
                          "WHERE id = :b"), {"b": stale.id})
    with db.engine.connect() as conn:
        taken = conn.execute(text(
            "SELECT seat_number, booking_id, state, hold_deadline IS NULL AS no_deadline "
            "FROM seats_taken_now WHERE show_id = :s ORDER BY seat_number"),
            {"s": show.id}).all()
        overdue = conn.execute(text("SELECT id FROM holds_overdue")).scalars().all()
        both_or_neither = conn.execute(text("""
            SELECT bs.seat_number FROM booking_seats bs
            WHERE EXISTS (SELECT 1 FROM seats_taken_now t WHERE t.show_id = bs.show_id
                          AND t.seat_number = bs.seat_number)
                = EXISTS (SELECT 1 FROM holds_overdue h WHERE h.id = bs.booking_id)
        """)).scalars().all()
    assert [tuple(r) for r in taken] == [("C1", sold.id, "sold", True),
                                         ("C2", live.id, "held", False),
                                         ("C3", live.id, "held", False)]
    assert overdue == [stale.id]
    assert both_or_neither == []
    states = {s.label: s.state for s in seatmap.seat_map(db, show.id).seats}
    assert [states[x] for x in ("C1", "C2", "C4")] == [seatmap.SOLD, seatmap.HELD,
                                                        seatmap.FREE]


def test_the_next_sale_releases_an_overdue_hold_through_the_view(
        db: Database, show: shows.ShowView) -> None:
    stale = booking.hold(db, show.id, ["D1", "D2"], clerk="ann")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1 s' "
                          "WHERE id = :b"), {"b": stale.id})
    sold = booking.sell(db, show.id, ["D2"], clerk="ben")
    assert sold.status == "CONFIRMED"
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT status FROM bookings WHERE id = :b"),
                            {"b": stale.id}).scalar_one() == "FAILED"
        assert conn.execute(text("SELECT count(*) FROM holds_overdue")).scalar_one() == 0
