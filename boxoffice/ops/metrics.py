"""The Prometheus metrics of BoxOffice, on one registry of their own.

Booking outcomes are not counted where bookings happen (``booking.py`` stays as it is):
the expiry worker tails the event log (``booking_events``, each row once, by id) and
counts what it finds, so every counter app's sales show up in one place. Latency can
only be seen by the caller, so each counter operation (``boxoffice.counter``) times
itself under its declared name (``timed``, ``observe_operation``). Gauges that describe the database right now (expiry lag, lock
waits, alerts) are set by ``boxoffice.ops.health.OpsMonitor`` on each refresh.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager

from prometheus_client import (
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
    generate_latest,
)
from prometheus_client.core import CounterMetricFamily
from prometheus_client.registry import Collector

from boxoffice.statuses import EventKind

REGISTRY = CollectorRegistry()
ProcessCollector(registry=REGISTRY)
PlatformCollector(registry=REGISTRY)

# booking_events.kind → the outcome label of boxoffice_bookings_total
OUTCOMES: dict[str, str] = {
    EventKind.BOOKING_SOLD: "sold",
    EventKind.BOOKING_HELD: "held",
    EventKind.BOOKING_CONFIRMED: "confirmed",
    EventKind.BOOKING_FAILED: "conflict",  # written only when some seats were already taken
    EventKind.BOOKING_EXPIRED: "expired",
    EventKind.BOOKING_RELEASED: "released",
    EventKind.BOOKING_CANCELLED: "cancelled",
    EventKind.BOOKING_EXCHANGED: "exchanged",
}

BOOKINGS = Counter(
    "boxoffice_bookings", "Bookings by outcome and show, from the event log",
    ["outcome", "show"], registry=REGISTRY)
SEATS = Counter(
    "boxoffice_booking_seats", "Seats in those bookings, by outcome and show",
    ["outcome", "show"], registry=REGISTRY)
LATENCY = Histogram(
    "boxoffice_booking_latency_seconds", "Time a counter waited for a booking operation",
    ["operation", "outcome"], registry=REGISTRY,
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0))
SEATS_PER_SECOND = Gauge(
    "boxoffice_seats_per_second", "Seats sold or held per second over the rate window",
    registry=REGISTRY)
CONFLICT_RATE = Gauge(
    "boxoffice_conflict_rate",
    "Share of booking attempts that met taken seats, over the rate window", ["show"],
    registry=REGISTRY)
EXPIRY_LAG = Gauge(
    "boxoffice_expiry_lag_seconds", "Age of the oldest hold past its deadline (0: none)",
    registry=REGISTRY)
OVERDUE_HOLDS = Gauge(
    "boxoffice_expiry_overdue_holds", "Holds past their deadline, not yet released",
    registry=REGISTRY)
EXPIRY_ROUNDS = Counter(
    "boxoffice_expiry_rounds", "Expiry rounds of this worker: ran, or skipped (lock busy)",
    ["result"], registry=REGISTRY)
EXPIRED_HOLDS = Counter(
    "boxoffice_expiry_released_holds", "Holds this worker released", registry=REGISTRY)
EXPIRED_SEATS = Counter(
    "boxoffice_expiry_released_seats", "Seats this worker released", registry=REGISTRY)
BATCH_SIZE = Histogram(
    "boxoffice_expiry_batch_size",
    "Holds released per expiry batch (one transaction), in rounds that released any",
    registry=REGISTRY, buckets=(0, 1, 5, 10, 50, 100, 250, 500, 1000, 5000))
LAST_ROUND = Gauge(
    "boxoffice_expiry_last_round_timestamp_seconds", "When this worker's last round ended",
    registry=REGISTRY)
EXPIRY_RUNNERS = Gauge(
    "boxoffice_expiry_runners", "Expiry workers connected to the database (incl. this one)",
    registry=REGISTRY)
LOCK_WAITS = Gauge(
    "boxoffice_lock_waits", "Sessions waiting for a lock now, by what they wait on",
    ["lock"], registry=REGISTRY)
LOCK_WAIT_MAX = Gauge(
    "boxoffice_lock_wait_max_seconds", "Longest current lock wait (from its statement start)",
    registry=REGISTRY)
COUNTERS_CONNECTED = Gauge(
    "boxoffice_counters_connected", "Counter apps with a session open, as PostgreSQL sees them",
    registry=REGISTRY)
OUTBOX_BACKLOG = Gauge(
    "boxoffice_outbox_backlog_events",
    "Event-log rows past a configured consumer's cursor (BOXOFFICE_OUTBOX_CURSOR)",
    ["consumer"], registry=REGISTRY)
DATABASE_UP = Gauge(
    "boxoffice_database_up", "1 when the database answered the last check", registry=REGISTRY)
SCHEMA_AT_HEAD = Gauge(
    "boxoffice_schema_at_head", "1 when the schema is at the migrations' head", registry=REGISTRY)
ALERTS = Gauge(
    "boxoffice_alert_firing", "1 while an alert is tripped", ["alert"], registry=REGISTRY)


class _LiveFeedCollector(Collector):
    """Reconnects of the live feeds this process runs (read when scraped)."""

    def __init__(self) -> None:
        self.sources: list[Callable[[], int]] = []

    def collect(self) -> Iterator[CounterMetricFamily]:
        family = CounterMetricFamily(
            "boxoffice_live_feed_reconnects", "Times this process's live feed reconnected")
        family.add_metric([], float(sum(source() for source in self.sources)))
        yield family


_LIVE = _LiveFeedCollector()
REGISTRY.register(_LIVE)


def track_live_feed(reconnects: Callable[[], int]) -> None:
    """Count a live feed's reconnects: ``track_live_feed(lambda: feed.reconnects)``."""
    _LIVE.sources.append(reconnects)


