"""The seat grid: a custom-painted, scrollable widget over ``SeatGridModel``.

Why not a QGraphicsScene: one item per seat costs ~400 ms to build and ~90 ms per repaint
at 100,000 seats. Here, zoomed out, the hall is one image with a pixel per seat, scaled
without smoothing and patched pixel by pixel when seats change; zoomed in, only the
visible seats are drawn, batched by look. A live change repaints just the changed
seats' rectangles.
"""

from __future__ import annotations

import logging
import math
import operator

from PySide6.QtCore import QPoint, QPointF, QRect, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QImage,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPen,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QSizePolicy,
    QToolTip,
    QWidget,
)

from boxoffice.ui.common import style
from boxoffice.ui.counter.seat_grid_model import SeatGridModel

log = logging.getLogger(__name__)

LABEL_W = 30  # row label band on each side
PAD = 14
STAGE_H = 46
MAX_PITCH = 56.0
OVERVIEW_BELOW = 13.0  # below this pitch the hall is drawn as one image
LABELS_FROM = 20.0  # seat numbers from this pitch up
BLOCKS_FROM = 5.0  # from this pitch the overview shows seats as blocks with gaps


def _gather(indices, values: bytes | bytearray) -> bytes:
    """``bytes(values[i] for i in indices)`` at C speed (index -1: the last value)."""
    if len(indices) == 1:
        return bytes([values[indices[0]]])
    return bytes(operator.itemgetter(*indices)(values)) if len(indices) else b""


class _Look:
    """Pens and brushes per seat look, built once."""

    def __init__(self) -> None:
        self.fill: dict[int, QBrush] = {}
        self.border: dict[int, QPen] = {}
        self.text: dict[int, QPen] = {}
        for state, (fill, border, text) in style.SEAT_COLOURS.items():
            self.fill[state] = QBrush(QColor(fill))
            self.border[state] = QPen(QColor(border), 1)
            self.text[state] = QPen(QColor(text))
        self.sel_fill = QBrush(QColor(style.SELECTED[0]))
        self.sel_border = QPen(QColor(style.SELECTED[1]), 1)
        self.sel_text = QPen(QColor(style.SELECTED[2]))
        self.hatch = {
            style.HELD_MINE: QBrush(QColor(style.SEAT_COLOURS[style.HELD_MINE][1]),
                                   Qt.BrushStyle.BDiagPattern),
            style.HELD_OTHER: QBrush(QColor(style.SEAT_COLOURS[style.HELD_OTHER][1]),
                                    Qt.BrushStyle.DiagCrossPattern),
        }
        self.cross = QPen(QColor(style.SEAT_COLOURS[style.SOLD][2]), 1.4)
        self.dash = QPen(QColor(style.SEAT_COLOURS[style.BLOCKED][2]), 1.6)
        self.kind = {style.WHEELCHAIR: QPen(QColor(style.WHEELCHAIR_COLOUR)),
                     style.COMPANION: QPen(QColor(style.COMPANION_COLOUR))}
        self.focus = QPen(QColor(style.FOCUS_COLOUR), 2.5)
        self.row_text = QPen(QColor("#6b7280"))
        self.stage_fill = QBrush(QColor("#e5e7eb"))
        self.stage_text = QPen(QColor("#4b5563"))
        self.background = QColor(style.GRID_BACKGROUND)


