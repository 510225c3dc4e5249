"""Failover on real servers: eight counters sell through a primary with a synchronous
hot standby; the primary is killed (``pg_ctl -m immediate``) and the standby promoted.
Nothing acknowledged is lost, nothing refused is sold, no seat is sold twice, requests
in doubt are settled by their request keys, ``boxoffice check`` is clean and the live
feed resyncs on the new primary. Then the old primary rejoins with pg_rewind.

The figures (write outage, sales retried, sales lost) are logged at WARNING by
``boxoffice.ha.figures`` and quoted in docs/high-availability.md:
``pytest -q -s tests/ha/test_failover.py -o log_cli=true -o log_cli_level=WARNING``.
"""

from __future__ import annotations

import json
import logging
import queue
import random
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import text

from boxoffice import booking, expiry, resilience, shows
from boxoffice.changes import Resync, SeatsChanged
from boxoffice.db import Database, make_engine
from boxoffice.errors import DatabaseUnavailable, SeatsTaken
from boxoffice.layout import Layout
from boxoffice.live import LiveFeed
from tests import dbutil
from tests.ha.cluster import Cluster
from tests.ha.selling import sell_with_key

pytestmark = pytest.mark.slow
figures_log = logging.getLogger("boxoffice.ha.figures")

COUNTERS = 8
ROWS, COLS = 26, 40
DETECT_SECONDS = 1.0  # between the kill and the promote (pg_auto_failover: about 50 s)


@dataclass
class Shared:
    cluster: Cluster
    dbname: str
    url: str
    show_id: int = 0
    sold: dict[str, tuple[int, tuple[str, ...]]] = field(default_factory=dict)
    figures: dict[str, Any] = field(default_factory=dict)


@pytest.fixture(scope="module")
def ha() -> Iterator[Shared]:
    cluster = Cluster()
    try:
        admin = cluster.primary.admin_url
        template = dbutil.build_template(admin)
        dbutil.create_database(admin, "bo_ha", template)
        yield Shared(cluster, "bo_ha", cluster.host_list("bo_ha"))
    finally:
        cluster.destroy()


def open_counter_db(url: str, **settings: object) -> Database:
    return Database(make_engine(url, pool_size=3, max_overflow=COUNTERS),
                    dbutil.test_settings(url, **settings), url)


