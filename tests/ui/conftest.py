"""UI fixtures: the GUI-thread guard, QSettings in a temp folder, windows with their own
Database."""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QSettings

from boxoffice import db as database_module
from tests import dbutil


@pytest.fixture(autouse=True)
def gui_thread_guard() -> Iterator[None]:
    """Every UI test fails if the GUI thread calls the database (design.md: the GUI thread
    never waits on PostgreSQL). pytest-qt runs the test on the GUI thread, so a test's own
    setup and direct checks go inside ``dbutil.seeding()``; the app's calls go through
    the runner's thread. A refusal some ``except Exception`` swallowed fails it too."""
    database_module.register_gui_thread(threading.get_ident())
    database_module.refuse_gui_thread_calls(True)
    yield
    refused = database_module.refused_gui_thread_calls()
    database_module.refuse_gui_thread_calls(False)
    database_module.register_gui_thread(None)
    assert not refused, f"database calls on the GUI thread: {refused}"


@pytest.fixture(autouse=True)
def private_qsettings(tmp_path) -> Iterator[None]:  # type: ignore[no-untyped-def]
    """Tests never read or write the real user's settings."""
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, str(tmp_path / "qs"))
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.SystemScope,
                      str(tmp_path / "qs-system"))
    yield


@pytest.fixture
def runner(db):  # type: ignore[no-untyped-def]
    """An operation runner of its own over the test database (for dialogs and windows)."""
    from boxoffice.ui.common.runner import OperationRunner

    r = OperationRunner(db)
    yield r
    r.shutdown()


@pytest.fixture
def counter_window(qtbot, db_url: str) -> Iterator[Callable[..., object]]:  # type: ignore[no-untyped-def]
    """Make a main window with its own Database, runner and live feed: one counter."""
    from boxoffice.ui.counter.main_window import MainWindow

    made = []

    def make(counter: str = "Counter 1", clerk: str = "alice", **kw: object) -> MainWindow:
        database = dbutil.open_db(db_url)
        window = MainWindow(database, counter=counter, clerk=clerk,
                            settings=QSettings(), **kw)  # type: ignore[arg-type]
        window.confirm_close = False
        made.append((window, database))
        window.show()
        qtbot.waitExposed(window)
        if window.live.feed is not None:
            assert window.live.wait_connected(10)
        return window

    yield make
    for window, database in made:
        window.close()
        window.shutdown()
        database.dispose()
