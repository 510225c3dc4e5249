"""Seat grid benchmark: load-and-paint, full repaint, click-to-repaint, commit-to-repaint.

    QT_QPA_PLATFORM=offscreen .venv/bin/python benchmarks/seat_grid_bench.py \
        [--database-url postgresql://postgres@127.0.0.1:5432/postgres] [--sales 200] \
        [--open-sizes 20000,100000] [--runs 7] [--onsale-rate 300 --onsale-seconds 8] \
        [--busy] [--quick]

``--open-sizes``: shows of those sizes are opened from the database (fetched, loaded into
the grid model and painted), cold (no chart cached) and warm, ``--runs`` times.
``--onsale-rate``: a real second process sells single seats at that rate while a counter
window (the real ``MainWindow``) has the show open; every sale's commit → painted time is
measured (``--busy`` also keeps both cores busy with two spinning processes meanwhile).
``--quick`` is the CI smoke size: small shows, a second of on-sale. ``BOXOFFICE_BENCH_TREE``
runs another tree's code (before/after comparisons) with this same script.

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
sys.path.insert(0, os.environ.get("BOXOFFICE_BENCH_TREE")
                or str(Path(__file__).resolve().parents[1]))

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


def in_memory(rows_out: list[str], quick: bool = False) -> None:
    for n, (rows, cols) in SHAPES.items():
        if quick and n > 1_000:
            continue
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


def hover(rows_out: list[str], quick: bool = False) -> None:
    model = SeatGridModel("Box 1")
    model.load(synthetic(*SHAPES[1_000 if quick else 100_000]))
    grid = SeatGrid(model)
    grid.resize(1400, 900)
    grid.show()
    QCoreApplication.processEvents()
    vp = grid.viewport()
    rss0 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t = time.perf_counter()
    for k in range(1_000 if quick else 100_000):
        pos = QPointF(3 + (k % 7), 3 + (k % 5))  # the empty margin
        QApplication.sendEvent(vp, QMouseEvent(QEvent.Type.MouseMove, pos, vp.mapToGlobal(pos),
                                               Qt.MouseButton.NoButton, Qt.MouseButton.NoButton,
                                               Qt.KeyboardModifier.NoModifier))
        if k % 1000 == 0:
            QCoreApplication.processEvents()
    took = time.perf_counter() - t
    rss1 = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    rows_out.append(f"{k + 1:,} hover moves over empty space: {took:.2f} s, no crash, "
                    f"max RSS grew by {(rss1 - rss0) / 1024:.1f} MB")
    grid.close()


def open_from_database(db, size: int, start, runs: int, rows_out: list[str]) -> None:  # type: ignore[no-untyped-def]
    """A show of ``size`` seats (1 % sold in pairs) from the database to the painted grid."""
    from boxoffice import booking, seatmap, shows
    from boxoffice.layout import Layout

    rows, cols = SHAPES.get(size) or (max(1, size // 400), min(size, 400))
    hall = shows.create_hall(db, f"Hall {size}", Layout.grid(rows, cols))
    first = shows.create_show(db, f"Open {size}", start, hall=hall.id)
    second = shows.create_show(db, f"Open {size} again", start, hall=hall.id)
    labels = [s.label for s in seatmap.seat_map(db, first.id).seats]
    for show in (first, second):
        for k in range(0, len(labels) // 100, 2):
            booking.sell(db, show.id, labels[k * 50:k * 50 + 2], clerk="bench", counter="Box 2")
    try:
        from boxoffice import seatfetch

        def fetch(show_id: int):  # type: ignore[no-untyped-def]
            return seatfetch.fetch(db, show_id, counter="Box 1")

        def forget() -> None:
            seatfetch.forget_geometries()
        how = "seatfetch.fetch"
    except ImportError:  # the code before the compact fetch
        def fetch(show_id: int):  # type: ignore[no-untyped-def]
            return seatmap.seat_map(db, show_id)

        def forget() -> None:
            getattr(seatmap, "_LAYOUT_CACHE", {}).clear()
        how = "seatmap.seat_map"
    model = SeatGridModel("Box 1")
    grid = SeatGrid(model)
    grid.resize(1400, 900)
    grid.show()
    QCoreApplication.processEvents()

    def once(show_id: int) -> float:
        t = time.perf_counter()
        model.load(fetch(show_id))
        grid.viewport().repaint()
        return time.perf_counter() - t

    forget()
    cold = once(first.id)
    other = once(second.id)  # another show of the same hall
    warm = statistics.median([once(first.id if k % 2 else second.id) for k in range(runs)])
    rows_out.append(f"Open a {size:,}-seat show from the database ({how}, fetch + load + "
                    f"paint): cold {ms(cold)}, another show of the hall {ms(other)}, "
                    f"warm median of {runs} {ms(warm)}")
    print(f"#json open {size} cold={cold:.4f} other={other:.4f} warm={warm:.4f}", flush=True)
    grid.close()
    grid.deleteLater()
    QCoreApplication.processEvents()


def seller(url: str, show_id: int, rate: float, seconds: float, out_path: str) -> None:
    """The second process: single-seat sales at ``rate`` a second; prints when each committed."""
    import json

    from boxoffice import booking, seatmap
    from boxoffice.config import Settings
    from boxoffice.db import Database, make_engine

    db = Database(make_engine(url, pool_size=2), Settings(database_url=url), url)
    labels = [s.label for s in seatmap.seat_map(db, show_id).seats if s.state == "free"]
    print("ready", flush=True)
    sys.stdin.readline()  # the window is listening
    import threading

    out: list[tuple[str, float]] = []
    end = time.time() + seconds
    start = time.time()

    def sell(mine: list[str], phase: float) -> None:
        # Two clerks elsewhere, each at half the rate: one alone is bounded by its round trips.
        due = start + phase
        for label in mine:
            now = time.time()
            if now >= end:
                break
            if due > now:
                time.sleep(due - now)
            due += 2 / rate
            booking.sell(db, show_id, [label], clerk="seller", counter="Box 2")
            out.append((label, time.time()))

    clerks = [threading.Thread(target=sell, args=(labels[k::2], k / rate)) for k in range(2)]
    for t in clerks:
        t.start()
    for t in clerks:
        t.join()
    db.dispose()
    Path(out_path).write_text(json.dumps(out))


def spin(seconds: float) -> None:
    """Other work: keep one core busy for ``seconds``."""
    end = time.time() + seconds
    x = 0
    while time.time() < end:
        x += 1


def onsale(db, db_url: str, start, opts, rows_out: list[str]) -> None:  # type: ignore[no-untyped-def]
    """A counter window with a show open while another process sells it as fast as asked."""
    import json
    import subprocess
    import tempfile

    from PySide6.QtCore import QEvent, QEventLoop, QObject, QSettings, QTimer

    from boxoffice import shows
    from boxoffice.config import Settings
    from boxoffice.db import Database, make_engine
    from boxoffice.layout import Layout
    from boxoffice.ui.counter.main_window import MainWindow

    hall = shows.create_hall(db, "On-sale hall", Layout.grid(*SHAPES[20_000]))
    show = shows.create_show(db, "On-sale", start, hall=hall.id)
    settings = QSettings(str(Path(tempfile.mkdtemp()) / "bench.ini"), QSettings.Format.IniFormat)
    wdb = Database(make_engine(db_url, pool_size=3), Settings(database_url=db_url), db_url)
    w = MainWindow(wdb, counter="Box 1", clerk="bench", settings=settings)
    w.confirm_close = False
    w.resize(1400, 900)
    w.show()
    assert w.live.wait_connected(10)
    end = time.perf_counter() + 20
    while w.model.show_id != show.id and time.perf_counter() < end:
        QCoreApplication.processEvents()
        if w.show_list.model.row_of(show.id) >= 0 and w.seats.show_id != show.id:
            w.show_list.select_show(show.id)
    pending: set[int] = set()
    shown: dict[int, float] = {}

    class PaintStamp(QObject):
        def eventFilter(self, obj, event):  # type: ignore[no-untyped-def]
            if event.type() == QEvent.Type.Paint and pending:
                now = time.time()
                for i in pending:
                    shown.setdefault(i, now)
                pending.clear()
            return False

    stamp = PaintStamp()
    w.grid.viewport().installEventFilter(stamp)
    w.model.seats_changed.connect(lambda idx: pending.update(
        i for i in idx if w.model.states[i] == 3))  # style.SOLD
    env = dict(os.environ, BOXOFFICE_BENCH_TREE=sys.path[0])
    out_path = str(Path(tempfile.mkdtemp()) / "sold.json")
    proc = subprocess.Popen([sys.executable, __file__, "--seller", db_url, str(show.id),
                             str(opts.onsale_rate), str(opts.onsale_seconds), out_path],
                            stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True, env=env)
    assert proc.stdout is not None and proc.stdin is not None
    proc.stdout.readline()
    burners = []
    if opts.busy:
        burners = [subprocess.Popen([sys.executable, __file__, "--spin",
                                     str(opts.onsale_seconds + 2)]) for _ in range(2)]
    proc.stdin.write("go\n")
    proc.stdin.flush()
    loop = QEventLoop()
    timer = QTimer()
    timer.timeout.connect(lambda: loop.quit() if proc.poll() is not None else None)
    timer.start(50)
    loop.exec()
    sold = json.loads(Path(out_path).read_text())
    drain = QTimer()
    drain.setSingleShot(True)
    drain.timeout.connect(loop.quit)
    drain.start(2000)  # the last sales reach the window
    loop.exec()
    for b in burners:
        b.wait()
    lat = []
    missing = 0
    for label, committed in sold:
        i = w.model.index_of(label)
        at = shown.get(i) if i is not None else None
        if at is None:
            missing += 1
        else:
            lat.append(max(0.0, at - committed))
    lat.sort()
    seconds = (sold[-1][1] - sold[0][1]) if len(sold) > 1 else 1.0
    if lat:
        p50 = lat[len(lat) // 2]
        p99 = lat[min(len(lat) - 1, int(len(lat) * 0.99))]
        rows_out.append(
            f"On-sale{' with both cores busy' if opts.busy else ''}: another process sold "
            f"{len(sold)} seats at {len(sold) / max(seconds, 1e-9):.0f}/s (asked "
            f"{opts.onsale_rate}/s); counter window commit → painted: p50 {ms(p50)}, "
            f"p99 {ms(p99)}, max {ms(lat[-1])}; not shown {missing}")
        print(f"#json onsale busy={int(opts.busy)} rate={len(sold) / max(seconds, 1e-9):.1f} "
              f"p50={p50:.4f} p99={p99:.4f} max={lat[-1]:.4f} missing={missing}", flush=True)
    w.close()
    w.shutdown()
    wdb.dispose()


def with_database(url: str, sales: int, rows_out: list[str], opts) -> None:  # type: ignore[no-untyped-def]
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
        shape = SHAPES[1_000] if opts.quick else SHAPES[100_000]
        big = shows.create_hall(a, "Stadium", Layout.grid(*shape))
        big_show = shows.create_show(a, "Final", start, hall=big.id)
        t = time.perf_counter()
        sm = seat_map(a, big_show.id)
        fetch = time.perf_counter() - t
        rows_out.append(f"Database fetch of a {shape[0] * shape[1]:,}-seat show (seat_map): "
                        f"{ms(fetch)}")
        for size in opts.open_sizes:
            open_from_database(a, size, start, opts.runs, rows_out)
        if opts.onsale_rate:
            onsale(a, db_url, start, opts, rows_out)

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
    parser.add_argument("--open-sizes", default="20000,100000",
                        help="comma-separated show sizes opened from the database ('' for none)")
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--onsale-rate", type=float, default=0.0)
    parser.add_argument("--onsale-seconds", type=float, default=8.0)
    parser.add_argument("--busy", action="store_true")
    parser.add_argument("--quick", action="store_true", help="CI: small sizes, briefly")
    parser.add_argument("--no-memory", action="store_true",
                        help="skip the in-memory figures (database figures only)")
    parser.add_argument("--repeat", type=int, default=1,
                        help="run the in-memory part N times and print each run "
                             "(on a shared machine, the quietest run is the fair one)")
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--seller":
        seller(sys.argv[2], int(sys.argv[3]), float(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
        return 0
    if argv is None and len(sys.argv) > 1 and sys.argv[1] == "--spin":
        spin(float(sys.argv[2]))
        return 0
    args = parser.parse_args(argv)
    args.open_sizes = [int(x) for x in args.open_sizes.split(",") if x.strip()]
    if args.quick:
        args.open_sizes = [1_000]
        args.runs = 2
        args.sales = min(args.sales, 10)
        args.onsale_seconds = min(args.onsale_seconds, 1.0)
    app = QApplication.instance() or QApplication([sys.argv[0]])
    from boxoffice.ui.app import apply_style

    apply_style(app)
    rows: list[str] = [
        "| seats | load + first paint | full repaint / full re-render, fit "
        "| full repaint / full re-render, zoomed (28px) "
        "| click → repaint | live change → repaint |",
        "|---|---|---|---|---|---|",
    ]
    extra: list[str] = []
    if not args.no_memory:
        for _ in range(max(1, args.repeat)):
            in_memory(rows, quick=args.quick)
        hover(extra, quick=args.quick)
    if args.database_url:
        with_database(args.database_url, args.sales, extra, args)
    print("\n".join(rows))
    print()
    for line in extra:
        print(f"- {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
