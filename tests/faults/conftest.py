"""Fixtures for the fault suite: a PostgreSQL server of its own, and how long to storm."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tests import dbutil
from tests.faults.server import OwnServer


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--faults-minutes", type=float, default=None,
        help="run the fault storm this many minutes (default: a short CI-sized run)")


@pytest.fixture(scope="session")
def storm_seconds(request: pytest.FixtureRequest) -> float:
    minutes = request.config.getoption("--faults-minutes")
    return 20.0 if minutes is None else float(minutes) * 60


@pytest.fixture(scope="module")
def own_server() -> Iterator[OwnServer]:
    """A server this module may stop, restart and cut; never the one other tests use."""
    server = OwnServer()
    yield server
    server.destroy()


@pytest.fixture(scope="module")
def own_template(own_server: OwnServer) -> str:
    return dbutil.build_template(own_server.admin_url)
