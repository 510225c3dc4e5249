"""Start-up and memory: `boxoffice` to a usable window, and the counter's resident memory.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/startup_bench.py [--runs 5] \\
        [--memory-url postgresql://postgres@127.0.0.1:5432/postgres] [--seats 100000] [--quick]

Start-up: a private data folder gets the embedded PostgreSQL and `boxoffice demo`; then
`boxoffice` (the real command, in a fresh process each run, its own settings folder) is
timed from the process start to the counter window shown with its show list loaded. The
first run starts the embedded server (cold); the others find it running (warm).
Memory (with ``--memory-url``): in a fresh process, the counter window (the real
``MainWindow``) opens a ``--seats`` show on a scratch database of that server; resident
memory before the window, with the window, and with the show open (VmRSS, and VmHWM the
peak). ``BOXOFFICE_BENCH_TREE`` runs another tree's code with this same script.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

TREE = os.environ.get("BOXOFFICE_BENCH_TREE") or str(Path(__file__).resolve().parents[1])

# Runs inside the timed `boxoffice` process: waits for the usable window, reports, exits.
_PROBE = r"""
import os, sys, time, json
sys.path.insert(0, os.environ["BOXOFFICE_BENCH_TREE"])
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
import boxoffice.ui.app as app_module

made = app_module.make_application

