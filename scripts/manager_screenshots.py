"""Screenshots of the manager window's layout editor and the bookings dialog.

    .venv/bin/python scripts/manager_screenshots.py --database-url postgresql://.../db \
        [--out docs/screenshots]

The database needs the demo data (``boxoffice demo``). Runs offscreen with the app's
style sheet and grabs the windows with QWidget.grab(); it writes nothing to the database.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QSettings, QThread

from boxoffice.config import load_settings
from boxoffice.db import Database


def spin(ms: int = 200, until: Callable[[], bool] | None = None) -> None:
    """Run the event loop for ``ms`` and then until ``until()`` holds (15 s at most)."""
    t = QElapsedTimer()
    t.start()
    while t.elapsed() < ms or (until is not None and not until() and t.elapsed() < 15_000):
        QCoreApplication.processEvents()
        QThread.msleep(5)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--hall", default="Main Stage")
    parser.add_argument("--search", default="Lovelace")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from boxoffice.ui.app import make_application
    from boxoffice.ui.bookings.dialog import BookingsDialog
    from boxoffice.ui.common.runner import OperationRunner
    from boxoffice.ui.manager import ManagerWindow

    app = make_application([sys.argv[0]])
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope,
                      tempfile.mkdtemp(prefix="boxoffice-shots-"))
    db = Database.connect(load_settings(args.database_url))
    runner = OperationRunner(db)
    try:
        window = ManagerWindow(runner, counter="Counter 1")
        window.resize(1360, 860)
        window.show()
        spin(200, lambda: not runner.busy)
        window.shows_page.table.selectRow(1)
        spin(100)
        window.grab().save(str(out / "manager_shows.png"))
        print("wrote", out / "manager_shows.png")

        window.tabs.setCurrentWidget(window.halls_page)
        page = window.halls_page
        row = next(i for i, h in enumerate(page.model.halls()) if h.name == args.hall)
        page.view.setCurrentIndex(page.model.index(row))
        spin(200)
        editor = page.editor
        # What a manager does next: give the blocked seats their reason, mark a seat.
        for i in range(editor.reasons_table.rowCount()):
            editor.reasons_table.item(i, 1).setText("House seat")
        editor.set_tool("block")
        editor.reason_combo.setCurrentText("Technician desk")
        editor._apply("P12", "block", True)
        editor._apply("P13", "block", True)
        spin(150)
        window.grab().save(str(out / "layout_editor.png"))
        print("wrote", out / "layout_editor.png")
        window.close()

        dialog = BookingsDialog(runner, counter="Counter 1", clerk="alice")
        dialog.resize(1240, 700)
        dialog.show()
        dialog.search_edit.setText(args.search)
        dialog.search()
        spin(200, lambda: not runner.busy and dialog.model.rowCount() > 0)
        spin(200, lambda: not runner.busy)
        dialog.grab().save(str(out / "bookings.png"))
        print("wrote", out / "bookings.png")
        dialog.close()
    finally:
        runner.shutdown()
        db.dispose()
    del app
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
