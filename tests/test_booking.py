"""The booking flow against a real PostgreSQL: sell, hold, confirm, release, cancel,
exchange, lookup, history."""

from __future__ import annotations

import pytest
from sqlalchemy import text

from boxoffice import booking, seatmap, shows
from boxoffice.db import Database
from boxoffice.errors import (
    BookingNotFound,
    HoldExpired,
    SeatsTaken,
    WrongBookingState,
)
from boxoffice.exchange import exchange
from boxoffice.history import booking_history


def states(db: Database, show_id: int) -> dict[str, str]:
    return {s.label: s.state for s in seatmap.seat_map(db, show_id).seats}


def expire_now(db: Database, booking_id: int) -> None:
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1 second' "
                          "WHERE id = :b"), {"b": booking_id})


def test_sell_confirms_and_owns_the_seats(db: Database, show: shows.ShowView) -> None:
    b = booking.sell(db, show.id, ["C4", "C5"], clerk="ann", customer="Ada Lovelace",
                     counter="Counter 1")
    assert b.status == "CONFIRMED" and b.seats == ("C4", "C5") and b.seats_requested == 2
    assert b.user_name == "ann" and b.customer_name == "Ada Lovelace"
    assert b.hold_deadline is None
    s = states(db, show.id)
    assert s["C4"] == s["C5"] == "sold" and s["C6"] == "free"
    summary = shows.show_summary(db, show.id)
    assert summary.sold == 2 and summary.seats_left == show.total_seats - 2


def test_lowercase_and_spaced_seat_labels_are_normalised(db: Database, show: shows.ShowView) -> None:
    b = booking.sell(db, show.id, [" c4", "c5 "], clerk="ann")
    assert b.seats == ("C4", "C5")


def test_conflict_names_taken_seats_and_records_a_failed_booking(
    db: Database, show: shows.ShowView
) -> None:
    first = booking.sell(db, show.id, ["D1", "D2"], clerk="ann")
    with pytest.raises(SeatsTaken) as err:
        booking.sell(db, show.id, ["D2", "D3"], clerk="ben")
    assert err.value.taken == ("D2",)
    assert "D2" in err.value.message
    failed = booking.get_booking(db, err.value.booking_id)  # type: ignore[arg-type]
    assert failed.status == "FAILED" and failed.seats == ()
    assert states(db, show.id)["D3"] == "free"
    assert booking.get_booking(db, first.id).seats == ("D1", "D2")
    events = booking_history(db, failed.id)
    assert [e.kind for e in events] == ["booking_failed"]
    assert events[0].details["taken"] == ["D2"]


def test_hold_then_confirm(db: Database, show: shows.ShowView) -> None:
    h = booking.hold(db, show.id, ["E5", "E6"], clerk="ann", counter="Counter 2")
    assert h.status == "PENDING" and h.hold_deadline is not None
    assert states(db, show.id)["E5"] == "held"
    done = booking.confirm(db, h.id, clerk="ann", customer="Grace Hopper")
    assert done.status == "CONFIRMED" and done.customer_name == "Grace Hopper"
    assert states(db, show.id)["E5"] == "sold"
    kinds = [e.kind for e in booking_history(db, h.id)]
    assert kinds == ["booking_held", "booking_confirmed"]


def test_hold_lasts_the_configured_time(db: Database, show: shows.ShowView) -> None:
    h = booking.hold(db, show.id, ["E1"], clerk="ann")
    with db.engine.connect() as conn:
        seconds = conn.execute(text("SELECT extract(epoch FROM hold_deadline - created_at) "
                                    "FROM bookings WHERE id = :b"), {"b": h.id}).scalar_one()
    assert float(seconds) == pytest.approx(120, abs=1)


def test_confirm_after_deadline_is_refused_and_frees_the_seats(
    db: Database, show: shows.ShowView
) -> None:
    h = booking.hold(db, show.id, ["F1", "F2"], clerk="ann")
    expire_now(db, h.id)
    assert states(db, show.id)["F1"] == "free"  # the map shows an expired hold as free
    with pytest.raises(HoldExpired) as err:
        booking.confirm(db, h.id, clerk="ann")
    assert "expired" in err.value.message
    assert booking.get_booking(db, h.id).status == "FAILED"
    with pytest.raises(HoldExpired):  # asking again gives the same answer
        booking.confirm(db, h.id, clerk="ann")


def test_expired_hold_is_free_for_the_very_next_sale(db: Database, show: shows.ShowView) -> None:
    h = booking.hold(db, show.id, ["G1", "G2"], clerk="ann")
    expire_now(db, h.id)
    b = booking.sell(db, show.id, ["G2", "G3"], clerk="ben")
    assert b.status == "CONFIRMED"
    old = booking.get_booking(db, h.id)
    assert old.status == "FAILED" and old.seats == ()
    assert "booking_expired" in [e.kind for e in booking_history(db, h.id)]


