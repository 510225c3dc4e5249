"""Counter-window fixtures: QSettings in a temp folder, windows with their own Database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from PySide6.QtCore import QSettings

from tests import dbutil


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
