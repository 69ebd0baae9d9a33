"""NeuronMaps (`neuronMaps`): what every hidden neuron outputs over the input plane, a small heat map each.

The first layer's maps are lines (each neuron is a perceptron: one straight boundary); later layers combine them.
The map under the mouse is drawn large; a click picks the neuron for the perceptron view (first layer only: its
inputs are x1 and x2). Low outputs are blue, high orange, the middle of the activation's range the background.
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QImage, QPainter, QPalette, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from app import choices
from app.widgets.named import named
from app.widgets.playground.colors import value_rgb
from app.widgets.playground.throttle import PublishesWhileVisible, Redraw
from engine.plane import extent, grid, neuron_maps

THUMB_CELLS = 40        # a thumbnail's grid (cells per side)
LARGE_CELLS = 120       # the enlarged map's grid
MAX_THUMB, MIN_THUMB = 72, 10         # 16 px still shows a line; below 18 two layers of 16 fit 120 px
GAP, LABEL_H, MARGIN = 4, 16, 6


def _image(rgb: np.ndarray) -> QImage:
    """(h, w, 3) uint8, row 0 at the bottom of the plane -> a QImage (row 0 at the top), owning its pixels."""
    rgb = np.ascontiguousarray(rgb[::-1])
    h, w, _ = rgb.shape
    return QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()


def _maps(net, box, cells: int = THUMB_CELLS) -> list[np.ndarray]:
    if net is None or box is None or net.input_size != 2:
        return []
    return neuron_maps(net, grid(box, cells), cells)


def _colors(net, layer: int, values: np.ndarray, background) -> np.ndarray:
    """Neurons' maps (units, cells, cells) in colour, each scaled to its activation's range (or to its own values
    where that is unbounded)."""
    lo, hi = net.layers[layer].activation.range
    lo = values.min(axis=(-2, -1), keepdims=True) if not math.isfinite(lo) else lo
    hi = values.max(axis=(-2, -1), keepdims=True) if not math.isfinite(hi) else hi
    return value_rgb(values, background, lo, hi)


def _large(net, box, hover, background):
    """The hovered neuron's map on a finer grid, or None."""
    if hover is None:
        return None
    maps = _maps(net, box, LARGE_CELLS)
    layer, unit = hover
    if layer >= len(maps) or unit >= len(maps[layer]):
        return None
    return _colors(net, layer, maps[layer][unit][None], background)[0]


