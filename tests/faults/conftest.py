"""Fixtures for the fault suite: a PostgreSQL server of its own, and how long to storm."""

from __future__ import annotations

import os
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
    # The option exists when pytest is pointed at tests/faults (pytest reads a sub-folder's
    # pytest_addoption only then); BOXOFFICE_FAULTS_MINUTES works from anywhere.
    minutes = request.config.getoption("--faults-minutes", default=None)
    if minutes is None and os.environ.get("BOXOFFICE_FAULTS_MINUTES"):
        minutes = float(os.environ["BOXOFFICE_FAULTS_MINUTES"])
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