class SeatGrid(QAbstractScrollArea):
    """Click toggles, drag selects a block, shift-click extends; arrows, space, Enter.

    Ctrl+wheel zooms around the pointer, the scroll bars or a middle/right drag pan.
    In ``read_only`` mode (the wall view) it only shows.
    """

    hold_requested = Signal()
    best_requested = Signal(int)  # a digit typed on the grid: best N seats
    seat_activated = Signal(int)  # a taken seat was clicked (booking details)
    zoom_changed = Signal(float)

    def __init__(self, model: SeatGridModel, parent: QWidget | None = None, *,
                 read_only: bool = False) -> None:
        super().__init__(parent)
        self.model = model
        self.read_only = read_only
        self.pitch = 24.0
        self._fit_mode = True
        self.cursor_index = -1
        self._anchor = -1
        self._drag_base: set[int] = set()
        self._drag_moved = False
        self._press_index = -1
        self._pan_from: QPoint | None = None
        self._image = QImage()
        self._blocks = QImage()
        self._sprites: dict = {}
        self._cache = None
        self._cache_key: tuple = ()
        self._dirty: list[QRect] = []
        self._generation = 0
        self._sprite_pitch = 0.0
        self._numbers: list[str] = []
        self._look = _Look()
        self._font = QFont()
        self.paint_count = 0
        self.last_paint_rect = QRect()
        self.setObjectName("SeatGrid")
        self.setAccessibleName("Seat grid")
        self.setAccessibleDescription(
            "Arrow keys move between seats, Space selects, Enter holds the selection, "
            "a digit picks the best seats together.")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus if not read_only
                            else Qt.FocusPolicy.NoFocus)
        self.viewport().setMouseTracking(True)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAsNeeded)
        model.reset.connect(self._on_reset)
        model.seats_changed.connect(self._on_seats_changed)
        self._on_reset()

    def sizeHint(self) -> QSize:
        return QSize(900, 600)

    # -- geometry ------------------------------------------------------------------

    def content_size(self) -> tuple[float, float]:
        m = self.model
        return (2 * (PAD + LABEL_W) + m.n_cols * self.pitch,
                2 * PAD + STAGE_H + m.n_rows * self.pitch)

    def _origin(self) -> tuple[float, float]:
        """Viewport position of the top-left corner of seat (0, 0)'s cell."""
        cw, ch = self.content_size()
        vw, vh = self.viewport().width(), self.viewport().height()
        ox = max(0.0, (vw - cw) / 2) - self.horizontalScrollBar().value()
        oy = max(0.0, (vh - ch) / 2) - self.verticalScrollBar().value()
        return ox + PAD + LABEL_W, oy + PAD + STAGE_H

    def seat_rect(self, i: int) -> QRectF:
        ox, oy = self._origin()
        p = self.pitch
        gap = max(1.0, p * 0.14) if p >= 4 else 0.0
        return QRectF(ox + self.model.cols[i] * p + gap / 2, oy + self.model.rows[i] * p + gap / 2,
                      p - gap, p - gap)

    def seat_at(self, pos: QPoint | QPointF) -> int:
        ox, oy = self._origin()
        col = math.floor((pos.x() - ox) / self.pitch)
        row = math.floor((pos.y() - oy) / self.pitch)
        return self.model.at(row, col)

    def seat_center(self, i: int) -> QPoint:
        return self.seat_rect(i).center().toPoint()

    def fit_pitch(self) -> float:
        m = self.model
        if not m.n_cols or not m.n_rows:
            return 24.0
        vw = max(50, self.viewport().width()) - 2 * (PAD + LABEL_W)
        vh = max(50, self.viewport().height()) - 2 * PAD - STAGE_H
        return max(0.5, min(MAX_PITCH, vw / m.n_cols, vh / m.n_rows))

    def _update_scrollbars(self) -> None:
        cw, ch = self.content_size()
        vw, vh = self.viewport().width(), self.viewport().height()
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setRange(0, max(0, math.ceil(cw - vw)))
        v.setRange(0, max(0, math.ceil(ch - vh)))
        h.setPageStep(vw)
        v.setPageStep(vh)
        h.setSingleStep(max(8, int(self.pitch)))
        v.setSingleStep(max(8, int(self.pitch)))

    def fit_to_window(self) -> None:
        self._fit_mode = True
        self._set_pitch(self.fit_pitch(), None)

    def zoom_by(self, factor: float, anchor: QPointF | None = None) -> None:
        self._fit_mode = False
        low = min(self.fit_pitch(), 4.0)
        self._set_pitch(min(MAX_PITCH, max(low, self.pitch * factor)), anchor)

    def _set_pitch(self, pitch: float, anchor: QPointF | None) -> None:
        if anchor is None:
            anchor = QPointF(self.viewport().width() / 2, self.viewport().height() / 2)
        ox, oy = self._origin()
        fx = (anchor.x() - ox) / self.pitch
        fy = (anchor.y() - oy) / self.pitch
        self.pitch = pitch
        self._update_scrollbars()
        nox, noy = self._origin()
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        h.setValue(h.value() + round(nox + fx * pitch - anchor.x()))
        v.setValue(v.value() + round(noy + fy * pitch - anchor.y()))
        self.viewport().update()
        self.zoom_changed.emit(pitch)

    def scroll_to_seat(self, i: int) -> None:
        r = self.seat_rect(i).toAlignedRect().adjusted(-PAD, -PAD, PAD, PAD)
        vp = self.viewport().rect()
        h, v = self.horizontalScrollBar(), self.verticalScrollBar()
        if r.left() < 0:
            h.setValue(h.value() + r.left())
        elif r.right() > vp.right():
            h.setValue(h.value() + r.right() - vp.right())
        if r.top() < 0:
            v.setValue(v.value() + r.top())
        elif r.bottom() > vp.bottom():
            v.setValue(v.value() + r.bottom() - vp.bottom())

    # -- model changes -------------------------------------------------------------

    def _on_reset(self) -> None:
        self._numbers = []  # seat numbers without the row prefix, built on first zoom-in
        self.cursor_index = -1 if not len(self.model) else self._first_free()
        self._anchor = -1
        self._build_image()
        if self._fit_mode:
            self.pitch = self.fit_pitch()
        self._update_scrollbars()
        self._invalidate()

    def _first_free(self) -> int:
        for i, s in enumerate(self.model.states):
            if s == style.FREE:
                return i
        return 0

    def _pixel(self, i: int) -> int:
        m = self.model
        if m.selected[i]:
            return style.OVERVIEW_SELECTED_RGB
        state = m.states[i]
        if state == style.FREE and m.kinds[i] == style.WHEELCHAIR:
            return style.OVERVIEW_WHEELCHAIR_RGB
        return style.OVERVIEW_RGB[state]

    def _build_image(self) -> None:
        """Two overview images: one pixel per seat (far out), and 3×3 blocks with a
        one-pixel gap (mid zoom, so seats still read as seats).

        Built from byte strings with C-level gathers into an 8-bit indexed image (no
        Python loop over 100,000 seats), then converted once to RGB32 so a live change
        patches single pixels."""
        m = self.model
        w, h = m.n_cols, m.n_rows
        if not w or not h:
            self._image = QImage()
            self._blocks = QImage()
            return
        # Palette: the five states, then selected, free wheelchair space, background.
        selected_code, wheel_code, bg_code = len(style.OVERVIEW_RGB), \
            len(style.OVERVIEW_RGB) + 1, len(style.OVERVIEW_RGB) + 2
        table = [style.OVERVIEW_RGB[s] | 0xFF000000 for s in range(len(style.OVERVIEW_RGB))]
        table += [style.OVERVIEW_SELECTED_RGB | 0xFF000000,
                  style.OVERVIEW_WHEELCHAIR_RGB | 0xFF000000,
                  QColor(style.GRID_BACKGROUND).rgb() | 0xFF000000]
        codes = bytearray(m.states)
        kinds = m.kinds
        at = kinds.find(style.WHEELCHAIR)
        while at >= 0:
            if codes[at] == style.FREE:
                codes[at] = wheel_code
            at = kinds.find(style.WHEELCHAIR, at + 1)
        for i in m.selection_set():
            codes[i] = selected_code
        codes.append(bg_code)  # index -1: a cell with no seat
        cells = _gather(m.grid, codes)
        stride = (w + 3) & ~3
        pad = bytes([bg_code]) * (stride - w)
        data = b"".join(cells[r * w:(r + 1) * w] + pad for r in range(h))  # alive until
        image = QImage(data, w, h, stride, QImage.Format.Format_Indexed8)  # converted below
        image.setColorTable(table)
        self._image = image.convertToFormat(QImage.Format.Format_RGB32)
        # The block image: each seat a 3×3 block in a 4×4 cell.
        spread = [j for c in range(w) for j in (c, c, c, w)]
        gap_row = bytes([bg_code]) * (4 * w)
        bg = bytes([bg_code])
        bands = []
        for r in range(h):
            band = _gather(spread, cells[r * w:(r + 1) * w] + bg)
            bands.append(band * 3 + gap_row)
        data = b"".join(bands)
        blocks = QImage(data, 4 * w, 4 * h, 4 * w, QImage.Format.Format_Indexed8)
        blocks.setColorTable(table)
        self._blocks = blocks.convertToFormat(QImage.Format.Format_RGB32)

    def _on_seats_changed(self, indices: list[int]) -> None:
        m = self.model
        if self._image.isNull():
            return
        for i in indices:
            rgb = self._pixel(i)
            x, y = m.cols[i], m.rows[i]
            self._image.setPixel(x, y, rgb)
            for dy in range(3):
                for dx in range(3):
                    self._blocks.setPixel(4 * x + dx, 4 * y + dy, rgb)
        if len(indices) > 500:
            self._invalidate()
            return
        if self.pitch < OVERVIEW_BELOW:
            # A seat is a few pixels: one update of the changed seats' bounding box.
            rect = QRectF()
            for i in indices:
                rect = rect.united(self.seat_rect(i))
            self._invalidate(rect.toAlignedRect().adjusted(-2, -2, 2, 2))
        else:
            for i in indices:
                self._invalidate(self.seat_rect(i).toAlignedRect().adjusted(-3, -3, 3, 3))

    # -- painting ------------------------------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        """Blit the cached hall; re-render it only where seats changed or the view moved."""
        self.paint_count += 1
        self.last_paint_rect = event.rect()
        vp = self.viewport()
        m = self.model
        painter = QPainter(vp)
        if not len(m):
            painter.fillRect(event.rect(), self._look.background)
            painter.setPen(QColor("#6b7280"))
            painter.drawText(vp.rect(), Qt.AlignmentFlag.AlignCenter,
                             "Choose a show on the left to see its seats.")
            painter.end()
            return
        dpr = vp.devicePixelRatioF()
        key = (self.horizontalScrollBar().value(), self.verticalScrollBar().value(),
               self.pitch, vp.width(), vp.height(), dpr, self._generation)
        if key != self._cache_key:
            from PySide6.QtGui import QPixmap

            self._cache = QPixmap(int(vp.width() * dpr), int(vp.height() * dpr))
            self._cache.setDevicePixelRatio(dpr)
            self._cache_key = key
            self._dirty = [vp.rect()]
        if self._dirty:
            cp = QPainter(self._cache)
            try:
                for rect in self._dirty:
                    cp.save()
                    cp.setClipRect(rect)
                    self._render(cp, rect)
                    cp.restore()
            finally:  # an active painter left behind by an exception crashes Qt
                cp.end()
                self._dirty = []
        clip = event.rect()
        painter.drawPixmap(QRectF(clip), self._cache, QRectF(clip.x() * dpr, clip.y() * dpr,
                                                      clip.width() * dpr, clip.height() * dpr))
        if self.hasFocus() and 0 <= self.cursor_index < len(m) and not self.read_only:
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(self._look.focus)
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(self.seat_rect(self.cursor_index).adjusted(-2, -2, 2, 2), 4, 4)
        painter.end()

    def _render(self, painter: QPainter, clip: QRect) -> None:
        painter.fillRect(clip, self._look.background)
        m = self.model
        ox, oy = self._origin()
        p = self.pitch
        self._paint_stage(painter, ox, oy)
        if p < OVERVIEW_BELOW:
            image = self._blocks if p >= BLOCKS_FROM else self._image
            painter.drawImage(QRectF(ox, oy, m.n_cols * p, m.n_rows * p), image)
        else:
            self._paint_seats(painter, clip, ox, oy)
        self._paint_row_labels(painter, clip, ox, oy)

    def _invalidate(self, rect: QRect | None = None) -> None:
        """Mark part of the cached hall (all of it by default) for re-rendering."""
        vp = self.viewport()
        if rect is None:
            self._generation += 1
            vp.update()
        else:
            rect = rect.intersected(vp.rect())
            if not rect.isEmpty():
                self._dirty.append(rect)
                vp.update(rect)

    def _paint_stage(self, painter: QPainter, ox: float, oy: float) -> None:
        width = self.model.n_cols * self.pitch
        rect = QRectF(ox + width * 0.15, oy - STAGE_H + 4, width * 0.7, STAGE_H - 20)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(self._look.stage_fill)
        painter.drawRoundedRect(rect, 6, 6)
        painter.setPen(self._look.stage_text)
        f = QFont(self._font)
        f.setPointSizeF(9)
        f.setBold(True)
        f.setLetterSpacing(QFont.SpacingType.AbsoluteSpacing, 3)
        painter.setFont(f)
        painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, "STAGE")
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, False)

    def _visible_range(self, clip: QRect, ox: float, oy: float) -> tuple[int, int, int, int]:
        m, p = self.model, self.pitch
        c0 = max(0, math.floor((clip.left() - ox) / p))
        c1 = min(m.n_cols - 1, math.floor((clip.right() - ox) / p))
        r0 = max(0, math.floor((clip.top() - oy) / p))
        r1 = min(m.n_rows - 1, math.floor((clip.bottom() - oy) / p))
        return r0, r1, c0, c1

    def _paint_seats(self, painter: QPainter, clip: QRect, ox: float, oy: float) -> None:
        """Visible seats only, each one a cached sprite (a few hundred distinct looks)."""
        m, p = self.model, self.pitch
        r0, r1, c0, c1 = self._visible_range(clip, ox, oy)
        if r1 < r0 or c1 < c0:
            return
        if self._sprite_pitch != p:
            self._sprites.clear()
            self._sprite_pitch = p
        gap = max(1.0, p * 0.14)
        half = gap / 2 - 1  # sprites carry a one-pixel margin for the antialiased border
        sprites, sprite = self._sprites, self._sprite
        grid, width, states, selected = m.grid, m.n_cols, m.states, m.selected
        if len(self._numbers) != len(m):
            self._numbers = m.numbers
        kinds, numbers = m.kinds, self._numbers
        with_numbers = p >= LABELS_FROM
        draw = painter.drawPixmap
        for r in range(r0, r1 + 1):
            y = int(oy + r * p + half)
            base = r * width
            for c in range(c0, c1 + 1):
                i = grid[base + c]
                if i < 0:
                    continue
                key = (-1 if selected[i] else states[i], kinds[i],
                       numbers[i] if with_numbers else "")
                pm = sprites.get(key)
                if pm is None:
                    pm = sprites[key] = sprite(key, p - gap)
                draw(int(ox + c * p + half), y, pm)

    def _sprite(self, key: tuple[int, int, str], size: float):
        """One seat's look at the current zoom, drawn once into a pixmap."""
        from PySide6.QtGui import QPixmap

        look = self._look
        state, kind, text = key
        dpr = self.devicePixelRatioF()
        extent = int(math.ceil(size)) + 2
        pm = QPixmap(int(extent * dpr), int(extent * dpr))
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        painter = QPainter(pm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(1, 1, size, size)
        radius = max(1.5, size * 0.18)
        if state == -1:
            painter.setBrush(look.sel_fill)
            painter.setPen(look.sel_border)
        else:
            painter.setBrush(look.fill[state])
            painter.setPen(look.border[state])
        painter.drawRoundedRect(rect, radius, radius)
        hatch = look.hatch.get(state)
        if hatch is not None:
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(hatch)
            painter.drawRoundedRect(rect, radius, radius)
        inset = size * 0.3
        a = rect.adjusted(inset, inset, -inset, -inset)
        if state == style.SOLD:
            painter.setPen(look.cross)
            painter.drawLine(a.topLeft(), a.bottomRight())
            painter.drawLine(a.topRight(), a.bottomLeft())
        elif state == style.BLOCKED:
            painter.setPen(look.dash)
            cy = rect.center().y()
            painter.drawLine(QPointF(a.left(), cy), QPointF(a.right(), cy))
        elif state == style.HOUSE:
            font = QFont(self._font)
            font.setPixelSize(max(7, int(size * 0.5)))
            font.setBold(True)
            painter.setFont(font)
            painter.setPen(look.text[state])
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, style.STATE_GLYPHS[state])
        else:
            font = QFont(self._font)
            if kind != style.STANDARD and state != -1:
                font.setPixelSize(max(7, int(size * 0.6)))
                painter.setFont(font)
                painter.setPen(look.kind[kind])
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, style.KIND_GLYPHS[kind])
            elif text:
                font.setPixelSize(max(7, int(size * 0.42)))
                painter.setFont(font)
                painter.setPen(look.sel_text if state == -1 else look.text[state])
                painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, text)
        painter.end()
        return pm

    def _paint_row_labels(self, painter: QPainter, clip: QRect, ox: float, oy: float) -> None:
        m, p = self.model, self.pitch
        if p < 7:
            return
        r0, r1, _, _ = self._visible_range(QRect(clip.left(), clip.top(), 1, clip.height()),
                                           ox, oy)
        font = QFont(self._font)
        font.setPixelSize(max(7, min(13, int(p * 0.5))))
        font.setBold(True)
        painter.setFont(font)
        painter.setPen(self._look.row_text)
        right = ox + m.n_cols * p
        for r in range(r0, r1 + 1):
            y = oy + r * p
            label = m.row_labels[r]
            painter.drawText(QRectF(ox - LABEL_W - 4, y, LABEL_W, p),
                             Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter, label)
            painter.drawText(QRectF(right + 4, y, LABEL_W, p),
                             Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, label)

    # -- events --------------------------------------------------------------------

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        if self._fit_mode:
            self.pitch = self.fit_pitch()
        self._update_scrollbars()

    def scrollContentsBy(self, dx: int, dy: int) -> None:
        self.viewport().update()

    def wheelEvent(self, event: QWheelEvent) -> None:
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120
            if steps:
                self.zoom_by(1.15 ** steps, event.position())
            event.accept()
            return
        super().wheelEvent(event)

    def viewportEvent(self, event):
        from PySide6.QtCore import QEvent

        if event.type() == QEvent.Type.ToolTip:
            i = self.seat_at(event.pos())
            if i >= 0:
                QToolTip.showText(event.globalPos(), self.tooltip_text(i), self.viewport())
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().viewportEvent(event)

    def tooltip_text(self, i: int) -> str:
        s = self.model.detail(i)
        state = self.model.states[i]
        lines = [f"<b>Seat {s.label}</b> (row {s.row_label})"]
        if s.kind != "standard":
            lines.append(s.kind.capitalize() + " seat")
        lines.append(style.STATE_NAMES[state] + (" — selected" if self.model.selected[i] else ""))
        if s.booking_id is not None:
            lines.append(f"Booking {s.booking_id}")
            if s.customer:
                lines.append(f"Customer: {s.customer}")
            if s.counter:
                lines.append(f"Counter: {s.counter}" + (f" ({s.clerk})" if s.clerk else ""))
            if s.hold_deadline is not None:
                lines.append(f"Held until {s.hold_deadline.astimezone():%H:%M:%S}")
        return "<br>".join(lines)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if event.button() in (Qt.MouseButton.MiddleButton, Qt.MouseButton.RightButton):
            self._pan_from = event.position().toPoint()
            self.viewport().setCursor(Qt.CursorShape.ClosedHandCursor)
            return
        if event.button() != Qt.MouseButton.LeftButton or self.read_only:
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        i = self.seat_at(event.position())
        self._press_index = i
        self._drag_moved = False
        if i < 0:
            return
        m = self.model
        self._move_cursor(i, scroll=False)
        if not m.is_selectable(i) and not m.selected[i]:
            self.seat_activated.emit(i)
            self._press_index = -1
            return
        if event.modifiers() & Qt.KeyboardModifier.ShiftModifier and self._anchor >= 0:
            m.set_selection(m.selection_set() | set(m.block(self._anchor, i)))
            self._press_index = -1
            return
        self._drag_base = m.selection_set()
        self._anchor = i

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            d = event.position().toPoint() - self._pan_from
            self._pan_from = event.position().toPoint()
            self.horizontalScrollBar().setValue(self.horizontalScrollBar().value() - d.x())
            self.verticalScrollBar().setValue(self.verticalScrollBar().value() - d.y())
            return
        if self._press_index < 0 or not (event.buttons() & Qt.MouseButton.LeftButton):
            return
        i = self.seat_at(event.position())
        if i < 0 or (i == self._press_index and not self._drag_moved):
            return
        self._drag_moved = True
        self.model.set_selection(self._drag_base | set(self.model.block(self._press_index, i)))
        self._move_cursor(i, scroll=False)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if self._pan_from is not None:
            self._pan_from = None
            self.viewport().unsetCursor()
            return
        if event.button() != Qt.MouseButton.LeftButton or self._press_index < 0:
            return
        if not self._drag_moved:
            self.model.toggle(self._press_index)
        self._press_index = -1

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if self.read_only or not len(self.model):
            return super().keyPressEvent(event)
        key = event.key()
        moves = {Qt.Key.Key_Left: (0, -1), Qt.Key.Key_Right: (0, 1),
                 Qt.Key.Key_Up: (-1, 0), Qt.Key.Key_Down: (1, 0)}
        m = self.model
        if key in moves:
            dr, dc = moves[key]
            nxt = self._neighbour(self.cursor_index, dr, dc)
            if nxt >= 0:
                if event.modifiers() & Qt.KeyboardModifier.ShiftModifier:
                    if self._anchor < 0:
                        self._anchor = self.cursor_index
                    m.set_selection(m.selection_set() | set(m.block(self._anchor, nxt)))
                self._move_cursor(nxt)
            return
        if key == Qt.Key.Key_Space:
            if 0 <= self.cursor_index < len(m):
                if m.is_selectable(self.cursor_index) or m.selected[self.cursor_index]:
                    m.toggle(self.cursor_index)
                    self._anchor = self.cursor_index
                else:
                    self.seat_activated.emit(self.cursor_index)
            return
        if key in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and not event.modifiers():
            self.hold_requested.emit()
            return
        if key == Qt.Key.Key_Escape:
            m.clear_selection()
            return
        text = event.text()
        if text.isdigit() and text != "0" and not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier:
            self.best_requested.emit(int(text))
            return
        super().keyPressEvent(event)

    def _move_cursor(self, i: int, *, scroll: bool = True) -> None:
        old = self.cursor_index
        self.cursor_index = i
        vp = self.viewport()
        for j in (old, i):
            if 0 <= j < len(self.model):
                vp.update(self.seat_rect(j).toAlignedRect().adjusted(-5, -5, 5, 5))
        if scroll:
            self.scroll_to_seat(i)

    def _neighbour(self, i: int, dr: int, dc: int) -> int:
        m = self.model
        if i < 0:
            return self._first_free()
        r, c = m.rows[i], m.cols[i]
        if dc:
            c += dc
            while 0 <= c < m.n_cols:
                j = m.at(r, c)
                if j >= 0:
                    return j
                c += dc
            return -1
        r += dr
        while 0 <= r < m.n_rows:
            for off in range(m.n_cols):
                for cc in (c - off, c + off):
                    j = m.at(r, cc)
                    if j >= 0:
                        return j
            r += dr
        return -1

    def focusInEvent(self, event) -> None:
        super().focusInEvent(event)
        self.viewport().update()

    def focusOutEvent(self, event) -> None:
        super().focusOutEvent(event)
        self.viewport().update()


