"""``boxoffice expiry-worker`` as a service: /health and /metrics over real HTTP, the
counters moving with scripted sales, conflicts and expiries, alerts that trip and clear,
a database that goes away and comes back, and a clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from boxoffice import booking, shows
from boxoffice.config import LIBPQ_VARS
from boxoffice.db import Database, make_engine, upgrade
from boxoffice.errors import SeatsTaken
from boxoffice.layout import Layout
from tests import dbutil

METRIC_NAMES = [
    "boxoffice_bookings_total", "boxoffice_booking_seats_total",
    "boxoffice_booking_latency_seconds", "boxoffice_seats_per_second",
    "boxoffice_conflict_rate", "boxoffice_expiry_lag_seconds",
    "boxoffice_expiry_overdue_holds", "boxoffice_expiry_rounds_total",
    "boxoffice_expiry_released_holds_total", "boxoffice_expiry_batch_size",
    "boxoffice_expiry_runners", "boxoffice_lock_waits", "boxoffice_lock_wait_max_seconds",
    "boxoffice_counters_connected", "boxoffice_outbox_backlog_events",
    "boxoffice_database_up", "boxoffice_schema_at_head", "boxoffice_alert_firing",
    "boxoffice_live_feed_reconnects_total",
]


def wait_for(cond: Callable[[], Any], timeout: float = 30, what: str = "") -> Any:
    give_up = time.monotonic() + timeout
    while True:
        value = cond()
        if value:
            return value
        if time.monotonic() > give_up:
            raise AssertionError(f"timed out waiting for {what or cond}")
        time.sleep(0.05)


class Worker:
    """A real ``boxoffice expiry-worker --port 0`` in a subprocess, its JSON log lines
    collected from stderr as they come."""

    def __init__(self, url: str, log_dir: Path, *, interval: float = 0.2,
                 env: dict[str, str] | None = None) -> None:
        clean = {k: v for k, v in os.environ.items()
                 if k not in LIBPQ_VARS and not k.startswith("BOXOFFICE_")}
        clean.update(BOXOFFICE_LOG_DIR=str(log_dir), BOXOFFICE_COUNTER="ops-test",
                     **(env or {}))
        self.log_dir = log_dir
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "boxoffice.cli", "expiry-worker", "--port", "0",
             "--interval", str(interval), "--database-url", url],
            env=clean, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()
        started = wait_for(lambda: self.find("port") or self.proc.poll() is not None, 120,
                           "the worker to log its port")
        assert self.proc.poll() is None, "\n".join(self.lines)
        self.port = int(started["port"])

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))

    def records(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in list(self.lines)]

    def find(self, key: str) -> dict[str, Any] | None:
        return next((r for r in self.records() if key in r), None)

    def get(self, path: str) -> tuple[int, str]:
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{self.port}{path}", timeout=10) as r:
                return r.status, r.read().decode()
        except urllib.error.HTTPError as err:
            return err.code, err.read().decode()

    def health(self) -> tuple[int, dict[str, Any]]:
        status, body = self.get("/health")
        return status, json.loads(body)

    def metrics(self) -> dict[tuple[str, tuple[tuple[str, str], ...]], float]:
        status, body = self.get("/metrics")
        assert status == 200
        return {(s.name, tuple(sorted(s.labels.items()))): s.value
                for fam in text_string_to_metric_families(body) for s in fam.samples}

    def value(self, name: str, **labels: str) -> float:
        return self.metrics().get((name, tuple(sorted(labels.items()))), 0.0)

    def stop(self) -> int:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            code = self.proc.wait(30)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise
        self.close()
        return code

    def close(self) -> None:
        self._reader.join(5)
        if self.proc.stderr is not None:
            self.proc.stderr.close()


@pytest.fixture
def worker_of(tmp_path: Path) -> Iterator[Callable[..., Worker]]:
    started: list[Worker] = []

    def start(url: str, **kw: Any) -> Worker:
        w = Worker(url, tmp_path / f"logs{len(started)}", **kw)
        started.append(w)
        return w

    yield start
    for w in started:
        if w.proc.poll() is None:
            w.proc.kill()
            w.proc.wait(10)
        w.close()


def test_health_metrics_and_counters_follow_the_event_log(
        db: Database, worker_of: Callable[..., Worker]) -> None:
    hall = shows.create_hall(db, "Ops Hall", Layout.grid(8, 10))
    show = shows.create_show(db, "Ops Show", dbutil.tomorrow(), hall=hall.id)
    sid = str(show.id)
    w = worker_of(db.url)

    status, body = wait_for(lambda: (lambda h: h if h[1]["ready"] else None)(w.health()), 30,
                            "ready")
    assert status == 200 and body["live"] and body["database"]
    assert body["feed"] == "live"  # it listens, and its probe came back (issue 16)
    assert body["schema"]["current"] == body["schema"]["head"]
    assert body["alerts"] == []
    assert body["expiry"]["last_round"]["lock"] == "taken"
    status, text_ = w.get("/metrics")
    assert status == 200
    for name in METRIC_NAMES:
        assert name in text_, name
    assert w.get("/nowhere")[0] == 404

    # 12 stale holds (seed_stale_holds takes the first seats) that the worker expires,
    # then a scripted set: 3 sales (5 seats), 1 conflict, 1 hold confirmed, 1 released.
    dbutil.seed_stale_holds(db, show.id, 12)
    wait_for(lambda: w.value("boxoffice_bookings_total", outcome="expired", show=sid) == 12,
             30, "12 expiries counted")
    wait_for(lambda: w.value("boxoffice_expiry_overdue_holds") == 0, 30, "no overdue holds")
    booking.sell(db, show.id, ["A1", "A2"], clerk="ann", counter="C1")
    booking.sell(db, show.id, ["A3"], clerk="ann", counter="C1")
    booking.sell(db, show.id, ["B1", "B2"], clerk="bob", counter="C2")
    with pytest.raises(SeatsTaken):
        booking.sell(db, show.id, ["A1", "C1"], clerk="bob", counter="C2")
    held = booking.hold(db, show.id, ["D1"], clerk="ann")
    booking.confirm(db, held.id, clerk="ann")
    loose = booking.hold(db, show.id, ["D2"], clerk="ann")
    booking.release(db, loose.id, clerk="ann")
    wait_for(lambda: w.value("boxoffice_bookings_total", outcome="released", show=sid) == 1,
             30, "the release counted")
    m = w.metrics()

    def v(name: str, **labels: str) -> float:
        return m.get((name, tuple(sorted(labels.items()))), 0.0)

    assert v("boxoffice_bookings_total", outcome="sold", show=sid) == 3
    assert v("boxoffice_booking_seats_total", outcome="sold", show=sid) == 5
    assert v("boxoffice_bookings_total", outcome="conflict", show=sid) == 1
    assert v("boxoffice_bookings_total", outcome="held", show=sid) == 2 + 12
    assert v("boxoffice_bookings_total", outcome="confirmed", show=sid) == 1
    assert v("boxoffice_bookings_total", outcome="released", show=sid) == 1
    assert v("boxoffice_booking_seats_total", outcome="expired", show=sid) == 12
    assert v("boxoffice_expiry_released_holds_total") == 12
    assert v("boxoffice_expiry_lag_seconds") == 0
    assert v("boxoffice_expiry_batch_size_sum") == 12
    # 1 conflict in 3 sales + 14 holds + 1 conflict
    assert v("boxoffice_conflict_rate", show=sid) == pytest.approx(1 / 18)
    assert v("boxoffice_database_up") == 1 and v("boxoffice_schema_at_head") == 1
    assert v("boxoffice_expiry_runners") == 1

    assert w.stop() == 0
    records = w.records()  # every line parsed as JSON
    assert all({"time", "level", "component", "counter", "message"} <= r.keys()
               for r in records)
    assert all(r["counter"] == "ops-test" for r in records)
    last = records[-1]
    assert last["reason"] == "SIGTERM" and "stopped" in last["message"]
    in_file = (w.log_dir / "expiry-worker.log").read_text().splitlines()
    assert [json.loads(line)["message"] for line in in_file] == [r["message"] for r in records]


def test_second_worker_sees_the_first(db: Database, worker_of: Callable[..., Worker]) -> None:
    a = worker_of(db.url)
    b = worker_of(db.url)
    _, health = wait_for(lambda: (lambda h: h if h[1]["expiry"]["other_runners"] else None)(
        b.health()), 30, "b to see a")
    assert any(str(a.proc.pid) in o["application"] for o in health["expiry"]["other_runners"])
    assert health["expiry"]["workers_connected"] == 2
    wait_for(lambda: b.value("boxoffice_expiry_runners") == 2, 30, "2 runners")
    assert a.stop() == 0 and b.stop() == 0


def test_schema_behind_head_is_not_ready_then_clears(
        pg_admin: str, worker_of: Callable[..., Worker]) -> None:
    name = dbutil.fresh_name()
    url = dbutil.create_database(pg_admin, name)
    engine = make_engine(url)
    try:
        upgrade(engine, "0002")
        w = worker_of(url)
        status, body = w.health()
        assert status == 503 and not body["ready"] and body["database"]
        assert body["schema"]["current"] == "0002"
        assert [a["name"] for a in body["alerts"]] == ["schema_behind_head"]
        assert w.value("boxoffice_schema_at_head") == 0
        assert w.value("boxoffice_alert_firing", alert="schema_behind_head") == 1
        errors = [r for r in w.records() if r["level"] == "ERROR"]
        assert errors and errors[0]["alert"] == "schema_behind_head"

        upgrade(engine)  # the manager runs 'boxoffice db upgrade': the worker recovers
        wait_for(lambda: w.health()[0] == 200, 30, "ready after the upgrade")
        assert w.health()[1]["alerts"] == []
        wait_for(lambda: any(r.get("alert") == "schema_behind_head" and r["level"] == "INFO"
                             for r in w.records()), 10, "the clearing line")
        assert w.stop() == 0
    finally:
        engine.dispose()
        dbutil.drop_database(pg_admin, name)


class Forwarder:
    """A TCP forwarder to PostgreSQL that can be switched off (the database "stops" for
    whoever connects through it) and on again, on the same port."""

    def __init__(self, upstream: Callable[[], socket.socket]) -> None:
        self.upstream = upstream
        probe = socket.create_server(("127.0.0.1", 0))
        self.port = probe.getsockname()[1]
        probe.close()
        self.lock = threading.Lock()
        self.links: list[socket.socket] = []
        self.listener: socket.socket | None = None
        self.start()

    def start(self) -> None:
        with self.lock:
            self.listener = socket.create_server(("127.0.0.1", self.port))
        threading.Thread(target=self._accept, args=(self.listener,), daemon=True).start()

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            with self.lock:
                if self.listener is not listener:  # switched off meanwhile: refuse it
                    client.close()
                    return
                server = self.upstream()
                self.links += [client, server]
            for a, b in ((client, server), (server, client)):
                threading.Thread(target=self._pump, args=(a, b), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket) -> None:
        try:
            while data := src.recv(65536):
                dst.sendall(data)
        except OSError:
            pass
        for s in (src, dst):
            try:
                s.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def stop(self) -> None:
        with self.lock:
            listener, self.listener = self.listener, None
            if listener is not None:
                # close() alone leaves a thread blocked in accept() listening on Linux;
                # shutdown() wakes it.
                try:
                    listener.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                listener.close()
            for s in self.links:
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                s.close()
            self.links.clear()


def test_database_stopped_and_back(db: Database, worker_of: Callable[..., Worker]) -> None:
    from sqlalchemy import make_url

    real = make_url(db.url)
    socket_dir = real.query.get("host")  # the embedded server listens on a Unix socket
    if isinstance(socket_dir, str) and socket_dir.startswith("/"):
        path = f"{socket_dir}/.s.PGSQL.{real.port or 5432}"

        def upstream() -> socket.socket:
            unix = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            unix.connect(path)
            return unix
    else:
        def upstream() -> socket.socket:
            return socket.create_connection((real.host or "127.0.0.1", real.port or 5432))
    fwd = Forwarder(upstream)
    url = real.set(host="127.0.0.1", port=fwd.port,
                   query={"sslmode": "disable", "gssencmode": "disable"}
                   ).render_as_string(hide_password=False)
    w = worker_of(url)
    try:
        wait_for(lambda: w.health()[0] == 200, 30, "ready")
        fwd.stop()
        status, body = wait_for(lambda: (lambda h: h if h[0] == 503 else None)(w.health()),
                                30, "not ready")
        assert body["live"] and not body["database"] and not body["ready"]
        assert [a["name"] for a in body["alerts"]] == ["database_down"]
        assert w.value("boxoffice_database_up") == 0
        assert w.get("/health/live")[0] == 200
        fwd.start()
        wait_for(lambda: w.health()[0] == 200, 60, "ready again")
        assert w.health()[1]["alerts"] == []
        assert w.stop() == 0
    finally:
        fwd.stop()


@pytest.mark.slow
def test_sigterm_mid_backlog_leaves_whole_batches(
        db: Database, worker_of: Callable[..., Worker]) -> None:
    from sqlalchemy import text

    from boxoffice.audit import violations

    hall = shows.create_hall(db, "Big", Layout.grid(100, 100))
    show = shows.create_show(db, "Busy", dbutil.tomorrow(), hall=hall.id)
    dbutil.seed_stale_holds(db, show.id, 10_000)

    def expired() -> int:
        with db.engine.connect() as conn:
            return int(conn.execute(text(
                "SELECT count(*) FROM booking_events WHERE kind = 'booking_expired'")
            ).scalar_one())

    w = worker_of(db.url, env={"BOXOFFICE_EXPIRY_BATCH": "100"})
    wait_for(lambda: expired() > 0, 60, "expiry to start")
    assert w.stop() == 0
    done = expired()
    with db.engine.connect() as conn:
        pending = conn.execute(text("SELECT count(*) FROM bookings WHERE status = 'PENDING'")
                               ).scalar_one()
        assert violations(conn) == {}
    print(f"\nSIGTERM after {done} of 10000 expired")
    assert done + pending == 10_000 and pending > 0  # stopped mid-run
    assert done % 100 == 0  # batches are whole: the one in hand committed, none half-done
    last = w.records()[-1]
    assert last["reason"] == "SIGTERM" and "batch in hand" in last["message"]


def test_a_taken_port_does_not_stop_expiry(db: Database, show: shows.ShowView,
                                           tmp_path: Path) -> None:
    """Releasing seats matters more than being watched: the worker logs the port clash at
    ERROR and keeps expiring holds."""
    from sqlalchemy import text

    busy = socket.create_server(("127.0.0.1", 0))
    port = busy.getsockname()[1]
    env = {k: v for k, v in os.environ.items()
           if k not in LIBPQ_VARS and not k.startswith("BOXOFFICE_")}
    env["BOXOFFICE_LOG_DIR"] = str(tmp_path)
    proc = subprocess.Popen(
        [sys.executable, "-m", "boxoffice.cli", "expiry-worker", "--port", str(port),
         "--interval", "0.2", "--database-url", db.url],
        env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        dbutil.seed_stale_holds(db, show.id, 3)

        def pending() -> int:
            with db.engine.connect() as conn:
                return int(conn.execute(text(
                    "SELECT count(*) FROM bookings WHERE status = 'PENDING'")).scalar_one())

        wait_for(lambda: pending() == 0, 60, "the holds to expire")
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        busy.close()
        if proc.poll() is None:
            proc.kill()
            proc.communicate()
    assert proc.returncode == 0
    records = [json.loads(line) for line in err.splitlines()]
    clash = [r for r in records if r["level"] == "ERROR" and "alert" not in r]
    assert len(clash) == 1 and f":{port}" in clash[0]["message"]
    assert "port" not in {k for r in records for k in r}  # nothing claims to listen


def test_bad_port_is_refused(db_url: str) -> None:
    r = subprocess.run([sys.executable, "-m", "boxoffice.cli", "expiry-worker", "--port",
                        "70000", "--database-url", db_url], capture_output=True, text=True,
                       timeout=120)
    assert r.returncode == 2 and "--port must be between" in r.stderr