def test_failover_loses_no_acknowledged_sale(ha: Shared) -> None:
    db = open_counter_db(ha.url, failover_seconds=30)
    hall = shows.create_hall(db, "HA Hall", Layout.grid(ROWS, COLS))
    show = shows.create_show(db, "On-sale morning", dbutil.tomorrow(), hall=hall.id)
    ha.show_id = show.id
    first_primary = ha.cluster.primary.host
    feed = LiveFeed(ha.url, max_backoff=0.5)
    events: queue.Queue[object] = queue.Queue()
    feed.subscribe(events.put)
    feed.start()
    assert feed.wait_connected() and feed.server == first_primary

    sold: dict[str, tuple[int, tuple[str, ...], float]] = {}
    refused: set[str] = set()
    in_doubt: dict[str, list[str]] = {}
    stats = [resilience.RetryStats() for _ in range(COUNTERS)]
    stop = threading.Event()
    lock = threading.Lock()

    def counter(i: int) -> None:
        rng = random.Random(i)
        while not stop.is_set():
            row = chr(65 + rng.randrange(ROWS))
            col, n = rng.randint(1, COLS - 6), rng.randint(1, 2)  # Z35..Z40 kept free
            seats = [f"{row}{c}" for c in range(col, col + n)]
            key = resilience.new_request_key()
            try:
                made = sell_with_key(db, show.id, seats, request_key=key,
                                                 clerk="ann", counter=f"Counter {i}",
                                                 backoff=0.1, stats=stats[i])
                with lock:
                    sold[key] = (made.id, made.seats, time.monotonic())
            except SeatsTaken:
                with lock:
                    refused.add(key)
            except DatabaseUnavailable:
                with lock:
                    in_doubt[key] = seats
            stop.wait(0.03)

    threads = [threading.Thread(target=counter, args=(i,), name=f"counter-{i}")
               for i in range(COUNTERS)]
    for t in threads:
        t.start()
    try:
        time.sleep(1.5)
        killed_at = time.monotonic()
        ha.cluster.fail_over(detect_seconds=DETECT_SECONDS)
        promoted_at = time.monotonic()
        time.sleep(2.5)
    finally:
        stop.set()
        for t in threads:
            t.join(60)
    assert not any(t.is_alive() for t in threads)

    # In doubt: ask again under the same key, which settles it one way or the other.
    for key, seats in in_doubt.items():
        try:
            made = sell_with_key(db, show.id, seats, request_key=key, clerk="ann")
            sold[key] = (made.id, made.seats, time.monotonic())
        except SeatsTaken:
            refused.add(key)

    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT pg_is_in_recovery()")).scalar() is False
        rows = conn.execute(text(
            "SELECT b.request_key, b.id, b.status, array_agg(bs.seat_number ORDER BY bs.id) "
            "FILTER (WHERE bs.id IS NOT NULL) FROM bookings b LEFT JOIN booking_seats bs "
            "ON bs.booking_id = b.id WHERE b.show_id = :s GROUP BY b.id"),
            {"s": show.id}).all()
        twice = conn.execute(text(
            "SELECT seat_number FROM booking_seats WHERE show_id = :s "
            "GROUP BY seat_number HAVING count(*) > 1"), {"s": show.id}).all()
    confirmed = {r[0]: (r[1], tuple(r[3] or ())) for r in rows if r[2] == "CONFIRMED"}
    lost = [k for k, (bid, seats, _) in sold.items() if confirmed.get(k) != (bid, seats)]
    assert lost == [], "acknowledged sales missing on the new primary"
    assert [k for k in refused if k in confirmed] == [], "refused sales were sold"
    assert set(confirmed) <= set(sold), "seats sold that no clerk was told about"
    assert twice == []

    before = [t for _, _, t in sold.values() if t < killed_at]
    after = [t for _, _, t in sold.values() if t >= promoted_at]
    assert before and after, "the counters did not sell on both sides of the failover"
    acks = sorted(t for _, _, t in sold.values())
    outage = max(b - a for a, b in zip(acks, acks[1:], strict=False))
    retried = sum(s.unknown for s in stats)
    assert retried > 0, "no sale met the failover: the test proved nothing"
    assert sum(s.gave_up for s in stats) == 0 and not in_doubt
    ha.figures.update({
        "counters": COUNTERS, "sales_acknowledged": len(sold), "sales_refused_taken":
        len(refused), "sales_retried": retried, "sales_lost": len(lost),
        "in_doubt_settled": len(in_doubt), "kill_to_promote_seconds": round(
            promoted_at - killed_at, 2),
        "write_outage_seconds": round(outage, 2),
        "after_promote_first_sale_seconds": round(min(after) - promoted_at, 2)})
    ha.sold = {k: (b, s) for k, (b, s, _) in sold.items()}

    # The expiry runner works on the new primary through the same address.
    held = booking.hold(db, show.id, ["Z40"], clerk="ann")
    with db.engine.begin() as conn:
        conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1s' "
                          "WHERE id = :b"), {"b": held.id})
    assert expiry.expire_holds(db).bookings == 1

    # The live feed resynced on the new primary and delivers from it.
    deadline = time.monotonic() + 20
    while feed.server != ha.cluster.primary.host or not feed.connected.is_set():
        assert time.monotonic() < deadline, f"live feed still on {feed.server}"
        time.sleep(0.05)
    assert feed.reconnects >= 1
    seen = []
    while not events.empty():
        seen.append(events.get())
    assert any(isinstance(e, Resync) for e in seen)
    marker = booking.sell(db, show.id, ["Z39"], clerk="ann")
    got = events.get(timeout=10)
    while not (isinstance(got, SeatsChanged) and got.booking_id == marker.id):
        got = events.get(timeout=10)
    feed.stop()

    # `boxoffice check` on the new primary, through the host list.
    check = subprocess.run([sys.executable, "-m", "boxoffice.cli", "check",
                            "--database-url", ha.url], capture_output=True, text=True,
                           timeout=120)
    assert check.returncode == 0, check.stdout + check.stderr
    assert db.server_host() == ha.cluster.primary.host != first_primary
    db.dispose()
    figures_log.warning("failover figures: %s", json.dumps(ha.figures))


