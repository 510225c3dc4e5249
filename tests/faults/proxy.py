"""A TCP proxy in front of PostgreSQL that loses answers on purpose.

It reads the frontend/backend protocol only as far as message boundaries. When a client
sends a write's last message (a simple ``COMMIT``, or the Sync or simple query of a
statement that calls ``boxoffice_book`` or ``boxoffice_pay``, which commit on their own
in autocommit), the proxy may cut
the client off:

* ``after``: forward the message, close the client's socket, and keep reading the
  server until it says ReadyForQuery: the write committed, the client never hears so;
* ``before``: close both sides without forwarding: the write never happened.

Either way the client sees a lost connection and cannot tell which. Clients must
connect with ``sslmode=disable&gssencmode=disable`` so the stream is plain protocol.
"""

from __future__ import annotations

import random
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

_WRITE = re.compile(rb"\bcommit\b|boxoffice_book|boxoffice_pay", re.IGNORECASE)


@dataclass
class ProxyStats:
    connections: int = 0
    cut_after_commit: int = 0  # the write committed, its answer was dropped
    cut_before_commit: int = 0  # the write was dropped before the server saw it
    draining: int = 0  # cut links still reading the server's answer
    lock: threading.Lock = field(default_factory=threading.Lock)


def _cstring(buf: bytes, at: int) -> tuple[bytes, int]:
    end = buf.index(b"\0", at)
    return buf[at:end], end + 1


class FaultProxy:
    """Listen on 127.0.0.1:<port>, forward to ``upstream``; cut with probability ``rate``."""

    def __init__(self, upstream_port: int, *, rate: float = 0.05, seed: int = 0) -> None:
        self.upstream = ("127.0.0.1", upstream_port)
        self.rate = rate
        self.rng = random.Random(seed)
        self.stats = ProxyStats()
        self.plan: list[str] = []  # fates for the next writes, before any random ones
        self.enabled = threading.Event()
        self.enabled.set()
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = int(self._listener.getsockname()[1])
        self._closing = threading.Event()
        self._sockets: set[socket.socket] = set()  # every link's, closed by close()
        self._thread = threading.Thread(target=self._accept, name="fault-proxy", daemon=True)
        self._thread.start()

    def url(self, database: str) -> str:
        return (f"postgresql://postgres@127.0.0.1:{self.port}/{database}"
                "?sslmode=disable&gssencmode=disable")

    def wait_drained(self, timeout: float = 10.0) -> None:
        """Until every cut write has been answered by the server (and so committed)."""
        give_up = time.monotonic() + timeout
        while self.stats.draining and time.monotonic() < give_up:
            time.sleep(0.01)
        assert not self.stats.draining, "the server never answered a cut write"

    def close(self) -> None:
        """Stop listening and cut every link still open: no socket outlives the proxy."""
        self._closing.set()
        self._listener.close()
        with self.stats.lock:
            open_sockets = list(self._sockets)
            self._sockets.clear()
        for sock in open_sockets:
            try:
                sock.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass
            sock.close()

    def _decide(self) -> str | None:
        if not self.enabled.is_set():
            return None
        with self.stats.lock:
            if self.plan:
                fate = self.plan.pop(0)
                return None if fate == "pass" else fate
            roll = self.rng.random()
            if roll >= self.rate:
                return None
            return "after" if roll < self.rate / 2 else "before"

    def _accept(self) -> None:
        while not self._closing.is_set():
            try:
                client, _ = self._listener.accept()
            except OSError:
                return
            try:
                server = socket.create_connection(self.upstream, timeout=5)
            except OSError:
                client.close()  # the server is down: the client sees a refused start-up
                continue
            server.settimeout(None)
            with self.stats.lock:
                self.stats.connections += 1
                self._sockets.update((client, server))
            _Link(self, client, server).start()


class _Link:
    """One client connection: two pumps, message-aligned in both directions."""

    def __init__(self, proxy: FaultProxy, client: socket.socket, server: socket.socket) -> None:
        self.proxy = proxy
        self.client = client
        self.server = server
        self.cut = threading.Event()  # after a cut: drain the server until ReadyForQuery
        self.statements: dict[bytes, bool] = {}  # prepared name -> is a write
        self.pending_write = False

    def start(self) -> None:
        threading.Thread(target=self._client_to_server, daemon=True).start()
        threading.Thread(target=self._server_to_client, daemon=True).start()

    def _close(self, sock: socket.socket) -> None:
        try:
            sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        sock.close()
        with self.proxy.stats.lock:
            self.proxy._sockets.discard(sock)

    def _client_to_server(self) -> None:
        buf = b""
        started = False
        try:
            while True:
                data = self.client.recv(65536)
                if not data:
                    break
                buf += data
                out = b""
                while True:
                    if not started:  # untyped start-up message: length, then body
                        if len(buf) < 4:
                            break
                        (n,) = struct.unpack("!I", buf[:4])
                        if len(buf) < n:
                            break
                        out, buf, started = out + buf[:n], buf[n:], True
                        continue
                    if len(buf) < 5:
                        break
                    (n,) = struct.unpack("!I", buf[1:5])
                    if len(buf) < n + 1:
                        break
                    msg, buf = buf[:n + 1], buf[n + 1:]
                    out += msg
                    if self._ends_write(msg):
                        how = self.proxy._decide()
                        if how == "before":
                            with self.proxy.stats.lock:
                                self.proxy.stats.cut_before_commit += 1
                            self._close(self.client)
                            self._close(self.server)
                            return
                        if how == "after":
                            with self.proxy.stats.lock:
                                self.proxy.stats.cut_after_commit += 1
                                self.proxy.stats.draining += 1
                            self.cut.set()
                            self.server.sendall(out)
                            self._close(self.client)
                            return  # the other pump drains the answer and closes the server
                if out:
                    self.server.sendall(out)
        except OSError:
            pass
        if not self.cut.is_set():
            self._close(self.server)
            self._close(self.client)

    def _ends_write(self, msg: bytes) -> bool:
        kind = msg[:1]
        if kind == b"Q":  # simple query: the whole transaction step in one message
            return bool(_WRITE.search(msg))
        if kind == b"P":  # Parse: remember whether the statement is a write
            name, at = _cstring(msg, 5)
            query, _ = _cstring(msg, at)
            write = bool(_WRITE.search(query))
            self.statements[name] = write
            self.pending_write = self.pending_write or (write and name == b"")
        elif kind == b"B":  # Bind: a prepared statement by name
            _portal, at = _cstring(msg, 5)
            stmt, _ = _cstring(msg, at)
            if self.statements.get(stmt):
                self.pending_write = True
        elif kind == b"S":  # Sync: the extended-protocol request is complete
            write, self.pending_write = self.pending_write, False
            return write
        return False

    def _server_to_client(self) -> None:
        buf = b""
        try:
            while True:
                data = self.server.recv(65536)
                if not data:
                    break
                if not self.cut.is_set():
                    try:
                        self.client.sendall(data)
                    except OSError:
                        if not self.cut.is_set():
                            break
                    continue
                # Cut: nothing more reaches the client; read until ReadyForQuery.
                buf += data
                done = False
                while len(buf) >= 5:
                    (n,) = struct.unpack("!I", buf[1:5])
                    if len(buf) < n + 1:
                        break
                    kind, buf = buf[:1], buf[n + 1:]
                    if kind == b"Z":
                        done = True
                if done:
                    break
        except OSError:
            pass
        if self.cut.is_set():
            with self.proxy.stats.lock:
                self.proxy.stats.draining -= 1
        self._close(self.server)
        self._close(self.client)
