"""Dense layer (a stack of perceptrons): z = x W + b (the aggregator), then a = f(z) (the activation).

W has shape (fan_in, fan_out) and b shape (fan_out,); both are views into the Network's one flat parameter
buffer, so the optimizer updates every layer with a few NumPy calls. Assigning `layer.W = M` copies M in.
"""
from __future__ import annotations

import numpy as np

from .activations import Activation
from .errors import SpecError


class Dense:
    def __init__(self, W: np.ndarray, b: np.ndarray, activation: Activation, init: str | None = None):
        self._W, self._b = W, b
        self.activation = activation
        self.init = init

    @property
    def W(self) -> np.ndarray:
        return self._W

    @W.setter
    def W(self, value):
        self._assign(self._W, value, "W")

    @property
    def b(self) -> np.ndarray:
        return self._b

    @b.setter
    def b(self, value):
        self._assign(self._b, value, "b")

    def _assign(self, view, value, name):
        value = np.asarray(value)
        if value.shape != view.shape:
            raise SpecError(f"{name} of this layer has shape {view.shape}; cannot assign shape {value.shape}.")
        np.copyto(view, value, casting="same_kind")

    @property
    def units(self) -> int:
        return self._W.shape[1]

    @property
    def fan_in(self) -> int:
        return self._W.shape[0]

    @property
    def n_params(self) -> int:
        return self._W.size + self._b.size

    def forward(self, x, z=None, a=None, rows=None):
        """z = x W + b ; a = f(z)  (into preallocated z, a if given)."""
        z = np.matmul(x, self._W, out=z)
        z += self._b
        return z, self.activation.forward(z, out=a, rows=rows)

    def __repr__(self):
        return f"Dense({self.fan_in} -> {self.units}, {self.activation.name})"
