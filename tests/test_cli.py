"""``boxoffice db upgrade``, ``demo`` and ``expiry-worker`` as an operator runs them."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys

import pytest
from sqlalchemy import text

from boxoffice.config import LIBPQ_VARS
from tests import dbutil

BOXOFFICE = [sys.executable, "-m", "boxoffice.cli"]


def clean_env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in LIBPQ_VARS and not k.startswith("BOXOFFICE_")}
    env.update(extra)
    return env


def cli(*args: str, env: dict[str, str] | None = None, timeout: float = 180
        ) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*BOXOFFICE, *args], capture_output=True, text=True,
                          env=env or clean_env(), timeout=timeout)



def test_upgrade_demo_and_expiry_worker_on_a_shared_server(empty_db: str) -> None:
    refused = cli("demo", "--database-url", empty_db)
    assert refused.returncode == 2 and "boxoffice db upgrade" in refused.stderr
    up = cli("db", "upgrade", "--database-url", empty_db)
    assert up.returncode == 0, up.stderr
    assert "to 0" in up.stdout
    assert cli("db", "current", "--database-url", empty_db).stdout.startswith("current: ")
    demo = cli("demo", "--days", "1", env=clean_env(BOXOFFICE_DATABASE_URL=empty_db))
    assert demo.returncode == 0, demo.stderr
    db = dbutil.open_db(empty_db)
    try:
        with db.engine.connect() as conn:
            n_shows = conn.execute(text("SELECT count(*) FROM shows")).scalar_one()
            biggest = conn.execute(text("SELECT max(total_seats) FROM shows")).scalar_one()
            sold = conn.execute(text("SELECT count(*) FROM bookings WHERE status = 'CONFIRMED'")
                                ).scalar_one()
            held = conn.execute(text("SELECT count(*) FROM bookings WHERE status = 'PENDING'")
                                ).scalar_one()
        assert n_shows == 3 and biggest >= 1990 and sold > 0 and held > 0
        with db.engine.begin() as conn:
            conn.execute(text("UPDATE bookings SET hold_deadline = now() - interval '1s' "
                              "WHERE status = 'PENDING'"))
        once = cli("expiry-worker", "--once", "--database-url", empty_db)
        assert once.returncode == 0 and f"expired {held} holds" in once.stdout
    finally:
        db.dispose()


def test_expiry_worker_stops_cleanly_on_sigterm(db_url: str) -> None:
    proc = subprocess.Popen([*BOXOFFICE, "expiry-worker", "--interval", "0.2", "--database-url",
                             db_url], env=clean_env(), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        # Wait until it has started its scheduler (logged on stderr).
        assert proc.stderr is not None
        for line in proc.stderr:
            if "expiry runner started" in line:
                break
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=30)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0
    assert "stopping on SIGTERM" in err


@pytest.mark.parametrize("args", [["expiry-worker", "--interval", "0"], ["demo", "--days", "0"]])
def test_bad_flags_are_refused(db_url: str, args: list[str]) -> None:
    r = cli(*args, "--database-url", db_url)
    assert r.returncode == 2 and "must be between" in r.stderr


def test_embedded_database_needs_nothing_configured() -> None:
    """No URL and no PG* settings: BoxOffice starts its own PostgreSQL and migrates it."""
    tmp_path = dbutil.private_dir()
    env = clean_env(BOXOFFICE_DATA_DIR=str(tmp_path / "data"))
    try:
        r = cli("expiry-worker", "--once", env=env)
        assert r.returncode == 0, r.stderr
        assert "expired 0 holds" in r.stdout
        r = cli("db", "current", env=env)
        assert r.returncode == 0 and "current: 0" in r.stdout, r.stderr
        assert (tmp_path / "data" / "pgdata" / "PG_VERSION").exists()
    finally:
        shutil.rmtree(tmp_path, ignore_errors=True)


def test_check_audits_the_invariants(db_url: str) -> None:
    ok = cli("check", "--database-url", db_url)
    assert ok.returncode == 0 and "invariants hold" in ok.stdout, ok.stderr
    db = dbutil.open_db(db_url)
    try:
        from boxoffice import booking, shows
        from boxoffice.layout import Layout

        hall = shows.create_hall(db, "H", Layout.grid(2, 4))
        show = shows.create_show(db, "S", dbutil.tomorrow(), hall=hall.id)
        b = booking.sell(db, show.id, ["A1", "A2"], clerk="ann")
        # Corruption only a superuser bypassing every trigger could cause.
        with db.engine.begin() as conn:
            conn.execute(text("SET session_replication_role = replica"))
            conn.execute(text("UPDATE bookings SET status = 'CANCELLED' WHERE id = :b"),
                         {"b": b.id})
    finally:
        db.dispose()
    bad = cli("check", "--database-url", db_url)
    assert bad.returncode == 1
    assert "BROKEN: dead booking owning seats" in bad.stdout
