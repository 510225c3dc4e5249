"""A chart as the rows of ``show_seats`` it becomes: one per seat, one per standing place.

``booking_seats`` references these rows, so the database refuses a seat (or a standing
place beyond capacity) that the chart does not have.
"""

from __future__ import annotations

from typing import Any

from boxoffice.charts.model import Chart

SEAT_COLUMNS = ("seat_number", "row_label", "row_index", "column_index", "kind", "sellable",
                 "pos_x", "pos_y", "rotation", "level", "section", "seat_label", "restricted_view",
                 "blocked_reason", "standing_area")
SEAT_TYPES = ("text", "text", "int", "int", "text", "bool", "float8", "float8", "float8",
               "text", "text", "text", "bool", "text", "text")


def seat_rows(chart: Chart) -> dict[str, list[Any]]:
    """The chart's ``show_seats`` rows as columns: every seat, then every standing place
    (a row index of its own per area, after the seated rows)."""
    cols: dict[str, list[Any]] = {c: [] for c in SEAT_COLUMNS}

    def add(*values: Any) -> None:
        for c, v in zip(SEAT_COLUMNS, values, strict=True):
            cols[c].append(v)

    last = -1
    for p in chart.placed():
        s = p.seat
        last = p.row_index
        add(s.id, p.row, p.row_index, p.column, s.access, s.sellable, s.x, s.y, s.rotation,
            p.level, p.section, s.number, s.restricted_view, s.blocked, None)
    for ai, (lv, sec, area) in enumerate(chart.standing_areas(), start=last + 1):
        for n, place in enumerate(area.place_ids(), start=1):
            add(place, area.name, ai, n - 1, "standard", True, area.x, area.y, None, lv.name,
                sec.name, str(n), False, None, area.id)
    return cols
