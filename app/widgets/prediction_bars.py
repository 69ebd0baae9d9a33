"""Bar chart of the ten class probabilities (pyqtgraph); the winning class is highlighted."""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg

BAR = (90, 130, 200)
WINNER = (240, 170, 40)


class PredictionBars(pg.PlotWidget):
    """`set_probabilities(p)` with p of shape (k,), or None to show empty bars."""

    def __init__(self, n_classes: int = 10, parent=None):
        super().__init__(parent=parent)
        self.setObjectName("probabilityChart")
        self.setAccessibleName("probabilityChart")
        self.setMinimumSize(240, 120)
        self.setMouseEnabled(x=False, y=False)
        self.hideButtons()
        self.setMenuEnabled(False)
        self.setYRange(0, 1, padding=0.02)
        self.setLabel("left", "probability")
        self._bars = None
        self.set_classes([str(i) for i in range(n_classes)])

    def set_classes(self, names) -> None:
        """Class names on the x axis (digits by default)."""
        self.names = list(names)
        k = len(self.names)
        self.setXRange(-0.6, k - 0.4, padding=0)
        self.getAxis("bottom").setTicks([list(enumerate(self.names))])
        if self._bars is not None:
            self.removeItem(self._bars)
        self._bars = pg.BarGraphItem(x=np.arange(k), height=np.zeros(k), width=0.7, brush=BAR, pen=None)
        self.addItem(self._bars)
        self.probabilities = None

    def set_probabilities(self, p) -> None:
        k = len(self.names)
        if p is None:
            self.probabilities = None
            self._bars.setOpts(height=np.zeros(k), brushes=[pg.mkBrush(BAR)] * k)
            return
        p = np.asarray(p, dtype=np.float64).ravel()
        if p.size != k:
            self.set_classes([str(i) for i in range(p.size)])
            k = p.size
        self.probabilities = p
        brushes = [pg.mkBrush(WINNER if i == int(p.argmax()) else BAR) for i in range(k)]
        self._bars.setOpts(height=p, brushes=brushes)
