"""activationView: sigmoid, tanh, ReLU and leaky ReLU with their derivatives and output ranges.

Curves are the engine's own activations (engine.activations) evaluated on a grid of z; the functions the current
network uses are highlighted and say which layers use them. Leaky ReLU's alpha is the network's (or adjustable).
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, QRectF
from PySide6.QtGui import QColor, QPainter, QPalette, QPen
from PySide6.QtWidgets import QFrame, QGridLayout, QHBoxLayout, QLabel, QVBoxLayout, QWidget

from engine.activations import ACTIVATIONS, LeakyReLU

from .. import activation_info
from ...theme import legible
from app.widgets.wheel_guard import DoubleSpinBox

SHOWN = ("sigmoid", "tanh", "relu", "leaky_relu")
Z = np.linspace(-5, 5, 401, dtype=np.float64)
Y_VIEWS = {"sigmoid": (-0.3, 1.3), "tanh": (-1.3, 1.3), "relu": (-1.2, 5.2), "leaky_relu": (-1.2, 5.2)}
F_PEN, D_PEN = (33, 118, 210), (240, 120, 20)
USED = QColor(224, 160, 48)            # the border of a used function's box; its note text is a legible shade


class UsedFrame(QFrame):
    """A box that draws an amber border while `used` (painted, not a style sheet: those freeze the children's
    palette, so a label inside stayed black after a switch to the dark theme)."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.used = False

    def set_used(self, used: bool) -> None:
        self.used = bool(used)
        self.update()

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        if self.used:
            p = QPainter(self)
            p.setRenderHint(QPainter.Antialiasing, True)
            p.setPen(QPen(USED, 2))
            p.drawRoundedRect(QRectF(self.rect()).adjusted(1, 1, -1, -1), 4, 4)
            p.end()


def used_activations(spec: dict | None) -> dict[str, list[str]]:
    """Activation name -> the layers that use it ("hidden 1", "output")."""
    used: dict[str, list[str]] = {}
    layers = (spec or {}).get("layers", [])
    for n, layer in enumerate(layers, 1):
        where = "output" if n == len(layers) else f"hidden {n}"
        used.setdefault(layer["activation"], []).append(where)
    return used


def curves(name: str, alpha: float = 0.01) -> tuple[np.ndarray, np.ndarray]:
    """(f(Z), f'(Z)) from the engine's activation."""
    act = LeakyReLU(alpha=alpha) if name == "leaky_relu" else ACTIVATIONS[name]()
    return act.forward(Z.copy()), act.derivative(Z)


