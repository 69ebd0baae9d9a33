"""firstLayerWeightsView: the weights into each first-hidden-layer neuron drawn as a 28x28 image.

Blue pixels excite the neuron, orange inhibit it (each image scaled by its own largest |w|), so the picture is
the pattern of ink the neuron responds to. Updates from weight snapshots while training (only when visible).
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QPainter
from PySide6.QtWidgets import QCheckBox, QLabel, QSizePolicy, QToolTip, QVBoxLayout, QWidget

from engine.inspection import first_layer_images

from .colors import diverging_qimage
from ..named import named
from .when_shown import RefreshWhenShown
from .initial import initial_network

MAX_TILES = 256
GAP = 3


class WeightTiles(QWidget):
    """A grid of diverging-colour images (n, h, w) in [-1, 1]; tooltips name the unit."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.images = None
        self._qimages = []
        self.setMouseTracking(True)
        self.setMinimumSize(200, 200)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)

    def sizeHint(self) -> QSize:
        return QSize(640, 480)

    def set_images(self, images) -> None:
        self.images = None if images is None else np.asarray(images)[:MAX_TILES]
        self._qimages = [] if self.images is None else [diverging_qimage(im) for im in self.images]
        self.update()

    def grid(self):
        """(columns, rows, tile side) that fit every tile in the widget."""
        n = len(self._qimages)
        if not n:
            return 0, 0, 0.0
        w, h = self.width(), self.height()
        best = (1, n, 0.0)
        for cols in range(1, n + 1):
            rows = math.ceil(n / cols)
            side = min((w - GAP) / cols, (h - GAP) / rows) - GAP
            if side > best[2]:
                best = (cols, rows, side)
        return best

    def tile_rect(self, k: int) -> QRectF:
        cols, _, side = self.grid()
        r, c = divmod(k, cols)
        return QRectF(GAP + c * (side + GAP), GAP + r * (side + GAP), side, side)

    def tile_at(self, pos) -> int | None:
        for k in range(len(self._qimages)):
            if self.tile_rect(k).contains(pos):
                return k
        return None

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.fillRect(self.rect(), self.palette().base())
        p.setRenderHint(QPainter.SmoothPixmapTransform, False)
        for k, image in enumerate(self._qimages):
            rect = self.tile_rect(k)
            p.drawImage(rect, image)
            p.setPen(QColor(180, 184, 192))
            p.drawRect(rect)
        p.end()

    def mouseMoveEvent(self, event) -> None:
        k = self.tile_at(event.position())
        if k is None:
            QToolTip.hideText()
        else:
            QToolTip.showText(event.globalPosition().toPoint(),
                              f"Hidden neuron {k}: weights from each pixel. Blue = ink here excites it, "
                              f"orange = ink here inhibits it.", self)


class FirstLayerWeightsView(RefreshWhenShown, QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        named(self, "firstLayerWeightsView")
        self.net = None
        self.shape = (28, 28)
        self.images = None
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.change = QCheckBox("Show what training changed (weights now − weights at initialisation)")
        self.change.setObjectName("firstLayerChange")
        self.change.toggled.connect(lambda _: self.refresh())
        self.tiles = WeightTiles()
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addWidget(self.change)
        layout.addWidget(self.tiles, 1)
        self.refresh()

    def set_image_shape(self, shape) -> None:
        self.shape = tuple(shape) if shape else (28, 28)
        self.set_network(self.net)

    def set_network(self, net) -> None:
        self.net = net
        self.refresh_when_shown()                   # no work for a hidden view

    def refresh(self) -> None:
        self._dirty = False
        net = self.net
        self.images = None
        if net is None:
            self.caption.setText("Train or load a network to see what its first hidden layer looks for.")
        elif len(self.shape) != 2:
            self.caption.setText("This view is for images: the data set's inputs are not pixels.")
        elif len(net.layers) < 2 or net.input_size != int(np.prod(self.shape)):
            self.caption.setText("This view needs a hidden layer after image inputs "
                                 f"({self.shape[0]}x{self.shape[1]} pixels).")
        else:
            change = self.change.isChecked()
            self.images = first_layer_images(net, self.shape, initial_network(net) if change else None)
            n = len(self.images)
            more = f" (the first {MAX_TILES} are shown)" if n > MAX_TILES else ""
            what = ("how training changed its weight from every pixel (the random start taken away)" if change
                    else "its weight from every pixel")
            self.caption.setText(f"What each of the {n} neurons of hidden layer 1 looks for{more}: {what}. "
                                 f"Blue = ink there excites the neuron, orange = ink there inhibits it, white = it "
                                 f"does not care. Each image is scaled to its own largest value.")
        self.tiles.set_images(self.images)
