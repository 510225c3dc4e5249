"""The ``boxoffice`` command: the desktop app, and the headless jobs beside it.

    boxoffice                      open the counter app
    boxoffice db upgrade           bring the schema to head
    boxoffice db current           show the schema revision
    boxoffice demo                 fill the database with a demo venue and a week of shows
    boxoffice expiry-worker        run the hold expiry job with no window
    boxoffice cashup               the day's cash-up as text, CSV or PDF
    boxoffice events relay --to nats://HOST:PORT   publish every booking event to JetStream
    boxoffice hall import FILE --name NAME [--format pretix|seatsio|csv] [--rename-duplicates]
    boxoffice hall export HALL --format pretix|csv FILE
    boxoffice hall list            halls with their seat and standing counts

Every command takes ``--database-url``; without one, BOXOFFICE_DATABASE_URL, libpq's
PG* settings, or the embedded PostgreSQL are used, in that order.
"""

from __future__ import annotations

import argparse
import logging
import os
import signal
import sys
import threading
from collections.abc import Sequence

import psycopg
from sqlalchemy.exc import InterfaceError, OperationalError

from boxoffice.config import Settings, load_settings
from boxoffice.db import Database, current_revision, head_revision, open_database, upgrade
from boxoffice.errors import BoxOfficeError