class Swatch(QWidget):
    """One seat drawn as the grid draws it, for the legend."""

    def __init__(self, state: int, *, selected: bool = False, kind: int = style.STANDARD,
                 parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.state, self.selected, self.kind = state, selected, kind
        self.setFixedSize(20, 20)
        self._look = _Look()

    def paintEvent(self, event: QPaintEvent) -> None:
        look = self._look
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRectF(2, 2, 16, 16)
        if self.selected:
            p.setBrush(look.sel_fill)
            p.setPen(look.sel_border)
        else:
            p.setBrush(look.fill[self.state])
            p.setPen(look.border[self.state])
        p.drawRoundedRect(rect, 3, 3)
        hatch = look.hatch.get(self.state)
        if hatch is not None and not self.selected:
            p.setPen(Qt.PenStyle.NoPen)
            p.setBrush(hatch)
            p.drawRoundedRect(rect, 3, 3)
        a = rect.adjusted(5, 5, -5, -5)
        if self.state == style.SOLD:
            p.setPen(look.cross)
            p.drawLine(a.topLeft(), a.bottomRight())
            p.drawLine(a.topRight(), a.bottomLeft())
        elif self.state == style.BLOCKED:
            p.setPen(look.dash)
            p.drawLine(QPointF(a.left(), rect.center().y()), QPointF(a.right(), rect.center().y()))
        elif self.state == style.HOUSE:
            f = QFont()
            f.setPixelSize(10)
            f.setBold(True)
            p.setFont(f)
            p.setPen(look.text[self.state])
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, style.STATE_GLYPHS[self.state])
        elif self.kind != style.STANDARD:
            f = QFont()
            f.setPixelSize(11)
            p.setFont(f)
            p.setPen(look.kind[self.kind])
            p.drawText(rect, Qt.AlignmentFlag.AlignCenter, style.KIND_GLYPHS[self.kind])
        p.end()


