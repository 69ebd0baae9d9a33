"""PerceptronView (`perceptronView`): one neuron in the crash course's words, with live numbers.

Inputs x1, x2 (the point under the mouse on the plane, else the first training point), weights w1, w2, bias b,
the aggregator z = w1 x1 + w2 x2 + b and the activation a = f(z). It follows the network with no hidden layer
(two softmax outputs are one neuron: P(class 1) = σ(z1 − z0), with w = w(1) − w(0), b = b(1) − b(0)) or the
first-layer neuron picked in the neuron maps. Its w and b go to the plane, which draws the line w·x + b = 0.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QSizePolicy, QVBoxLayout, QWidget

from app import choices
from app.widgets.playground.throttle import Redraw
from engine.activations import ACTIVATIONS



def _n(v: float) -> str:
    return f"{v:+.3f}".replace("-", "−")


class PerceptronView(QWidget):
    lineChanged = Signal(object)           # (w, b) of the neuron shown, whose line the plane draws; or None

    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("perceptronView")
        self.setAccessibleName("perceptronView")
        self.net = self.ds = None
        self.picked: tuple[int, int] | None = None      # (hidden layer 0, unit) or None: the output perceptron
        self.point: tuple | None = None
        self.neuron = None                  # (w, b, activation name, title) as last shown
        self.text = QLabel()
        self.text.setTextFormat(Qt.RichText)
        self.text.setWordWrap(True)
        self.text.setAlignment(Qt.AlignTop | Qt.AlignLeft)
        self.text.setTextInteractionFlags(Qt.TextSelectableByMouse)
        self.text.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Expanding)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(self.text)
        self.setMinimumWidth(220)
        self.redraw = Redraw(self, self._show)

    # ---- inputs ---------------------------------------------------------------------------------------
    def set_dataset(self, ds) -> None:
        self.ds = ds if ds is not None and ds.x_train.ndim == 2 and ds.x_train.shape[1] in (1, 2) else None
        self.point = None
        self.redraw.request()

    def set_network(self, net) -> None:
        if net is None or self.net is None or net.to_spec()["layers"] != self.net.to_spec()["layers"]:
            self.picked = None if net is None or len(net.layers) == 1 else self.picked
        self.net = net
        self.redraw.request()

    def pick(self, layer: int, unit: int) -> None:
        """Follow first-layer neuron `unit` (its inputs are the data's own x1, x2)."""
        self.picked = (layer, unit) if layer == 0 else None
        self.redraw.now()

    def set_point(self, point) -> None:
        self.point = point
        self.redraw.request()

    # ---- the neuron -------------------------------------------------------------------------------------
    def current(self):
        """(w, b, activation (an engine Activation), title) of the neuron shown, or None."""
        net = self.net
        if net is None or self.ds is None or net.input_size != self.ds.x_train.shape[1]:
            return None
        if self.picked is not None and len(net.layers) > 1 and self.picked[1] < net.layers[0].units:
            L, j = net.layers[0], self.picked[1]
            return (L.W[:, j].astype(np.float64), float(L.b[j]), L.activation,
                    f"Hidden layer 1, neuron {j + 1}: a perceptron")
        if len(net.layers) != 1:
            return None
        L = net.layers[0]
        if L.activation.name == "softmax" and L.units == 2:
            return ((L.W[:, 1] - L.W[:, 0]).astype(np.float64), float(L.b[1] - L.b[0]), ACTIVATIONS["sigmoid"](),
                    "The perceptron (two softmax outputs are one neuron: P(class 1) = σ(z1 − z0))")
        if L.units == 1:
            return L.W[:, 0].astype(np.float64), float(L.b[0]), L.activation, "The perceptron"
        return None

    def _inputs(self) -> np.ndarray:
        if self.point is not None and len(self.point) == self.ds.x_train.shape[1]:
            return np.array(self.point, np.float64)
        return self.ds.x_train[0].astype(np.float64)

    def _show(self) -> None:
        neuron = self.neuron = self.current()
        if neuron is None:
            self.lineChanged.emit(None)
            self.text.setText(self._hint())
            return
        w, b, act, title = neuron
        x = self._inputs()
        z = float(w @ x + b)
        a = float(act(np.array([[z]], np.float64))[0, 0])
        self.text.setText(_formula(title, x, w, b, z, a, act.name))
        self.lineChanged.emit((w, b) if len(w) == 2 else None)

    def _hint(self) -> str:
        if self.ds is None:
            return "The perceptron view is for two-input and one-input data sets."
        return ("<b>One neuron at a time</b><br>Click a neuron map of the first hidden layer to see it as a "
                "perceptron: its weights, its bias and its line. With no hidden layer, the network itself is "
                "the perceptron.")

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.redraw.pending:
            self.redraw.now()


def _formula(title, x, w, b, z, a, act) -> str:
    """The neuron's numbers in the course's notation, as rich text."""
    two = len(x) == 2
    xs = ", ".join(f"x{i + 1} = {_n(v)}" for i, v in enumerate(x))
    ws = ", ".join(f"w{i + 1} = {_n(v)}" for i, v in enumerate(w))
    terms = " + ".join(f"w{i + 1}·x{i + 1}" for i in range(len(x)))
    nums = " + ".join(f"({_n(wi)})·({_n(xi)})" for wi, xi in zip(w, x))
    label = html.escape(choices.activation_label(act))
    line = ("Dashed on the plane: its line w1·x1 + w2·x2 + b = 0, where z changes sign." if two
            else "Where z = 0 the neuron's output crosses f(0).")
    return (f"<b>{html.escape(title)}</b><br>"
            f"inputs: {xs} <i>(under the mouse)</i><br>"
            f"weights: {ws}; bias b = {_n(b)}<br>"
            f"aggregator: z = {terms} + b<br>&nbsp;&nbsp;= {nums} + ({_n(b)}) = <b>{_n(z)}</b><br>"
            f"activation: a = f(z), f = {label}: a = <b>{a:.3f}</b><br>"
            f"<small>{line}</small>")
