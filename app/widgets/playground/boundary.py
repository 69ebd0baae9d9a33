"""DecisionBoundary (`decisionBoundary`): the network's output over the input plane as a heat map, with the training
points (filled) and test points (outlined) on top in their class colours; a one-input regression shows its fitted
curve over the data instead, and the output activation's range when it is bounded.

Every cell's value is the engine's own forward pass (engine.plane.output_map = predict_proba on the grid), so the
picture is exactly what the network says there. Drawn from the model's latest weights, at most 20 times a second.
"""
from __future__ import annotations

import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QRectF, Qt, Signal
from PySide6.QtGui import QPainter, QPalette

from app.widgets.playground.colors import class_color, heat_rgb
from app.widgets.playground.throttle import PublishesWhileVisible, Redraw
from engine.activations import ACTIVATIONS
from engine.plane import curve, extent, grid, output_map, perceptron_line

CELLS = 150            # the heat map is CELLS x CELLS cells
X_PAD = 0.1            # a regression plot shows its data's x range plus this share on each side


class DecisionBoundary(PublishesWhileVisible, pg.PlotWidget):
    pointHovered = Signal(object)          # (x1, x2) or (x1,) under the mouse, or None when it leaves

    def __init__(self, cells: int = CELLS, parent=None):
        super().__init__(parent)
        self.setObjectName("decisionBoundary")
        self.setAccessibleName("decisionBoundary")
        self.setToolTip("The network's answer at every point of the plane: the colour of the class it predicts, "
                        "stronger where it is sure. Filled dots: training points; outlined: test points.")
        self.setMinimumSize(180, 180)          # the window must still fit a 1280x800 screen in Playground mode
        self.setRenderHint(QPainter.SmoothPixmapTransform)   # cells blend into a smooth field, not squares
        self.cells = cells
        self.ds = self.net = None
        self.box = self.points = None
        self.values = None                 # (cells, cells, k): the last output map drawn
        self.drawn_net = self.drawn_points = None    # the network and grid points it was computed from
        self.neuron = None                 # (w, b) of the neuron whose line is drawn, or None
        self.published = None              # read by the training thread: see publish()
        item = self.getPlotItem()
        item.setMouseEnabled(False, False)
        item.hideButtons()
        item.setMenuEnabled(False)
        self.image = pg.ImageItem()
        self.image.setZValue(-10)
        self.addItem(self.image)
        self.fit = pg.PlotDataItem(pen=pg.mkPen((211, 47, 47), width=3))
        self.fit.setZValue(10)                 # the fitted curve over the data points
        self.addItem(self.fit)
        self.bounds = [pg.InfiniteLine(angle=0, pen=pg.mkPen((128, 128, 128), width=1, style=Qt.DashLine))
                       for _ in range(2)]
        self.line = pg.PlotDataItem(pen=pg.mkPen((20, 20, 20), width=2, style=Qt.DashLine))
        self.addItem(self.line)
        self.train_points = pg.ScatterPlotItem(size=7)
        self.test_points = pg.ScatterPlotItem(size=8)
        for it in (self.train_points, self.test_points):
            self.addItem(it)
        self.redraw = Redraw(self, compute=self._job, show=self._show)
        self.scene().sigMouseMoved.connect(self._mouse_moved)
        item.vb.sigRangeChanged.connect(self._range_changed)

    # ---- inputs ---------------------------------------------------------------------------------------
    def set_dataset(self, ds) -> None:
        """A two-input set gets the plane and its points; a one-input regression its data; anything else nothing."""
        self.ds = ds if ds is not None and ds.x_train.ndim == 2 and ds.x_train.shape[1] in (1, 2) else None
        self.values = None
        self.image.clear()
        self.fit.setData([], [])
        self.line.setData([], [])
        for b in self.bounds:
            if b.scene() is not None:
                self.removeItem(b)
        if self.ds is None:
            self.train_points.setData([])
            self.test_points.setData([])
            self.published = None
            return
        two = self.ds.x_train.shape[1] == 2
        self.getPlotItem().setAspectLocked(two)
        self._place_points(two)
        self.publish()
        self.redraw.request()

    def set_network(self, net) -> None:
        self.net = net
        frame = getattr(net, "derived", {}).get("decisionBoundary") if net is not None else None
        if frame is not None and frame[2][1] is self.points and self.isVisible():
            self.redraw.take(frame)            # made with the snapshot, on the training thread
        else:
            self.redraw.request()

    def publish(self) -> None:
        """What the training thread computes with each weight snapshot for this view; nothing while hidden."""
        ds = self.ds
        self.published = None if ds is None or self.points is None or not self.isVisible() else (
            self.points, self.cells, self.box, self.palette().color(QPalette.ColorRole.Base), ds.x_train.shape[1],
            ds.n_classes)

    def on_snapshot(self, net):
        """On the training thread: this snapshot's heat map for the published grid (None: not wanted)."""
        spec = self.published
        if spec is None or net.input_size != spec[4] or net.n_outputs != spec[5]:
            return None
        points, cells, box, background = spec[:4]
        values = output_map(net, points, cells)
        return "plane", net, (values, points, box, heat_rgb(values, background))

    def set_line(self, neuron) -> None:
        """Draw a neuron's line w·x + b = 0 across the plane: neuron = (w, b), or None for no line."""
        self.neuron = neuron
        ends = None
        if neuron is not None and self.points is not None:
            ends = perceptron_line(neuron[0], neuron[1], self.box)
        self.line.setData([] if ends is None else ends[:, 0], [] if ends is None else ends[:, 1])

    def _range_changed(self, *_) -> None:
        """The heat map covers exactly what is shown (the aspect lock widens one axis beyond the data)."""
        if self.points is None:
            return
        (x0, x1), (y0, y1) = self.getPlotItem().vb.viewRange()
        box = (float(x0), float(x1), float(y0), float(y1))
        if box != self.box:
            self.box, self.points = box, grid(box, self.cells)
            self.publish()
            self.set_line(self.neuron)
            self.redraw.request()

    # ---- drawing --------------------------------------------------------------------------------------
    def _place_points(self, two: bool) -> None:
        ds = self.ds
        x_all = np.concatenate([ds.x_train, ds.x_test])
        if two:
            self.box = extent(x_all)
            self.points = grid(self.box, self.cells)
            x0, x1, y0, y1 = self.box
        else:
            lo, hi = float(x_all.min()), float(x_all.max())
            pad = (hi - lo) * X_PAD or 1.0
            self.box, self.points = (lo - pad, hi + pad), None
            y_all = np.concatenate([ds.y_train, ds.y_test])[:, 0]
            x0, x1 = self.box
            y0, y1 = float(min(y_all.min(), 0.0)) - 0.2, float(max(y_all.max(), 1.0)) + 0.2
        self.setRange(xRange=(x0, x1), yRange=(y0, y1), padding=0)
        edge = self.palette().color(QPalette.ColorRole.Text)
        base = self.palette().color(QPalette.ColorRole.Base)
        self.line.setPen(pg.mkPen(edge, width=2, style=Qt.DashLine))
        for item, x, y, test in ((self.train_points, ds.x_train, ds.y_train, False),
                                 (self.test_points, ds.x_test, ds.y_test, True)):
            if two:
                brushes = [pg.mkBrush(class_color(int(k))) for k in y]
                pen = pg.mkPen(edge, width=2) if test else pg.mkPen(base, width=1)
                item.setData(x[:, 0], x[:, 1], brush=brushes, pen=pen)
            else:
                color = class_color(0)
                item.setData(x[:, 0], y[:, 0], brush=pg.mkBrush(color) if not test else pg.mkBrush(base),
                             pen=pg.mkPen(color, width=2 if test else 1))

    def _usable(self) -> bool:
        net, ds = self.net, self.ds
        return (net is not None and ds is not None and net.input_size == ds.x_train.shape[1]
                and net.n_outputs == (1 if ds.task == "regression" else ds.n_classes))

    def _job(self):
        """What to compute off the GUI thread for the current network: the output map (or the fitted curve)."""
        if not self._usable():
            return None
        net, points, cells, box = self.net, self.points, self.cells, self.box
        if points is None:
            return lambda: ("curve", net, curve(net, box))
        background = self.palette().color(QPalette.ColorRole.Base)

        def job():
            values = output_map(net, points, cells)
            return "plane", net, (values, points, box, heat_rgb(values, background))
        return job

    def _show(self, frame) -> None:
        if frame is None:
            self.image.clear()
            self.fit.setData([], [])
            return
        kind, net, data = frame
        if self.net is None:
            return                          # the network went while this frame was computed
        if kind == "curve":
            self.fit.setData(*data)
            self._show_bounds(net.layers[-1].activation.name)
            return
        self.values, self.drawn_points, (x0, x1, y0, y1), rgb = data
        self.drawn_net = net
        self.image.setImage(rgb.transpose(1, 0, 2), levels=(0, 255))   # ImageItem: first axis is x
        self.image.setRect(QRectF(x0, y0, x1 - x0, y1 - y0))

    def _show_bounds(self, activation: str) -> None:
        """Dashed lines at a bounded output's limits: the fit can never cross them."""
        lo, hi = getattr(ACTIVATIONS.get(activation), "range", (-math.inf, math.inf))
        for line, value in zip(self.bounds, (lo, hi)):
            if math.isfinite(value):
                line.setValue(value)
                if line.scene() is None:
                    self.addItem(line)
            elif line.scene() is not None:
                self.removeItem(line)

    def _mouse_moved(self, pos) -> None:
        if self.ds is None or not self.sceneBoundingRect().contains(pos):
            self.pointHovered.emit(None)
            return
        p = self.getPlotItem().vb.mapSceneToView(pos)
        self.pointHovered.emit((p.x(), p.y()) if self.ds.x_train.shape[1] == 2 else (p.x(),))

    def leaveEvent(self, event) -> None:
        self.pointHovered.emit(None)
        super().leaveEvent(event)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == event.Type.PaletteChange and getattr(self, "redraw", None) and self.ds is not None:
            self._place_points(self.ds.x_train.shape[1] == 2)      # outlines follow the theme
            self.publish()
            self.redraw.request()
