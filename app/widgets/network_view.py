"""NetworkView (`networkDiagram`): the network drawn as neurons and connections, TensorFlow Playground style.

Columns are layers (0 = input). A layer too wide to draw shows MAX_SHOWN representative neurons and says how many
it hides. With weights, a connection is blue when positive, orange when negative, thicker and more opaque the
larger |w| is. Only the shown subset is ever drawn or hit-tested. What is drawn is a Picture (network_picture.py)
taken at once: the drawn network's architecture when one is drawn, else the spec's, never a mix of two networks.
"""
from __future__ import annotations

import time

import numpy as np
from PySide6.QtCore import QEvent, QLineF, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QFont, QFontMetrics, QImage, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QToolTip, QWidget

from ..theme import is_dark
from . import network_geometry, network_tips
from .named import named
from .network_picture import Picture

MAX_SHOWN = 14
SIDE = 56            # px from the edge to the first and last columns
BUCKETS = 6          # line widths/opacities per sign: few pens, few Qt calls
MAX_STRANDS = 3      # the thickest connection is 3 px
LINES_PER_CALL = 48  # lines per drawing call: one call is a slice of a few ms
SLICE_SECONDS = 0.006
MIN_RENDER_GAP = 0.5
WEIGHTS_GAP = 1.0        # s: new weights (twice a second while training) redraw at most this often: ~25 ms each
POSITIVE = QColor(33, 118, 210)
NEGATIVE = QColor(240, 120, 20)
NEUTRAL = QColor(150, 156, 168)


def shown_units(n: int, image_shape=None) -> np.ndarray:
    """Which units of a layer of n are drawn: all if few; else evenly spread (input: across the digit's centre)."""
    if n <= MAX_SHOWN:
        return np.arange(n)
    if image_shape is not None and int(np.prod(image_shape)) == n:
        h, w = image_shape
        rows = np.linspace(h * 0.25, h * 0.75, MAX_SHOWN).round().astype(int)
        cols = np.linspace(w * 0.3, w * 0.7, MAX_SHOWN).round().astype(int)[np.arange(MAX_SHOWN) * 5 % MAX_SHOWN]
        return rows * w + cols
    return np.linspace(0, n - 1, MAX_SHOWN).round().astype(int)


def _run(gen):
    """Drive a generator to its end and return its value."""
    while True:
        try:
            next(gen)
        except StopIteration as done:
            return done.value


