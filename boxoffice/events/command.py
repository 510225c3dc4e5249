"""``boxoffice events relay --to nats://HOST:PORT`` and ``boxoffice events tail``: the
flags, signals and the /health and /metrics of the relay (``boxoffice.cli`` hands
everything after the word ``events`` here)."""

from __future__ import annotations

import argparse
import asyncio
import logging
import signal
import sys
from collections.abc import Iterator, Sequence

from prometheus_client.core import CounterMetricFamily, GaugeMetricFamily
from prometheus_client.registry import Collector

from boxoffice.config import load_settings
from boxoffice.db import Database, check_schema, upgrade
from boxoffice.events.relay import DUPLICATE_WINDOW_SECONDS, STREAM, Relay, RelaySettings

log = logging.getLogger("boxoffice.events")


def build_parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="boxoffice events",
                                description="booking events for the systems downstream")
    sub = p.add_subparsers(dest="events_command", required=True)
    relay = sub.add_parser("relay", help="publish every committed event to NATS JetStream")
    relay.add_argument("--to", required=True, metavar="nats://HOST:PORT",
                       help="the NATS server (JetStream enabled)")
    relay.add_argument("--database-url", default=None)
    relay.add_argument("--stream", default=STREAM, help=f"stream name (default {STREAM})")
    relay.add_argument("--batch", type=int, default=500, help="events per batch (default 500)")
    relay.add_argument("--duplicate-window", type=float, default=DUPLICATE_WINDOW_SECONDS,
                       help="seconds the broker remembers message ids (default 600)")
    relay.add_argument("--host", default="127.0.0.1", help="address of /health and /metrics")
    relay.add_argument("--port", type=int, default=9188,
                       help="port of /health and /metrics (default 9188; 0 picks one)")
    relay.add_argument("--log-level", default="INFO",
                       choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    notifier = sub.add_parser(
        "notifier", help="the designated live notifier: batches the screens' seat changes")
    notifier.add_argument("--database-url", default=None)
    notifier.add_argument("--interval", type=float, default=0.02,
                          help="seconds between rounds when idle (default 0.02)")
    notifier.add_argument("--log-level", default="INFO",
                          choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    tail = sub.add_parser("tail", help="an example consumer: ack, retry, dead-letter")
    tail.add_argument("--from", dest="source", required=True, metavar="nats://HOST:PORT")
    tail.add_argument("--durable", default="tail", help="the consumer's name (its place)")
    tail.add_argument("--subjects", default="boxoffice.>",
                      help="which events, e.g. 'boxoffice.42.>' (default all)")
    tail.add_argument("--max-deliver", type=int, default=5,
                      help="deliveries before a failing message is dead-lettered (default 5)")
    tail.add_argument("--retry-seconds", type=float, default=1.0)
    tail.add_argument("--exec", dest="command", default=None, metavar="CMD",
                      help="run CMD per event, the event as JSON on stdin (default: print)")
    tail.add_argument("--log-level", default="WARNING",
                      choices=["DEBUG", "INFO", "WARNING", "ERROR"])
    return p


def main(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    logging.basicConfig(level=args.log_level, stream=sys.stderr,
                        format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.events_command == "relay":
        if not args.to.startswith(("nats://", "tls://")) or not 1 <= args.batch <= 10_000:
            print("boxoffice: --to must be nats://HOST:PORT and --batch 1..10000",
                  file=sys.stderr)
            return 2
        return _relay(args)
    if args.events_command == "notifier":
        return _notifier(args)
    return _tail(args)


def _notifier(args: argparse.Namespace) -> int:
    import threading

    from boxoffice.events.notifier import Notifier

    if not 0.001 <= args.interval <= 10:
        print("boxoffice: --interval must be between 0.001 and 10 seconds", file=sys.stderr)
        return 2
    settings = load_settings(args.database_url)
    if settings.database_url is None:
        print("boxoffice: the live notifier is for a shared database (--database-url); "
              "the embedded one announces its changes itself", file=sys.stderr)
        return 2
    db = Database.connect(settings, pool_size=1)
    try:
        check_schema(db.engine)
    finally:
        db.dispose()
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda _s, _f: stop.set())
    Notifier(settings.database_url, interval=args.interval).run(stop)
    return 0


class _RelayCollector(Collector):
    """The relay's figures, read from its last status when scraped."""

    def __init__(self, relay: Relay) -> None:
        self.relay = relay

    def collect(self) -> Iterator[GaugeMetricFamily | CounterMetricFamily]:
        s = self.relay.report()
        for name, text, value in (
            ("boxoffice_events_relay_backlog_events",
             "Events past the relay's position (committed or in flight)", s.backlog),
            ("boxoffice_events_relay_lag_seconds",
             "Age of the oldest event not yet published (0: none)", s.lag_seconds),
            ("boxoffice_events_relay_published_per_second",
             "Events published per second over the last 10 s", s.published_per_second),
            ("boxoffice_events_relay_active", "1 while this relay holds the lock",
             1.0 if s.role == "active" else 0.0),
            ("boxoffice_events_relay_broker_up", "1 while connected to NATS",
             1.0 if s.broker_up else 0.0),
        ):
            g = GaugeMetricFamily(name, text)
            g.add_metric([], float(value))
            yield g
        for name, text, count in (
            ("boxoffice_events_relay_published", "Events published and acknowledged",
             s.published),
            ("boxoffice_events_relay_duplicates",
             "Re-sent events the broker dropped as duplicates", s.duplicates),
            ("boxoffice_events_relay_failures", "Broker or database failures (retried)",
             s.failures),
        ):
            c = CounterMetricFamily(name, text)
            c.add_metric([], float(count))
            yield c


def _relay(args: argparse.Namespace) -> int:
    from boxoffice.ops import metrics
    from boxoffice.ops.health import OpsServer, name_sessions

    settings = load_settings(args.database_url)
    db = Database.connect(settings, pool_size=2)
    relay_settings = RelaySettings(args.to, stream=args.stream, batch=args.batch,
                                   duplicate_window_seconds=args.duplicate_window)
    name_sessions(db, relay_settings.name)
    try:
        if settings.database_url is None:
            upgrade(db.engine)
        else:
            check_schema(db.engine)
        relay = Relay(db, relay_settings)
        metrics.REGISTRY.register(_RelayCollector(relay))
        server: OpsServer | None = None
        try:
            server = OpsServer(relay, args.host, args.port).start()
            log.info("relay health and metrics on http://%s:%s/health and /metrics",
                     server.host, server.port)
        except OSError as exc:
            log.error("cannot serve /health and /metrics on %s:%s (%s); relaying without",
                      args.host, args.port, exc)

        async def run() -> None:
            loop = asyncio.get_running_loop()
            for sig in (signal.SIGTERM, signal.SIGINT):
                loop.add_signal_handler(sig, relay.stop)
            await relay.run()

        asyncio.run(run())
        if server is not None:
            server.stop()
        log.info("events relay stopped at position %s", relay.position)
    finally:
        db.dispose()
    return 0


def _tail(args: argparse.Namespace) -> int:
    from boxoffice.events.consumer import TailSettings, exec_handler, print_event, tail

    if args.max_deliver < 1:
        print("boxoffice: --max-deliver must be at least 1", file=sys.stderr)
        return 2
    handle = exec_handler(args.command) if args.command else print_event
    settings = TailSettings(args.source, durable=args.durable, subjects=args.subjects,
                            max_deliver=args.max_deliver, retry_seconds=args.retry_seconds)

    async def run() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        for sig in (signal.SIGTERM, signal.SIGINT):
            loop.add_signal_handler(sig, stop.set)
        counts = await tail(settings, handle, stop)
        log.warning("tail stopped: %s handled, %s retried, %s dead-lettered",
                    counts.handled, counts.retried, counts.dead)

    asyncio.run(run())
    return 0