def probe(*a, **k):
    app = made(*a, **k)
    def look():
        for w in QApplication.topLevelWidgets():
            if type(w).__name__ == "MainWindow" and w.isVisible() \
                    and w.show_list.model.rowCount() > 0:
                print("#usable " + json.dumps({"at": time.time(),
                      "rss_kb": int(open("/proc/self/statm").read().split()[1])
                      * os.sysconf("SC_PAGE_SIZE") // 1024}), flush=True)
                os._exit(0)
        QTimer.singleShot(5, look)
    QTimer.singleShot(0, look)
    return app

app_module.make_application = probe
from boxoffice.cli import main
sys.exit(main([]))
"""


def _env(data: Path, config: Path) -> dict[str, str]:
    env = dict(os.environ, BOXOFFICE_DATA_DIR=str(data), XDG_CONFIG_HOME=str(config),
               BOXOFFICE_BENCH_TREE=TREE, PYTHONPATH=TREE)
    for k in ("BOXOFFICE_DATABASE_URL", "BOXOFFICE_TEST_DATABASE_URL"):
        env.pop(k, None)
    return env


def startup(runs: int, quick: bool) -> list[str]:
    base = Path(tempfile.mkdtemp(prefix="bo_startup_"))
    data, config = base / "data", base / "config"
    (config / "BoxOffice").mkdir(parents=True)
    env = _env(data, config)
    out: list[str] = []
    try:
        subprocess.run([sys.executable, "-m", "boxoffice", "demo", "--days", "1" if quick else "7"],
                       env=env, check=True, capture_output=True, text=True, cwd=TREE)
        # A named counter: the first-run dialog would wait for a person.
        for name in ("BoxOffice.conf",):
            (config / "BoxOffice" / name).write_text("[counter]\nname=Counter 1\n")
        times, rss = [], []
        for k in range(runs):
            if k == 0:
                _stop_embedded(data)
            t0 = time.time()
            p = subprocess.run([sys.executable, "-c", _PROBE], env=env, capture_output=True,
                               text=True, timeout=120, cwd=TREE)
            line = next((x for x in p.stdout.splitlines() if x.startswith("#usable ")), None)
            if line is None:
                raise RuntimeError(f"no usable window:\n{p.stdout}\n{p.stderr[-2000:]}")
            got = json.loads(line.split(" ", 1)[1])
            times.append(got["at"] - t0)
            rss.append(got["rss_kb"] / 1024)
            print(f"#json startup run={k} seconds={times[-1]:.3f} rss_mb={rss[-1]:.1f}",
                  flush=True)
        warm = times[1:] or times
        out.append(f"`boxoffice` to a usable window (embedded PostgreSQL, demo data): first "
                   f"run {times[0]:.2f} s; then median of {len(warm)} "
                   f"{statistics.median(warm):.2f} s; resident memory then "
                   f"{statistics.median(rss):.0f} MB")
    finally:
        _stop_embedded(data)
        shutil.rmtree(base, ignore_errors=True)
    return out


def _stop_embedded(data: Path) -> None:
    for pgdata in data.rglob("PG_VERSION"):
        d = pgdata.parent
        if (d / "postmaster.pid").exists() and (d / "base").exists():
            bins = sorted(Path("/usr/lib/postgresql").glob("*/bin/pg_ctl"))
            pg_ctl = shutil.which("pg_ctl") or (str(bins[-1]) if bins else "pg_ctl")
            user = ["su", "postgres", "-s", "/bin/sh", "-c"] if os.geteuid() == 0 else None
            cmd = f"{pg_ctl} -D {d} -m fast stop"
            subprocess.run(user + [cmd] if user else cmd.split(), capture_output=True)


def _rss_mb() -> tuple[float, float]:
    fields = dict(line.split(":", 1) for line in Path("/proc/self/status").read_text().splitlines()
                  if ":" in line)
    return (int(fields["VmRSS"].split()[0]) / 1024, int(fields["VmHWM"].split()[0]) / 1024)


def memory_child(url: str, seats: int) -> None:
    sys.path.insert(0, TREE)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from datetime import UTC, datetime, timedelta

    import psycopg
    from psycopg import sql
    from PySide6.QtCore import QCoreApplication, QSettings
    from PySide6.QtWidgets import QApplication
    from sqlalchemy import make_url

    from boxoffice import shows
    from boxoffice.config import Settings
    from boxoffice.db import Database, libpq_url, make_engine, upgrade
    from boxoffice.layout import Layout

    app = QApplication.instance() or QApplication([sys.argv[0]])
    from boxoffice.ui.counter.main_window import MainWindow

    admin = libpq_url(url)
    name = f"bo_mem_{os.getpid()}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    db_url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    try:
        setup = Database(make_engine(db_url), Settings(database_url=db_url), db_url)
        upgrade(setup.engine)
        cols = 400 if seats >= 400 else seats
        hall = shows.create_hall(setup, "Stadium", Layout.grid(max(1, seats // cols), cols))
        show = shows.create_show(setup, "Final", datetime.now(UTC) + timedelta(days=2),
                                 hall=hall.id)
        setup.dispose()
        before = _rss_mb()
        db = Database(make_engine(db_url, pool_size=3), Settings(database_url=db_url), db_url)
        settings = QSettings(str(Path(tempfile.mkdtemp()) / "m.ini"), QSettings.Format.IniFormat)
        w = MainWindow(db, counter="Box 1", clerk="bench", settings=settings)
        w.confirm_close = False
        w.resize(1400, 900)
        w.show()
        end = time.time() + 30
        while w.show_list.model.row_of(show.id) < 0 and time.time() < end:
            QCoreApplication.processEvents()
        window = _rss_mb()
        t = time.perf_counter()
        w.show_list.select_show(show.id)
        while w.model.show_id != show.id and time.time() < end:
            QCoreApplication.processEvents()
        w.grid.viewport().repaint()
        opened = time.perf_counter() - t
        with_show = _rss_mb()
        print("#memory " + json.dumps({"before": before, "window": window, "show": with_show,
                                       "open_s": opened}), flush=True)
        w.close()
        w.shutdown()
        db.dispose()
        del app
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def memory(url: str, seats: int) -> list[str]:
    p = subprocess.run([sys.executable, __file__, "--memory-child", url, str(seats)],
                       capture_output=True, text=True, timeout=300,
                       env=dict(os.environ, BOXOFFICE_BENCH_TREE=TREE, PYTHONPATH=TREE))
    line = next((x for x in p.stdout.splitlines() if x.startswith("#memory ")), None)
    if line is None:
        raise RuntimeError(f"memory run failed:\n{p.stdout}\n{p.stderr[-3000:]}")
    got = json.loads(line.split(" ", 1)[1])
    print(f"#json memory seats={seats} before={got['before'][0]:.1f} window={got['window'][0]:.1f}"
          f" show={got['show'][0]:.1f} peak={got['show'][1]:.1f} open={got['open_s']:.3f}",
          flush=True)
    return [f"Counter window resident memory: {got['before'][0]:.0f} MB before the window, "
            f"{got['window'][0]:.0f} MB with it, {got['show'][0]:.0f} MB with a {seats:,}-seat "
            f"show open (peak {got['show'][1]:.0f} MB); opening the show took "
            f"{got['open_s'] * 1000:.0f} ms"]


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--memory-child":
        memory_child(sys.argv[2], int(sys.argv[3]))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--memory-url", default=None)
    parser.add_argument("--seats", type=int, default=100_000)
    parser.add_argument("--no-startup", action="store_true")
    parser.add_argument("--quick", action="store_true", help="CI: two start-ups, a small show")
    args = parser.parse_args()
    if args.quick:
        args.runs = min(args.runs, 2)
        args.seats = min(args.seats, 1_000)
    lines: list[str] = []
    if not args.no_startup:
        lines += startup(args.runs, args.quick)
    if args.memory_url:
        lines += memory(args.memory_url, args.seats)
    for line in lines:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
