"""``boxoffice events tail``: an example consumer of the relay's stream, for the systems
downstream to copy. It reads through a durable pull consumer (its place survives a
restart), acknowledges each event it handled, asks for a redelivery after
``retry_seconds`` when handling fails, and after ``max_deliver`` failed deliveries moves
the message to the dead-letter stream (``BOXOFFICE_DEAD``, subjects
``boxoffice-dead.<original subject>``) with why, then acknowledges it, so one poison
message cannot stop the events behind it.

An event is handled at least once: a consumer that must not act twice keys its work on
the event's ``id`` (also the message's ``Nats-Msg-Id``).
"""

from __future__ import annotations

import asyncio
import json
import logging
import shlex
import subprocess
import sys
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from boxoffice.events.relay import STREAM

log = logging.getLogger("boxoffice.events.tail")

DEAD_STREAM = "BOXOFFICE_DEAD"
DEAD_PREFIX = "boxoffice-dead"
_REQUIRED = ("id", "kind", "show_id", "booking_id", "occurred_at")


class PoisonEvent(ValueError):
    """A message that is not a BoxOffice event (not JSON, or without its fields)."""


def parse_event(data: bytes) -> dict[str, Any]:
    try:
        event = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise PoisonEvent(f"not a JSON event: {exc}") from exc
    if not isinstance(event, dict) or any(k not in event for k in _REQUIRED):
        raise PoisonEvent(f"an event needs {', '.join(_REQUIRED)}")
    return event


def print_event(event: dict[str, Any]) -> None:
    """The default handler: one JSON line per event on stdout."""
    sys.stdout.write(json.dumps(event, sort_keys=True) + "\n")
    sys.stdout.flush()


def exec_handler(command: str) -> Callable[[dict[str, Any]], None]:
    """Run ``command`` once per event with the event as JSON on its stdin; a non-zero
    exit is a failed delivery (retried, then dead-lettered)."""
    argv = shlex.split(command)

    def handle(event: dict[str, Any]) -> None:
        done = subprocess.run(argv, input=json.dumps(event).encode(), check=False,
                              timeout=60)
        if done.returncode != 0:
            raise RuntimeError(f"{argv[0]} exited with {done.returncode}")

    return handle


@dataclass(frozen=True, slots=True)
class TailSettings:
    nats_url: str
    durable: str = "tail"
    subjects: str = "boxoffice.>"
    max_deliver: int = 5
    retry_seconds: float = 1.0
    batch: int = 50


@dataclass(slots=True)
class TailCounts:
    handled: int = 0
    retried: int = 0
    dead: int = 0


async def ensure_dead_stream(js: Any) -> None:
    from nats.js.api import StorageType, StreamConfig
    from nats.js.errors import NotFoundError

    try:
        await js.stream_info(DEAD_STREAM)
    except NotFoundError:
        await js.add_stream(StreamConfig(name=DEAD_STREAM, subjects=[f"{DEAD_PREFIX}.>"],
                                         storage=StorageType.FILE, duplicate_window=600))


async def tail(settings: TailSettings, handle: Callable[[dict[str, Any]], None],
               stop: asyncio.Event, counts: TailCounts | None = None) -> TailCounts:
    """Consume until ``stop`` is set; returns what it did."""
    import nats
    from nats.errors import TimeoutError as NatsTimeout
    from nats.js.api import AckPolicy, ConsumerConfig

    counts = counts or TailCounts()
    nc = await nats.connect(settings.nats_url, connect_timeout=2, max_reconnect_attempts=-1,
                            reconnect_time_wait=0.5)
    try:
        js = nc.jetstream(timeout=5)
        await ensure_dead_stream(js)
        sub = await js.pull_subscribe(
            settings.subjects, durable=settings.durable, stream=STREAM,
            config=ConsumerConfig(ack_policy=AckPolicy.EXPLICIT, ack_wait=30))
        while not stop.is_set():
            try:
                msgs = await sub.fetch(settings.batch, timeout=1)
            except (TimeoutError, NatsTimeout):
                continue
            for msg in msgs:
                await _one(js, msg, settings, handle, counts)
    finally:
        await nc.close()
    return counts


async def _one(js: Any, msg: Any, settings: TailSettings,
               handle: Callable[[dict[str, Any]], None], counts: TailCounts) -> None:
    deliveries = msg.metadata.num_delivered
    try:
        event = parse_event(msg.data)
        await asyncio.to_thread(handle, event)
    except Exception as exc:
        if deliveries >= settings.max_deliver:
            headers = {
                "Nats-Msg-Id": (msg.headers or {}).get(
                    "Nats-Msg-Id", f"stream-seq-{msg.metadata.sequence.stream}"),
                "BoxOffice-Subject": msg.subject,
                "BoxOffice-Deliveries": str(deliveries),
                "BoxOffice-Error": f"{type(exc).__name__}: {exc}"[:500],
            }
            await js.publish(f"{DEAD_PREFIX}.{msg.subject}", msg.data, headers=headers)
            await msg.ack()
            counts.dead += 1
            log.error("event %s dead-lettered after %s deliveries: %s", msg.subject,
                      deliveries, exc)
        else:
            await msg.nak(delay=settings.retry_seconds)
            counts.retried += 1
            log.warning("event %s failed (delivery %s of %s): %s; retrying", msg.subject,
                        deliveries, settings.max_deliver, exc)
        return
    await msg.ack()
    counts.handled += 1
