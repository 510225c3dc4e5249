"""The first print after an exchange is not a REPRINT (issue 13 item 2): the exchange made
new tickets, so nothing printed before is a duplicate of them."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QWidget

from boxoffice import booking, counter, shows
from boxoffice.db import Database
from boxoffice.tickets.service import log_printed, was_printed
from boxoffice.ui.common.runner import OperationRunner
from boxoffice.ui.printing.tickets import save_tickets_pdf
from tests import dbutil


def test_first_print_after_an_exchange_is_no_reprint(qtbot, db_url: str, db: Database,  # type: ignore[no-untyped-def]
                                                     show: shows.ShowView, tmp_path: Path) -> None:
    sold = booking.sell(db, show.id, ["D1", "D2"], clerk="alice")
    log_printed(db, sold.id)
    assert was_printed(db, sold.id)
    counter.exchange(db, sold.id, ["E1", "E2"], clerk="alice", old_seats=sold.seats)
    assert not was_printed(db, sold.id)  # the tickets for E1, E2 were never printed

    database = dbutil.open_db(db_url)
    runner = OperationRunner(database)
    parent = QWidget()
    qtbot.addWidget(parent)
    try:
        job = save_tickets_pdf(runner, sold.id, parent, tmp_path / "new.pdf")
        with qtbot.waitSignal(job.finished, timeout=10_000) as done:
            pass
        assert "first print" in done.args[0] and not job.reprint
        job = save_tickets_pdf(runner, sold.id, parent, tmp_path / "again.pdf")
        with qtbot.waitSignal(job.finished, timeout=10_000) as done:
            pass
        assert "(reprint)" in done.args[0] and job.reprint  # printed since: a duplicate
    finally:
        runner.shutdown()
        database.dispose()
