from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.events.natsutil import NatsServer


@pytest.fixture
def nats_server(tmp_path: Path) -> Iterator[NatsServer]:
    """A JetStream broker of this test's own, on a free loopback port."""
    server = NatsServer(tmp_path / "jetstream").start()
    yield server
    server.kill()
