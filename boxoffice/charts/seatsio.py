"""seats.io chart JSON (the designer's drawing) to a chart.

Floors (``subChartFloors``) or zones become levels, sections become sections (their seats
drawn at the section's ``topLeft`` plus their own position), rows and tables become rows
(a table's seats are a row named after the table; ``bookAsAWhole`` is kept), general
admission areas become standing areas. A seat's id is seats.io's object label,
``Section-Row-Seat`` (``Row-Seat`` without sections), so ids match seats.io's own. A
category is found by its key first (seats.io's reference) and then by its label.
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
    return isinstance(data, Mapping) and ("subChart" in data or "subChartFloors" in data)


class _Reader:
    def __init__(self, data: Mapping[str, Any]) -> None:
        cats = (data.get("categories") or {}).get("list", []) \
            if isinstance(data.get("categories"), Mapping) else []
        self.categories = [Category(str(c.get("label")), c.get("color")) for c in cats
                           if isinstance(c, Mapping)]
        self.by_key = {c.get("key"): str(c.get("label")) for c in cats
                       if isinstance(c, Mapping) and c.get("key") is not None}
        self.labels = {c.name for c in self.categories}
        self.shapes: list[Shape] = []

    def category(self, obj: Mapping[str, Any], fallback: str | None) -> str | None:
        key = obj.get("categoryKey")
        if key is not None and key in self.by_key:
            return self.by_key[key]
        label = obj.get("categoryLabel")
        if label is not None:
            return str(label)
        return fallback

    def sections(self, sub: Mapping[str, Any], default: str, ox: float = 0.0, oy: float = 0.0,
                 cat: str | None = None) -> list[tuple[str | None, Section]]:
        """(zone key, section) for a subChart: its own rows as one section, then each of
        its sections."""
        out: list[tuple[str | None, Section]] = []
        rows: list[Row] = []
        prefix = f"{default}-" if default else ""
        for r in sub.get("rows") or []:
            label = str(r.get("label") or "")
            rows.append(Row(label, tuple(
                self.seat(s, f"{prefix}{label}-" if label else prefix, ox, oy, cat)
                for s in r.get("seats") or [])))
        for t in sub.get("tables") or []:
            label = str(t.get("label") or "")
            rows.append(Row(label, tuple(self.seat(s, f"{prefix}{label}-", ox, oy, cat)
                                         for s in t.get("seats") or []),
                            book_whole=bool(t.get("bookAsAWhole"))))
        standing = []
        for g in sub.get("generalAdmissionAreas") or []:
            label = str(g.get("label") or "GA")
            center = g.get("center") or {}
            cap = g.get("capacity")
            standing.append(StandingArea(id_text(f"{prefix}{label}"), label,
                                         cap if isinstance(cap, int) else -1,
                                         ox + _f(center.get("x")), oy + _f(center.get("y")),
                                         self.category(g, cat)))
        if rows or standing:
            out.append((None, Section(default, tuple(rows), tuple(standing))))
        for kind in ("shapes", "texts"):
            for shape in sub.get(kind) or []:
                if isinstance(shape, Mapping):
                    self.shapes.append(Shape(str(shape.get("type") or kind[:-1]),
                                             {**shape, "origin": {"x": ox, "y": oy}}))
        for sec in sub.get("sections") or []:
            name = str(sec.get("label") or "")
            top = sec.get("topLeft") or {}
            if sec.get("points"):
                self.shapes.append(Shape("outline", {"label": name, "points": sec["points"]}))
            inner = self.sections(sec.get("subChart") or {}, name, _f(top.get("x")),
                                  _f(top.get("y")), self.category(sec, cat))
            zone = sec.get("zone")
            out.extend((zone if isinstance(zone, str) else None, s) for _, s in inner)
        return out

    def seat(self, s: Mapping[str, Any], prefix: str, ox: float, oy: float,
             cat: str | None) -> ChartSeat:
        number = str(s.get("label") or "")
        return ChartSeat(
            id=id_text(f"{prefix}{number}"),
            number=number,
            x=ox + _f(s.get("x")), y=oy + _f(s.get("y")),
            category=self.category(s, cat),
            access="wheelchair" if s.get("accessible") else
                   "companion" if s.get("companionSeat") else "standard",
            restricted_view=bool(s.get("restrictedView")),
        )


def _f(v: object) -> float:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else float("nan")


def read(data: Mapping[str, Any]) -> Chart:
    r = _Reader(data)
    levels: list[Level] = []
    floors = data.get("subChartFloors")
    zones = {z.get("key"): str(z.get("label")) for z in
             ((data.get("zones") or {}).get("list", []) if isinstance(data.get("zones"), Mapping)
              else []) if isinstance(z, Mapping)}
    if floors:
        if not isinstance(floors, list):
            raise InvalidLayout("seats.io subChartFloors must be a list.", field="chart")
        for i, floor in enumerate(floors):
            name = str(floor.get("floorDisplayName") or floor.get("floorName") or f"Floor {i + 1}")
            levels.append(Level(name, tuple(s for _, s in r.sections(floor, ""))))
    else:
        sub = data.get("subChart")
        if not isinstance(sub, Mapping):
            raise InvalidLayout("seats.io subChart must be an object.", field="chart")
        by_level: dict[str, list[Section]] = {}
        for zone, sec in r.sections(sub, ""):
            by_level.setdefault(zones.get(zone, "") if zone else "", []).append(sec)
        levels = [Level(name, tuple(secs)) for name, secs in by_level.items()]
    focal = None
    sub0 = data.get("subChart") or {}
    fp = sub0.get("focalPoint") if isinstance(sub0, Mapping) else None
    if isinstance(fp, Mapping):
        focal = (_f(fp.get("x")), _f(fp.get("y")))
    return Chart(name=str(data.get("name") or ""), levels=tuple(levels),
                 categories=tuple(r.categories), shapes=tuple(r.shapes),
                 width=_opt(sub0.get("width")) if isinstance(sub0, Mapping) else None,
                 height=_opt(sub0.get("height")) if isinstance(sub0, Mapping) else None,
                 focal_point=focal)


def _opt(v: object) -> float | None:
    return float(v) if isinstance(v, int | float) and not isinstance(v, bool) else None