def observe_operation(name: str, seconds: float, outcome: str) -> None:
    """One booking operation as the counter saw it (``sell``, ``hold``, …; ``ok``,
    ``conflict``, ``error``). Each counter operation (``boxoffice.counter``) reports itself
    under the metric name it declares, through ``timed``."""
    LATENCY.labels(operation=name, outcome=outcome).observe(seconds)


def count_events(rows: Iterable[tuple[str, int | None, int, int]]) -> None:
    """Add event-log rows ``(kind, show_id, bookings, seats)`` to the booking counters."""
    for kind, show_id, bookings, seats in rows:
        outcome = OUTCOMES.get(kind)
        if outcome is None:
            continue
        show = "" if show_id is None else str(show_id)
        BOOKINGS.labels(outcome=outcome, show=show).inc(bookings)
        SEATS.labels(outcome=outcome, show=show).inc(seats)


def observe_expiry_round(ran: bool, bookings: int, seats: int, batches: int,
                         batch_size: int, ended_at: float) -> None:
    """One round of the expiry job. A round runs full batches until a short one, so the
    sizes of its batches follow from its totals: ``batches - 1`` full ones, then the rest."""
    EXPIRY_ROUNDS.labels(result="ran" if ran else "skipped").inc()
    LAST_ROUND.set(ended_at)
    if not ran:
        return
    EXPIRED_HOLDS.inc(bookings)
    EXPIRED_SEATS.inc(seats)
    if not bookings:
        return  # an idle poll: its one empty batch would only drown the sizes that matter
    for _ in range(max(batches - 1, 0)):
        BATCH_SIZE.observe(batch_size)
    if batches:
        BATCH_SIZE.observe(bookings - (batches - 1) * batch_size)


@contextmanager
def timed(name: str) -> Iterator[None]:
    """Time one booking operation into ``boxoffice_booking_latency_seconds``; the outcome
    is ``ok``, ``conflict`` (seats taken), ``refused`` (another known error) or ``error``::

        with timed("sell"):
            booking.sell(db, show, seats, clerk=clerk)
    """
    from boxoffice.errors import BoxOfficeError, SeatsTaken

    started = time.perf_counter()
    outcome = "error"
    try:
        yield
        outcome = "ok"
    except SeatsTaken:
        outcome = "conflict"
        raise
    except BoxOfficeError:
        outcome = "refused"
        raise
    finally:
        observe_operation(name, time.perf_counter() - started, outcome)


def exposition() -> bytes:
    """The registry in the Prometheus text format."""
    return generate_latest(REGISTRY)
