"""The look of the app in one place: seat colours and glyphs, icons, the style sheet.

Every widget takes its colours from here so the grid, the legend, the overview image
and the wall view agree. Seat states are told apart by colour *and* by a glyph or a
pattern, so a clerk who cannot tell amber from purple still reads the grid.
"""

from __future__ import annotations

import logging
from functools import cache
from pathlib import Path

from PySide6.QtGui import QColor, QIcon
from PySide6.QtWidgets import QLabel

import boxoffice

log = logging.getLogger(__name__)

# Beside the package, in a checkout and in the bundle alike (not relative to this file,
# which moved once already).
RESOURCES = Path(boxoffice.__file__).resolve().parent.parent / "resources"

# Seat display states, one byte each in the grid model.
FREE, HELD_MINE, HELD_OTHER, SOLD, BLOCKED = range(5)
# Seat kinds.
STANDARD, WHEELCHAIR, COMPANION = range(3)
KIND_CODES = {"standard": STANDARD, "wheelchair": WHEELCHAIR, "companion": COMPANION}

STATE_NAMES = {
    FREE: "Free",
    HELD_MINE: "Held by this counter",
    HELD_OTHER: "Held by another counter",
    SOLD: "Sold",
    BLOCKED: "Blocked / house seat",
}

# (fill, border, text) per state; "selected" is drawn on top of a free seat.
SEAT_COLOURS: dict[int, tuple[str, str, str]] = {
    FREE: ("#e7f5ec", "#3f9b63", "#1f5135"),
    HELD_MINE: ("#f9c74f", "#c98a08", "#5a3d00"),
    HELD_OTHER: ("#d7c2ea", "#8e5fb8", "#4a2a66"),
    SOLD: ("#aab1bc", "#7c8593", "#3d4450"),
    BLOCKED: ("#474d57", "#2f343b", "#e5e7eb"),
}
SELECTED = ("#2563eb", "#1d4ed8", "#ffffff")
WHEELCHAIR_COLOUR = "#0f6cbd"
COMPANION_COLOUR = "#0f766e"
FOCUS_COLOUR = "#f97316"

# One pixel per seat in the zoomed-out overview image.
OVERVIEW_RGB: dict[int, int] = {s: QColor(c[0]).rgb() for s, c in SEAT_COLOURS.items()}
OVERVIEW_RGB[FREE] = QColor("#8fd3a6").rgb()
OVERVIEW_RGB[SOLD] = QColor("#7c8593").rgb()
OVERVIEW_SELECTED_RGB = QColor(SELECTED[0]).rgb()
OVERVIEW_WHEELCHAIR_RGB = QColor("#5fa8e8").rgb()
BACKGROUND = "#f6f7f9"
GRID_BACKGROUND = "#ffffff"

# Glyph drawn in a seat of this state, besides its colour (None: the seat number).
STATE_GLYPHS = {SOLD: "\u00d7", BLOCKED: "\u2013", HELD_MINE: "\u25f7", HELD_OTHER: "\u25f7"}
KIND_GLYPHS = {WHEELCHAIR: "\u267f", COMPANION: "+"}


@cache
def icon(name: str) -> QIcon:
    """An SVG icon from resources/icons, or an empty icon if the file is missing."""
    path = RESOURCES / "icons" / f"{name}.svg"
    if not path.exists():
        log.debug("icon %s missing at %s", name, path)
        return QIcon()
    return QIcon(str(path))


def show_message(label: QLabel, text: str, level: str) -> None:
    """Show ``text`` in a ``#Message`` label coloured by ``level`` (info, success, error).

    The style sheet picks the colours by the ``level`` property, and Qt restyles a widget
    only when it is polished again; an empty text hides the label.
    """
    label.setText(text)
    label.setProperty("level", level)
    label.style().unpolish(label)
    label.style().polish(label)
    label.setVisible(bool(text))


def style_sheet() -> str:
    path = RESOURCES / "boxoffice.qss"
    try:
        return path.read_text(encoding="utf-8").replace(
            "@ICONS@", (RESOURCES / "icons").as_posix())
    except OSError:
        log.info("style sheet not found at %s; using the platform style", path)
        return ""
