"""Where the charts written by other people are (read in place, never copied here) and
what their README says is in each."""

from __future__ import annotations

from pathlib import Path

import pytest

CHARTS = Path(__file__).resolve().parents[3] / "shared" / "data" / "charts"


def chart(name: str) -> Path:
    path = CHARTS / name
    if not path.exists():
        pytest.skip(f"{path} is not on this machine")
    return path


# file: (seats, standing places, duplicate seat ids) as ../shared/data/charts/README.md gives
COUNTS = {
    "pretix_teater-besar-tim-jakarta.json": (1132, 0, 21),
    "pretix_courtside-complimentary.json": (300, 0, 40),
    "pretix_riethsporthalle-erfurt.json": (1252, 0, 0),
    "riethsporthalle-erfurt_extended.json": (1252, 248, 0),
    "seatsio_race-track-zones.json": (8897, 0, 0),
    "seatsio_sample-rows-ga.json": (32, 200, 0),
    "seatsio_sample-sections.json": (71, 0, 0),
    "seatsio_sample-tables.json": (12, 0, 0),
    "seatsio_sample-floors.json": (4, 0, 0),
}
