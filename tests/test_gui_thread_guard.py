"""The GUI-thread guard in ``Database``: with it on, a database call from the registered
GUI thread is refused (and remembered); other threads, an explicit seeding block and a
test's own connection used outside the screens pass; with it off, it is logged once."""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator

import pytest

from boxoffice import db as db_module
from boxoffice import shows
from boxoffice.db import Database, GuiThreadDatabaseCall
from tests import dbutil


@pytest.fixture
def this_is_the_gui_thread() -> Iterator[None]:
    db_module.register_gui_thread(threading.get_ident())
    db_module.refuse_gui_thread_calls(True)
    yield
    db_module.refuse_gui_thread_calls(False)
    db_module.register_gui_thread(None)


@pytest.fixture
def window_db(db_url: str) -> Iterator[Database]:
    """A Database as a window gets one (not the test's own hands)."""
    database = dbutil.open_db(db_url)
    yield database
    database.dispose()


def test_the_gui_thread_is_refused_and_the_refusal_remembered(
        this_is_the_gui_thread: None, window_db: Database) -> None:
    with pytest.raises(GuiThreadDatabaseCall, match="run it through the OperationRunner"):
        shows.list_shows(window_db)
    (where,) = db_module.refused_gui_thread_calls()
    assert where.startswith("shows.py:") and "test_gui_thread_guard.py" in where


def test_another_thread_and_a_seeding_block_pass(this_is_the_gui_thread: None,
                                                 window_db: Database) -> None:
    got: list[object] = []
    worker = threading.Thread(target=lambda: got.append(shows.list_shows(window_db)))
    worker.start()
    worker.join(30)
    assert got == [[]]
    with dbutil.seeding():
        assert shows.list_shows(window_db) == []
    assert db_module.refused_gui_thread_calls() == []


def test_the_tests_own_connection_passes_but_not_when_the_screens_use_it(
        this_is_the_gui_thread: None, db: Database) -> None:
    assert shows.list_shows(db) == []  # the test seeding or checking: allowed
    from boxoffice.ui.door.window import door_shows  # the screens' code, on this thread

    with pytest.raises(GuiThreadDatabaseCall):
        door_shows(db)
    assert len(db_module.refused_gui_thread_calls()) == 1


def test_off_it_logs_each_call_site_once(window_db: Database,
                                         caplog: pytest.LogCaptureFixture) -> None:
    db_module.refuse_gui_thread_calls(False)
    db_module.register_gui_thread(threading.get_ident())
    try:
        with caplog.at_level(logging.WARNING, logger="boxoffice.db"):
            for _ in range(3):
                shows.list_shows(window_db)
    finally:
        db_module.register_gui_thread(None)
    warned = [r for r in caplog.records if "database call on the GUI thread" in r.message]
    assert len(warned) == 1 and "shows.py" in warned[0].message
    assert db_module.refused_gui_thread_calls() == []