log = logging.getLogger("boxoffice")


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("--database-url", default=argparse.SUPPRESS,
                   help="PostgreSQL URL (default: BOXOFFICE_DATABASE_URL, libpq's PG* "
                        "settings, else the embedded database)")
    p.add_argument("--log-level", default=argparse.SUPPRESS,
                   choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    p.add_argument("--smoke-test", action="store_true", default=argparse.SUPPRESS,
                   help="start offscreen on the embedded database, upgrade, sell one seat "
                        "through the app's API, exit 0 (checks an installed bundle)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="boxoffice", description="BoxOffice counter software.")
    _common(parser)
    sub = parser.add_subparsers(dest="command")
    db = sub.add_parser("db", help="schema migrations")
    dbsub = db.add_subparsers(dest="db_command", required=True)
    for name, text in (("upgrade", "bring the schema to head"),
                       ("current", "print the schema revision and the head")):
        _common(dbsub.add_parser(name, help=text))
    demo = sub.add_parser("demo", help="fill the database with a demo venue and a week of shows")
    _common(demo)
    demo.add_argument("--days", type=int, default=7)
    worker = sub.add_parser("expiry-worker", help="release expired holds, with no window")
    _common(worker)
    worker.add_argument("--interval", type=float, default=None,
                        help="seconds between rounds (default 5)")
    worker.add_argument("--once", action="store_true", help="run one round and exit")
    worker.add_argument("--host", default="127.0.0.1",
                        help="address of /health and /metrics (default 127.0.0.1)")
    worker.add_argument("--port", type=int, default=9187,
                        help="port of /health and /metrics (default 9187; 0 picks a free one)")
    # Listed for --help; ``main`` hands everything after "bench" to boxoffice.bench.
    sub.add_parser("bench", help="booking benchmark beside pgbench (boxoffice bench --help)")
    sub.add_parser("events", help="relay booking events to NATS JetStream, or tail them "
                                  "(boxoffice events --help)")
    staff = sub.add_parser("staff", help="staff logins (run by a manager or the owner)")
    staffsub = staff.add_subparsers(dest="staff_command", required=True)
    for name, text, needs_role, needs_password in (
        ("add", "add a login with a role", True, True),
        ("list", "list staff logins and their roles", False, False),
        ("set-role", "change a login's role", True, False),
        ("disable", "disable a login and end its sessions", False, False),
        ("password", "set a login's password", False, True),
    ):
        sp = staffsub.add_parser(name, help=text)
        _common(sp)
        if name != "list":
            sp.add_argument("name", help="the login name (lower-case letters, digits, _)")
        if needs_role:
            sp.add_argument("--role", required=True, choices=["clerk", "manager", "viewer"])
        if needs_password:
            sp.add_argument("--password-stdin", action="store_true",
                            help="read the password from standard input instead of asking")
    check = sub.add_parser("check", help="audit the database for every booking invariant")
    _common(check)
    door = sub.add_parser("door", help="open the door check-in window alone")
    _common(door)
    door.add_argument("--show", type=int, default=None, help="the show to check in (its id)")
    cashup = sub.add_parser("cashup", help="the end-of-day cash-up: print it, export CSV or PDF")
    _common(cashup)
    cashup.add_argument("--day", default=None, help="YYYY-MM-DD (default: today)")
    cashup.add_argument("--counter", default=None, help="one counter only")
    cashup.add_argument("--clerk", default=None, help="one clerk only")
    cashup.add_argument("--csv", default=None, metavar="FILE", help="also write it as CSV")
    cashup.add_argument("--pdf", default=None, metavar="FILE", help="also write the A4 report")
    hall = sub.add_parser("hall", help="venue charts: import, export, list halls")
    hallsub = hall.add_subparsers(dest="hall_command", required=True)
    imp = hallsub.add_parser("import", help="a hall from a pretix, seats.io or CSV chart")
    _common(imp)
    imp.add_argument("file")
    imp.add_argument("--name", required=True, help="the new hall's name")
    imp.add_argument("--format", choices=["pretix", "seatsio", "csv"], default=None,
                     help="default: told from the file's content")
    imp.add_argument("--rename-duplicates", action="store_true",
                     help="make repeated seat ids unique (listed) instead of refusing")
    exp = hallsub.add_parser("export", help="write a hall's chart as pretix JSON or CSV")
    _common(exp)
    exp.add_argument("hall", help="the hall's name (or id)")
    exp.add_argument("--format", choices=["pretix", "csv"], required=True)
    exp.add_argument("file")
    _common(hallsub.add_parser("list", help="halls with their seat and standing counts"))
    gui = sub.add_parser("gui", help="open the counter app (the default)")
    _common(gui)
    return parser


def _subcommand_index(argv: list[str]) -> int | None:
    """Where the subcommand word stands, skipping global flags and their values."""
    i = 0
    while i < len(argv):
        token = argv[i]
        if token in ("--database-url", "--log-level"):
            i += 2
        elif token.startswith("-"):
            i += 1
        else:
            return i
    return None


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    bench_at = _subcommand_index(argv)
    if bench_at is not None and argv[bench_at] == "bench":
        # The bench parses its own flags (``boxoffice bench --mode hot``); global flags
        # before the word bench go along with them.
        from boxoffice.bench import main as bench_main

        return bench_main([a for a in argv[:bench_at] + argv[bench_at + 1:] if a != "--"])
    if bench_at is not None and argv[bench_at] == "events":
        from boxoffice.events.command import main as events_main

        return events_main(argv[:bench_at] + argv[bench_at + 1:])
    args = build_parser().parse_args(argv)
    _setup_logging(args)
    try:
        settings = load_settings(getattr(args, "database_url", None))
        if getattr(args, "smoke_test", False):
            from boxoffice.ui.smoke import run_smoke_test

            return run_smoke_test(settings)
        if args.command == "door":
            from boxoffice.ui.app import run_door

            return run_door(settings, args.show)
        if args.command in (None, "gui"):
            from boxoffice.ui.app import run_app

            return run_app(settings)
        if args.command == "staff":
            return _staff(args, settings)
        if args.command == "check":
            return _check(settings)
        if args.command == "db":
            return _db(args, settings)
        if args.command == "demo":
            return _demo(args, settings)
        if args.command == "cashup":
            return _cashup(args, settings)
        if args.command == "hall":
            return _hall(args, settings)
        if args.command == "expiry-worker":
            return _expiry_worker(args, settings)
    except BoxOfficeError as exc:
        print(f"boxoffice: {exc.message}", file=sys.stderr)
        return 2
    except ValueError as exc:  # a malformed URL or setting
        print(f"boxoffice: {exc}", file=sys.stderr)
        return 2
    except (OperationalError, InterfaceError, psycopg.OperationalError) as exc:
        first = str(getattr(exc, "orig", None) or exc).strip().splitlines()[0]
        print(f"boxoffice: cannot reach the database: {first}", file=sys.stderr)
        return 2
    return 1


def _db(args: argparse.Namespace, settings: Settings) -> int:
    db = Database.connect(settings)
    try:
        if args.db_command == "upgrade":
            before = current_revision(db.engine)
            upgrade(db.engine)
            print(f"schema upgraded from {before or 'empty'} to {current_revision(db.engine)}")
        else:
            print(f"current: {current_revision(db.engine) or 'empty'}  head: {head_revision()}")
    finally:
        db.dispose()
    return 0


def _demo(args: argparse.Namespace, settings: Settings) -> int:
    from boxoffice.demo import fill_demo

    if not 1 <= args.days <= 60:
        print("boxoffice: --days must be between 1 and 60", file=sys.stderr)
        return 2
    db = open_database(settings)
    try:
        ids = fill_demo(db, days=args.days)
        print(f"demo venue ready: {len(ids)} shows in 3 halls")
    finally:
        db.dispose()
    return 0


def _cashup(args: argparse.Namespace, settings: Settings) -> int:
    """``boxoffice cashup``: print the summary, write the CSV and the PDF asked for. The
    PDF is the app's own report (Qt, drawn offscreen), loaded only when one is asked for."""
    from pathlib import Path

    from boxoffice import money
    from boxoffice.cashup_report import parse_day, summary_text

    day = parse_day(args.day)  # refused before any connection is made
    db = open_database(settings)
    try:
        cu = money.cash_up(db, day, counter=args.counter, clerk=args.clerk)
    finally:
        db.dispose()
    sys.stdout.write(summary_text(cu))
    if args.csv:
        Path(args.csv).write_text(money.cash_up_csv(cu), encoding="utf-8", newline="")
        print(f"CSV written to {args.csv}")
    if args.pdf:
        from boxoffice.ui.cashup.pdf import write_cashup_pdf_offscreen

        pages = write_cashup_pdf_offscreen(cu, Path(args.pdf))
        print(f"PDF written to {args.pdf} ({pages} page{'s' if pages != 1 else ''})")
    return 0


def _hall(args: argparse.Namespace, settings: Settings) -> int:
    """``boxoffice hall import|export|list``: a file is read and checked before any
    connection is made, so a refused chart writes nothing anywhere."""
    import json
    from pathlib import Path

    from boxoffice import shows
    from boxoffice.charts import csvchart, load_chart, pretix

    if args.hall_command == "import":
        imported = load_chart(Path(args.file), args.format,
                              rename_duplicates=args.rename_duplicates)
        db = open_database(settings)
        try:
            hall = shows.create_hall(db, args.name, imported.chart)
        finally:
            db.dispose()
        c = hall.chart
        print(f"hall {hall.name} imported from {Path(args.file).name} ({imported.format}): "
              f"{c.seat_count:,} seats, {c.standing_capacity:,} standing places, "
              f"{sum(len(lv.sections) for lv in c.levels)} sections on {len(c.levels)} "
              f"level{'s' if len(c.levels) != 1 else ''}, {len(c.categories)} categories")
        if imported.renamed:
            print(f"{len(imported.renamed)} duplicate seat ids made unique:")
            for where, old, new in imported.renamed:
                print(f"  {where}: {old} -> {new}")
        return 0
    db = open_database(settings)
    try:
        if args.hall_command == "list":
            halls = shows.list_halls(db)
            for h in halls:
                print(f"{h.name:<32} {h.chart.seat_count:>7,} seats {h.chart.standing_capacity:>7,}"
                      f" standing {h.total_seats:>7,} on sale")
            if not halls:
                print("no halls yet: boxoffice hall import FILE --name NAME")
            return 0
        name: int | str = args.hall
        try:
            hall = shows.get_hall(db, name)
        except BoxOfficeError:
            if not args.hall.isdigit():
                raise
            hall = shows.get_hall(db, int(args.hall))
    finally:
        db.dispose()
    text = (json.dumps(pretix.write(hall.chart), ensure_ascii=False, indent=1)
            if args.format == "pretix" else csvchart.write(hall.chart))
    Path(args.file).write_text(text, encoding="utf-8", newline="")
    print(f"hall {hall.name} written to {args.file} ({args.format}): "
          f"{hall.chart.seat_count:,} seats, {hall.chart.standing_capacity:,} standing places")
    return 0


def _password(args: argparse.Namespace) -> str:
    """Asked for, never taken from the command line (it would show in ps and history)."""
    import getpass

    if args.password_stdin:
        return sys.stdin.readline().rstrip("\n")
    first = getpass.getpass(f"Password for {args.name}: ")
    if getpass.getpass("Again: ") != first:
        raise BoxOfficeError("The two passwords differ; nothing was changed.")
    return first


def _staff(args: argparse.Namespace, settings: Settings) -> int:
    from boxoffice import staff

    db = open_database(settings)
    try:
        cmd = args.staff_command
        if cmd == "list":
            members = staff.list_staff(db)
            for m in members:
                print(f"{m.name:<24} {m.role:<8} {'' if m.can_login else 'disabled'}")
            if not members:
                print("no staff logins yet: boxoffice staff add NAME --role clerk")
        elif cmd == "add":
            staff.add_staff(db, args.name, args.role, _password(args))
            print(f"{args.name} can now log in as {args.role}")
        elif cmd == "set-role":
            staff.set_role(db, args.name, args.role)
            print(f"{args.name} is now {args.role}")
        elif cmd == "disable":
            staff.disable(db, args.name)
            print(f"{args.name} is disabled")
        elif cmd == "password":
            staff.set_password(db, args.name, _password(args))
            print(f"password of {args.name} changed")
    finally:
        db.dispose()
    return 0


def _check(settings: Settings) -> int:
    from boxoffice.audit import CHECKS, violations

    db = open_database(settings)
    try:
        with db.engine.connect() as conn:
            broken = violations(conn)
    finally:
        db.dispose()
    if not broken:
        print(f"all {len(CHECKS)} invariants hold")
        return 0
    for name, rows in broken.items():
        print(f"BROKEN: {name}: {rows}")
    return 1


def _setup_logging(args: argparse.Namespace) -> None:
    """JSON lines to a rotating file in the user's log folder; the headless worker also
    writes them to stderr for its supervisor, other commands write plain text there."""
    from boxoffice.logs import setup_logging

    worker = args.command == "expiry-worker"
    setup_logging(getattr(args, "log_level", "INFO"),
                  file_name="expiry-worker.log" if worker else "boxoffice.log",
                  stderr="json" if worker else "text")


def _expiry_worker(args: argparse.Namespace, settings: Settings) -> int:
    """Release expired holds every interval; answer /health and /metrics meanwhile.

    SIGTERM or SIGINT stop it: the scheduler lets the batch in hand commit (a batch is
    one transaction; the round stops after it) and the worker logs why it stopped. A
    worker that cannot bind its port still expires holds, logging the error at ERROR:
    releasing seats matters more than being watched.
    """
    from boxoffice.expiry import expire_holds
    from boxoffice.live import LiveFeed
    from boxoffice.ops.alerts import thresholds_from_env
    from boxoffice.ops.health import (
        GatedExpiryRunner,
        OpsMonitor,
        OpsServer,
        instance_name,
        name_sessions,
    )

    if args.interval is not None and not 0.1 <= args.interval <= 3600:
        print("boxoffice: --interval must be between 0.1 and 3600 seconds", file=sys.stderr)
        return 2
    if not 0 <= args.port <= 65535:
        print("boxoffice: --port must be between 0 and 65535", file=sys.stderr)
        return 2
    if args.once:
        db = open_database(settings)
        try:
            r = expire_holds(db)
            print(f"expired {r.bookings} holds ({r.seats} seats)" if r.ran
                  else "another instance holds the expiry lock; nothing done")
        finally:
            db.dispose()
        return 0
    limits = thresholds_from_env()
    interval = args.interval or settings.expiry_interval_seconds
    db = Database.connect(settings)
    name = instance_name()
    name_sessions(db, name)  # so other instances and the app see this worker
    feed: LiveFeed | None = None
    try:
        if settings.database_url is None:
            upgrade(db.engine)
        # A schema behind head is reported on /health and logged at ERROR; the worker
        # waits for 'boxoffice db upgrade' instead of exiting, and expires nothing until then.
        # The worker listens as every counter does, so /health tells whether live changes
        # are delivered at all (a transaction-pooled LISTEN hears nothing: not ready).
        feed = LiveFeed(settings.listen_url or db.url)
        feed.start()
        monitor = OpsMonitor(db, interval=interval, name=name, limits=limits,
                             outbox_cursor=os.environ.get("BOXOFFICE_OUTBOX_CURSOR") or None,
                             feed=feed)
        monitor.refresh()
        done = threading.Event()
        why: list[str] = []

        def stop(signum: int, _frame: object) -> None:
            why.append(signal.Signals(signum).name)
            log.info("expiry worker stopping on %s", why[-1])
            done.set()

        signal.signal(signal.SIGTERM, stop)
        signal.signal(signal.SIGINT, stop)
        runner = GatedExpiryRunner(db, monitor, interval=interval)
        runner.start()  # first round now, so /health is usually ready by the first request
        server: OpsServer | None = None
        try:
            server = OpsServer(monitor, args.host, args.port).start()
        except OSError as exc:
            log.error("cannot serve /health and /metrics on %s:%s (%s); expiring holds "
                      "without them", args.host, args.port, exc)
        else:
            log.info("health and metrics on http://%s:%s/health and /metrics", server.host,
                     server.port, extra={"host": server.host, "port": server.port})
        done.wait()
        runner.stop()  # waits for the job in hand: its batch commits, the round ends there
        if server is not None:
            server.stop()
        log.info("expiry worker stopped on %s; the batch in hand was committed first",
                 why[0], extra={"reason": why[0]})
    finally:
        if feed is not None:
            feed.stop()
        db.dispose()
    return 0


if __name__ == "__main__":
    sys.exit(main())
