"""A real PgBouncer (Debian's package) in transaction pooling, in front of the test server.

Run as a non-root user on a loopback port with its ini and userlist in a private folder;
``skip_reason()`` is the one reason a test may skip: the binary is not on this machine.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
from pathlib import Path

import psycopg

from boxoffice.connections import address
from tests import dbutil
from tests.faults.server import free_port

CANDIDATES = ("pgbouncer", "/usr/sbin/pgbouncer", "/usr/bin/pgbouncer")


def binary() -> str | None:
    for name in CANDIDATES:
        found = shutil.which(name)
        if found:
            return found
    return None


def skip_reason() -> str | None:
    if binary() is None:
        return ("PgBouncer is not installed (Debian package pgbouncer; .ci/run installs it), "
                "so the pooled-connection tests cannot run here")
    return None


class Bouncer:
    """``pgbouncer`` on 127.0.0.1:<free port> forwarding every database to ``server_url``."""

    def __init__(self, server_url: str, *, pool_mode: str = "transaction",
                 pool_size: int = 4) -> None:
        exe = binary()
        assert exe is not None
        where = address(server_url)
        host = where.hosts[0] if where.hosts else "127.0.0.1"
        port = where.ports[0] if where.ports else "5432"
        self.user = (where.user or "postgres")
        self.base = dbutil.private_dir()
        self.port = free_port()
        run_as: str | None = None
        if os.name != "nt" and os.geteuid() == 0:
            from pgserver.utils import ensure_user_exists

            run_as = "pgserver"  # PgBouncer refuses to run as root
            ensure_user_exists(run_as)
        (self.base / "userlist.txt").write_text(f'"{self.user}" ""\n')
        ini = self.base / "pgbouncer.ini"
        ini.write_text(f"""[databases]
* = host={host} port={port}

[pgbouncer]
listen_addr = 127.0.0.1
listen_port = {self.port}
unix_socket_dir =
auth_type = trust
auth_file = {self.base / 'userlist.txt'}
pool_mode = {pool_mode}
default_pool_size = {pool_size}
max_client_conn = 200
logfile = {self.base / 'pgbouncer.log'}
pidfile = {self.base / 'pgbouncer.pid'}
ignore_startup_parameters = extra_float_digits
""")
        if run_as is not None:
            for path in (self.base, ini, self.base / "userlist.txt"):
                shutil.chown(path, run_as, run_as)
        self.proc = subprocess.Popen([exe, str(ini)], user=run_as, stdout=subprocess.DEVNULL,
                                     stderr=subprocess.PIPE)
        self._wait_listening()

    def _wait_listening(self, timeout: float = 15) -> None:
        give_up = time.monotonic() + timeout
        while time.monotonic() < give_up:
            if self.proc.poll() is not None:
                err = self.proc.stderr.read().decode() if self.proc.stderr else ""
                raise RuntimeError(f"pgbouncer exited: {err}{self.log()}")
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError(f"pgbouncer did not listen on {self.port}: {self.log()}")

    def url(self, dbname: str) -> str:
        return f"postgresql://{self.user}@127.0.0.1:{self.port}/{dbname}"

    def log(self) -> str:
        path = self.base / "pgbouncer.log"
        return path.read_text()[-2000:] if path.exists() else ""

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(10)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(5)
        if self.proc.stderr:
            self.proc.stderr.close()
        shutil.rmtree(self.base, ignore_errors=True)


def reachable(url: str) -> bool:
    try:
        psycopg.connect(url, connect_timeout=3).close()
        return True
    except psycopg.OperationalError:
        return False


__all__ = ["Bouncer", "binary", "skip_reason", "Path"]
