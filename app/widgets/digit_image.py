"""A small view of a 2-D array (e.g. the 28x28 network input) enlarged with crisp square pixels."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QImage, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget


def to_qimage(array: np.ndarray) -> QImage:
    """float array in [0, 1] (ink bright) -> an owned Grayscale8 QImage."""
    a = np.ascontiguousarray(np.round(np.clip(array, 0.0, 1.0) * 255), dtype=np.uint8)
    h, w = a.shape
    return QImage(a.data, w, h, w, QImage.Format_Grayscale8).copy()     # copy: the buffer is temporary


class DigitImage(QWidget):
    """Shows `set_array(a)` scaled to fit, nearest-neighbour; None shows an empty field of `blank` shape."""

    def __init__(self, name: str = "", blank=(28, 28), min_side: int = 84, parent=None):
        super().__init__(parent)
        if name:
            self.setObjectName(name)
            self.setAccessibleName(name)
        self.blank = blank
        self.array = None
        self._image = None
        self.setMinimumSize(min_side, min_side)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(168, 168)

    def set_array(self, array) -> None:
        self.array = None if array is None else np.asarray(array, dtype=np.float32)
        self._image = None if self.array is None else to_qimage(self.array)
        self.update()

    def paintEvent(self, event):
        painter = QPainter(self)
        h, w = self.array.shape if self.array is not None else self.blank
        scale = min(self.width() / w, self.height() / h)
        target = QRectF((self.width() - w * scale) / 2, (self.height() - h * scale) / 2, w * scale, h * scale)
        painter.fillRect(target, QColor(0, 0, 0))
        if self._image is not None:
            painter.setRenderHint(QPainter.SmoothPixmapTransform, False)      # show the real pixels
            painter.drawImage(target, self._image)
        painter.setPen(QColor(90, 90, 100))
        painter.drawRect(target.adjusted(0, 0, -1, -1))
        painter.end()
