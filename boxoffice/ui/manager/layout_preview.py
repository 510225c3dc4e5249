"""A painted preview of a hall layout that a manager clicks to mark seats.

One rectangle per seat, painted in a few batched calls per kind, so a hall of a few
thousand seats repaints in a millisecond or two. Works on a draft (plain rows and
marks), not on a ``Layout``: the preview must still show what was typed while the
layout is not yet valid.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from PySide6.QtCore import QEvent, QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QHelpEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from boxoffice.layout import is_house_reason

STANDARD, BLOCKED, HOUSE, WHEELCHAIR, COMPANION = (
    "standard", "blocked", "house", "wheelchair", "companion")

# Fill, border, glyph: every mark has a glyph or pattern too, never colour alone. The
# blocked, wheelchair and companion colours and glyphs are the counter grid's (ui/common/style.py).
STYLE: dict[str, tuple[str, str, str]] = {
    STANDARD: ("#e7ebf0", "#a3adba", ""),
    BLOCKED: ("#474d57", "#2f343b", "\u2013"),
    HOUSE: ("#8a6d3b", "#66502a", "H"),
    WHEELCHAIR: ("#0f6cbd", "#0b528f", "\u267f"),
    COMPANION: ("#0f766e", "#0a524d", "+"),
}
LEGEND = ((STANDARD, "Seat"), (BLOCKED, "Blocked"), (HOUSE, "House seat"),
          (WHEELCHAIR, "Wheelchair"), (COMPANION, "Companion"))


@dataclass(frozen=True)
class Draft:
    """What the preview draws: rows of seat numbers (``None`` = gap) and the marked seats."""

    rows: tuple[tuple[str, tuple[int | None, ...]], ...] = ()
    marks: Mapping[str, str] = field(default_factory=dict)  # label -> kind (not standard)
    reasons: Mapping[str, str] = field(default_factory=dict)


def kind_of_blocked(reason: str | None) -> str:
    return HOUSE if is_house_reason(reason) else BLOCKED


class LayoutPreview(QWidget):
    """Paints a draft; ``seat_clicked`` on press, ``seat_dragged`` for each seat a drag enters."""

    seat_clicked = Signal(str)
    seat_dragged = Signal(str)

    MARGIN = 12
    STAGE_H = 22
    LEGEND_H = 26
    MAX_CELL = 30.0

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("layoutPreview")
        self.setMouseTracking(False)
        self.setMinimumSize(320, 240)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._draft = Draft()
        self._cols = 0
        self._cell = 10.0
        self._origin = QPointF(0, 0)
        self._last_drag: str | None = None
        self.setAccessibleName("Hall layout preview")

    # -- data -----------------------------------------------------------------------

    def set_draft(self, draft: Draft) -> None:
        self._draft = draft
        self._cols = max((len(p) for _, p in draft.rows), default=0)
        self._relayout()
        self.update()

    def draft(self) -> Draft:
        return self._draft

    def sizeHint(self) -> QSize:
        return QSize(720, 520)

    # -- geometry -------------------------------------------------------------------

    def _label_w(self) -> float:
        return 0.0 if self._cell < 7 else max(18.0, self._cell * 1.2)

    def _relayout(self) -> None:
        rows = len(self._draft.rows)
        if not rows or not self._cols:
            return
        w = self.width() - 2 * self.MARGIN
        h = self.height() - 2 * self.MARGIN - self.STAGE_H - self.LEGEND_H
        cell = min(w / (self._cols + 3), h / rows, self.MAX_CELL)
        self._cell = max(cell, 1.0)
        lw = self._label_w()
        grid_w = self._cols * self._cell + 2 * lw
        grid_h = rows * self._cell
        x = (self.width() - grid_w) / 2 + lw
        y = self.MARGIN + self.STAGE_H + max(0.0, (h - grid_h) / 2)
        self._origin = QPointF(x, y)

    def resizeEvent(self, event: object) -> None:
        self._relayout()
        super().resizeEvent(event)  # type: ignore[arg-type]

    def _cell_rect(self, row: int, col: int) -> QRectF:
        c = self._cell
        gap = 0.0 if c < 4 else max(1.0, c * 0.14)
        return QRectF(self._origin.x() + col * c + gap / 2, self._origin.y() + row * c + gap / 2,
                      c - gap, c - gap)

    def seat_rect(self, label: str) -> QRect:
        """Where a seat is drawn (for tests and tooltips); empty if it is not in the draft."""
        for ri, (rl, positions) in enumerate(self._draft.rows):
            for ci, n in enumerate(positions):
                if n is not None and f"{rl}{n}" == label:
                    return self._cell_rect(ri, ci).toAlignedRect()
        return QRect()

    def seat_at(self, pos: QPoint | QPointF) -> str | None:
        if not self._draft.rows or self._cell <= 0:
            return None
        ci = int((pos.x() - self._origin.x()) // self._cell)
        ri = int((pos.y() - self._origin.y()) // self._cell)
        if not (0 <= ri < len(self._draft.rows)):
            return None
        label, positions = self._draft.rows[ri]
        if not (0 <= ci < len(positions)) or positions[ci] is None:
            return None
        return f"{label}{positions[ci]}"

    # -- painting -------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        if not self._draft.rows:
            p.setPen(self.palette().placeholderText().color())
            p.drawText(self.rect(), Qt.AlignmentFlag.AlignCenter, "No seats yet")
            p.end()
            return
        p.setRenderHint(QPainter.RenderHint.Antialiasing, self._cell >= 6)
        self._paint_stage(p)
        buckets: dict[str, list[QRectF]] = {k: [] for k in STYLE}
        marks = self._draft.marks
        for ri, (rl, positions) in enumerate(self._draft.rows):
            for ci, n in enumerate(positions):
                if n is not None:
                    buckets[marks.get(f"{rl}{n}", STANDARD)].append(self._cell_rect(ri, ci))
        radius = min(4.0, self._cell * 0.2)
        for kind, rects in buckets.items():
            if not rects:
                continue
            fill, border, _ = STYLE[kind]
            p.setBrush(QColor(fill))
            p.setPen(QPen(QColor(border), 1) if self._cell >= 5 else Qt.PenStyle.NoPen)
            if radius >= 1.5:
                for r in rects:
                    p.drawRoundedRect(r, radius, radius)
            else:
                p.drawRects(rects)
            if kind == BLOCKED:  # hatch, so blocked reads without colour
                p.setBrush(QBrush(QColor(255, 255, 255, 110), Qt.BrushStyle.BDiagPattern))
                p.setPen(Qt.PenStyle.NoPen)
                p.drawRects(rects)
        self._paint_text(p, buckets)
        self._paint_legend(p)
        p.end()

    def _paint_stage(self, p: QPainter) -> None:
        w = min(self._cols * self._cell, self.width() - 2 * self.MARGIN)
        x = self._origin.x() + (self._cols * self._cell - w) / 2
        stage = QRectF(x + w * 0.15, self.MARGIN, w * 0.7, self.STAGE_H - 8)
        p.setPen(Qt.PenStyle.NoPen)
        p.setBrush(QColor("#3b4654"))
        p.drawRoundedRect(stage, 3, 3)
        f = QFont(self.font())
        f.setPointSizeF(7.5)
        f.setBold(True)
        f.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 2)
        p.setFont(f)
        p.setPen(QColor("#f2f4f7"))
        p.drawText(stage, Qt.AlignmentFlag.AlignCenter, "STAGE")

    def _paint_text(self, p: QPainter, buckets: dict[str, list[QRectF]]) -> None:
        c = self._cell
        lw = self._label_w()
        f = QFont(self.font())
        if lw:
            f.setPointSizeF(max(6.0, min(9.0, c * 0.42)))
            f.setBold(True)
            p.setFont(f)
            p.setPen(self.palette().text().color())
            for ri, (rl, _) in enumerate(self._draft.rows):
                y = self._origin.y() + ri * c
                p.drawText(QRectF(self._origin.x() - lw - 2, y, lw, c),
                           Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, rl)
                p.drawText(QRectF(self._origin.x() + self._cols * c + 2, y, lw, c),
                           Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, rl)
        if c < 11:
            return
        f.setBold(False)
        f.setPointSizeF(max(5.5, min(8.5, c * 0.32)))
        p.setFont(f)
        for kind, rects in buckets.items():
            glyph = STYLE[kind][2]
            if not glyph or not rects:
                continue
            p.setPen(QColor("#ffffff"))
            for r in rects:
                p.drawText(r, Qt.AlignmentFlag.AlignCenter, glyph)
        if c >= 20:  # seat numbers on plain seats when there is room
            p.setPen(QColor("#5d6b7a"))
            marks = self._draft.marks
            for ri, (rl, positions) in enumerate(self._draft.rows):
                for ci, n in enumerate(positions):
                    if n is not None and f"{rl}{n}" not in marks:
                        p.drawText(self._cell_rect(ri, ci), Qt.AlignmentFlag.AlignCenter, str(n))

    def _paint_legend(self, p: QPainter) -> None:
        f = QFont(self.font())
        f.setPointSizeF(8.5)
        p.setFont(f)
        fm = p.fontMetrics()
        sw = 12
        items = [(k, t, fm.horizontalAdvance(t)) for k, t in LEGEND]
        total = sum(sw + 6 + w + 18 for _, _, w in items) - 18
        x = (self.width() - total) / 2
        y = self.height() - self.MARGIN - sw
        for kind, text, w in items:
            fill, border, glyph = STYLE[kind]
            r = QRectF(x, y, sw, sw)
            p.setBrush(QColor(fill))
            p.setPen(QPen(QColor(border), 1))
            p.drawRoundedRect(r, 2, 2)
            if kind == BLOCKED:
                p.setBrush(QBrush(QColor(255, 255, 255, 110), Qt.BrushStyle.BDiagPattern))
                p.setPen(Qt.PenStyle.NoPen)
                p.drawRect(r)
            p.setPen(self.palette().text().color())
            p.drawText(QRectF(x + sw + 6, y - 3, w + 2, sw + 6),
                       Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, text)
            x += sw + 6 + w + 18

    # -- input ----------------------------------------------------------------------

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() != Qt.MouseButton.LeftButton:
            return super().mousePressEvent(event)
        label = self.seat_at(event.position())
        self._last_drag = label
        if label is not None:
            self.seat_clicked.emit(label)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if not event.buttons() & Qt.MouseButton.LeftButton:
            return
        label = self.seat_at(event.position())
        if label is not None and label != self._last_drag:
            self._last_drag = label
            self.seat_dragged.emit(label)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._last_drag = None

    def event(self, e: QEvent) -> bool:
        if e.type() == QEvent.Type.ToolTip and isinstance(e, QHelpEvent):
            label = self.seat_at(e.pos())
            if label is None:
                QToolTip.hideText()
            else:
                QToolTip.showText(e.globalPos(), self.describe(label), self)
            return True
        return super().event(e)

    def describe(self, label: str) -> str:
        kind = self._draft.marks.get(label, STANDARD)
        text = {STANDARD: "seat", BLOCKED: "blocked", HOUSE: "house seat",
                WHEELCHAIR: "wheelchair space", COMPANION: "companion seat"}[kind]
        reason = self._draft.reasons.get(label)
        return f"{label}: {text}" + (f" ({reason})" if reason and kind in (BLOCKED, HOUSE) else "")
