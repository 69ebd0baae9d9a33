"""forwardPassView: one digit through the network. Pick a test digit (or the drawing pad's), light each layer's
activations in the diagram (NetworkView.setActivations), and show z, bias and output of a hovered neuron."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from engine.inspection import layer_activations

from .. import activation_info
from ..digit_image import DigitImage
from app.widgets.wheel_guard import SpinBox

HOVER_HINT = "Hover a neuron in the diagram to see its weighted sum z, bias b and output a = f(z)."
DETAIL_LINES = 6          # room for the longest neuron details, so hovering never moves what is above


class ForwardPassPanel(QWidget):
    sampleChanged = Signal(object, object)       # x (d,), label (int) or None for a drawn digit

    def __init__(self, diagram=None, drawn_digit=None, parent=None):
        """diagram: the NetworkView to light; drawn_digit: callable -> 28x28 array or None (the drawing pad)."""
        super().__init__(parent)
        self.setObjectName("forwardPassView")
        self.setAccessibleName("forwardPassView")
        self.diagram = diagram
        self.drawn_digit = drawn_digit
        self.net = None
        self.dataset = None
        self.x = None
        self.y = None
        self.trace = None
        self._rng = np.random.default_rng()

        self.index_box = SpinBox()
        self.index_box.setObjectName("testDigitIndex")
        self.index_box.setPrefix("test digit #")
        self.index_box.valueChanged.connect(self.show_test_digit)
        self.random_button = QPushButton("Random")
        self.random_button.clicked.connect(self.random_digit)
        self.drawn_button = QPushButton("Use the drawn digit")
        self.drawn_button.setObjectName("useDrawnDigit")
        self.drawn_button.setToolTip("Send the digit on the Draw tab's pad through the network.")
        self.drawn_button.clicked.connect(self.use_drawn_digit)
        self.drawn_button.setVisible(drawn_digit is not None)
        self.image = DigitImage(min_side=112)
        self.image.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.image.setFixedHeight(196)
        self.result = QLabel()
        self.result.setObjectName("forwardResult")
        self.result.setWordWrap(True)
        self.details = QLabel(HOVER_HINT)
        self.details.setObjectName("neuronDetails")
        self.details.setWordWrap(True)
        self.details.setTextFormat(Qt.RichText)
        self.details.setAlignment(Qt.AlignLeft | Qt.AlignTop)
        self.details.setMinimumHeight(self.details.fontMetrics().lineSpacing() * DETAIL_LINES)

        pick = QHBoxLayout()
        pick.addWidget(self.index_box, 1)
        pick.addWidget(self.random_button)
        layout = QVBoxLayout(self)
        title = QLabel("<b>Forward pass</b>: each neuron computes z = Σ w·x + b, then a = f(z); blue is positive, "
                       "orange negative, stronger colour is larger.")
        title.setWordWrap(True)
        layout.addWidget(title)
        layout.addLayout(pick)
        layout.addWidget(self.drawn_button)
        layout.addWidget(self.image)
        layout.addWidget(self.result)
        layout.addWidget(self.details)
        layout.addStretch(1)
        if diagram is not None:
            diagram.neuronHovered.connect(self.show_neuron)
            diagram.neuronUnhovered.connect(lambda: self.details.setText(HOVER_HINT))
        self._sync()
        self._run()

    # ---- inputs ----------------------------------------------------------------------------------------
    def set_network(self, net) -> None:
        self.net = net
        self._run()

    def set_dataset(self, dataset) -> None:
        """A data set (another one, or the same again): the sample shown is one of its own, never one of the old."""
        changed = dataset is not self.dataset
        self.dataset = dataset
        n = 0 if dataset is None or dataset.x_test is None else len(dataset.x_test)
        self.index_box.setPrefix("test digit #" if self._images() else "test point #")
        self.index_box.setMaximum(max(n - 1, 0))
        self._sync()
        if changed:
            self.x = self.y = None            # a sample of the old set (or the pad's): pick this set's own
        if n and self.x is None:
            self.show_test_digit(self.index_box.value())
        elif changed:
            self._run()

    def _images(self) -> bool:
        return len(getattr(self.dataset, "image_shape", (28, 28)) or ()) == 2

    def show_test_digit(self, index: int) -> None:
        if self.dataset is None or self.dataset.x_test is None or not len(self.dataset.x_test):
            return
        index = int(np.clip(index, 0, len(self.dataset.x_test) - 1))
        if self.index_box.value() != index:
            self.index_box.setValue(index)                 # re-enters here through valueChanged
            return
        y = self.dataset.y_test[index]
        self.set_sample(self.dataset.x_test[index], int(y) if np.ndim(y) == 0 else float(np.ravel(y)[0]))

    def random_digit(self) -> None:
        if self.dataset is not None and self.dataset.x_test is not None and len(self.dataset.x_test):
            self.show_test_digit(int(self._rng.integers(len(self.dataset.x_test))))

    def use_drawn_digit(self) -> None:
        image = self.drawn_digit() if self.drawn_digit is not None else None
        if image is None:
            self.result.setText("The drawing pad is empty: draw a digit on the Draw tab first.")
            return
        self.set_sample(np.asarray(image, dtype=np.float32).reshape(-1), None)

    def set_sample(self, x, y=None) -> None:
        self.x, self.y = np.asarray(x, dtype=np.float32).reshape(-1), y
        self._run()
        self.sampleChanged.emit(self.x, self.y)

    # ---- the forward pass ------------------------------------------------------------------------------
    def _sync(self) -> None:
        has_data = self.dataset is not None and self.dataset.x_test is not None and len(self.dataset.x_test) > 0
        self.index_box.setEnabled(has_data)
        self.random_button.setEnabled(has_data)

    def _run(self) -> None:
        shape = getattr(self.dataset, "image_shape", (28, 28))
        is_image = len(shape) == 2 and self.x is not None and self.x.size == int(np.prod(shape))
        self.image.set_array(self.x.reshape(shape) if is_image else None)
        self.image.setVisible(is_image or self.x is None)                    # two-input points have no picture
        usable = self.net is not None and self.x is not None and self.x.size == self.net.input_size
        self.trace = layer_activations(self.net, self.x) if usable else None
        if self.diagram is not None:
            self.diagram.setActivations(None if self.trace is None else self.trace.all_activations)
        if self.trace is None:
            self.result.setText("Train or load a network to see it work on a digit." if self.net is None else "")
            return
        out = self.trace.a[-1]
        if getattr(self.dataset, "task", "") == "regression":      # a number to fit, not a class
            truth = "" if self.y is None else f"target {self.y:+.3f} · "
            self.result.setText(f"x = {self.x[0]:+.3f} · {truth}network says <b>{out[0]:+.3f}</b>")
            return
        guess = int(out.argmax())
        names = getattr(self.dataset, "class_names", None) or [str(k) for k in range(out.size)]
        name = lambda k: names[k] if 0 <= k < len(names) else str(k)
        truth = "" if self.y is None else f"Label {name(self.y)} · "
        verdict = "" if self.y is None else (" ✓" if guess == self.y else " ✗")
        self.result.setText(f"{truth}network says <b>{name(guess)}</b> ({out[guess]:.0%}){verdict}")

    def _has_neuron(self, column: int, unit: int) -> bool:
        sizes = [self.trace.a_in.size] + [a.size for a in self.trace.a]
        return 0 <= column < len(sizes) and 0 <= unit < sizes[column]

    def show_neuron(self, column: int, unit: int) -> None:
        """Details of neuron `unit` of diagram column `column` (0 = input, l + 1 = net.layers[l])."""
        if self.trace is None or not self._has_neuron(column, unit):
            return                          # the diagram shows an edited spec this network does not have
        if column == 0:
            what = "pixel value" if self._images() else "input value"
            self.details.setText(f"<b>Input {unit}</b>: {what} x = {self.trace.a_in[unit]:.3f}")
            return
        l = column - 1
        layer = self.net.layers[l]
        z, a, b = self.trace.z[l][unit], self.trace.a[l][unit], float(layer.b[unit])
        kind = "Output" if l == len(self.net.layers) - 1 else f"Hidden layer {column}"
        self.details.setText(f"<b>{kind}, neuron {unit}</b> ({activation_info.label(layer.activation.name)})<br>"
                             f"weighted sum z = Σ w·x + b = {z:+.4f}<br>bias b = {b:+.4f}<br>"
                             f"output a = f(z) = {a:.4f}")