class Legend(QWidget):
    """What each colour and glyph means, in one line under the grid."""

    ENTRIES = [
        ("Free", dict(state=style.FREE)),
        ("Selected", dict(state=style.FREE, selected=True)),
        ("Held here", dict(state=style.HELD_MINE)),
        ("Held elsewhere", dict(state=style.HELD_OTHER)),
        ("Sold", dict(state=style.SOLD)),
        ("Blocked", dict(state=style.BLOCKED)),
        ("Wheelchair", dict(state=style.FREE, kind=style.WHEELCHAIR)),
        ("Companion", dict(state=style.FREE, kind=style.COMPANION)),
    ]

    # The wall view's: no selection, no "here or elsewhere" (it holds nothing itself),
    # and house seats apart from blocked ones.
    WALL_ENTRIES = [
        ("Free", dict(state=style.FREE)),
        ("Held", dict(state=style.HELD_OTHER)),
        ("Sold", dict(state=style.SOLD)),
        ("Blocked", dict(state=style.BLOCKED)),
        ("House seat", dict(state=style.HOUSE)),
        ("Wheelchair", dict(state=style.FREE, kind=style.WHEELCHAIR)),
        ("Companion", dict(state=style.FREE, kind=style.COMPANION)),
    ]

    def __init__(self, parent: QWidget | None = None, *, columns: int = 0,
                 entries: list[tuple[str, dict]] | None = None) -> None:
        """``columns``: entries per row (0: all in one row); ``entries``: what to explain
        (the counter's by default)."""
        super().__init__(parent)
        self.entries = entries if entries is not None else self.ENTRIES
        self.setObjectName("Legend")
        grid = QGridLayout(self)
        grid.setContentsMargins(8, 4, 8, 4)
        grid.setHorizontalSpacing(12)
        grid.setVerticalSpacing(4)
        per_row = columns or len(self.entries)
        for n, (text, kw) in enumerate(self.entries):
            item = QHBoxLayout()
            item.setSpacing(5)
            item.addWidget(Swatch(**kw))
            label = QLabel(text)
            label.setObjectName("LegendLabel")
            item.addWidget(label)
            item.addStretch(1)
            grid.addLayout(item, n // per_row, n % per_row)
        grid.setColumnStretch(per_row, 1)
