"""Password logins on a server that checks them (the shared test servers trust every
local login, so this test starts its own PostgreSQL with scram-sha-256 on TCP)."""

from __future__ import annotations

import os
import shutil
import socket
from collections.abc import Iterator
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text

from boxoffice import booking, shows, staff
from boxoffice.db import upgrade
from boxoffice.errors import LoginFailed
from boxoffice.layout import Layout
from tests import dbutil


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def password_server() -> Iterator[tuple[str, int]]:
    """(socket dir, port) of a private server: trust on its socket, passwords over TCP."""
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver import _commands as pg
        from pgserver.utils import ensure_user_exists

    root = dbutil.private_dir()
    pgdata = root / "pg"
    user = None
    if os.geteuid() == 0:  # PostgreSQL refuses to run as root; pgserver's own user runs it
        ensure_user_exists("pgserver")
        user = "pgserver"
        pgdata.mkdir()
        shutil.chown(pgdata, "pgserver", "pgserver")
    port = _free_port()
    pg.initdb(["--auth-local=trust", "--auth-host=scram-sha-256", "-U", "postgres",
               "--encoding=utf8"], pgdata=pgdata, user=user)
    pg.pg_ctl(["-w", "-o", f"-h 127.0.0.1 -p {port} -k {pgdata}", "-l", str(pgdata / "log"),
               "start"], pgdata=pgdata, user=user, timeout=60)
    try:
        yield str(pgdata), port
    finally:
        pg.pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=pgdata, user=user, timeout=60)
        shutil.rmtree(root, ignore_errors=True)


def test_bad_password_disabled_login_and_pgpass(password_server: tuple[str, int],
                                                tmp_path: Path) -> None:
    sockdir, port = password_server
    owner_url = f"postgresql://postgres@/postgres?host={sockdir}&port={port}"
    with psycopg.connect(owner_url, autocommit=True) as conn:
        conn.execute("CREATE DATABASE venue")
    owner = dbutil.open_db(f"postgresql://postgres@/venue?host={sockdir}&port={port}")
    try:
        upgrade(owner.engine)
        hall = shows.create_hall(owner, "Hall", Layout.grid(2, 4))
        show = shows.create_show(owner, "Show", dbutil.tomorrow(), hall=hall.id)
        staff.add_staff(owner, "pw_clerk", "clerk", "correct horse battery")

        wrong = dbutil.open_db(f"postgresql://pw_clerk:nope@127.0.0.1:{port}/venue")
        with pytest.raises(LoginFailed, match="user name or password is wrong"):
            shows.list_shows(wrong)
        wrong.dispose()

        # The right password from libpq's own .pgpass: nothing in the URL or settings.
        pgpass = tmp_path / "pgpass"
        pgpass.write_text(f"127.0.0.1:{port}:venue:pw_clerk:correct horse battery\n")
        pgpass.chmod(0o600)
        os.environ["PGPASSFILE"] = str(pgpass)
        try:
            clerk = dbutil.open_db(f"postgresql://pw_clerk@127.0.0.1:{port}/venue")
            sold = booking.sell(clerk, show.id, ["A1"], clerk="whoever")
            assert sold.user_name == "pw_clerk"
            assert staff.my_rights(clerk).role == "clerk"
            clerk.dispose()
        finally:
            del os.environ["PGPASSFILE"]

        staff.set_password(owner, "pw_clerk", "a new long password")
        old = dbutil.open_db(f"postgresql://pw_clerk:correct%20horse%20battery@127.0.0.1:{port}/venue")
        with pytest.raises(LoginFailed):
            shows.list_shows(old)
        old.dispose()

        staff.disable(owner, "pw_clerk")
        off = dbutil.open_db(f"postgresql://pw_clerk:a%20new%20long%20password@127.0.0.1:{port}/venue")
        with pytest.raises(LoginFailed, match="disabled"):
            shows.list_shows(off)
        off.dispose()
        with owner.engine.connect() as conn:
            assert conn.execute(text("SELECT count(*) FROM bookings")).scalar_one() == 1
    finally:
        owner.dispose()
        with psycopg.connect(owner_url, autocommit=True) as conn:
            conn.execute("DROP DATABASE IF EXISTS venue WITH (FORCE)")
            conn.execute("DROP ROLE IF EXISTS pw_clerk")

