"""Issue 13 item 32: during an outage the banner showed the driver's raw text cut off at
160 characters, and when the embedded server stopped nothing started it again."""

from __future__ import annotations

import warnings

import pytest

from boxoffice.config import Settings
from boxoffice.db import Database
from boxoffice.ui.common.banner import ConnectionBanner
from boxoffice.ui.common.runner import OperationRunner
from tests import dbutil

RAW = ('connection failed: connection to server at "10.1.2.3", port 5432 failed: Connection '
       'refused\n\tIs the server running on that host and accepting TCP/IP connections?')


def test_the_banner_says_what_the_outage_means(qtbot) -> None:  # type: ignore[no-untyped-def]
    banner = ConnectionBanner()
    qtbot.addWidget(banner)
    banner.show_lost(RAW)
    shown = banner.label.text()
    assert "No connection to the database" in shown and "not running" in shown
    assert "10.1.2.3" not in shown and "TCP/IP" not in shown  # the driver's words: tooltip
    assert banner.toolTip() == RAW


@pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")
def test_a_stopped_embedded_server_is_started_again(qtbot) -> None:  # type: ignore[no-untyped-def]
    from boxoffice.embedded import start_embedded

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from pgserver import _commands as pg
        from pgserver.postgres_server import PostgresServer

    settings = Settings(database_url=None, data_dir=dbutil.private_dir() / "data")
    start_embedded(settings.embedded_pgdata, delete_on_exit=True)
    db = Database.connect(settings, pool_size=1)
    runner = OperationRunner(db)
    try:
        with dbutil.seeding():  # the test's own check that the server is up
            db.ping()
        server = PostgresServer._instances[settings.embedded_pgdata.resolve()]
        pg.pg_ctl(["-w", "-m", "immediate", "stop"], pgdata=server.pgdata,
                  user=server.system_user)  # as a crash or the OS would
        with qtbot.waitSignal(runner.connection_lost, timeout=10_000):
            runner.run(lambda d: d.ping(), failure=lambda _e: None, label="ping")
        with qtbot.waitSignal(runner.connection_restored, timeout=60_000):
            pass
        answered: list[object] = []
        runner.run(lambda d: d.server_version(), success=answered.append, label="version")
        qtbot.waitUntil(lambda: bool(answered), timeout=10_000)
    finally:
        runner.shutdown()
        db.dispose()
