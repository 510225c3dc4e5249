"""A primary and a synchronous hot standby of the test's own, on loopback ports.

Built from the pgserver wheel's binaries (initdb, pg_basebackup -R, pg_ctl, pg_rewind)
the way ``tests/faults/server.py`` builds one server: as root, the servers run as the
``pgserver`` system user. The primary waits for the standby on every commit
(``synchronous_standby_names = '*'``, ``synchronous_commit = on``), so a commit that
was acknowledged is on the standby when the primary is killed.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import time
import warnings
from pathlib import Path
from typing import Any

import psycopg

from tests import dbutil
from tests.faults.server import free_port

CONF = """
max_connections = 100
fsync = off
log_min_messages = fatal
wal_level = replica
max_wal_senders = 10
hot_standby = on
wal_log_hints = on
wal_keep_size = '512MB'
synchronous_standby_names = '*'
synchronous_commit = on
wal_receiver_status_interval = 1s
"""


class Node:
    """One server's data folder, port and pg_ctl."""

    def __init__(self, base: Path, name: str, user: str | None, commands: Any) -> None:
        self.name = name
        self.pgdata = base / name
        self.sockets = base / f"{name}-sockets"
        self.port = free_port()
        self.user = user
        self._commands = commands
        self.sockets.mkdir(mode=0o700)
        if user is not None:
            shutil.chown(self.sockets, user, user)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    @property
    def host(self) -> str:
        return f"127.0.0.1:{self.port}"

    def url(self, dbname: str) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/{dbname}"

    def pg_ctl(self, args: list[str], timeout: float = 60) -> None:
        self._commands.pg_ctl(args, pgdata=self.pgdata, user=self.user, timeout=timeout)

    def start(self) -> None:
        self.pg_ctl(["-w", "-o", f"-h 127.0.0.1 -p {self.port} -k {self.sockets}",
                     "-l", str(self.pgdata.parent / f"{self.name}.log"), "start"])
        self.wait_ready()

    def kill(self) -> None:
        """``pg_ctl -m immediate``: every backend dies at once, as in a crash."""
        self.pg_ctl(["-m", "immediate", "stop"])

    def stop(self) -> None:
        try:
            self.pg_ctl(["-w", "-m", "immediate", "stop"])
        except subprocess.CalledProcessError:
            pass  # not running

    def promote(self) -> None:
        self.pg_ctl(["-w", "promote"])

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

    def sql(self, statement: str) -> list[tuple[Any, ...]]:
        with psycopg.connect(self.admin_url, autocommit=True, connect_timeout=5) as conn:
            cur = conn.execute(statement)
            return cur.fetchall() if cur.description else []

    def in_recovery(self) -> bool:
        return bool(self.sql("SELECT pg_is_in_recovery()")[0][0])


class Cluster:
    """``primary`` and ``standby``; ``fail_over()`` kills one and promotes the other."""

    def __init__(self) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # platformdirs' XDG_RUNTIME_DIR warning
            from pgserver import _commands
        self._commands = _commands
        self.base = dbutil.private_dir()
        self.user: str | None = None
        if os.name != "nt" and os.geteuid() == 0:
            from pgserver.utils import ensure_prefix_permissions, ensure_user_exists

            self.user = "pgserver"
            ensure_user_exists(self.user)
            ensure_prefix_permissions(self.base)
            shutil.chown(self.base, self.user, self.user)
        self.primary = Node(self.base, "one", self.user, _commands)
        self.standby = Node(self.base, "two", self.user, _commands)
        self.primary.pgdata.mkdir(mode=0o700)
        if self.user is not None:
            shutil.chown(self.primary.pgdata, self.user, self.user)
        _commands.initdb(["--auth=trust", "--auth-local=trust", "--encoding=utf8",
                          "-U", "postgres"], pgdata=self.primary.pgdata, user=self.user)
        with open(self.primary.pgdata / "postgresql.conf", "a") as conf:
            conf.write(CONF)
        self.primary.start()
        self.basebackup(self.standby, self.primary)
        self.standby.start()
        self.wait_synchronous(self.primary)

    def basebackup(self, node: Node, source: Node) -> None:
        """``pg_basebackup -R``: a copy of ``source`` that starts as its standby."""
        self._commands.pg_basebackup(
            ["-D", str(node.pgdata), "-R", "-X", "stream", "-c", "fast",
             "-h", "127.0.0.1", "-p", str(source.port), "-U", "postgres"],
            user=self.user, timeout=120)

    def wait_synchronous(self, primary: Node, timeout: float = 30) -> None:
        give_up = time.monotonic() + timeout
        while not primary.sql("SELECT 1 FROM pg_stat_replication WHERE sync_state = 'sync'"):
            if time.monotonic() > give_up:
                raise TimeoutError("the standby never became synchronous")
            time.sleep(0.05)

    def host_list(self, dbname: str) -> str:
        """The counters' address: both servers, whichever accepts writes."""
        return (f"postgresql://postgres@{self.primary.host},{self.standby.host}/{dbname}"
                "?target_session_attrs=read-write&connect_timeout=2")

    def fail_over(self, detect_seconds: float = 0.0) -> None:
        """Kill the primary, promote the standby ``detect_seconds`` later, and (as
        pg_auto_failover does when the standby is gone) stop waiting for a synchronous
        standby that is not there."""
        self.primary.kill()
        time.sleep(detect_seconds)
        self.standby.promote()
        self.standby.sql("ALTER SYSTEM SET synchronous_standby_names = ''")
        self.standby.sql("SELECT pg_reload_conf()")
        self.primary, self.standby = self.standby, self.primary

    def rejoin(self) -> None:
        """The old primary (now ``standby``, stopped) rewound onto the new primary's
        timeline and started as its standby; the traps of docs/high-availability.md."""
        new, old = self.primary, self.standby
        new.sql("CHECKPOINT")  # pg_rewind reads the timeline from the control file
        self._commands.pg_rewind(
            ["--target-pgdata", str(old.pgdata), "--source-server",
             f"host=127.0.0.1 port={new.port} user=postgres dbname=postgres",
             "--write-recovery-conf"], user=self.user, timeout=120)
        # pg_rewind copied the new primary's postgresql.auto.conf: the rejoined server
        # must not itself wait for a synchronous standby (it is one).
        auto = old.pgdata / "postgresql.auto.conf"
        lines = [ln for ln in auto.read_text().splitlines()
                 if not ln.startswith("synchronous_standby_names")]
        auto.write_text("\n".join(lines) + "\n")
        old.start()
        new.sql("ALTER SYSTEM SET synchronous_standby_names = '*'")
        new.sql("SELECT pg_reload_conf()")
        self.wait_synchronous(new)

    def destroy(self) -> None:
        for node in (self.primary, self.standby):
            node.stop()
        shutil.rmtree(self.base, ignore_errors=True)
