"""A show's seats painted by price category, for the manager's price editor.

Reuses the layout preview's geometry and input (click a seat, drag across seats); seats
are filled with their category's colour and carry its number, so the bands read without
colour too. A click on a row label asks for the whole row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QBrush, QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from boxoffice.ui.manager.layout_preview import (
    BLOCKED,
    COMPANION,
    HOUSE,
    STYLE,
    WHEELCHAIR,
    Draft,
    LayoutPreview,
)

# Seats no category sells: drawn as the layout preview draws them, and left out of counts.
NOT_FOR_SALE = (BLOCKED, HOUSE)
# The marks explained under the categories (those the hall has).
MARK_WORDS = ((BLOCKED, "Blocked"), (HOUSE, "House seat"), (WHEELCHAIR, "Wheelchair"),
              (COMPANION, "Companion"))
LEGEND_LINE = 18

# Distinct, print-safe fills (border = a darker shade, text chosen for contrast).
PALETTE = ("#3b82f6", "#f59e0b", "#10b981", "#ef4444", "#8b5cf6", "#ec4899", "#14b8a6",
           "#84cc16", "#f97316", "#6366f1", "#0ea5e9", "#a16207")
UNPRICED = "#e7ebf0"


def colour_of(index: int) -> str:
    return PALETTE[index % len(PALETTE)]


def text_colour(fill: str) -> QColor:
    c = QColor(fill)
    luminance = 0.299 * c.red() + 0.587 * c.green() + 0.114 * c.blue()
    return QColor("#111827") if luminance > 165 else QColor("#ffffff")


class CategoryMap(LayoutPreview):
    """``seat_clicked``/``seat_dragged`` as the preview; ``row_clicked`` on a row label."""

    row_clicked = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("categoryMap")
        self.setAccessibleName("Seats by price category")
        self._names: tuple[str, ...] = ()
        self._colours: tuple[str, ...] = ()
        self._seat_cat: Mapping[str, int] = {}
        self._counts: list[int] = []
        self._current = -1
        self.LEGEND_H = 26  # grows by a line for each line the legend wraps onto

    def set_categories(self, names: Sequence[str], colours: Sequence[str],
                       seat_category: Mapping[str, int], current: int = -1) -> None:
        """``seat_category``: seat label → index into ``names`` (absent: not priced)."""
        self._names, self._colours = tuple(names), tuple(colours)
        self._seat_cat = dict(seat_category)
        self._counts = [0] * len(self._names)
        marks = self.draft().marks
        for seat, i in self._seat_cat.items():
            if 0 <= i < len(self._counts) and marks.get(seat) not in NOT_FOR_SALE:
                self._counts[i] += 1
        self._current = current
        self._fit_legend()
        self.update()

    def set_draft(self, draft: Draft) -> None:
        super().set_draft(draft)
        self._fit_legend()

    def resizeEvent(self, event: object) -> None:
        self._fit_legend(relayout=False)
        super().resizeEvent(event)

    def _fit_legend(self, relayout: bool = True) -> None:
        """Room under the seats for every line of the legend (it wraps, never clips)."""
        height = 8 + LEGEND_LINE * max(1, len(self._legend_lines()))
        if height != self.LEGEND_H:
            self.LEGEND_H = height
            if relayout:
                self._relayout()

    def category_at(self, label: str) -> int:
        return self._seat_cat.get(label, -1)

    # -- painting -------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        draft = self.draft()
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if not draft.rows:
            p.setPen(self.palette().placeholderText().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No seats")
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, self._cell >= 6)
        self._paint_stage(p)
        buckets: dict[int, list[tuple[QRectF, str]]] = {}
        unsold: dict[str, list[QRectF]] = {}  # blocked and house seats: no category
        kinds: dict[str, list[QRectF]] = {}  # wheelchair and companion: a glyph on top
        marks = draft.marks
        for ri, (rl, positions) in enumerate(draft.rows):
            for ci, n in enumerate(positions):
                if n is not None:
                    label = f"{rl}{n}"
                    mark = marks.get(label)
                    rect = self._cell_rect(ri, ci)
                    if mark in NOT_FOR_SALE:
                        unsold.setdefault(mark, []).append(rect)
                        continue
                    buckets.setdefault(self._seat_cat.get(label, -1), []).append(
                        (rect, str(n)))
                    if mark in (WHEELCHAIR, COMPANION):
                        kinds.setdefault(mark, []).append(rect)
        radius = min(4.0, self._cell * 0.2)
        f = QFont(self.font())
        f.setPointSizeF(max(5.5, min(8.5, self._cell * 0.32)))
        for index, items in buckets.items():
            fill = self._colours[index] if 0 <= index < len(self._colours) else UNPRICED
            p.setBrush(QColor(fill))
            p.setPen(QPen(QColor(fill).darker(135), 1) if self._cell >= 5 else Qt.PenStyle.NoPen)
            for r, _ in items:
                if radius >= 1.5:
                    p.drawRoundedRect(r, radius, radius)
                else:
                    p.drawRect(r)
            if self._cell >= 11:  # the category's number: the bands read without colour
                p.setFont(f)
                p.setPen(text_colour(fill))
                glyph = str(index + 1) if index >= 0 else ""
                for r, _number in items:
                    p.drawText(r, Qt.AlignmentFlag.AlignCenter, glyph)
        self._paint_marks(p, unsold, kinds, radius)
        self._paint_row_labels(p)
        self._paint_legend(p)
        p.end()

    def _paint_marks(self, p: QPainter, unsold: dict[str, list[QRectF]],
                     kinds: dict[str, list[QRectF]], radius: float) -> None:
        """Blocked and house seats as the layout preview draws them; wheelchair and
        companion spaces keep their category's fill under a ring and a glyph."""
        f = QFont(self.font())
        f.setPointSizeF(max(5.5, min(8.5, self._cell * 0.32)))
        f.setBold(True)
        p.setFont(f)
        for mark, rects in unsold.items():
            fill, border, glyph = STYLE[mark]
            p.setBrush(QColor(fill))
            p.setPen(QPen(QColor(border), 1) if self._cell >= 5 else Qt.PenStyle.NoPen)
            for r in rects:
                p.drawRoundedRect(r, radius, radius)
            if mark == BLOCKED:
                p.setBrush(QBrush(QColor(255, 255, 255, 110), Qt.BrushStyle.BDiagPattern))
                p.setPen(Qt.PenStyle.NoPen)
                p.drawRects(rects)
            if self._cell >= 11 and glyph:
                p.setPen(QColor("#ffffff"))
                for r in rects:
                    p.drawText(r, Qt.AlignmentFlag.AlignCenter, glyph)
        for mark, rects in kinds.items():
            fill, _border, glyph = STYLE[mark]
            p.setBrush(Qt.BrushStyle.NoBrush)
            p.setPen(QPen(QColor(fill), 2))
            for r in rects:
                p.drawRoundedRect(r.adjusted(1, 1, -1, -1), radius, radius)
            if self._cell >= 11:
                for r in rects:
                    corner = QRectF(r.right() - r.width() * 0.55, r.top(), r.width() * 0.55,
                                    r.height() * 0.55)
                    p.setPen(QColor(fill))
                    p.drawText(corner, Qt.AlignmentFlag.AlignCenter, glyph)

    def _paint_row_labels(self, p: QPainter) -> None:
        c, lw = self._cell, self._label_w()
        if not lw:
            return
        f = QFont(self.font())
        f.setPointSizeF(max(6.0, min(9.0, c * 0.42)))
        f.setBold(True)
        p.setFont(f)
        p.setPen(QColor("#2563eb"))  # they are clickable: link blue
        for ri, (rl, _) in enumerate(self.draft().rows):
            y = self._origin.y() + ri * c
            p.drawText(QRectF(self._origin.x() - lw - 2, y, lw, c),
                       Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, rl)
            p.drawText(QRectF(self._origin.x() + self._cols * c + 2, y, lw, c),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, rl)

    def legend_items(self) -> list[tuple[str, str]]:
        """(colour, text) per category (its sellable seats), then the marks the hall has."""
        items = [(self._colours[i], f"{i + 1} {name} ({self._counts[i]:,})")
                 for i, name in enumerate(self._names)]
        present = set(self.draft().marks.values())
        items += [(STYLE[mark][0], words) for mark, words in MARK_WORDS if mark in present]
        return items

    def _legend_font(self) -> QFont:
        f = QFont(self.font())
        f.setPointSizeF(8.5)
        return f

    def _legend_lines(self) -> list[list[tuple[int, str, str, float]]]:
        """The legend's entries (index, colour, text, width) in lines that fit the width."""
        from PySide6.QtGui import QFontMetricsF

        fm = QFontMetricsF(self._legend_font())
        room = max(1.0, self.width() - 2 * self.MARGIN)
        lines: list[list[tuple[int, str, str, float]]] = [[]]
        used = 0.0
        for i, (fill, text) in enumerate(self.legend_items()):
            w = 12 + 6 + fm.horizontalAdvance(text) + 8
            if lines[-1] and used + w > room:
                lines.append([])
                used = 0.0
            lines[-1].append((i, fill, text, w))
            used += w + 10
        return [line for line in lines if line]

    def legend_rects(self) -> list[QRectF]:
        """Where each legend entry is drawn (tests check nothing is cut off)."""
        rects: list[QRectF] = []
        lines = self._legend_lines()
        top = self.height() - self.MARGIN - LEGEND_LINE * len(lines) + 4
        for n, line in enumerate(lines):
            total = sum(w for *_, w in line) + 10 * (len(line) - 1)
            x = max(float(self.MARGIN), (self.width() - total) / 2)
            for *_, w in line:
                rects.append(QRectF(x, top + n * LEGEND_LINE, w, 14))
                x += w + 10
        return rects

    def _paint_legend(self, p: QPainter) -> None:
        entries = [e for line in self._legend_lines() for e in line]
        if not entries:
            return
        f = self._legend_font()
        for (i, fill, text, w), r in zip(entries, self.legend_rects(), strict=True):
            swatch = QRectF(r.left(), r.top() + 1, 12, 12)
            p.setBrush(QColor(fill))
            p.setPen(QPen(QColor(fill).darker(135), 1))
            p.drawRoundedRect(swatch, 2, 2)
            f.setBold(i == self._current)
            p.setFont(f)
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(r.left() + 18, r.top() - 2, w - 18, 18),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)

    # -- input ----------------------------------------------------------------------

    def row_at(self, pos: QPointF) -> str | None:
        """The row whose label is at ``pos`` (either side of the seats)."""
        rows = self.draft().rows
        lw = self._label_w()
        if not rows or not lw:
            return None
        ri = int((pos.y() - self._origin.y()) // self._cell)
        left = self._origin.x() - lw - 2 <= pos.x() < self._origin.x()
        right_x = self._origin.x() + self._cols * self._cell
        right = right_x <= pos.x() < right_x + lw + 2
        if 0 <= ri < len(rows) and (left or right):
            return rows[ri][0]
        return None

    def row_label_rect(self, row: str) -> QRectF:
        for ri, (rl, _) in enumerate(self.draft().rows):
            if rl == row:
                lw = self._label_w()
                return QRectF(self._origin.x() - lw - 2, self._origin.y() + ri * self._cell,
                              lw, self._cell)
        return QRectF()

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.seat_at(event.position()) is None:
            row = self.row_at(event.position())
            if row is not None:
                self.row_clicked.emit(row)
                return
        super().mousePressEvent(event)

    def describe(self, label: str) -> str:
        mark = self.draft().marks.get(label)
        if mark in NOT_FOR_SALE:
            return super().describe(label) + ", not for sale"
        i = self._seat_cat.get(label, -1)
        name = self._names[i] if 0 <= i < len(self._names) else "no category"
        kind = {WHEELCHAIR: ", wheelchair space", COMPANION: ", companion seat"}.get(mark or "", "")
        return f"{label}: {name}{kind}"


def draft_of(rows: Sequence[tuple[str, tuple[int | None, ...]]]) -> Draft:
    return Draft(tuple(rows))
