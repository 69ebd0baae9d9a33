"""backpropInspector: click a connection W_{i->j} in the diagram and see backpropagation on that one weight.

For the current sample it shows the local input z_i, the local error delta_j (and where it comes from), their
product, the engine's dL/dW_{i->j} from net.backprop, and the step the chosen optimizer takes with it
(all from engine.inspection.weight_backprop: the engine's own backward pass, not a second implementation).
"""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFormLayout, QLabel, QVBoxLayout, QWidget

from engine.errors import EngineError
from engine.inspection import weight_backprop

ROWS = [("weight", "Weight w<sub>i→j</sub>"),
        ("z_i", "Local input z<sub>i</sub>"),
        ("delta_j", "Local error δ<sub>j</sub> = ∂L/∂z<sub>j</sub>"),
        ("product", "δ<sub>j</sub> · z<sub>i</sub>"),
        ("dW", "Engine's ∂L/∂w<sub>i→j</sub>"),
        ("step", "Optimizer step Δw"),
        ("after", "Weight after the step")]


class BackpropInspector(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("backpropInspector")
        self.setAccessibleName("backpropInspector")
        self.net = None
        self.x = self.y = None
        self.cfg = None
        self.images = True                 # the inputs are pixels (False: the playground's numbers)
        self.connection: tuple[int, int, int] | None = None
        self.result = None

        self.title = QLabel()
        self.title.setWordWrap(True)
        self.values: dict[str, QLabel] = {}
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignLeft)
        for key, text in ROWS:
            label = QLabel()
            label.setObjectName(f"backprop_{key}")
            label.setTextInteractionFlags(Qt.TextSelectableByMouse)
            font = label.font()
            font.setFamily("monospace")
            label.setFont(font)
            self.values[key] = label
            form.addRow(QLabel(text), label)
        self.explain = QLabel()
        self.explain.setObjectName("backpropExplanation")
        self.explain.setWordWrap(True)
        self.explain.setTextFormat(Qt.RichText)
        layout = QVBoxLayout(self)
        layout.addWidget(self.title)
        layout.addLayout(form)
        layout.addWidget(self.explain)
        layout.addStretch(1)
        self.refresh()

    # ---- inputs ----------------------------------------------------------------------------------------
    def set_network(self, net) -> None:
        self.net = net
        if self.connection is not None and net is not None:
            layer, i, j = self.connection
            if layer >= len(net.layers) or i >= net.layers[layer].fan_in or j >= net.layers[layer].units:
                self.connection = None
        self.refresh()

    def set_sample(self, x, y) -> None:
        """The sample whose loss is backpropagated; y is its label (None: a drawn digit, the network's guess)."""
        self.x, self.y = x, y
        self.refresh()

    def set_config(self, cfg) -> None:
        self.cfg = cfg
        self.refresh()

    def set_images(self, images: bool) -> None:
        """Whether the inputs are an image's pixels (digits) or plain numbers (the playground's points)."""
        self.images = images
        self.refresh()

    def show_connection(self, layer: int, i: int, j: int) -> None:
        self.connection = (int(layer), int(i), int(j))
        self.refresh()

    # ---- display ---------------------------------------------------------------------------------------
    def _label(self):
        if self.y is not None:
            return int(self.y), "its label"
        return int(np.argmax(self.net.predict_proba(self.x.reshape(1, -1))[0])), "the network's own guess"

    def refresh(self) -> None:
        self.result = None
        missing = ("Train or load a network first." if self.net is None else
                   f"Pick a {'digit' if self.images else 'sample'} on the left." if self.x is None else
                   "Click a connection in the diagram to backpropagate through that weight."
                   if self.connection is None else "")
        if missing:
            self.title.setText(f"<b>Backpropagation on one weight</b><br>{missing}")
            for label in self.values.values():
                label.setText("–")
            self.explain.setText("")
            return
        layer, i, j = self.connection
        try:
            target, why = self._label()
            r = self.result = weight_backprop(self.net, self.x, target, layer, i, j, self.cfg)
        except EngineError as e:                  # e.g. a label the network has no output for
            self.title.setText(f"<b>Backpropagation on one weight</b><br>{e}")
            for label in self.values.values():
                label.setText("–")
            self.explain.setText("")
            return
        last = layer == len(self.net.layers) - 1
        src = ("pixel" if self.images else "input") if layer == 0 else f"hidden {layer} unit"
        dst = "output" if last else f"hidden {layer + 1} unit"
        self.title.setText(f"<b>Backpropagation on one weight</b>: {src} {i} → {dst} {j} "
                           f"(layer {layer + 1}), target {target} ({why}), loss L = {r.loss:.4f}")
        shown = {"weight": r.w, "z_i": r.z_i, "delta_j": r.delta_j, "product": r.product, "dW": r.dW,
                 "step": r.step, "after": r.w + r.step}
        for key, value in shown.items():
            self.values[key].setText(f"{value:+.6g}")
        if last:
            where = (f"output layer: δ<sub>j</sub> = a<sub>j</sub> − y<sub>j</sub> = {r.a_j:.4f} − {r.target_j:g}"
                     if abs(r.a_j - r.target_j - r.delta_j) < 1e-6 else
                     "output layer: δ<sub>j</sub> = ∂L/∂a<sub>j</sub> · f′(z<sub>j</sub>)")
        else:
            where = (f"hidden layer: δ<sub>j</sub> = f′(z<sub>j</sub>) · Σ<sub>k</sub> w<sub>jk</sub>δ<sub>k</sub> = "
                     f"{r.fprime_j:.4f} × {r.back_sum_j:+.4e}")
        self.explain.setText(
            f"Where δ<sub>j</sub> comes from — {where}.<br>"
            f"∂L/∂w<sub>i→j</sub> = δ<sub>j</sub> · z<sub>i</sub>: the gradient is the local error of the receiving "
            f"neuron times what flowed in on this connection. If z<sub>i</sub> = 0 ({'a dark pixel' if self.images else 'an input at 0'}, a silent ReLU) "
            f"the weight does not change.<br>Update rule ({r.optimizer}, η = {r.lr:g}): {r.rule}.")
