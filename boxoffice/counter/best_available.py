"""Hold the best seats available, picking again when another counter wins the race.

Two counters pressing best-available at the same moment see the same free seats and pick
the same block; the database gives it to one of them (the other's booking is FAILED with
``SeatsTaken``). Rather than telling that customer to choose other seats, the operation
reads the seats afresh (the winner's hold is committed by then) and holds the next best
block, a bounded number of times: a show selling out still ends in ``SeatsTaken``.
"""

from __future__ import annotations

from collections.abc import Sequence

from boxoffice import booking, seatmap
from boxoffice.counter.operation import Done
from boxoffice.counter.selling import Hold
from boxoffice.db import Database
from boxoffice.errors import InvalidRequest, SeatsTaken
from boxoffice.records import BookingRecord
from boxoffice.resilience import new_request_key

# How many picks one press of best available may try: each lost race costs one short
# locked transaction, and more than a few in a row means the show is all but sold out.
BEST_TRIES = 5


def hold_best_available(db: Database, show_id: int, n: int, *, clerk: str,
                        counter: str | None = None, customer: str | None = None,
                        wheelchair: bool = False, first: Sequence[str] | None = None,
                        tries: int = BEST_TRIES,
                        hold_seconds: int | None = None) -> Done[BookingRecord]:
    """Hold the best ``n`` seats together; ``first``: the pick the clerk was shown (tried
    as it is before reading the seats again). Each try is the Hold operation (its
    retries of a lost answer included); the answer is the winning try's ``Done``.

    Raises:
        SeatsTaken: every one of ``tries`` picks was taken first (the last one's seats).
        InvalidRequest: no ``n`` seats together are free (nothing was written).
    """
    if tries < 1:
        raise InvalidRequest("Best available needs at least one try.", field="tries")
    lost: set[str] = set()
    seats = list(first) if first else None
    last: SeatsTaken | None = None
    for _ in range(tries):
        if seats is None:
            seats = seatmap.best_available(seatmap.seat_map(db, show_id).seats, n,
                                           wheelchair=wheelchair, avoid=lost)
            if not seats:
                if last is not None:
                    raise last
                raise InvalidRequest(f"No {n} seats together are free in one row.",
                                     field="seats")
        req = booking.book_request(db, show_id, seats, "PENDING", clerk=clerk,
                                   customer=customer, counter=counter,
                                   request_key=new_request_key(), hold_seconds=hold_seconds)
        try:
            return Hold(req, True).run(db)
        except SeatsTaken as exc:
            last = exc
            lost.update(exc.taken)
            seats = None
    assert last is not None
    raise last
