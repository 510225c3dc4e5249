"""Structured logs: one JSON object per line, ids on booking lines, no customer names."""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from boxoffice import booking, expiry, shows
from boxoffice.db import Database
from boxoffice.errors import SeatsTaken
from boxoffice.logs import remove_handlers, setup_logging


@pytest.fixture
def json_log(tmp_path: Path) -> Iterator[Path]:
    # Other tests in this process may have quietened the "boxoffice" logger; these lines
    # are about what reaches the file at INFO, so it inherits the root's level here.
    ours = logging.getLogger("boxoffice")
    levels = logging.getLogger().level, ours.level
    ours.setLevel(logging.NOTSET)
    path = setup_logging("INFO", stderr="none", counter="Counter 3", directory=tmp_path)
    assert path == tmp_path / "boxoffice.log"
    yield path
    remove_handlers()
    logging.getLogger().setLevel(levels[0])
    ours.setLevel(levels[1])


def lines(path: Path) -> list[dict[str, Any]]:
    for handler in logging.getLogger().handlers:
        handler.flush()
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()]


def test_booking_lines_carry_ids_and_no_customer(json_log: Path, db: Database,
                                                 show: shows.ShowView) -> None:
    sold = booking.sell(db, show.id, ["B1", "B2"], clerk="ann", customer="Zoë Customer")
    with pytest.raises(SeatsTaken):
        booking.sell(db, show.id, ["B2"], clerk="bob", customer="Yann Otherperson")
    held = booking.hold(db, show.id, ["C1"], clerk="ann", customer="Xavier Holder")
    booking.confirm(db, held.id, clerk="ann")
    booking.cancel(db, sold.id, clerk="ann")
    expiry.expire_holds(db)
    logging.getLogger("boxoffice.test").info("with extras", extra={
        "booking_id": 7, "customer": "Wanda Secret", "seats": ("A1",)})

    records = lines(json_log)
    about_bookings = [r for r in records if r["component"] == "boxoffice.booking"]
    assert len(about_bookings) >= 5
    for r in records:
        assert {"time", "level", "component", "counter", "message"} <= r.keys()
        assert r["counter"] == "Counter 3" and r["time"].endswith("+00:00")
    for r in about_bookings:
        assert r["show_id"] == show.id and isinstance(r["booking_id"], int), r
    assert {sold.id, held.id} <= {r["booking_id"] for r in about_bookings}
    extra = records[-1]
    assert extra["booking_id"] == 7 and extra["seats"] == ["A1"] and "customer" not in extra
    text = json_log.read_text(encoding="utf-8")
    for name in ("Zoë", "Yann", "Xavier", "Wanda", "Customer", "Holder"):
        assert name not in text


def test_exceptions_stay_one_line(json_log: Path) -> None:
    try:
        raise RuntimeError("boom\nsecond line")
    except RuntimeError:
        logging.getLogger("boxoffice.test").exception("failed", extra={"show_id": 3})
    (record,) = lines(json_log)
    assert record["level"] == "ERROR" and record["show_id"] == 3
    assert "RuntimeError: boom" in record["exception"]
    assert len(json_log.read_text(encoding="utf-8").splitlines()) == 1


def test_setup_twice_does_not_stack_handlers(tmp_path: Path) -> None:
    level = logging.getLogger().level
    try:
        setup_logging("INFO", stderr="json", directory=tmp_path)
        setup_logging("WARNING", stderr="json", directory=tmp_path)
        ours = [h for h in logging.getLogger().handlers
                if getattr(h, "_boxoffice_handler", False)]
        assert len(ours) == 2  # stderr and the file, once each
    finally:
        remove_handlers()
        logging.getLogger().setLevel(level)
