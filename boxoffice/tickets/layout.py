"""The ticket layout as data: a JSON resource a manager can change without a programmer.

``resources/ticket_layout.json`` ships with the app; a copy named ``ticket_layout.json``
in the BoxOffice data folder (or the file ``BOXOFFICE_TICKET_LAYOUT`` names) wins.
Positions are millimetres on the ticket, font sizes points; text elements are templates
over the ticket's fields (``{show_name}``, ``{start_time:%H:%M}``, …). The layout is
checked when it is loaded, so a bad edit is refused with a message that names the
element, not discovered at the printer.
"""

from __future__ import annotations

import json
import os
import string
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from boxoffice.errors import InvalidRequest
from boxoffice.tickets.service import FIELD_NAMES

FILE_NAME = "ticket_layout.json"
KINDS = ("text", "label", "rect", "line", "qr", "reprint")
_ALIGN = ("left", "center", "right")


class InvalidTicketLayout(InvalidRequest):
    """The ticket layout file cannot be used; the message says where and why."""


@dataclass(frozen=True, slots=True)
class Element:
    kind: str
    x: float
    y: float
    w: float = 0.0
    h: float = 0.0
    text: str = ""
    size: float = 9.0
    bold: bool = False
    mono: bool = False
    elide: bool = False
    align: str = "left"
    color: str = "#000000"
    stroke: str | None = None
    fill: str | None = None
    width: float = 0.3
    dash: bool = False

    def render(self, fields: Mapping[str, object]) -> str:
        """The element's text with the ticket's fields filled in."""
        return self.text.format_map(fields)


@dataclass(frozen=True, slots=True)
class TicketLayout:
    width: float
    height: float
    margin: float
    font: str
    elements: tuple[Element, ...]
    source: str = ""


def resource_path() -> Path:
    """The layout shipped with the app (source tree or PyInstaller bundle)."""
    bundle = getattr(sys, "_MEIPASS", None)
    if bundle and (Path(bundle) / "resources" / FILE_NAME).exists():
        return Path(bundle) / "resources" / FILE_NAME
    return Path(__file__).resolve().parents[2] / "resources" / FILE_NAME


def layout_path(data_dir: Path | None = None) -> Path:
    """Which layout file is in force: BOXOFFICE_TICKET_LAYOUT, the data folder's copy,
    or the shipped resource."""
    named = os.environ.get("BOXOFFICE_TICKET_LAYOUT")
    if named:
        return Path(named)
    if data_dir is not None and (data_dir / FILE_NAME).exists():
        return data_dir / FILE_NAME
    return resource_path()


def load_layout(path: Path | None = None) -> TicketLayout:
    """Read and check a layout file (default: the one in force)."""
    path = path or layout_path()
    try:
        raw = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise InvalidTicketLayout(f"The ticket layout {path} cannot be read: {exc.strerror}.") from exc
    except ValueError as exc:
        raise InvalidTicketLayout(f"The ticket layout {path} is not valid JSON: {exc}.") from exc
    return parse_layout(raw, source=str(path))


def _number(raw: Mapping[str, Any], key: str, where: str, default: float | None = None,
            low: float = 0.0, high: float = 1000.0) -> float:
    value = raw.get(key, default)
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise InvalidTicketLayout(f"{where}: {key} must be a number.")
    if not low <= value <= high:
        raise InvalidTicketLayout(f"{where}: {key} must be between {low:g} and {high:g}.")
    return float(value)


def _template(text: object, where: str) -> str:
    if not isinstance(text, str):
        raise InvalidTicketLayout(f"{where}: text must be a string.")
    try:
        parts = list(string.Formatter().parse(text))
    except ValueError as exc:
        raise InvalidTicketLayout(f"{where}: the text {text!r} is not a valid template ({exc}).") from exc
    for _literal, name, _spec, _conv in parts:
        if name is None:
            continue
        if name not in FIELD_NAMES:
            raise InvalidTicketLayout(
                f"{where}: {{{name}}} is not a ticket field; use one of "
                f"{', '.join(sorted(FIELD_NAMES))}.")
    return text


def _color(raw: Mapping[str, Any], key: str, where: str, default: str | None) -> str | None:
    value = raw.get(key, default)
    if value is None:
        return None
    if not (isinstance(value, str) and len(value) in (4, 7, 9) and value.startswith("#")
            and all(c in string.hexdigits for c in value[1:])):
        raise InvalidTicketLayout(f"{where}: {key} must be a colour like #1f2a44.")
    return value


def parse_layout(raw: object, *, source: str = "") -> TicketLayout:
    if not isinstance(raw, dict):
        raise InvalidTicketLayout("A ticket layout is a JSON object with page and elements.")
    page = raw.get("page")
    if not isinstance(page, dict):
        raise InvalidTicketLayout("The ticket layout needs a page with width and height.")
    width = _number(page, "width", "page", low=20, high=400)
    height = _number(page, "height", "page", low=20, high=400)
    margin = _number(page, "margin", "page", default=0, high=50)
    font = raw.get("font", "DejaVu Sans")
    if not isinstance(font, str) or not font.strip():
        raise InvalidTicketLayout("font must be a font family name.")
    items = raw.get("elements")
    if not isinstance(items, list) or not items:
        raise InvalidTicketLayout("The ticket layout needs a list of elements.")
    elements = []
    qr = 0
    for i, item in enumerate(items, 1):
        where = f"element {i}"
        if not isinstance(item, dict) or item.get("type") not in KINDS:
            raise InvalidTicketLayout(f"{where}: type must be one of {', '.join(KINDS)}.")
        kind = item["type"]
        where = f"element {i} ({kind})"
        x = _number(item, "x", where, low=0, high=width)
        y = _number(item, "y", where, low=0, high=height)
        if kind == "qr":
            qr += 1
            size = _number(item, "size", where, low=15, high=min(width, height))
            elements.append(Element(kind, x, y, size, size))
            continue
        w = _number(item, "w", where, low=0, high=width)
        h = _number(item, "h", where, low=0, high=height)
        align = item.get("align", "left")
        if align not in _ALIGN:
            raise InvalidTicketLayout(f"{where}: align must be left, center or right.")
        elements.append(Element(
            kind, x, y, w, h,
            text=_template(item.get("text", ""), where) if kind in ("text", "label", "reprint")
            else "",
            size=_number(item, "size", where, default=6.5 if kind == "label" else 9.0,
                         low=4, high=72),
            bold=bool(item.get("bold", False)), mono=bool(item.get("mono", False)),
            elide=bool(item.get("elide", False)), align=align,
            color=_color(item, "color", where, "#666666" if kind == "label" else "#000000")
            or "#000000",
            stroke=_color(item, "stroke", where, None), fill=_color(item, "fill", where, None),
            width=_number(item, "width", where, default=0.3, high=5),
            dash=bool(item.get("dash", False)),
        ))
    if qr != 1:
        raise InvalidTicketLayout("The ticket layout must have exactly one qr element: the "
                                  "door scans it.")
    return TicketLayout(width, height, margin, font, tuple(elements), source)
