"""A wrapping grid of small digit images with a caption each; clicking one emits its sample index."""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QSizePolicy, QWidget

from ..digit_image import to_qimage

TILE, CAPTION, GAP = 56, 16, 6


class DigitGallery(QWidget):
    digitClicked = Signal(int)          # the sample index of the clicked tile

    def __init__(self, name: str = "", parent=None):
        super().__init__(parent)
        if name:
            self.setObjectName(name)
            self.setAccessibleName(name)
        self.indices = np.zeros(0, dtype=np.int64)
        self.captions: list[str] = []
        self.selected: int | None = None
        self._placeholder = ""
        self._images = []
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Preferred)
        self.setMinimumHeight(TILE + CAPTION + 2 * GAP)

    def sizeHint(self) -> QSize:
        return QSize(8 * (TILE + GAP), 2 * (TILE + CAPTION + GAP))

    def placeholder(self) -> str:
        return self._placeholder

    def set_placeholder(self, text: str) -> None:
        """What the gallery says while it holds no digit (a prompt before a choice, or why it is empty)."""
        self._placeholder = text
        self.update()

    def set_digits(self, images, indices, captions) -> None:
        """images (n, h, w) in [0, 1], the sample index and a caption for each."""
        self.indices = np.asarray(indices, dtype=np.int64)
        self.captions = list(captions)
        self._images = [to_qimage(im) for im in images]
        self.selected = None
        self._fit()
        self.update()

    def _columns(self) -> int:
        return max(1, (self.width() - GAP) // (TILE + GAP))

    def _fit(self) -> None:
        rows = max(1, math.ceil(len(self._images) / self._columns()))
        self.setMinimumHeight(rows * (TILE + CAPTION + GAP) + GAP)

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._fit()

    def tile_rect(self, k: int) -> QRectF:
        r, c = divmod(k, self._columns())
        return QRectF(GAP + c * (TILE + GAP), GAP + r * (TILE + CAPTION + GAP), TILE, TILE)

    def tile_at(self, pos) -> int | None:
        for k in range(len(self._images)):
            rect = self.tile_rect(k).adjusted(0, 0, 0, CAPTION)
            if rect.contains(pos):
                return k
        return None

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.SmoothPixmapTransform, False)
        text = self.palette().text().color()
        if not self._images:
            p.setPen(text)
            p.drawText(self.rect().adjusted(GAP, 0, -GAP, 0), Qt.AlignCenter | Qt.TextWordWrap, self._placeholder)
        font = self.font()
        font.setPointSizeF(max(6.5, font.pointSizeF() * 0.8))
        p.setFont(font)
        for k, image in enumerate(self._images):
            rect = self.tile_rect(k)
            p.drawImage(rect, image)
            p.setPen(self.palette().highlight().color() if k == self.selected else QColor(120, 124, 134))
            p.drawRect(rect)
            p.setPen(text)
            p.drawText(QRectF(rect.left() - 4, rect.bottom() + 1, TILE + 8, CAPTION), Qt.AlignCenter,
                       self.captions[k])
        p.end()

    def mousePressEvent(self, event) -> None:
        k = self.tile_at(event.position())
        if k is not None and event.button() == Qt.LeftButton:
            self.selected = k
            self.update()
            self.digitClicked.emit(int(self.indices[k]))