def test_the_old_primary_rejoins_with_pg_rewind(ha: Shared) -> None:
    if not ha.sold:
        pytest.skip("the failover test did not run")
    ha.cluster.rejoin()
    old = ha.cluster.standby
    assert old.in_recovery()
    db = open_counter_db(ha.url)
    try:
        after = booking.sell(db, ha.show_id, ["Z38"], clerk="ann")
        lsn = ha.cluster.primary.sql("SELECT pg_current_wal_lsn()::text")[0][0]
        deadline = time.monotonic() + 20
        while not old.sql(f"SELECT pg_last_wal_replay_lsn() >= '{lsn}'::pg_lsn")[0][0]:
            assert time.monotonic() < deadline, "the rejoined standby does not replay"
            time.sleep(0.05)
        with __import__("psycopg").connect(old.url(ha.dbname)) as conn:
            on_standby = dict(conn.execute(
                "SELECT request_key, id FROM bookings WHERE show_id = %s AND status = "
                "'CONFIRMED'", (ha.show_id,)).fetchall())
        assert {k: b for k, (b, _) in ha.sold.items()}.items() <= on_standby.items()
        assert after.request_key is None or after.request_key not in ha.sold
        assert after.id in on_standby.values()
        assert ha.cluster.primary.sql(
            "SELECT sync_state FROM pg_stat_replication")[0][0] == "sync"
    finally:
        db.dispose()


def test_reports_read_the_standby_and_sales_never_do(ha: Shared) -> None:
    """BOXOFFICE_READ_URL: cash-up, operations figures, booking lookup and history read the
    (rejoined) standby; the seat map and the sale itself stay on the primary. Replay on
    the standby is paused, so what each one read shows where it read it."""
    from boxoffice import history, money, seatmap
    from boxoffice.config import load_settings
    from boxoffice.ops.figures import operations_snapshot
    from boxoffice.ui.operations.window import read_operations

    if not ha.sold:
        pytest.skip("the failover test did not run")
    standby = ha.cluster.standby
    assert standby.in_recovery()
    settings = load_settings(env={"BOXOFFICE_DATABASE_URL": ha.url,
                                  "BOXOFFICE_READ_URL": standby.url(ha.dbname)})
    db = Database.connect(settings)
    try:
        assert db.server_host() == ha.cluster.primary.host
        with db.reads.connect() as conn:
            assert conn.exec_driver_sql("SELECT pg_is_in_recovery()").scalar() is True
        standby.sql("SELECT pg_wal_replay_pause()")
        try:
            fresh = booking.sell(db, ha.show_id, ["Z37"], clerk="ann", customer="Late Lena")
            # Decisions and the seat map: the primary, so the sale is there at once.
            assert booking.get_booking(db, fresh.id).status == "CONFIRMED"
            assert seatmap.seat_map(db, ha.show_id).by_label()["Z37"].state != "free"
            # Reports: the standby, which has not replayed it yet.
            assert booking.find_bookings(db, "Late Lena") == []
            with pytest.raises(Exception, match=str(fresh.id)):
                history.booking_history(db, fresh.id)
            with db.reads.begin() as conn:
                before = operations_snapshot(conn).day_total.sold
            assert read_operations(db).snapshot.day_total.sold == before
            money.cash_up(db, dbutil.tomorrow().date())  # runs on a standby at all
        finally:
            standby.sql("SELECT pg_wal_replay_resume()")
        deadline = time.monotonic() + 20
        while not booking.find_bookings(db, "Late Lena"):
            assert time.monotonic() < deadline, "the standby never replayed the sale"
            time.sleep(0.05)
        assert [e.kind for e in history.booking_history(db, fresh.id)]
        with db.reads.begin() as conn:
            assert operations_snapshot(conn).day_total.sold >= before + 1
    finally:
        db.dispose()
