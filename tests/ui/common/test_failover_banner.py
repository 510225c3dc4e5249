"""A request retrying through a failover tells the window, which says so on the banner
and hides it again once the request got its answer."""

from __future__ import annotations

import psycopg
from pytestqt.qtbot import QtBot

from boxoffice import resilience
from boxoffice.db import Database
from boxoffice.ui.common.banner import ConnectionBanner
from boxoffice.ui.common.runner import OperationRunner


def test_a_retried_request_shows_the_failing_over_banner(qtbot: QtBot, db: Database) -> None:
    runner = OperationRunner(db)
    banner = ConnectionBanner()
    qtbot.addWidget(banner)
    runner.failing_over.connect(lambda _what: banner.show_failing_over())
    tries = []

    def sale(_db: Database) -> str:
        def attempt() -> str:
            tries.append(1)
            if len(tries) < 3:
                raise psycopg.OperationalError("server closed the connection unexpectedly")
            return "sold"
        return resilience.with_retries(attempt, what="The sale", backoff=0.01, window=5)

    answers: list[object] = []
    try:
        with qtbot.waitSignal(runner.failing_over, timeout=5000) as told:
            runner.run(sale, success=answers.append)
        assert told.args == ["The sale"]
        qtbot.waitUntil(lambda: answers == ["sold"], timeout=5000)
        assert not banner.isHidden() and banner.failing_over
        assert "database failing over, retrying" in banner.label.text()
        banner.show_restored()
        assert banner.isHidden() and not banner.failing_over
    finally:
        runner.shutdown()
