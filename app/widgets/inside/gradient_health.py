"""gradientHealthPlot: per-layer gradient norm over training (log scale) and dead ReLU units.

Fed by the trainer's probes (BatchStats.grad_norms / dead_units, every cfg.probe_every batches). Vanishing
gradients show as the layers near the input sitting decades below the output layer (deep sigmoid networks);
a dead ReLU outputs 0 for every sample of a batch, so it gets no gradient and never learns again.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from engine.inspection import dead_units, gradient_norms

from .. import activation_info

RELU_LIKE = ("relu", "leaky_relu")
COLORS = [(33, 118, 210), (240, 120, 20), (46, 160, 67), (200, 50, 60), (140, 90, 200), (120, 120, 120)]
PROBE_SAMPLES = 256
REDRAW_MS = 100           # probes are drawn at most 10 times a second, and only while the view is shown


def _color(k: int):
    return COLORS[k % len(COLORS)]


class GradientHealthPlot(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("gradientHealthPlot")
        self.setAccessibleName("gradientHealthPlot")
        self.names: list[str] = []
        self.x: list[float] = []
        self.norms: list[list[float]] = []
        self.dead: list[list[int]] = []
        self.units: list[int] = []          # units of each ReLU-like hidden layer
        self.relu_layers: list[int] = []    # which hidden layers can have dead units

        intro = QLabel("How big each layer's gradient ‖∂L/∂W‖ is while training (log scale). If the layers near "
                       "the input sit far below the output layer, their weights barely move: vanishing "
                       "gradients (try ReLU instead of sigmoid). Below: ReLU units that output 0 for a whole "
                       "batch — dead, they receive no gradient.")
        intro.setWordWrap(True)
        self.norm_plot = pg.PlotWidget()
        self.norm_plot.setLogMode(x=False, y=True)
        self.norm_plot.setLabel("left", "gradient norm")
        self.norm_plot.setLabel("bottom", "epoch")
        self.norm_plot.showGrid(x=True, y=True, alpha=0.25)
        self.dead_plot = pg.PlotWidget()
        self.dead_plot.setLabel("left", "dead units")
        self.dead_plot.setLabel("bottom", "epoch")
        self.dead_plot.showGrid(x=True, y=True, alpha=0.25)
        self.dead_plot.getAxis("left").enableAutoSIPrefix(False)
        self.dead_plot.setXLink(self.norm_plot)
        self.legend = QLabel()
        self.legend.setObjectName("gradientLegend")
        self.legend.setWordWrap(True)
        self.summary = QLabel()
        self.summary.setObjectName("gradientSummary")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.legend)
        layout.addWidget(self.norm_plot, 3)
        layout.addWidget(self.dead_plot, 1)
        layout.addWidget(self.summary)
        self._norm_curves: list = []
        self._dead_curves: list = []
        self._stale = False
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(REDRAW_MS)
        self._timer.timeout.connect(self._redraw)

    # ---- inputs ----------------------------------------------------------------------------------------
    def set_spec(self, spec: dict | None) -> None:
        """Show the layers of `spec`: a fresh plot if they differ from the shown ones (a run of the same layers
        stays; its probes are this network's)."""
        layers = (spec or {}).get("layers", [])
        names = [("output" if n == len(layers) else f"hidden {n}") + f" ({activation_info.label(l['activation'])})"
                 for n, l in enumerate(layers, 1)]
        relu_layers = [k for k, l in enumerate(layers[:-1]) if l["activation"] in RELU_LIKE]
        units = [int(layers[k]["units"]) for k in relu_layers]
        if (names, relu_layers, units) == (self.names, self.relu_layers, self.units) and self._norm_curves:
            return
        self.names, self.relu_layers, self.units = names, relu_layers, units
        self.clear()

    def clear(self) -> None:
        self.x, self.norms, self.dead = [], [], []
        for plot in (self.norm_plot, self.dead_plot):
            plot.clear()
        self._norm_curves = [self.norm_plot.plot(pen=pg.mkPen(_color(k), width=2)) for k in range(len(self.names))]
        self._dead_curves = [self.dead_plot.plot(pen=pg.mkPen(_color(k), width=2), symbol="o", symbolSize=4,
                                                 symbolBrush=_color(k)) for k in self.relu_layers]
        self.dead_plot.setVisible(bool(self.relu_layers))
        self.legend.setText("  ".join(f"<span style='color:rgb{_color(k)}'>■</span> {name}"
                                      for k, name in enumerate(self.names)))
        self.summary.setText("Start training to see the gradients of every layer.")

    def add_batches(self, batches) -> None:
        """BatchStats (one or a list); only the probed ones (grad_norms set) carry gradient data."""
        batches = batches if isinstance(batches, (list, tuple)) else [batches]
        probed = [b for b in batches if getattr(b, "grad_norms", None) is not None]
        if not probed:
            return
        for b in probed:
            if len(b.grad_norms) != len(self._norm_curves):
                continue                                 # a probe of another architecture: ignore
            x = b.epoch - 1 + b.batch / max(b.n_batches, 1)
            if self.x and x <= self.x[-1]:
                self.clear()                             # a new run started: its curves begin again at 0
            self.x.append(x)
            self.norms.append(list(b.grad_norms))
            dead = b.dead_units or [0] * (len(self.names) - 1)
            self.dead.append([dead[k] for k in self.relu_layers])
        self._stale = True
        if self.isVisible() and not self._timer.isActive():   # hidden: showEvent catches up
            self._timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._redraw()

    def probe(self, net, X, y) -> None:
        """Measure a (loaded or trained) network on a few training samples when there is no training to watch."""
        if net is None or X is None or len(X) == 0 or self.x:
            return
        if len(net.layers) != len(self.names):
            self.set_spec(net.to_spec())
        n = min(PROBE_SAMPLES, len(X))
        bp = net.backprop(X[:n], y[:n])
        norms, dead = gradient_norms(bp.grads), dead_units(bp.activations)
        dead = [dead[k] for k in self.relu_layers]
        self.summary.setText(self._describe(norms, dead, f"on {n} training digits"))

    # ---- display ---------------------------------------------------------------------------------------
    def _redraw(self) -> None:
        self._stale = False
        self._timer.stop()                       # drawn now (e.g. by showEvent): a pending tick has nothing new
        if not self.x:
            return
        x = np.asarray(self.x)
        norms = np.maximum(np.asarray(self.norms, dtype=np.float64), 1e-30)   # log scale: keep 0 plottable
        for k, curve in enumerate(self._norm_curves):
            curve.setData(x, norms[:, k])
        self.norm_plot.setXRange(0, max(float(x[-1]), 0.01), padding=0.02)     # this run's epochs, from 0
        dead = np.asarray(self.dead, dtype=np.float64).reshape(len(x), -1)
        for k, curve in enumerate(self._dead_curves):
            curve.setData(x, dead[:, k])
        if dead.size:
            self.dead_plot.setYRange(0, max(1.0, float(dead.max())) * 1.1, padding=0)
        self.summary.setText(self._describe(self.norms[-1], self.dead[-1], f"at epoch {x[-1]:.2f}"))

    def _describe(self, norms, dead, when: str) -> str:
        parts = [f"{name.split(' (')[0]}: {g:.2e}" for name, g in zip(self.names, norms)]
        text = f"Gradient norms {when} — " + ", ".join(parts)
        if len(norms) > 1 and norms[-1] > 0:
            text += f". First layer / output layer = {norms[0] / norms[-1]:.2g}"
        if dead:
            names = [self.names[k].split(" (")[0] for k in self.relu_layers]
            text += ". Dead ReLU units: " + ", ".join(f"{d} of {u} in {n}" for d, u, n in zip(dead, self.units, names))
        elif not self.relu_layers:
            text += ". No ReLU layers, so no dead units"
        return text + "."