class NetworkView(QWidget):
    connectionClicked = Signal(int, int, int)   # layer (index into net.layers), input unit i, output unit j
    neuronHovered = Signal(int, int)            # column (0 = input, l+1 = net.layers[l]), unit
    neuronUnhovered = Signal()                  # the mouse left the neuron it was on

    def __init__(self, parent=None):
        super().__init__(parent)
        named(self, "networkDiagram")
        self.setMouseTracking(True)
        self.setMinimumSize(420, 250)           # 250: at 1024x768 the curves and their legend need the rest
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Expanding)
        self.sizes: list[int] = [784, 10]
        self.activations: list[str] = ["softmax"]
        self.alphas: list[float] = [0.01]
        self.image_shape = (28, 28)
        self.net = None
        self.acts = None
        self.selected: tuple[int, int, int] | None = None
        self.overlay = None               # e.g. a StepOverlay: its colours, labels and tooltips come first
        self._hover = None
        self._cache = None
        self._job = None
        self._job_size = None
        self._slice_timer = QTimer(self, singleShot=True, interval=0, timeout=self._render_slice)
        self._defer_timer = QTimer(self, singleShot=True, timeout=self.refresh)
        self._last_render = 0.0
        self._stale = False

    # ---- inputs ---------------------------------------------------------------------------------------
    def setSpec(self, spec: dict) -> None:
        self.sizes = [int(spec["input_size"])] + [int(l["units"]) for l in spec["layers"]]
        self.activations = [l["activation"] for l in spec["layers"]]
        self.alphas = [float(l.get("alpha", 0.01)) for l in spec["layers"]]
        self.acts, self.selected = None, None
        self.refresh()

    def setNetwork(self, net) -> None:
        """Weights to colour the connections by (None: grey, untrained); used only while it matches the spec."""
        self.net = net
        self.refresh(WEIGHTS_GAP)

    def drawnNetwork(self):
        """The network whose weights are drawn: the given one if its architecture is the spec's, else None."""
        return self.picture().net

    def picture(self) -> Picture:
        """What the diagram shows now, taken at once (the network's architecture, or the spec's; see Picture)."""
        return Picture.of((tuple(self.sizes), tuple(self.activations), tuple(self.alphas)), self.net, self.acts,
                          self.overlay, self.image_shape, self.selected)

    def setActivations(self, acts) -> None:
        """Light neurons by value: acts[0] = input, acts[l+1] = output of net.layers[l]; None clears."""
        self.acts = None if acts is None else [None if a is None else np.asarray(a).reshape(-1) for a in acts]
        self.refresh()

    def setOverlay(self, overlay) -> None:
        """Something drawn over the network (a training step's phases); None: the plain diagram."""
        self.overlay = overlay
        self.refresh()

    def setImageShape(self, shape) -> None:
        self.image_shape = tuple(shape) if shape else None
        self.refresh()

    # ---- geometry -------------------------------------------------------------------------------------
    def _layout(self, pic: Picture | None = None):
        """Per column of the picture (default: the current one): shown unit indices and their (x, y) centres; and
        the neuron radius."""
        pic = pic or self.picture()
        w, h = self.width(), self.height()
        top, bottom, side = 46, 34, SIDE
        cols = len(pic.sizes)
        xs = np.linspace(side, w - side, cols) if cols > 1 else np.array([w / 2])
        radius = float(np.clip((h - top - bottom) / (MAX_SHOWN * 2.6), 4, 13))
        out = []
        for c, n in enumerate(pic.sizes):
            units = shown_units(n, pic.image_shape if c == 0 else None)
            k = len(units)
            step = min(radius * 2.6, (h - top - bottom) / max(k, 1))
            ys = top + (h - top - bottom) / 2 + (np.arange(k) - (k - 1) / 2) * step
            out.append((units, np.stack([np.full(k, xs[c]), ys], 1)))
        return out, radius

    # ---- painting -------------------------------------------------------------------------------------
    # Qt holds the GIL while it rasterises, and antialiased lines are slow: the picture is rendered into an image
    # in slices of a few ms between events (the old picture stays up meanwhile, stretched after a resize), so
    # neither training nor a layout change (a legend growing at Start) makes the window stutter. A first paint
    # renders at once.
    def refresh(self, gap: float = MIN_RENDER_GAP) -> None:
        """Content changed: re-render the picture in slices (hover alone only repaints the overlay), at most one
        picture every `gap` seconds."""
        if self._cache is None:
            self.update()
            return
        if not self.isVisible():
            self._stale = True             # hidden (another tab): rendered when shown, not beside a run
            return
        wait = self._last_render + gap - time.perf_counter()
        if wait > 0:
            if not self._defer_timer.isActive():
                self._defer_timer.start(int(wait * 1000) + 1)
            return
        self._last_render = time.perf_counter()
        self._render_later(self.devicePixelRatioF())

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.refresh(0.0)

    def _render_later(self, dpr: float) -> None:
        self._job, self._job_size = self._render_steps(dpr), self.size() * dpr
        self._slice_timer.start()

    def _render_slice(self) -> None:
        if self._job is None:
            return
        t0 = time.perf_counter()
        try:
            while time.perf_counter() - t0 < SLICE_SECONDS:
                next(self._job)
        except StopIteration as done:
            self._cache, self._job = done.value, None
            self.update()
            return
        self._slice_timer.start()

    def renderNow(self) -> None:
        """Finish any pending rendering at once (tests, grabs)."""
        self._job = None
        self._cache = _run(self._render_steps(self.devicePixelRatioF()))
        self.update()

    def paintEvent(self, event) -> None:
        dpr = self.devicePixelRatioF()
        if self._cache is None:
            self._job = None
            self._cache = _run(self._render_steps(dpr))
        elif self._cache.size() != self.size() * dpr and (self._job is None or self._job_size != self.size() * dpr):
            self._render_later(dpr)                 # resized: the picture for the new size comes in slices
        p = QPainter(self)
        p.drawImage(QRectF(self.rect()), self._cache)
        if self._hover is not None and self._hover[0] == "n":
            cols, r = self._layout()
            units, pos = cols[self._hover[1]] if self._hover[1] < len(cols) else ((), ())   # a column gone since
            hit = np.flatnonzero(np.asarray(units) == self._hover[2])
            if hit.size:
                p.setRenderHint(QPainter.Antialiasing, True)
                p.setPen(QPen(self.palette().highlight().color(), 2.5))
                p.setBrush(Qt.NoBrush)
                p.drawEllipse(QPointF(*pos[hit[0]]), r + 1, r + 1)
        p.end()

    def _render_steps(self, dpr: float):
        """Generator: paints the whole picture into a QImage, yielding between small drawing calls; it draws the
        Picture taken as it starts, whatever the view is given meanwhile."""
        pic = self.picture()
        img = QImage(self.size() * dpr, QImage.Format_ARGB32_Premultiplied)
        img.setDevicePixelRatio(dpr)
        img.fill(self.palette().base().color())
        p = QPainter(img)
        p.setRenderHint(QPainter.Antialiasing, True)
        try:
            cols, r = self._layout(pic)
            for layer in range(len(cols) - 1):
                yield from self._paint_connections(p, pic, layer, cols[layer], cols[layer + 1])
            for c, (units, pos) in enumerate(cols):
                self._paint_column(p, pic, c, units, pos, r)
            if pic.overlay is not None:
                pic.overlay.paint(p, self, cols, r)
        finally:
            p.end()
        return img

    def _paint_connections(self, p: QPainter, pic: Picture, layer: int, left, right) -> None:
        """Lines grouped into a few pens (sign x magnitude bucket): one drawLines call per group."""
        (ui, pi), (uo, po) = left, right
        a = np.repeat(pi, len(uo), 0)
        b = np.tile(po, (len(ui), 1))
        W = None if pic.overlay is None else pic.overlay.connection_values(layer, ui, uo)
        W = pic.weights(layer, ui, uo) if W is None else W
        if W is not None:                       # overflowed weights (a step at an absurd rate): drawn flat, not NaN
            W = np.nan_to_num(np.asarray(W, np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        scale = float(np.abs(W).max()) if W is not None and W.size else 0.0
        if W is None or scale == 0:
            col = QColor(NEUTRAL)
            col.setAlpha(70)
            groups = {(0, 0): np.arange(len(a))}
        else:
            w = W.reshape(-1)
            level = np.minimum((np.abs(w) / scale * BUCKETS).astype(int), BUCKETS - 1)
            keys = (w >= 0).astype(int) * BUCKETS + level
            groups = {(k // BUCKETS * 2 - 1, k % BUCKETS): np.flatnonzero(keys == k) for k in np.unique(keys)}
        # Antialiased strokes wider than 1 px are ~10x slower in Qt's raster engine, so a thick line is drawn as
        # parallel 1 px strands (offset along the line's normal): it looks the same and paints in ~20 ms.
        d = b - a
        normal = np.stack([-d[:, 1], d[:, 0]], 1) / np.maximum(np.hypot(*d.T), 1e-9)[:, None]
        for (sign, level), idx in sorted(groups.items(), key=lambda g: g[0][1]):
            if sign == 0:
                pen, strands = QPen(col, 0.8), 1
            else:
                m = (level + 1) / BUCKETS
                c = QColor(POSITIVE if sign > 0 else NEGATIVE)
                c.setAlpha(int(60 + 195 * m))
                strands = 1 + level * (MAX_STRANDS - 1) // (BUCKETS - 1)
                pen = QPen(c, 1.0 if strands > 1 else 0.5 + 0.5 * m)
            for s in range(strands):
                off = normal[idx] * (s - (strands - 1) / 2) * 0.9
                for c0 in range(0, len(idx), LINES_PER_CALL):
                    p.setPen(pen)
                    p.drawLines([QLineF(*(a[k] + o), *(b[k] + o))
                                 for k, o in zip(idx[c0:c0 + LINES_PER_CALL], off[c0:c0 + LINES_PER_CALL])])
                    yield
        if pic.selected is not None and pic.selected[0] == layer:
            _, i, j = pic.selected
            if i in ui and j in uo:
                p.setPen(QPen(self.palette().highlight().color(), 4))
                p.drawLine(QPointF(*pi[list(ui).index(i)]), QPointF(*po[list(uo).index(j)]))

    def neuronColors(self) -> tuple[QColor, QColor]:
        """(fill of a silent neuron, its outline) for the current theme: near white in light, a dark grey in dark."""
        base, text = self.palette().base().color(), self.palette().text().color()
        fill = QColor(250, 250, 252) if not is_dark(self.palette()) else self.palette().button().color()
        outline = QColor(*(int(b + (t - b) * 0.6) for b, t in zip(base.getRgb()[:3], text.getRgb()[:3])))
        return fill, outline

    def _title_width(self, cols: int) -> float:
        """The width a column's title may take: at most 140 px, less than the space between two columns."""
        return 140.0 if cols < 2 else float(np.clip((self.width() - 2 * SIDE) / (cols - 1) - 6, 30, 140))

    def column_title(self, pic: Picture, c: int) -> tuple[str, str]:
        """Column c's title (bold; the short form where the whole one would reach the next column's) and subtitle,
        each elided to the column's width."""
        box = self._title_width(len(pic.sizes))
        font = QFont(self.font())
        font.setBold(True)
        bold = QFontMetrics(font)
        title = pic.title(c) if bold.horizontalAdvance(pic.title(c)) <= box else pic.short_title(c)
        return (bold.elidedText(title, Qt.ElideRight, int(box)),
                self.fontMetrics().elidedText(pic.subtitle(c), Qt.ElideRight, int(box)))

    def _paint_column(self, p: QPainter, pic: Picture, c: int, units, pos, r: float) -> None:
        text = self.palette().text().color()
        vals = pic.column_values(c, units)
        if vals is not None:
            vals = np.nan_to_num(np.asarray(vals, np.float64), nan=0.0, posinf=1.0, neginf=-1.0)
        silent, outline = self.neuronColors()
        p.setPen(QPen(outline, 1.2))
        for k, (x, y) in enumerate(pos):
            fill = QColor(silent)
            if vals is not None:
                v = float(vals[k])
                base = POSITIVE if v >= 0 else NEGATIVE
                m = min(abs(v), 1.0)
                fill = QColor(*(int(s + (e - s) * m) for s, e in zip(silent.getRgb()[:3], base.getRgb()[:3])))
            p.setBrush(fill)
            p.drawEllipse(QPointF(x, y), r, r)
        dropped = pic.dropped(c, units)
        if dropped is not None and dropped.any():
            p.setPen(QPen(text, 1.6))                 # a step's dropout: this neuron gave 0 for the shown sample
            for x, y in pos[dropped]:
                p.drawLine(QPointF(x - r, y - r), QPointF(x + r, y + r))
                p.drawLine(QPointF(x - r, y + r), QPointF(x + r, y - r))
        p.setPen(text)
        if c == len(pic.sizes) - 1 and len(units) <= MAX_SHOWN:
            for k, (x, y) in enumerate(pos):
                p.drawText(QRectF(x + r + 4, y - 8, 30, 16), Qt.AlignLeft | Qt.AlignVCenter, str(int(units[k])))
        font = QFont(self.font())
        font.setBold(True)
        p.setFont(font)
        x = pos[0][0] if len(pos) else 0
        box = self._title_width(len(pic.sizes))
        title, subtitle = self.column_title(pic, c)
        p.drawText(QRectF(x - box / 2, 4, box, 18), Qt.AlignCenter, title)
        p.setFont(self.font())
        p.drawText(QRectF(x - box / 2, 22, box, 16), Qt.AlignCenter, subtitle)
        hidden = pic.sizes[c] - len(units)
        if hidden > 0:
            p.drawText(QRectF(x - 70, self.height() - 28, 140, 18), Qt.AlignCenter, f"+ {hidden} more")

    # ---- hit testing, hover, click, tooltips -------------------------------------------------------------
    def itemAt(self, point: QPointF):
        """('n', column, unit) for a neuron, ('w', layer, i, j) for a connection, or None."""
        cols, r = self._layout()
        return network_geometry.item_at(cols, r, np.array([point.x(), point.y()]))

    def connectionPoint(self, layer: int, i: int, j: int) -> QPointF:
        """A point on the drawn connection i -> j of net.layers[layer] where a click selects exactly it."""
        cols, r = self._layout()
        return QPointF(*network_geometry.connection_point(cols, r, layer, i, j))

    def neuronPoint(self, column: int, unit: int) -> QPointF:
        cols, _ = self._layout()
        units, pos = cols[column]
        return QPointF(*pos[list(units).index(unit)])

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange:      # light/dark switch: the picture's colours are the palette's
            self._job, self._cache = None, None
            self.update()

    def mouseMoveEvent(self, event) -> None:
        self._set_hover(self.itemAt(event.position()))

    def leaveEvent(self, event) -> None:
        self._set_hover(None)

    def _set_hover(self, item) -> None:
        if item == self._hover:
            return
        was_neuron = self._hover is not None and self._hover[0] == "n"
        self._hover = item
        if item is not None and item[0] == "n":
            self.neuronHovered.emit(item[1], item[2])
        elif was_neuron:
            self.neuronUnhovered.emit()
        self.update()

    def mousePressEvent(self, event) -> None:
        item = self.itemAt(event.position())
        if event.button() == Qt.LeftButton and item is not None and item[0] == "w":
            self.selected = item[1:]
            self.refresh()
            self.connectionClicked.emit(*item[1:])

    def event(self, e) -> bool:
        if e.type() == QEvent.ToolTip:
            item = self.itemAt(e.position() if hasattr(e, "position") else QPointF(e.pos()))
            text = self.tooltipFor(item) if item else ""
            if text:
                QToolTip.showText(e.globalPos(), text, self)
            else:
                QToolTip.hideText()
                e.ignore()
            return True
        return super().event(e)

    def tooltipFor(self, item) -> str:
        return network_tips.tooltip(self.picture(), item)
