"""A booking client run as its own OS process while the fault test breaks things around it.

It makes exactly the calls a clerk's booking panel makes: the counter's operations
(``boxoffice.counter``): Sell now (sell for money, paid by card), hold, Confirm sale
(pay the hold), release, and a manager's cancel. Every sale and hold carries a request
key. The client records what it was told for each key (booked, taken, expired) and for
each booking (its last status); calls that lost their connection are retried by each
operation's own rule. A call that runs out of attempts (the server was down too long) is
kept as unresolved and settled at the end with the same key, so every unknown outcome
ends in a known one.
"""

from __future__ import annotations

import logging
import random
import time
from typing import Any

from boxoffice import booking, counter, resilience
from boxoffice.errors import (
    BlockedSeats,
    DatabaseUnavailable,
    HoldExpired,
    SeatsTaken,
    UnknownSeats,
    WrongBookingState,
)
from boxoffice.money import Payment
from tests.dbutil import open_db

TICKET = "Adult"  # the storm's show sells Adult tickets at a price, paid by card
PAYMENT = Payment("card")


def client(url: str, show_id: int, labels: list[str], seed: int, seconds: float,
           start_at: float) -> dict[str, Any]:
    # The retries are counted below; a warning line for each would flood the CI log
    # (this process's stderr is not captured by pytest).
    logging.getLogger("boxoffice").setLevel(logging.ERROR)
    rng = random.Random(seed)
    db = open_db(url, hold_seconds=5)
    stats = resilience.RetryStats()
    counts = {"requests": 0, "sales": 0, "holds": 0, "confirms": 0, "releases": 0,
              "cancels": 0, "conflicts": 0, "expired": 0, "gave_up": 0, "settled_late": 0}
    keys: dict[str, tuple[str, int | None]] = {}  # request key -> ("booked"|"taken", id)
    asked: dict[str, tuple[str, list[str]]] = {}  # request key -> (kind, seats)
    seen: dict[int, str] = {}  # booking id -> the status this client was last told
    held_keys: dict[int, str] = {}  # booking id -> the request key that made it
    open_keys: list[str] = []  # unknown outcomes still to settle with the same key
    open_ids: list[int] = []  # confirm/release/cancel whose outcome is still unknown
    name = f"Fault client {seed}"
    clerk = f"clerk{seed}"

    def book(key: str, attempts: int) -> None:
        kind, seats = asked[key]
        try:
            if kind == "sell":
                b = counter.sell_for_money(db, show_id, {s: TICKET for s in seats}, PAYMENT,
                                           request_key=key, clerk=clerk, counter=name,
                                           attempts=attempts, backoff=0.1,
                                           stats=stats).result.booking
            else:
                b = counter.hold(db, show_id, seats, request_key=key, clerk=clerk,
                                 counter=name, attempts=attempts, backoff=0.1,
                                 stats=stats).result
        except SeatsTaken as e:
            counts["conflicts"] += 1
            keys[key] = ("taken", e.booking_id)
            if e.booking_id is not None:
                seen[e.booking_id] = "FAILED"
        except (HoldExpired, WrongBookingState) as e:
            # A sale's own hold ran out before its payment got through (a long outage,
            # 5 s holds): the key made that booking, and it sold nothing.
            counts["expired"] += 1
            keys[key] = ("expired", e.booking_id)
            seen[e.booking_id] = "FAILED"
        else:
            counts["sales" if kind == "sell" else "holds"] += 1
            keys[key] = ("booked", b.id)
            seen[b.id] = b.status
            held_keys[b.id] = key

    while time.time() < start_at:
        time.sleep(0.005)
    end = time.monotonic() + seconds
    try:
        while time.monotonic() < end:
            counts["requests"] += 1
            op = rng.random()
            bid: int | None = None
            held = [b for b, s in seen.items() if s == "PENDING"]
            sold = [b for b, s in seen.items() if s == "CONFIRMED"]
            try:
                if op < 0.45 or (op < 0.9 and not held and not sold):
                    n = rng.randint(1, 4)
                    start = rng.randrange(0, len(labels) - n)
                    key = f"fault-{seed}-{counts['requests']}"
                    asked[key] = ("sell" if op < 0.28 else "hold", labels[start:start + n])
                    try:
                        book(key, attempts=6)
                    except DatabaseUnavailable:
                        counts["gave_up"] += 1
                        open_keys.append(key)
                elif op < 0.65 and held:
                    bid = rng.choice(held)
                    seats = asked[held_keys[bid]][1]
                    seen[bid] = counter.pay_hold(
                        db, bid, {s: TICKET for s in seats}, PAYMENT, clerk=clerk,
                        counter=name, attempts=6, backoff=0.1,
                        stats=stats).result.booking.status
                    counts["confirms"] += 1
                elif op < 0.8 and held:
                    bid = rng.choice(held)
                    seen[bid] = counter.release(
                        db, bid, clerk=clerk, counter=name, attempts=6, backoff=0.1,
                        stats=stats).result.status
                    counts["releases"] += 1
                elif sold:
                    bid = rng.choice(sold)
                    seen[bid] = counter.cancel(
                        db, bid, clerk=clerk, counter=name, attempts=6, backoff=0.1,
                        stats=stats).result.booking.status
                    counts["cancels"] += 1
            except HoldExpired as e:
                counts["expired"] += 1
                seen[e.booking_id] = "FAILED"
            except WrongBookingState as e:  # a hold that expired meanwhile
                seen[e.booking_id] = e.status
            except (UnknownSeats, BlockedSeats):
                pass
            except DatabaseUnavailable:
                # confirm/release/cancel gave up: its booking is settled by reading it later
                counts["gave_up"] += 1
                if bid is not None:
                    open_ids.append(bid)
        # Settle every unknown outcome: the same request key, as patiently as it takes.
        for key in open_keys:
            book(key, attempts=40)
            counts["settled_late"] += 1
        for bid in open_ids:
            seen[bid] = resilience.with_retries(lambda b=bid: booking.get_booking(db, b),
                                                attempts=40, backoff=0.1).status
            counts["settled_late"] += 1
    finally:
        db.dispose()
    return {"counts": counts, "keys": keys, "seen": seen,
            "retry": {"connection_errors": stats.connection_errors, "unknown": stats.unknown,
                      "resolved": stats.resolved, "gave_up": stats.gave_up}}