class NeuronMaps(PublishesWhileVisible, QWidget):
    neuronPicked = Signal(int, int)        # hidden layer index, unit

    def __init__(self, parent=None):
        super().__init__(parent)
        named(self, "neuronMaps")
        self.setMouseTracking(True)
        self.setMinimumSize(200, 120)
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.setToolTip("What each hidden neuron outputs at every point of the plane (blue low, orange high). "
                        "Point at one to enlarge it; click a first-layer neuron to see it as a perceptron.")
        self.net = self.box = None
        self.images: list[list[QImage]] = []        # per hidden layer, per neuron
        self.shown_net = None                       # the network the images were computed from
        self.published = None                       # read by the training thread: see publish()
        self.rects: list[tuple[int, int, QRectF]] = []
        self.hover: tuple[int, int] | None = None
        self.large: QImage | None = None
        self.picked: tuple[int, int] | None = None
        self.redraw = Redraw(self, compute=self._job, show=self._show)

    # ---- inputs ---------------------------------------------------------------------------------------
    def set_dataset(self, ds) -> None:
        two = ds is not None and ds.x_train.ndim == 2 and ds.x_train.shape[1] == 2
        self.box = extent(np.concatenate([ds.x_train, ds.x_test])) if two else None
        self.publish()
        self.redraw.request()

    def set_network(self, net) -> None:
        self.net = net
        if net is None:                     # no network: no maps (a frame of the old one may still arrive)
            self.images, self.shown_net, self.large = [], None, None
            self.update()
        frame = getattr(net, "derived", {}).get("neuronMaps") if net is not None else None
        if frame is not None and frame[3] == (self.box, self.hover) and self.isVisible():
            self.redraw.take(frame[:3])        # made with the snapshot, on the training thread
        else:
            self.redraw.request()

    def publish(self) -> None:
        """What the training thread computes with each weight snapshot for this view; nothing while hidden."""
        self.published = None if self.box is None or not self.isVisible() else (
            self.box, self.hover, self.palette().color(QPalette.ColorRole.Base))

    def on_snapshot(self, net):
        """On the training thread: this snapshot's thumbnails (and enlarged map) for the published plane."""
        spec = self.published
        if spec is None or net.input_size != 2:
            return None
        box, hover, background = spec
        rgb = [_colors(net, l, layer, background) for l, layer in enumerate(_maps(net, box))]
        return net, rgb, _large(net, box, hover, background), (box, hover)

    def maps(self, cells: int = THUMB_CELLS) -> list[np.ndarray]:
        """Each hidden layer's (units, cells, cells) outputs over the plane (what the thumbnails show)."""
        return _maps(self.net, self.box, cells)

    # ---- drawing --------------------------------------------------------------------------------------
    def _job(self):
        """The thumbnails' colours (and the enlarged one's), computed off the GUI thread from this network."""
        net, box, hover = self.net, self.box, self.hover
        background = self.palette().color(QPalette.ColorRole.Base)

        def job():
            rgb = [_colors(net, l, layer, background) for l, layer in enumerate(_maps(net, box))]
            return net, rgb, _large(net, box, hover, background)
        return job

    def _show(self, frame) -> None:
        net, rgb, large = frame
        if self.net is None:
            return                          # the network went while this frame was computed
        self.shown_net = net
        self.images = [[_image(m) for m in layer] for layer in rgb]
        self.large = None if large is None else _image(large)
        self._layout()
        self.update()

    def _enlarge(self, layer: int, unit: int) -> None:
        large = _large(self.net, self.box, (layer, unit), self.palette().color(QPalette.ColorRole.Base))
        self.large = None if large is None else _image(large)

    def _layout(self) -> None:
        """Thumbnails as large as fit: layer by layer, rows wrapping."""
        self.rects = []
        counts = [len(row) for row in self.images]
        if not counts:
            return
        w, h = self.width() - 2 * MARGIN, self.height() - 2 * MARGIN
        size = MAX_THUMB
        while size > MIN_THUMB:
            per_row = max(1, (w + GAP) // (size + GAP))
            rows = sum(math.ceil(c / per_row) for c in counts)
            if rows * (size + GAP) + len(counts) * LABEL_H <= h:
                break
            size -= 2
        per_row = max(1, (w + GAP) // (size + GAP))
        y = MARGIN
        for l, c in enumerate(counts):
            y += LABEL_H
            for u in range(c):
                r, col = divmod(u, per_row)
                self.rects.append((l, u, QRectF(MARGIN + col * (size + GAP), y + r * (size + GAP), size, size)))
            y += math.ceil(c / per_row) * (size + GAP)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        pal = self.palette()
        p.fillRect(self.rect(), pal.color(QPalette.ColorRole.Base))
        p.setPen(pal.color(QPalette.ColorRole.Text))
        if not self.images or self.shown_net is None:
            p.drawText(self.rect().adjusted(8, 8, -8, -8), Qt.AlignCenter | Qt.TextWordWrap,
                       "Each hidden neuron's output over the plane appears here once the network has hidden "
                       "layers." if self.box is not None else "Neuron maps are for two-input data sets.")
            return
        shown = set()
        for l, u, rect in self.rects:
            if l not in shown:
                shown.add(l)
                act = choices.activation_label(self.shown_net.layers[l].activation.name)
                p.drawText(QRectF(MARGIN, rect.top() - LABEL_H, self.width(), LABEL_H), Qt.AlignLeft | Qt.AlignVCenter,
                           f"Hidden layer {l + 1} · {act}")
            p.drawImage(rect, self.images[l][u])
            if (l, u) == self.picked:
                p.setPen(QPen(pal.color(QPalette.ColorRole.Highlight), 3))
                p.drawRect(rect)
                p.setPen(pal.color(QPalette.ColorRole.Text))
        self._paint_large(p, pal)

    def _paint_large(self, p: QPainter, pal) -> None:
        if self.hover is None or self.large is None:
            return
        rect = next((r for l, u, r in self.rects if (l, u) == self.hover), None)
        if rect is None:
            return
        # on the half away from the mouse, so it never hides the neuron pointed at
        side = max(min(self.height() - 2 * MARGIN, self.width() / 2 - 2 * MARGIN, 240), rect.width())
        left = rect.center().x() >= self.width() / 2
        big = QRectF(MARGIN if left else self.width() - MARGIN - side, MARGIN, side, side)
        p.drawImage(big, self.large)
        p.setPen(QPen(pal.color(QPalette.ColorRole.Text), 2))
        p.drawRect(big)
        l, u = self.hover
        p.drawText(big.adjusted(4, 2, -4, -2), Qt.AlignTop | Qt.AlignLeft, f"layer {l + 1}, neuron {u + 1}")

    # ---- mouse ----------------------------------------------------------------------------------------
    def _at(self, pos):
        return next(((l, u) for l, u, r in self.rects if r.contains(pos)), None)

    def mouseMoveEvent(self, event) -> None:
        hit = self._at(event.position())
        if hit != self.hover:
            self.hover = hit
            self.publish()
            self.large = None
            if hit is not None:
                self._enlarge(*hit)
            self.update()

    def leaveEvent(self, event) -> None:
        self.hover, self.large = None, None
        self.publish()
        self.update()

    def mousePressEvent(self, event) -> None:
        hit = self._at(event.position())
        if hit is not None and hit[0] == 0:
            self.picked = hit
            self.neuronPicked.emit(*hit)
            self.update()

    def resizeEvent(self, event) -> None:
        self._layout()
        super().resizeEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange and getattr(self, "redraw", None) is not None:
            self.publish()                  # the theme changed: thumbnails on the new background
            self.redraw.request()
