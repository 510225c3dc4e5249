"""Structured logs: one JSON object per line.

Every line carries ``time`` (UTC, ISO 8601), ``level``, ``component`` (the logger's
name), ``counter`` (the box-office counter or host that wrote it) and ``message``; lines
about a booking or a show carry ``booking_id`` / ``show_id``, passed by the caller as
``extra={"booking_id": …, "show_id": …}``. Other ``extra`` keys are kept too, except
customer data (``customer``, ``customer_name``, …): the booking id is the only way a log
line points at a customer, so a log file can be handed to support as it is.

``setup_logging`` writes to a rotating file in the user's log folder
(``platformdirs.user_log_dir("BoxOffice")``, or ``BOXOFFICE_LOG_DIR``) and, for the
headless runner, to stderr as well.
"""

from __future__ import annotations

import json
import logging
import logging.handlers
import os
import socket
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import platformdirs

from boxoffice.config import APP_NAME

# Attributes every LogRecord has; anything else on a record came in through ``extra``.
_STANDARD = frozenset(vars(logging.LogRecord("", 0, "", 0, "", None, None))) | {
    "message", "asctime", "taskName"}
# Customer data never reaches a log line, whatever a caller passes in ``extra``.
_PRIVATE = frozenset({"customer", "customer_name", "name_of_customer", "email", "phone"})
_HANDLER_TAG = "_boxoffice_handler"

MAX_BYTES = 5 * 1024 * 1024
BACKUPS = 5


def log_dir(env: dict[str, str] | None = None) -> Path:
    """Where the rotating log files live: ``BOXOFFICE_LOG_DIR`` or the user's log folder."""
    env = dict(os.environ) if env is None else env
    configured = env.get("BOXOFFICE_LOG_DIR")
    if configured:
        return Path(configured)
    return Path(platformdirs.user_log_dir(APP_NAME, appauthor=False))


def default_counter() -> str:
    """The counter name lines carry when the caller gives none: BOXOFFICE_COUNTER or the host."""
    return os.environ.get("BOXOFFICE_COUNTER") or socket.gethostname()


def _plain(value: object) -> object:
    if value is None or isinstance(value, (str, int, float, bool)):
        return value
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    return str(value)


class JsonFormatter(logging.Formatter):
    """A LogRecord as one line of JSON (see the module docstring for the fields)."""

    def __init__(self, counter: str | None = None) -> None:
        super().__init__()
        self.counter = counter or default_counter()

    def format(self, record: logging.LogRecord) -> str:
        out: dict[str, Any] = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "component": record.name,
            "counter": getattr(record, "counter", None) or self.counter,
            "message": record.getMessage(),
        }
        for key, value in vars(record).items():
            if key in _STANDARD or key in out or key in _PRIVATE or key.startswith("_"):
                continue
            out[key] = _plain(value)
        if record.exc_info:
            out["exception"] = self.formatException(record.exc_info)
        if record.stack_info:
            out["stack"] = self.formatStack(record.stack_info)
        return json.dumps(out, ensure_ascii=False, separators=(",", ":"))


def setup_logging(level: str = "INFO", *, file_name: str | None = "boxoffice.log",
                  stderr: str = "text", counter: str | None = None,
                  directory: Path | None = None) -> Path | None:
    """Configure the root logger; returns the log file's path (None when there is none).

    ``stderr`` is ``"json"`` (the headless runner: its supervisor collects the lines),
    ``"text"`` (a person at a terminal) or ``"none"``. Calling it again replaces the
    handlers an earlier call installed, so tests and repeated ``main()`` calls don't
    stack them.
    """
    remove_handlers()
    root = logging.getLogger()
    root.setLevel(level)
    formatter = JsonFormatter(counter)
    handlers: list[logging.Handler] = []
    if stderr == "json":
        handlers.append(logging.StreamHandler(sys.stderr))
        handlers[-1].setFormatter(formatter)
    elif stderr == "text":
        handlers.append(logging.StreamHandler(sys.stderr))
        handlers[-1].setFormatter(
            logging.Formatter("%(asctime)s %(levelname)s %(name)s: %(message)s"))
    path: Path | None = None
    if file_name is not None:
        folder = directory or log_dir()
        try:
            folder.mkdir(parents=True, exist_ok=True)
            path = folder / file_name
            file_handler = logging.handlers.RotatingFileHandler(
                path, maxBytes=MAX_BYTES, backupCount=BACKUPS, encoding="utf-8")
        except OSError as exc:
            path = None
            print(f"boxoffice: cannot write logs to {folder}: {exc}", file=sys.stderr)
        else:
            file_handler.setFormatter(formatter)
            handlers.append(file_handler)
    for handler in handlers:
        setattr(handler, _HANDLER_TAG, True)
        root.addHandler(handler)
    for noisy in ("alembic", "apscheduler"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
    return path


def remove_handlers() -> None:
    """Take away the handlers ``setup_logging`` installed (tests, embedding)."""
    root = logging.getLogger()
    for handler in list(root.handlers):
        if getattr(handler, _HANDLER_TAG, False):
            root.removeHandler(handler)
            handler.close()
