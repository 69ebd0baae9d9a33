"""weightHistograms: each layer's weight distribution now vs at initialisation, on the same fixed bins.

The initial weights are rebuilt from the network's spec (its seed gives bit-identical initial weights), so the
comparison also works for a loaded model. Updates from weight snapshots, only while visible.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtWidgets import QGridLayout, QLabel, QVBoxLayout, QWidget

from engine.inspection import weight_histograms

from .. import activation_info
from ..named import named
from .when_shown import RefreshWhenShown
from .initial import initial_network

BINS = 41
NOW, INIT = (33, 118, 210), (150, 156, 168)


class WeightHistogramsView(RefreshWhenShown, QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        named(self, "weightHistograms")
        self.net = None
        self.hists: list[dict] = []
        self.plots: list[pg.PlotWidget] = []
        self.caption = QLabel()
        self.caption.setWordWrap(True)
        self.grid = QGridLayout()
        layout = QVBoxLayout(self)
        layout.addWidget(self.caption)
        layout.addLayout(self.grid, 1)
        self.refresh()

    def set_network(self, net) -> None:
        self.net = net
        self.refresh_when_shown()

    def _plots_for(self, n: int) -> None:
        if len(self.plots) == n:
            return
        for plot in self.plots:
            self.grid.removeWidget(plot)
            plot.deleteLater()
        self.plots = []
        cols = min(n, 3)
        for l in range(n):
            plot = pg.PlotWidget()
            plot.setMenuEnabled(False)
            plot.showGrid(x=True, y=True, alpha=0.2)
            plot.setLabel("bottom", "weight value")
            plot.getAxis("bottom").enableAutoSIPrefix(False)
            plot.setLabel("left", "count")
            plot.addLegend(offset=(-10, 10))
            plot.now = plot.plot(name="now", stepMode="center", fillLevel=0, pen=pg.mkPen(NOW, width=2),
                                 brush=(*NOW, 70))
            plot.init = plot.plot(name="at initialisation", stepMode="center", pen=pg.mkPen(INIT, width=2))
            self.grid.addWidget(plot, l // cols, l % cols)
            self.plots.append(plot)

    def refresh(self) -> None:
        self._dirty = False
        net = self.net
        if net is None:
            self.hists = []
            self._plots_for(0)
            self.caption.setText("Train or load a network to compare its weights with their starting values.")
            return
        init = initial_network(net)
        self.hists = weight_histograms(net, init, BINS)
        self._plots_for(len(self.hists))
        for l, (plot, h) in enumerate(zip(self.plots, self.hists)):
            W = net.layers[l].W
            plot.setTitle(f"Layer {l + 1}: {W.shape[0]} → {W.shape[1]} ({activation_info.label(net.layers[l].activation.name)}), "
                          f"std {float(np.std(W)):.3f} (at start {float(np.std(init.layers[l].W)):.3f})")
            plot.now.setData(h["edges"], h["now"])
            plot.init.setData(h["edges"], h["init"])
        self.caption.setText("How each layer's weights are spread: now (blue) and when the network was "
                             "initialised (grey; Xavier/He keep the spread right for the layer's size). Training "
                             "moves weights away from their start; a layer whose histogram barely changed "
                             "is barely learning.")
