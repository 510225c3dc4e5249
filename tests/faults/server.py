"""A PostgreSQL server of the test's own, on a TCP port, that the test may stop and start.

Built from the pgserver wheel's binaries the same way pgserver does it (as root, the
server runs as the system user ``pgserver``); unlike pgserver's handle it listens on
127.0.0.1 so a fault proxy can sit in front of it, and it keeps its port across restarts.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import warnings
from pathlib import Path

import psycopg

from tests import dbutil


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class OwnServer:
    """initdb + pg_ctl on a folder in ``dbutil.private_dir()``; ``restart()`` is a real one."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs' XDG_RUNTIME_DIR warning
            from pgserver import _commands

        self._commands = _commands
        self.base = dbutil.private_dir()
        self.pgdata = self.base / "pgdata"
        self.port = free_port()
        self.user: str | None = None
        if os.name != "nt" and os.geteuid() == 0:
            from pgserver.utils import ensure_prefix_permissions, ensure_user_exists

            self.user = "pgserver"
            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.base)
        self.pgdata.mkdir(mode=0o700)
        self.sockets = self.base / "sockets"
        self.sockets.mkdir(mode=0o700)
        if self.user is not None:
            for path in (self.pgdata, self.sockets):
                shutil.chown(path, self.user, self.user)
        self._commands.initdb(["--auth=trust", "--auth-local=trust", "--encoding=utf8",
                               "-U", "postgres"], pgdata=self.pgdata, user=self.user)
        with open(self.pgdata / "postgresql.conf", "a") as conf:
            conf.write("\nmax_connections = 200\nfsync = off\nlog_min_messages = fatal\n")
        self.starts = 0
        self.stops = 0
        self.start()

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _pg_ctl(self, args: list[str], timeout: float = 60) -> None:
        self._commands.pg_ctl(args, pgdata=self.pgdata, user=self.user, timeout=timeout)

    def start(self) -> None:
        self._pg_ctl(["-w", "-o", f"-h 127.0.0.1 -p {self.port} -k {self.sockets}",
                      "-l", str(self.pgdata / "log"), "start"])
        self.starts += 1
        self.wait_ready()

    def stop(self) -> None:
        self._pg_ctl(["-w", "-m", "fast", "stop"])
        self.stops += 1

    def restart(self, down_for: float = 0.5) -> None:
        """Stop fast (every session is cut), stay down a moment, start on the same port."""
        self.stop()
        time.sleep(down_for)
        self.start()

    def wait_ready(self, timeout: float = 30) -> None:
        give_up = time.monotonic() + timeout
        while True:
            try:
                psycopg.connect(self.admin_url, connect_timeout=2).close()
                return
            except psycopg.OperationalError:
                if time.monotonic() > give_up:
                    raise
                time.sleep(0.05)

    def destroy(self) -> None:
        try:
            self._pg_ctl(["-w", "-m", "immediate", "stop"])
        except subprocess.CalledProcessError:
            pass  # not running
        shutil.rmtree(self.base, ignore_errors=True)

    def path(self) -> Path:
        return self.pgdata
