"""replay_strokes: draw recorded pen strokes on a DrawCanvas with real mouse events, and read the 28x28 digit the
app would see (the check that the pad and the engine's NumPy rendering read handwriting alike)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QEvent, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication

from app.widgets.draw_canvas import rasterize
from engine.preprocess import preprocess_digit


def replay_strokes(canvas, strokes, fill: float = 0.6) -> np.ndarray:
    """Draw the strokes with the mouse on a cleared pad; return the preprocessed 28x28 image it recorded."""
    canvas.clear()
    side = min(canvas.width(), canvas.height())
    draw_strokes(canvas, strokes, fill, (0.0, 0.0, float(side)))
    return preprocess_digit(rasterize(canvas.strokes()))


def draw_strokes(canvas, strokes, fill: float, square: tuple[float, float, float]) -> None:
    """Mouse-drag each stroke: scaled to `fill` of the drawing square (x, y, side), centred, at whole pixels."""
    x0, y0, side = square
    pts = np.concatenate(strokes)
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    s = fill * side / max(hi - lo)
    centre = np.array([x0 + side / 2, y0 + side / 2])
    for stroke in strokes:
        q = np.round((stroke - (lo + hi) / 2) * s + centre)
        _mouse(canvas, QEvent.MouseButtonPress, q[0], Qt.LeftButton, Qt.LeftButton)
        for point in q[1:]:
            _mouse(canvas, QEvent.MouseMove, point, Qt.NoButton, Qt.LeftButton)
        _mouse(canvas, QEvent.MouseButtonRelease, q[-1], Qt.LeftButton, Qt.NoButton)


def _mouse(canvas, kind, point, button, buttons) -> None:
    p = QPointF(float(point[0]), float(point[1]))
    QApplication.sendEvent(canvas, QMouseEvent(kind, p, canvas.mapToGlobal(p), button, buttons, Qt.NoModifier))
