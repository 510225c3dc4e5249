"""A show's seats painted by price category, for the manager's price editor.

Reuses the layout preview's geometry and input (click a seat, drag across seats); seats
are filled with their category's colour and carry its number, so the bands read without
colour too. A click on a row label asks for the whole row.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QFont, QMouseEvent, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QWidget

from boxoffice.ui.manager.layout_preview import Draft, LayoutPreview

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

    def set_categories(self, names: Sequence[str], colours: Sequence[str],
                       seat_category: Mapping[str, int], current: int = -1) -> None:
        """``seat_category``: seat label → index into ``names`` (absent: not priced)."""
        self._names, self._colours = tuple(names), tuple(colours)
        self._seat_cat = dict(seat_category)
        self._counts = [0] * len(self._names)
        for i in self._seat_cat.values():
            if 0 <= i < len(self._counts):
                self._counts[i] += 1
        self._current = current
        self.update()

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
        for ri, (rl, positions) in enumerate(draft.rows):
            for ci, n in enumerate(positions):
                if n is not None:
                    label = f"{rl}{n}"
                    buckets.setdefault(self._seat_cat.get(label, -1), []).append(
                        (self._cell_rect(ri, ci), str(n)))
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
        self._paint_row_labels(p)
        self._paint_legend(p)
        p.end()

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
        """(colour, text) per category, as the legend shows them."""
        return [(self._colours[i], f"{i + 1} {name} ({self._counts[i]:,})")
                for i, name in enumerate(self._names)]

    def _paint_legend(self, p: QPainter) -> None:
        items = self.legend_items()
        if not items:
            return
        f = QFont(self.font())
        f.setPointSizeF(8.5)
        p.setFont(f)
        fm = p.fontMetrics()
        sw = 12
        widths = [fm.horizontalAdvance(t) for _, t in items]
        total = sum(sw + 6 + w + 18 for w in widths) - 18
        x = max(float(self.MARGIN), (self.width() - total) / 2)
        y = self.height() - self.MARGIN - sw
        for i, ((fill, text), w) in enumerate(zip(items, widths, strict=True)):
            r = QRectF(x, y, sw, sw)
            p.setBrush(QColor(fill))
            p.setPen(QPen(QColor(fill).darker(135), 1))
            p.drawRoundedRect(r, 2, 2)
            f.setBold(i == self._current)
            p.setFont(f)
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(x + sw + 6, y - 3, w + 8, sw + 6),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            x += sw + 6 + w + 18

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
        i = self._seat_cat.get(label, -1)
        name = self._names[i] if 0 <= i < len(self._names) else "no category"
        return f"{label}: {name}"


def draft_of(rows: Sequence[tuple[str, tuple[int | None, ...]]]) -> Draft:
    return Draft(tuple(rows))
