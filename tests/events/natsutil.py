"""A nats-server of the test's own (JetStream, a loopback port, a tmp store), the relay as
a process or in a thread, and reading back what the broker stored."""

from __future__ import annotations

import asyncio
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from boxoffice.db import Database
from boxoffice.events.relay import STREAM, Relay, RelaySettings

NATS_SERVER = shutil.which("nats-server") or "/usr/sbin/nats-server"
ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_until(check: Callable[[], bool], timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what or check}")
        time.sleep(0.05)


class NatsServer:
    """Started, SIGKILLed and restarted on the same port and store (what it stored on
    file survives, as a real broker's does)."""

    def __init__(self, store: Path) -> None:
        if not os.path.exists(NATS_SERVER):
            pytest.skip("nats-server is not installed (.ci/run installs the Debian package)")
        self.store = store
        self.port = free_port()
        self.url = f"nats://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> NatsServer:
        self.proc = subprocess.Popen(
            [NATS_SERVER, "-js", "-a", "127.0.0.1", "-p", str(self.port), "-sd",
             str(self.store)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._answers, 15, "nats-server to listen")
        return self

    def _answers(self) -> bool:
        assert self.proc is not None
        if self.proc.poll() is not None:
            raise AssertionError(f"nats-server exited with {self.proc.returncode}")
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
            return True
        except OSError:
            return False

    def kill(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.send_signal(signal.SIGKILL)
            self.proc.wait(10)
        self.proc = None


@dataclass(frozen=True, slots=True)
class Stored:
    seq: int
    subject: str
    msg_id: str
    data: bytes


def stored(url: str, stream: str = STREAM) -> list[Stored]:
    """Every message the stream holds, in stream order."""

    async def read() -> list[Stored]:
        import nats
        from nats.js.errors import NotFoundError

        nc = await nats.connect(url, connect_timeout=2)
        try:
            js = nc.jetstream(timeout=5)
            try:
                info = await js.stream_info(stream)
            except NotFoundError:
                return []
            out: list[Stored] = []
            if info.state.messages == 0:
                return out
            for seq in range(info.state.first_seq, info.state.last_seq + 1):
                m = await js.get_msg(stream, seq)
                out.append(Stored(seq, m.subject, (m.headers or {}).get("Nats-Msg-Id", ""),
                                  m.data or b""))
            return out
        finally:
            await nc.close()

    return asyncio.run(read())


def relay_process(db_url: str, nats_url: str, *extra: str) -> subprocess.Popen[bytes]:
    """``boxoffice events relay`` as a process (so it can be SIGKILLed); its log goes to
    ``relay-<pid>.log`` in the temp folder."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    with tempfile.NamedTemporaryFile("wb", prefix="relay-", suffix=".log",
                                     delete=False) as log:
        return subprocess.Popen(
            [sys.executable, "-m", "boxoffice", "events", "relay", "--to", nats_url,
             "--database-url", db_url, "--port", "0", "--log-level", "WARNING", *extra],
            env=env, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log)


def stop_process(proc: subprocess.Popen[bytes], sig: int = signal.SIGTERM) -> None:
    if proc.poll() is None:
        proc.send_signal(sig)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)


class RelayThread:
    """The relay in this process, so a test can read its figures (``relay.report()``)."""

    def __init__(self, db: Database, nats_url: str, **settings: Any) -> None:
        self.relay = Relay(db, RelaySettings(nats_url, **settings))
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        self._loop = asyncio.new_event_loop()
        self._loop.run_until_complete(self.relay.run())
        self._loop.close()

    def __enter__(self) -> Relay:
        self._thread.start()
        return self.relay

    def __exit__(self, *exc: object) -> None:
        wait_until(lambda: self._loop is not None, 5)
        assert self._loop is not None
        self._loop.call_soon_threadsafe(self.relay.stop)
        self._thread.join(20)
        assert not self._thread.is_alive()