class ActivationView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("activationView")
        self.setAccessibleName("activationView")
        self.alpha = 0.1           # shown until the network uses leaky ReLU (then its own alpha): 0.01 looks like ReLU
        self.used: dict[str, list[str]] = {}
        self.plots: dict[str, pg.PlotWidget] = {}
        self.f_curves: dict[str, pg.PlotDataItem] = {}
        self.d_curves: dict[str, pg.PlotDataItem] = {}
        self.notes: dict[str, QLabel] = {}
        self.boxes: dict[str, UsedFrame] = {}

        self.alpha_box = DoubleSpinBox()
        self.alpha_box.setObjectName("leakyAlpha")
        self.alpha_box.setRange(0.0, 0.99)
        self.alpha_box.setSingleStep(0.01)
        self.alpha_box.setDecimals(3)
        self.alpha_box.setValue(self.alpha)
        self.alpha_box.valueChanged.connect(self.set_alpha)
        top = QHBoxLayout()
        intro = QLabel("Each neuron passes its weighted sum z through an activation function f. Solid: f(z); "
                       "dashed: its slope f′(z), which backpropagation multiplies into every gradient. "
                       "The shaded band is the range of outputs f can give. Highlighted: used by your network.")
        intro.setWordWrap(True)
        top.addWidget(intro, 1)
        top.addWidget(QLabel("Leaky ReLU α"))
        top.addWidget(self.alpha_box)

        grid = QGridLayout()
        for k, name in enumerate(SHOWN):
            grid.addWidget(self._make_plot(name), k // 2, k % 2)
        layout = QVBoxLayout(self)
        layout.addLayout(top)
        layout.addLayout(grid, 1)
        self.set_spec(None)

    def _make_plot(self, name: str) -> QWidget:
        plot = pg.PlotWidget()
        plot.setMenuEnabled(False)
        plot.setMouseEnabled(x=False, y=False)
        plot.hideButtons()
        plot.showGrid(x=True, y=True, alpha=0.25)
        plot.setXRange(Z[0], Z[-1], padding=0)
        y_view = Y_VIEWS[name]
        plot.setYRange(*y_view, padding=0)
        plot.addLegend(offset=(8, 8))
        lo, hi = ACTIVATIONS[name].range
        band = pg.LinearRegionItem((max(lo, y_view[0] - 1), min(hi, y_view[1] + 1)), orientation="horizontal",
                                   movable=False, brush=(120, 200, 120, 40), pen=pg.mkPen(None))
        plot.addItem(band)
        for bound in (lo, hi):
            if np.isfinite(bound):
                plot.addItem(pg.InfiniteLine(bound, angle=0, pen=pg.mkPen((60, 150, 60), style=pg.QtCore.Qt.DashLine)))
        self.f_curves[name] = plot.plot(name="f(z)", pen=pg.mkPen(F_PEN, width=2.5))
        self.d_curves[name] = plot.plot(name="f′(z)", pen=pg.mkPen(D_PEN, width=2, style=pg.QtCore.Qt.DashLine))
        self.plots[name] = plot
        note = QLabel()
        note.setWordWrap(True)
        self.notes[name] = note
        box = UsedFrame()
        box.setObjectName(f"activationBox_{name}")
        self.boxes[name] = box
        v = QVBoxLayout(box)
        v.setContentsMargins(6, 4, 6, 4)
        v.addWidget(note)
        v.addWidget(plot, 1)
        return box

    def set_spec(self, spec: dict | None) -> None:
        """Highlight the activations `spec` uses; take its leaky ReLU alpha."""
        used = used_activations(spec)
        alphas = [l.get("alpha", 0.01) for l in (spec or {}).get("layers", []) if l["activation"] == "leaky_relu"]
        key = (used, float(alphas[0]) if alphas else None)
        if key == getattr(self, "_drawn_for", None):
            return                                          # same highlights: weight updates redraw nothing
        self._drawn_for = key
        self.used = used
        if alphas:
            self.alpha_box.setValue(float(alphas[0]))      # calls set_alpha -> _redraw
        self._redraw()

    def set_alpha(self, alpha: float) -> None:
        self.alpha = float(alpha)
        self._redraw()

    def _redraw(self) -> None:
        for name in SHOWN:
            f, d = curves(name, self.alpha)
            self.f_curves[name].setData(Z, f)
            self.d_curves[name].setData(Z, d)
            where = self.used.get(name)
            alpha = f", α = {self.alpha:g}" if name == "leaky_relu" else ""
            text = (f"<b>{activation_info.label(name)}</b>  {activation_info.formula(name)}{alpha} · "
                    f"range {activation_info.range_text(name)}")
            if where:
                text += f" · <span style='color:{self._used_text_color()}'><b>★ used in {', '.join(where)}</b></span>"
            self.notes[name].setText(text)
            self.boxes[name].set_used(bool(where))
            self.f_curves[name].setPen(pg.mkPen(F_PEN, width=3.5 if where else 2))

    def _used_text_color(self) -> str:
        return legible(QColor(192, 120, 0), self.palette().color(QPalette.Window)).name()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.PaletteChange and self.notes:
            self._redraw()                                   # the "used" note's colour depends on the theme

    def highlighted(self) -> list[str]:
        return [name for name in SHOWN if name in self.used]
