"""A chart as a CSV a venue can write by hand: one line per seat, one per standing area.

Header: ``level, section, row, seat, x, y, category, accessibility, restricted_view,
blocked`` (in any order, spaces after commas allowed), and optionally ``capacity`` (a
standing area: a line with ``section`` and ``capacity`` and no ``seat``), ``rotation`` and
``id`` (the seat's stable id; without it the id is made from the labels, ``C12`` for a
row C seat 12 with no level or section, spaces as ``_``). Lines of one row that follow each other are one
segment; the same row again later is another segment. ``accessibility`` is empty,
``wheelchair`` or ``companion``; ``restricted_view`` yes/no; ``blocked`` empty, yes, or the
reason. Categories are those the lines name, in order of first use.
"""

from __future__ import annotations

import csv
import io
import math
from typing import Any

from boxoffice.charts.model import (
    ACCESS_KINDS,
    Category,
    Chart,
    ChartProblem,
    ChartSeat,
    Level,
    Row,
    Section,
    StandingArea,
    id_text,
)

COLUMNS = ("level", "section", "row", "seat", "x", "y", "category", "accessibility",
           "restricted_view", "blocked")
OPTIONAL = ("rotation", "capacity", "id")
_YES = {"yes", "y", "true", "1", "x"}
_NO = {"", "no", "n", "false", "0"}


def looks_like(text: str) -> bool:
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    names = {c.strip().lower() for c in first.split(",")}
    return {"section", "seat", "row"} <= names


def seat_id(level: str, section: str, row: str, seat: str) -> str:
    """The id a CSV line without an ``id`` gets: ``C12`` as a grid names it when there is
    no level or section, else the parts joined by ``-`` ("Orchestre-C-12 bis")."""
    if row[-1:].isalpha() and seat[:1].isdigit():
        tail = f"{row}{seat}"
    else:
        tail = "-".join(p for p in (row, seat) if p)
    return id_text("-".join(p for p in (level, section, tail) if p))


class CsvRefused(Exception):
    """Lines that cannot be read at all, each named by line number."""

    def __init__(self, problems: list[ChartProblem]) -> None:
        super().__init__(f"{len(problems)} unreadable lines")
        self.problems = problems


def read(text: str, name: str = "") -> Chart:
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")), skipinitialspace=True)
    try:
        header = [h.strip().lower() for h in next(reader)]
    except StopIteration:
        raise CsvRefused([ChartProblem("empty file", "line 1", "no header")]) from None
    unknown = [h for h in header if h not in COLUMNS + OPTIONAL]
    missing = [c for c in COLUMNS if c not in header]
    if unknown or missing:
        detail = "; ".join(filter(None, [
            f"unknown columns: {', '.join(unknown)}" if unknown else "",
            f"missing columns: {', '.join(missing)}" if missing else ""]))
        raise CsvRefused([ChartProblem("bad header", "line 1",
                                       f"{detail}; the header is {', '.join(COLUMNS)} "
                                       f"(optional: {', '.join(OPTIONAL)})")])
    problems: list[ChartProblem] = []
    sections: dict[tuple[str, str], tuple[list[Row], list[StandingArea]]] = {}
    categories: dict[str, None] = {}
    last_key: tuple[str, str, str] | None = None
    for n, values in enumerate(reader, start=2):
        if not any(v.strip() for v in values):
            continue
        if len(values) != len(header):
            problems.append(ChartProblem("bad line", f"line {n}",
                                         f"{len(values)} fields, the header has {len(header)}"))
            continue
        line = dict(zip(header, (v.strip() for v in values), strict=True))
        level, section, row, seat = line["level"], line["section"], line["row"], line["seat"]
        where = f"line {n} ({', '.join(p for p in (level, section, row, seat) if p)})"
        rows, standing = sections.setdefault((level, section), ([], []))
        cat = line["category"] or None
        if cat is not None:
            categories.setdefault(cat)
        if not seat:
            cap = _int(line.get("capacity", ""))
            if cap is None:
                problems.append(ChartProblem("bad line", where, "no seat and no capacity: a "
                                             "standing area needs its capacity"))
                continue
            x, y = _float(line["x"]) if line["x"] else 0.0, _float(line["y"]) if line["y"] else 0.0
            standing.append(StandingArea(line.get("id") or id_text(section or "Standing"),
                                         section or "Standing", cap, x, y, cat))
            last_key = None
            continue
        if line.get("capacity"):
            problems.append(ChartProblem("bad line", where, "a seat has no capacity"))
            continue
        access = line["accessibility"].lower() or "standard"
        rv = line["restricted_view"].lower()
        blocked = line["blocked"]
        if access not in ACCESS_KINDS:
            problems.append(ChartProblem("bad accessibility", where,
                                         f"{line['accessibility']!r}: empty, wheelchair or "
                                         "companion"))
        if rv not in _YES | _NO:
            problems.append(ChartProblem("bad restricted_view", where, f"{rv!r}: yes or no"))
        rot = line.get("rotation", "")
        s = ChartSeat(
            id=line.get("id") or seat_id(level, section, row, seat),
            number=seat, x=_float(line["x"]), y=_float(line["y"]),
            rotation=_float(rot) if rot else None, category=cat, access=access,
            restricted_view=rv in _YES,
            blocked=None if blocked.lower() in _NO else
                    "Blocked" if blocked.lower() in _YES else blocked)
        key = (level, section, row)
        if key == last_key:
            rows[-1] = Row(row, (*rows[-1].seats, s))
        else:
            rows.append(Row(row, (s,)))
        last_key = key
    if problems:
        raise CsvRefused(problems)
    levels: dict[str, list[Section]] = {}
    for (level, section), (rows, standing) in sections.items():
        levels.setdefault(level, []).append(Section(section, tuple(rows), tuple(standing)))
    return Chart(name, tuple(Level(k, tuple(v)) for k, v in levels.items()),
                 categories=tuple(Category(c) for c in categories))


def _float(v: str) -> float:
    try:
        return float(v)
    except ValueError:
        return math.nan


def _int(v: str) -> int | None:
    try:
        return int(v)
    except ValueError:
        return None


def write(chart: Chart) -> str:
    out = io.StringIO()
    w = csv.writer(out, lineterminator="\n")
    w.writerow([*COLUMNS, *OPTIONAL])
    for p in chart.placed():
        s = p.seat
        w.writerow([p.level, p.section, p.row, s.number, repr(s.x), repr(s.y), s.category or "",
                    "" if s.access == "standard" else s.access,
                    "yes" if s.restricted_view else "", _blocked(s.blocked),
                    "" if s.rotation is None else repr(s.rotation), "", s.id])
    for lv, sec, a in chart.standing_areas():
        w.writerow([lv.name, sec.name if sec.name else a.name, "", "", repr(a.x), repr(a.y),
                    a.category or "", "", "", "", "", a.capacity, a.id])
    return out.getvalue()


def _blocked(reason: str | None) -> str:
    if reason is None:
        return ""
    return "yes" if reason == "Blocked" else reason


def rows_of(chart: Chart) -> list[dict[str, Any]]:
    """Every seat as the CSV names it: what a round trip must give back."""
    text = write(chart)
    return list(csv.DictReader(io.StringIO(text)))
