"""A retried request whose first answer was lost books nothing more."""

from __future__ import annotations

import threading

import pytest
from sqlalchemy import text

from boxoffice import booking, shows
from boxoffice.db import Database
from boxoffice.errors import RequestKeyReused, SeatsTaken
from tests.conftest import table_snapshot


def test_retry_returns_the_first_booking(db: Database, show: shows.ShowView) -> None:
    booking.sell(db, show.id, ["C1", "C2"], clerk="ann", request_key="counter1-0001")
    # ... the answer was lost on the way back; the client retries with the same key.
    before = table_snapshot(db)
    again = booking.sell(db, show.id, ["C1", "C2"], clerk="ann", request_key="counter1-0001")
    assert again.status == "CONFIRMED" and again.seats == ("C1", "C2")
    assert table_snapshot(db) == before


def test_retry_of_a_hold_returns_the_hold(db: Database, show: shows.ShowView) -> None:
    first = booking.hold(db, show.id, ["C3"], clerk="ann", request_key="k-hold")
    assert booking.hold(db, show.id, ["C3"], clerk="ann", request_key="k-hold").id == first.id


def test_retry_of_a_conflict_reports_the_same_conflict(db: Database, show: shows.ShowView) -> None:
    booking.sell(db, show.id, ["D1"], clerk="ben")
    with pytest.raises(SeatsTaken) as first:
        booking.sell(db, show.id, ["D1", "D2"], clerk="ann", request_key="k-conflict")
    before = table_snapshot(db)
    with pytest.raises(SeatsTaken) as again:
        booking.sell(db, show.id, ["D1", "D2"], clerk="ann", request_key="k-conflict")
    assert again.value.booking_id == first.value.booking_id and again.value.taken == ("D1",)
    assert table_snapshot(db) == before


def test_a_key_reused_for_another_request_is_refused(db: Database, show: shows.ShowView) -> None:
    booking.sell(db, show.id, ["E1"], clerk="ann", request_key="k-reuse")
    with pytest.raises(RequestKeyReused):
        booking.sell(db, show.id, ["E2"], clerk="ann", request_key="k-reuse")


def test_simultaneous_retries_make_one_booking(db: Database, show: shows.ShowView) -> None:
    results: list[int] = []
    errors: list[BaseException] = []
    barrier = threading.Barrier(6)

    def go() -> None:
        barrier.wait()
        try:
            results.append(booking.sell(db, show.id, ["F1", "F2"], clerk="ann",
                                        request_key="k-same").id)
        except BaseException as e:
            errors.append(e)

    threads = [threading.Thread(target=go) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == [] and len(set(results)) == 1 and len(results) == 6
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM bookings WHERE request_key = 'k-same'")
                            ).scalar_one() == 1