def test_release_gives_seats_back(db: Database, show: shows.ShowView) -> None:
    h = booking.hold(db, show.id, ["H3"], clerk="ann")
    r = booking.release(db, h.id, clerk="ann")
    assert r.status == "FAILED" and r.seats == ()
    assert states(db, show.id)["H3"] == "free"
    with pytest.raises(WrongBookingState):
        booking.release(db, h.id, clerk="ann")


def test_cancel_refunds_a_sale(db: Database, show: shows.ShowView) -> None:
    b = booking.sell(db, show.id, ["B7", "B8"], clerk="ann")
    c = booking.cancel(db, b.id, clerk="ann", reason="customer ill")
    assert c.status == "CANCELLED" and c.seats == ()
    assert states(db, show.id)["B7"] == "free"
    ev = booking_history(db, b.id)[-1]
    assert ev.kind == "booking_cancelled" and ev.seats == ("B7", "B8")
    assert ev.details == {"reason": "customer ill", "clerk": "ann"}


@pytest.mark.parametrize(
    ("make", "action"),
    [
        ("sold", "confirm"), ("sold", "release"),
        ("held", "cancel"),
        ("released", "confirm"), ("released", "cancel"), ("released", "release"),
        ("cancelled", "cancel"), ("cancelled", "confirm"),
    ],
)
def test_wrong_state_is_refused_and_writes_nothing(
    db: Database, show: shows.ShowView, make: str, action: str
) -> None:
    from tests.conftest import table_snapshot

    if make in ("sold", "cancelled"):
        b = booking.sell(db, show.id, ["J5"], clerk="ann")
    else:
        b = booking.hold(db, show.id, ["J5"], clerk="ann")
        if make == "released":
            booking.release(db, b.id, clerk="ann")
    if make == "cancelled":
        booking.cancel(db, b.id, clerk="ann")
    before = table_snapshot(db)
    with pytest.raises(WrongBookingState) as err:
        getattr(booking, action)(db, b.id, clerk="ann")
    assert str(b.id) in err.value.message
    assert table_snapshot(db) == before


def test_unknown_booking(db: Database, show: shows.ShowView) -> None:
    with pytest.raises(BookingNotFound):
        booking.confirm(db, 999_999, clerk="ann")


def test_exchange_moves_a_sale_and_frees_the_old_seats(db: Database, show: shows.ShowView) -> None:
    b = booking.sell(db, show.id, ["C1", "C2"], clerk="ann")
    x = exchange(db, b.id, ["C2", "C3", "C4"], clerk="ann")
    assert x.status == "CONFIRMED" and sorted(x.seats) == ["C2", "C3", "C4"]
    assert x.seats_requested == 3
    s = states(db, show.id)
    assert s["C1"] == "free" and s["C3"] == "sold"
    ev = booking_history(db, b.id)[-1]
    assert ev.kind == "booking_exchanged" and ev.details["from"] == ["C1", "C2"]


def test_exchange_onto_a_taken_seat_changes_nothing(db: Database, show: shows.ShowView) -> None:
    from tests.conftest import table_snapshot

    b = booking.sell(db, show.id, ["C1", "C2"], clerk="ann")
    booking.sell(db, show.id, ["C5"], clerk="ben")
    before = table_snapshot(db)
    with pytest.raises(SeatsTaken) as err:
        exchange(db, b.id, ["C4", "C5"], clerk="ann")
    assert err.value.taken == ("C5",)
    assert table_snapshot(db) == before


def test_find_bookings_by_number_and_customer(db: Database, show: shows.ShowView) -> None:
    a = booking.sell(db, show.id, ["A5"], clerk="ann", customer="Barbara Liskov")
    b = booking.sell(db, show.id, ["A6"], clerk="ann", customer="Donald Knuth")
    assert [x.id for x in booking.find_bookings(db, f"#{a.id}")] == [a.id]
    assert [x.id for x in booking.find_bookings(db, "knuth")] == [b.id]
    assert booking.find_bookings(db, "50%_") == []


def test_every_change_is_in_the_event_log(db: Database, show: shows.ShowView) -> None:
    with db.engine.connect() as conn:
        kinds = conn.execute(text("SELECT kind FROM booking_events WHERE show_id = :s"),
                             {"s": show.id}).scalars().all()
    assert kinds == ["show_created"]
    b = booking.sell(db, show.id, ["A7"], clerk="ann")
    assert booking_history(db, b.id)[0].kind == "booking_sold"
    assert booking_history(db, b.id)[0].actor  # session_user, set by the database
