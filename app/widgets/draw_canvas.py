"""The drawing pad: strokes kept as vector polylines, drawn smooth; rendered for the network at MNIST's scale.

Points are stored in unit square coordinates (0..1 across the pad), so the drawing survives resizes and
high-DPI changes. `rasterize(strokes)` renders them with QPainter (antialiased, round caps) at the scale
engine.preprocess.stroke_layout chooses, so the pen is MNIST-thin inside the 20 px box whatever the size.
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, QRectF, Qt, Signal
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from engine.preprocess import stroke_layout

MIN_SIDE = 280           # logical px
SCREEN_PEN = 0.055       # on-screen pen width as a fraction of the pad's side (display only)
BACKGROUND = QColor(18, 18, 24)
INK = QColor(245, 245, 245)


def _stroke_pen(width: float, color: QColor) -> QPen:
    pen = QPen(color, width)
    pen.setCapStyle(Qt.RoundCap)
    pen.setJoinStyle(Qt.RoundJoin)
    return pen


def _path(points) -> QPainterPath:
    path = QPainterPath(QPointF(*points[0]))
    for x, y in points[1:]:
        path.lineTo(x, y)
    return path


def _paint_strokes(painter: QPainter, strokes, pen: QPen) -> None:
    painter.setRenderHint(QPainter.Antialiasing, True)
    painter.setPen(pen)
    painter.setBrush(Qt.NoBrush)
    for pts in strokes:
        if len(pts) == 1:                  # a tap is a dot: a round-capped point
            painter.drawPoint(QPointF(*pts[0]))
        else:
            painter.drawPath(_path(pts))


def rasterize(strokes, supersample: int = 4) -> np.ndarray | None:
    """Vector strokes (any units) -> grayscale float32 image, ink 1 on 0, at the network's final scale."""
    lay = stroke_layout(strokes, supersample=supersample)
    if lay is None:
        return None
    img = QImage(lay.width, lay.height, QImage.Format_Grayscale8)
    img.fill(0)
    painter = QPainter(img)
    _paint_strokes(painter, [lay.transform(s) for s in strokes if len(s)], _stroke_pen(lay.pen, QColor(255, 255, 255)))
    painter.end()
    rows = np.frombuffer(img.constBits(), np.uint8).reshape(lay.height, img.bytesPerLine())
    return rows[:, :lay.width].astype(np.float32) / 255.0


class DrawCanvas(QWidget):
    """A square pad for mouse, pen tablet and touch (touch arrives as synthesised mouse events)."""

    strokesChanged = Signal()

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("drawCanvas")
        self.setAccessibleName("drawCanvas")
        self.setAccessibleDescription("Drawing pad: draw a digit with the mouse, a pen or a finger.")
        self.setMinimumSize(MIN_SIDE, MIN_SIDE)
        policy = QSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        policy.setHeightForWidth(True)
        self.setSizePolicy(policy)
        self.setFocusPolicy(Qt.StrongFocus)
        self.setCursor(Qt.CrossCursor)
        self._strokes: list[list[tuple[float, float]]] = []
        self._drawing = False

    # ---- the model ----
    def strokes(self) -> list[np.ndarray]:
        """Strokes as (n, 2) arrays of (x, y) in unit-square coordinates."""
        return [np.asarray(s, dtype=np.float64) for s in self._strokes]

    def is_empty(self) -> bool:
        return not self._strokes

    def clear(self) -> None:
        if self._strokes:
            self._strokes = []
            self._changed()

    def undo(self) -> None:
        if self._strokes:
            self._strokes.pop()
            self._drawing = False
            self._changed()

    def _changed(self) -> None:
        self.update()
        self.strokesChanged.emit()

    # ---- geometry: the pad is the largest centred square ----
    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, w: int) -> int:
        return w

    def _square(self) -> QRectF:
        side = min(self.width(), self.height())
        return QRectF((self.width() - side) / 2, (self.height() - side) / 2, side, side)

    def _to_unit(self, pos: QPointF) -> tuple[float, float]:
        sq = self._square()
        return ((pos.x() - sq.x()) / sq.width(), (pos.y() - sq.y()) / sq.height())

    # ---- input ----
    def _begin(self, pos: QPointF) -> None:
        self._drawing = True
        self._strokes.append([self._to_unit(pos)])
        self._changed()

    def _extend(self, pos: QPointF) -> None:
        if self._drawing and self._strokes:
            p = self._to_unit(pos)
            last = self._strokes[-1][-1]
            if abs(p[0] - last[0]) + abs(p[1] - last[1]) > 1e-4:     # skip repeats of the same point
                self._strokes[-1].append(p)
                self._changed()

    def _end(self) -> None:
        self._drawing = False

    def mousePressEvent(self, event):
        if event.button() == Qt.LeftButton:
            self.setFocus(Qt.MouseFocusReason)
            self._begin(event.position())
        else:
            super().mousePressEvent(event)

    def mouseMoveEvent(self, event):
        if event.buttons() & Qt.LeftButton:
            self._extend(event.position())

    def mouseReleaseEvent(self, event):
        if event.button() == Qt.LeftButton:
            self._extend(event.position())
            self._end()

    def tabletEvent(self, event):
        kind = event.type()
        if kind == QEvent.TabletPress:
            self._begin(event.position())
        elif kind == QEvent.TabletMove:
            self._extend(event.position())
        elif kind == QEvent.TabletRelease:
            self._end()
        event.accept()                     # no duplicate synthesised mouse events

    def keyPressEvent(self, event):
        if event.key() in (Qt.Key_Delete, Qt.Key_Backspace) and not event.modifiers():
            self.clear()
        elif event.matches(QKeySequence.StandardKey.Undo):
            self.undo()
        else:
            super().keyPressEvent(event)

    # ---- painting ----
    def paintEvent(self, event):
        painter = QPainter(self)
        sq = self._square()
        painter.fillRect(self.rect(), self.palette().window())
        painter.fillRect(sq, BACKGROUND)
        if self.hasFocus():
            painter.setPen(QPen(self.palette().highlight().color(), 2))
            painter.drawRect(sq.adjusted(1, 1, -1, -1))
        if not self._strokes:
            painter.setPen(QColor(120, 120, 135))
            painter.drawText(sq, Qt.AlignCenter, "Draw a digit here")
        else:
            unit = [[(sq.x() + x * sq.width(), sq.y() + y * sq.height()) for x, y in s] for s in self._strokes]
            _paint_strokes(painter, unit, _stroke_pen(SCREEN_PEN * sq.width(), INK))
        painter.end()

