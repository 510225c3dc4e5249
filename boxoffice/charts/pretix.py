"""pretix seating plans (zones → rows → seats) to and from a chart.

Read leniently: the published schema, the variant with non-integer sizes that real exports
use, and supersets such as a top-level ``standing`` area or seats marked ``wheelchair``.
A zone becomes a section; rows sharing a ``row_number`` in a zone are segments of one row;
``seat_guid`` is the seat's id (what pretix's orders name). Positions are absolute
(zone + row + seat offsets); export writes every seat in its own row's frame at (0, 0).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from boxoffice.charts.model import (
    Category,
    Chart,
    ChartSeat,
    Level,
    Row,
    Section,
    Shape,
    StandingArea,
    id_text,
)
from boxoffice.errors import InvalidLayout


def looks_like(data: object) -> bool:
    return isinstance(data, Mapping) and isinstance(data.get("zones"), list)


def _xy(obj: Mapping[str, Any], key: str = "position") -> tuple[float, float]:
    pos = obj.get(key) or {}
    if not isinstance(pos, Mapping):
        return float("nan"), float("nan")
    x, y = pos.get("x", 0), pos.get("y", 0)
    ok = all(isinstance(v, int | float) and not isinstance(v, bool) for v in (x, y))
    return (float(x), float(y)) if ok else (float("nan"), float("nan"))


def read(data: Mapping[str, Any]) -> Chart:
    cats = data.get("categories") or []
    if not isinstance(cats, list) or not all(isinstance(c, Mapping) and isinstance(
            c.get("name"), str) for c in cats):
        raise InvalidLayout("pretix categories must be a list of {name, color}.", field="chart")
    sections: list[Section] = []
    shapes: list[Shape] = []
    for zi, zone in enumerate(data["zones"]):
        if not isinstance(zone, Mapping) or not isinstance(zone.get("rows"), list):
            raise InvalidLayout(f"pretix zone {zi + 1} has no list of rows.", field="chart")
        zx, zy = _xy(zone)
        name = str(zone.get("name") or f"Zone {zi + 1}")
        rows: list[Row] = []
        for ri, row in enumerate(zone["rows"]):
            if not isinstance(row, Mapping) or not isinstance(row.get("seats"), list):
                raise InvalidLayout(f"pretix zone {name}, row {ri + 1} has no list of seats.",
                                    field="chart")
            rx, ry = _xy(row)
            label = str(row.get("row_number") or "")
            seats = []
            for seat in row["seats"]:
                if not isinstance(seat, Mapping):
                    raise InvalidLayout(f"pretix zone {name}, row {label}: a seat is not an "
                                        "object.", field="chart")
                sx, sy = _xy(seat)
                number = str(seat.get("seat_number") or "")
                guid = seat.get("seat_guid")
                seats.append(ChartSeat(
                    id=str(guid) if guid is not None else "",
                    number=number,
                    x=zx + rx + sx, y=zy + ry + sy,
                    category=seat.get("category"),
                    access="wheelchair" if seat.get("wheelchair") is True else "standard",
                ))
            rows.append(Row(label, tuple(seats)))
        standing: tuple[StandingArea, ...] = ()
        sections.append(Section(name, tuple(rows), standing))
        for area in zone.get("areas") or []:
            if isinstance(area, Mapping):
                shapes.append(Shape(str(area.get("shape", "rectangle")),
                                    {**{k: v for k, v in area.items() if k != "shape"},
                                     "zone": name, "zone_position": {"x": zx, "y": zy}}))
    stand = data.get("standing")
    if isinstance(stand, Mapping):  # the Riethsporthalle superset: one standing area
        name = str(stand.get("name") or "Standing")
        cap = stand.get("capacity")
        area = StandingArea(id_text(name), name, cap if isinstance(cap, int) else -1)
        sections.append(Section(name, (), (area,)))
    size: Mapping[str, Any] = data["size"] if isinstance(data.get("size"), Mapping) else {}
    return Chart(
        name=str(data.get("name") or ""),
        levels=(Level("", tuple(sections)),),
        categories=tuple(Category(c["name"], c.get("color")) for c in cats),
        shapes=tuple(shapes),
        width=_num(size.get("width")), height=_num(size.get("height")),
    )


def _num(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None


def write(chart: Chart) -> dict[str, Any]:
    """A pretix seating plan of the chart's seats (levels and sections flattened into
    zones named "Level / Section"). Standing areas go in the top-level ``standing``
    superset only when there is exactly one, as the Riethsporthalle file does."""
    zones: list[dict[str, Any]] = []
    for lv in chart.levels:
        for sec in lv.sections:
            if not sec.rows:
                continue
            name = " / ".join(p for p in (lv.name, sec.name) if p) or "Hall"
            rows = []
            for row in sec.rows:
                rows.append({"row_number": row.label, "position": {"x": 0, "y": 0}, "seats": [
                    {"seat_number": s.number, "seat_guid": s.id,
                     "position": {"x": s.x, "y": s.y},
                     **({"category": s.category} if s.category is not None else {}),
                     **({"wheelchair": True} if s.access == "wheelchair" else {})}
                    for s in row.seats]})
            zones.append({"name": name, "position": {"x": 0, "y": 0}, "rows": rows,
                          "areas": []})
    out: dict[str, Any] = {
        "name": chart.name,
        "categories": [{"name": c.name, "color": c.color or "#999999"}
                       for c in chart.categories],
        "zones": zones,
        "size": {"width": chart.width or 0, "height": chart.height or 0},
    }
    areas = chart.standing_areas()
    if len(areas) == 1:
        out["standing"] = {"name": areas[0][2].name, "capacity": areas[0][2].capacity}
    return out
