"""A counter needs at most its live connection plus a pool of three (README,
"Connections"): measured in pg_stat_activity while a manager's counter sells, runs the
expiry job, watches alerts and opens the operations window."""

from __future__ import annotations

import threading
from collections.abc import Iterator

import psycopg
import pytest
from PySide6.QtCore import QSettings

from boxoffice import booking, shows
from boxoffice.config import load_settings
from boxoffice.db import COUNTER_POOL, Database, libpq_url
from boxoffice.expiry import ExpiryRunner
from tests import dbutil

pytestmark = pytest.mark.qt_log_ignore(r"This plugin does not support propagateSizeHints")


class Sampler:
    """The most backends of this database named boxoffice* at any moment."""

    def __init__(self, url: str) -> None:
        self.conn = psycopg.connect(libpq_url(url), autocommit=True,
                                    application_name="connection-sampler")
        self.peak = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            n = self.conn.execute(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name LIKE 'boxoffice%'").fetchone()
            self.peak = max(self.peak, int(n[0]) if n else 0)
            self._stop.wait(0.01)

    def stop(self) -> int:
        self._stop.set()
        self._thread.join(5)
        self.conn.close()
        return self.peak


@pytest.fixture
def counter_db(db_url: str) -> Iterator[Database]:
    database = Database.connect(load_settings(db_url))
    yield database
    database.dispose()


def test_a_counter_holds_at_most_its_live_connection_and_three_pooled(
        qtbot, counter_db: Database, show: shows.ShowView) -> None:  # type: ignore[no-untyped-def]
    from boxoffice.ui.counter.main_window import MainWindow

    assert (counter_db.engine.pool.size(), counter_db.engine.pool._max_overflow) == (  # type: ignore[attr-defined]
        COUNTER_POOL, 0)
    sampler = Sampler(counter_db.url)
    runner = ExpiryRunner(counter_db, interval=1)
    window = MainWindow(counter_db, counter="Counter 1", clerk="alice", settings=QSettings(),
                        expiry_runner=runner)
    window.confirm_close = False
    try:
        window.show()
        qtbot.waitExposed(window)
        assert window.live is not None and window.live.wait_connected(10)
        runner.start()
        qtbot.waitUntil(lambda: window.show_list.model.row_of(show.id) >= 0)
        window.show_list.select_show(show.id)
        qtbot.waitUntil(lambda: window.model.show_id == show.id)
        with dbutil.seeding():  # the test's own sales, through this counter's pool
            for seat in ("C1", "C2", "C3", "C4"):
                booking.sell(counter_db, show.id, [seat], clerk="alice")
        ops = window.open_operations()
        qtbot.addWidget(ops)
        qtbot.waitUntil(lambda: window.model.states[window.model.index_of("C4")] != 0)
        window.runner.wait_idle()
    finally:
        peak = sampler.stop()
        runner.stop()
        window.close()
        window.shutdown()
    print(f"peak connections of one counter: {peak}")
    assert 2 <= peak <= 1 + COUNTER_POOL
