"""Seat grid benchmark: load-and-paint, full repaint, click-to-repaint, commit-to-repaint.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/seat_grid_bench.py \
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres] [--sales 200]

Without a database URL only the in-memory figures are measured. With one, a scratch
database is created on that server (and dropped afterwards) for the database fetch of a
100,000-seat show and for commit-to-repaint between two independent instances (each
with its own engine, runner and LISTEN connection, as two counters would be).
Figures are medians unless marked; results go to stdout as a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import resource
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from PySide6.QtCore import QCoreApplication, QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from boxoffice import changes
from boxoffice.seatmap import SeatMap, SeatState
from boxoffice.ui.counter.seat_grid import SeatGrid
from boxoffice.ui.counter.seat_grid_model import SeatGridModel

SHAPES = {1_000: (25, 40), 20_000: (100, 200), 100_000: (250, 400)}


def ms(seconds: float) -> str:
    return f"{seconds * 1000:.2f} ms"


def synthetic(rows: int, cols: int) -> SeatMap:
    seats = []
    for r in range(rows):
        for c in range(cols):
            k = r * cols + c
            state = "sold" if k % 3 == 0 else "held" if k % 11 == 0 else "free"
            seats.append(SeatState(f"R{r}-{c + 1}", f"R{r}", r, c, "standard", state,
                                   booking_id=k if state != "free" else None,
                                   counter="Box 2" if state != "free" else None))
    return SeatMap(1, "Bench", datetime(2030, 1, 1, tzinfo=UTC), "Arena", tuple(seats))


def repaint_time(grid: SeatGrid, n: int = 30) -> float:
    times = []
    for _ in range(n):
        t = time.perf_counter()
        grid.viewport().repaint()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def rerender_time(grid: SeatGrid, n: int = 15) -> float:
    """A repaint that re-renders the whole view (what a scroll or zoom step costs)."""
    times = []
    for _ in range(n):
        t = time.perf_counter()
        grid._invalidate()
        grid.viewport().repaint()
        times.append(time.perf_counter() - t)
    return statistics.median(times)


def click(grid: SeatGrid, pos: QPointF) -> None:
    vp = grid.viewport()
    for kind, buttons in ((QEvent.Type.MouseButtonPress, Qt.MouseButton.LeftButton),
                          (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton)):
        QApplication.sendEvent(vp, QMouseEvent(kind, pos, vp.mapToGlobal(pos),
                                               Qt.MouseButton.LeftButton, buttons,
                                               Qt.KeyboardModifier.NoModifier))


def wait_paint(grid: SeatGrid, before: int, timeout: float = 5.0) -> float:
    end = time.perf_counter() + timeout
    while grid.paint_count == before and time.perf_counter() < end:
        QCoreApplication.processEvents()
    return time.perf_counter()


def in_memory(rows_out: list[str]) -> None:
    for n, (rows, cols) in SHAPES.items():
        sm = synthetic(rows, cols)
        model = SeatGridModel("Box 1")
        grid = SeatGrid(model)
        grid.resize(1400, 900)
        grid.show()
        QCoreApplication.processEvents()
        t = time.perf_counter()
        model.load(sm)
        grid.viewport().repaint()
        load_paint = time.perf_counter() - t
        fit = repaint_time(grid)
        fit_render = rerender_time(grid)
        fit_pitch = grid.pitch
        grid.zoom_by(28 / grid.pitch)
        QCoreApplication.processEvents()
        zoomed = repaint_time(grid)
        zoomed_render = rerender_time(grid)
        # click-to-repaint: a click on a free seat in view, until the paint is done
        clicks = []
        vp = grid.viewport()
        for k in range(40):
            i = grid.seat_at(QPointF(vp.width() / 2 + (k % 10) * grid.pitch,
                                     vp.height() / 2 + (k // 10) * grid.pitch))
            if i < 0:
                continue
            pos = QPointF(grid.seat_center(i))
            before = grid.paint_count
            t = time.perf_counter()
            click(grid, pos)
            clicks.append(wait_paint(grid, before) - t)
        # a live change of one seat: only its rectangle is repainted
        before = grid.paint_count
        t = time.perf_counter()
        i = grid.seat_at(QPointF(vp.width() / 2 - grid.pitch * 3, vp.height() / 2))
        model.apply_change(changes.SeatsChanged(1, (model.labels[i],), changes.SeatState.SOLD, 1,
                                                "Box 3"))
        live = wait_paint(grid, before) - t
        rows_out.append(
            f"| {n:,} | {ms(load_paint)} | {ms(fit)} / {ms(fit_render)} (pitch {fit_pitch:.1f}px) "
            f"| {ms(zoomed)} / {ms(zoomed_render)} | "
            f"{ms(statistics.median(clicks))} | {ms(live)} |")
        grid.close()
        grid.deleteLater()
        QCoreApplication.processEvents()


def hover(rows_out: list[str]) -> None:
    model = SeatGridModel("Box 1")
    model.load(synthetic(*SHAPES[100_000]))
    grid = SeatGrid(model)
    grid.resize(1400, 900)
    grid.show()
    QCoreApplication.processEvents()
    vp = grid.viewport()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    for k in range(100_000):
        pos = QPointF(3 + (k % 7), 3 + (k % 5))  # the empty margin
        QApplication.sendEvent(vp, QMouseEvent(QEvent.Type.MouseMove, pos, vp.mapToGlobal(pos),
                                               Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                               Qt.KeyboardModifier.NoModifier))
        if k % 1000 == 0:
            QCoreApplication.processEvents()
    took = time.perf_counter() - t
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows_out.append(f"100,000 hover moves over empty space: {took:.2f} s, no crash, "
                    f"max RSS grew by {(rss1 - rss0) / 1024:.1f} MB")
    grid.close()


def with_database(url: str, sales: int, rows_out: list[str]) -> None:
    import psycopg
    from psycopg import sql

    from boxoffice import booking, shows
    from boxoffice.config import Settings
    from boxoffice.db import Database, libpq_url, make_engine, upgrade
    from boxoffice.layout import Layout
    from boxoffice.seatmap import seat_map
    from boxoffice.ui.common.live_bridge import LiveBridge
    from boxoffice.ui.common.runner import OperationRunner
    from boxoffice.ui.counter.seat_grid_model import LiveSeatMap

    admin = libpq_url(url)
    name = f"bo_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    from sqlalchemy import make_url

    db_url = make_url(admin).set(database=name).render_as_string(hide_password=False)
    dbs: list[Database] = []
    try:
        def open_db() -> Database:
            d = Database(make_engine(db_url, pool_size=3), Settings(database_url=db_url), db_url)
            dbs.append(d)
            return d

        a = open_db()
        upgrade(a.engine)
        start = datetime.now(UTC) + timedelta(days=2)
        big = shows.create_hall(a, "Stadium", Layout.grid(250, 400))
        big_show = shows.create_show(a, "Final", start, hall=big.id)
        t = time.perf_counter()
        sm = seat_map(a, big_show.id)
        fetch = time.perf_counter() - t
        rows_out.append(f"Database fetch of a 100,000-seat show (seat_map): {ms(fetch)}")

        small = shows.create_hall(a, "Hall", Layout.grid(25, 40, aisles_after=[20]))
        show = shows.create_show(a, "Bench", start, hall=small.id)
        b = open_db()
        runner = OperationRunner(b)
        bridge = LiveBridge(b.url)
        bridge.wait_connected(10)
        model = SeatGridModel("Box B")
        grid = SeatGrid(model)
        grid.resize(1400, 900)
        grid.show()
        live = LiveSeatMap(model, runner)
        live.follow(bridge)
        live.open(show.id)
        end = time.perf_counter() + 10
        while model.show_id != show.id and time.perf_counter() < end:
            QCoreApplication.processEvents()
        labels = [s.label for s in seat_map(a, show.id).seats]
        lat = []
        for k in range(min(sales, len(labels))):
            QCoreApplication.processEvents()
            before = grid.paint_count
            booking.sell(a, show.id, [labels[k]], clerk="bench", counter="Box A")
            committed = time.perf_counter()
            lat.append(wait_paint(grid, before) - committed)
        lat.sort()
        p50 = lat[len(lat) // 2]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        rows_out.append(f"Commit on one instance → repaint on another ({len(lat)} sales): "
                        f"p50 {ms(p50)}, p99 {ms(p99)}, max {ms(lat[-1])}")
        bridge.stop()
        runner.shutdown()
        grid.close()
        del sm
    finally:
        for d in dbs:
            d.dispose()
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(
                sql.Identifier(name)))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--database-url", default=None)
    parser.add_argument("--sales", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the in-memory part N times and print each run "
                             "(on a shared machine, the quietest run is the fair one)")
    args = parser.parse_args(argv)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from boxoffice.ui.app import apply_style

    apply_style(app)
    rows: list[str] = [
        "| seats | load + first paint | full repaint / full re-render, fit "
        "| full repaint / full re-render, zoomed (28px) "
        "| click → repaint | live change → repaint |",
        "|---|---|---|---|---|---|",
    ]
    for _ in range(max(1, args.repeat)):
        in_memory(rows)
    extra: list[str] = []
    hover(extra)
    if args.database_url:
        with_database(args.database_url, args.sales, extra)
    print("\n".join(rows))
    print()
    for line in extra:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
