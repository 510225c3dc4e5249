"""Screenshots of the running app for the README: the counter and the wall view.

    .venv/bin/python scripts/screenshots.py --database-url postgresql://.../db [--out docs/screenshots]

The database needs the demo data (``boxoffice demo``). Runs offscreen with its own
temporary QSettings, opens the busiest demo show, selects the best seats, holds two and
grabs the windows with QWidget.grab().
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import QCoreApplication, QElapsedTimer, QSettings, QThread

from boxoffice import booking, shows
from boxoffice.config import load_settings
from boxoffice.db import Database


def spin(ms: int = 300, until=None) -> None:
    t = QElapsedTimer()
    t.start()
    while t.elapsed() < ms or (until is not None and not until() and t.elapsed() < 15_000):
        QCoreApplication.processEvents()
        QThread.msleep(5)
        if until is not None and until() and t.elapsed() >= ms:
            break


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database-url", required=True)
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--show", type=int, default=None, help="show id (default: Main Stage)")
    args = parser.parse_args(argv)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)

    from boxoffice.ui.app import make_application
    from boxoffice.ui.counter.main_window import MainWindow

    app = make_application([sys.argv[0]])  # noqa: F841 - kept alive for the run
    tmp = tempfile.mkdtemp(prefix="boxoffice-shots-")
    QSettings.setDefaultFormat(QSettings.Format.IniFormat)
    QSettings.setPath(QSettings.Format.IniFormat, QSettings.Scope.UserScope, tmp)
    settings = load_settings(args.database_url)
    db = Database.connect(settings)
    all_shows = shows.list_shows(db)
    show = next((s for s in all_shows if s.id == args.show), None) or next(
        (s for s in all_shows if s.hall_name == "Main Stage"), all_shows[0])

    window = MainWindow(db, counter="Counter 1", clerk="alice", settings=QSettings())
    window.confirm_close = False
    window.resize(1400, 900)
    window.show()
    spin(300, lambda: window.show_list.model.rowCount() > 0)
    window.show_list.select_show(show.id)
    spin(300, lambda: window.model.show_id == show.id)
    window.grid.setFocus()
    window.panel.pick_best(2)
    picked = window.model.selected_labels()
    window.panel.hold()
    spin(400, lambda: window.panel.hold_view is not None)
    window.panel.customer.setText("Ada Lovelace")
    window.panel.pick_best(4)
    spin(200)
    window.grab().save(str(out / "counter.png"))
    print("wrote", out / "counter.png", "held", picked)

    wall = window.open_wall_view(full_screen=False)
    wall.resize(1400, 860)
    spin(500, lambda: wall.model.show_id == show.id)
    wall.grab().save(str(out / "wall.png"))
    print("wrote", out / "wall.png")
    if window.panel.hold_view is not None:
        booking.release(db, window.panel.hold_view.id, clerk="alice", counter="Counter 1")
        window.panel.hold_view = None
    window.close()
    db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
