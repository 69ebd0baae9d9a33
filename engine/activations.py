"""Activation functions, each with its derivative right beside it.

Every activation has
  forward(z, out=None)            a = f(z), written into `out` if given (may be `z` itself for in-place use)
  backward(z, a, g, work=None)    g <- g * f'(z) in place (the chain rule through the activation), where
                                  a = f(z) was computed by forward; `work` is scratch of z's shape
  derivative(z)                   f'(z) as a new array (for plotting and teaching; softmax has no elementwise one)
and the teaching metadata every view reads (never re-spelled in the app):
  label, formula (Unicode), range_text (the course's notation), description (one line),
  hidden_ok (offered as a hidden-layer choice).
All are numerically stable: no overflow warning for |z| = 1e4.
"""
from __future__ import annotations

import numpy as np

ZEROS_LIMIT = 1 << 20       # elements: larger inputs compare against the scalar 0 instead
_zeros: dict = {}           # dtype -> a flat read-only array of zeros, grown on demand


def zeros_like(z) -> np.ndarray | int:
    """A read-only array of zeros shaped like z (a view of one shared buffer), or 0 for a very large z."""
    if z.size > ZEROS_LIMIT:
        return 0
    buf = _zeros.get(z.dtype)
    if buf is None or buf.size < z.size:
        buf = np.zeros(max(z.size, 1 << 14), z.dtype)
        buf.flags.writeable = False
        _zeros[z.dtype] = buf
    return buf[:z.size].reshape(z.shape)


class Activation:
    name = "?"
    range = (-np.inf, np.inf)
    label = formula = range_text = description = ""      # each subclass fills them in
    hidden_ok = True

    def __init__(self, **params):
        self.params = params

    def forward(self, z, out=None, rows=None):
        raise NotImplementedError

    def backward(self, z, a, g, work=None):
        raise NotImplementedError

    def derivative(self, z):
        z = np.asarray(z)
        g = np.ones_like(z, dtype=np.result_type(z.dtype, np.float32))
        return self.backward(z, self.forward(z), g)

    def __call__(self, z):
        return self.forward(np.asarray(z))

    def __repr__(self):
        extra = ", ".join(f"{k}={v}" for k, v in self.params.items())
        return f"{type(self).__name__}({extra})"


class Sigmoid(Activation):
    """sigma(z) = 1 / (1 + e^-z) = (1 + tanh(z/2)) / 2  (the tanh form never overflows); sigma' = a (1 - a)."""
    name, range = "sigmoid", (0.0, 1.0)
    label, formula, range_text = "Sigmoid", "σ(z) = 1 / (1 + e^(−z))", "[0, 1]"
    description = "Squashes any number into 0..1; its slope a(1 − a) is at most 0.25."

    def forward(self, z, out=None, rows=None):
        out = np.multiply(z, 0.5, out=out)
        np.tanh(out, out=out)
        out += 1
        out *= 0.5
        return out

    def backward(self, z, a, g, work=None):
        work = np.subtract(1, a, out=work)
        work *= a
        g *= work
        return g


class Tanh(Activation):
    """tanh(z); tanh' = 1 - a^2."""
    name, range = "tanh", (-1.0, 1.0)
    label, formula, range_text = "tanh", "tanh(z) = (e^z − e^(−z)) / (e^z + e^(−z))", "[-1, +1]"
    description = "Squashes any number into −1..+1, centred on 0; its slope 1 − a² is at most 1."

    def forward(self, z, out=None, rows=None):
        return np.tanh(z, out=out)

    def backward(self, z, a, g, work=None):
        work = np.multiply(a, a, out=work)
        np.subtract(1, work, out=work)
        g *= work
        return g


class ReLU(Activation):
    """relu(z) = max(z, 0); relu' = 1 where z > 0 else 0."""
    name, range = "relu", (0.0, np.inf)
    label, formula, range_text = "ReLU", "ReLU(z) = max(0, z)", "[0, +∞)"
    description = "Passes positive inputs unchanged and blocks negative ones (slope 1 or 0)."

    def forward(self, z, out=None, rows=None):
        # against an array of zeros np.maximum is vectorised; against the scalar 0 it is 2.5-4x slower (NumPy 2.4)
        return np.maximum(z, zeros_like(z), out=out)

    def backward(self, z, a, g, work=None):
        work = np.greater(z, 0, out=work) if work is not None else (z > 0)
        g *= work
        return g


class LeakyReLU(Activation):
    """leaky_relu(z) = z if z > 0 else alpha z; derivative 1 or alpha."""
    name, range = "leaky_relu", (-np.inf, np.inf)
    label, formula, range_text = "Leaky ReLU", "LReLU(z) = z if z > 0, else α·z", "(-∞, +∞)"
    description = "Like ReLU, but negative inputs keep a small slope α, so no unit goes silent."

    def __init__(self, alpha=0.01, **params):
        super().__init__(alpha=float(alpha), **params)
        self.alpha = float(alpha)

    def forward(self, z, out=None, rows=None):
        # max(z, alpha z) is the leaky relu for 0 <= alpha <= 1
        if out is None:
            out = np.empty_like(z)
        np.multiply(z, self.alpha, out=out)
        return np.maximum(z, out, out=out)

    def backward(self, z, a, g, work=None):
        work = np.greater(z, 0, out=work) if work is not None else (z > 0).astype(g.dtype)
        work *= 1 - self.alpha
        work += self.alpha
        g *= work
        return g


class Linear(Activation):
    """linear(z) = z (identity); derivative 1."""
    name = "linear"
    label, formula, range_text = "Linear (identity)", "f(z) = z", "(-∞, +∞)"
    description = "Leaves z unchanged; for outputs that predict any real number."
    # offered for hidden layers too: a student sees that linear layers stacked still draw one straight line
    hidden_ok = True

    def forward(self, z, out=None, rows=None):
        if out is None:
            return np.array(z, copy=True)
        if out is not z:
            np.copyto(out, z)
        return out

    def backward(self, z, a, g, work=None):
        return g


class Softmax(Activation):
    """softmax(z)_k = e^(z_k - max z) / sum_j e^(z_j - max z)  (row-wise; max-subtraction keeps exp finite).

    Backward is the vector-Jacobian product g <- a * (g - sum_k g_k a_k), never an n x k x k tensor.
    `rows`, if given, is a (2, n) buffer that receives the row max and the row sum of exponentials
    (the cross-entropy loss reuses them: log-sum-exp = max + log(sum)).
    """
    name, range = "softmax", (0.0, 1.0)
    label, formula, range_text = "Softmax", "softmax(z)ₖ = e^(zₖ) / Σⱼ e^(zⱼ)", "(0, 1), sums to 1"
    description = "Turns the output layer's scores into probabilities of the classes."
    # output-only: it makes the layer's values a probability distribution
    hidden_ok = False

    def forward(self, z, out=None, rows=None):
        if rows is None:
            rows = np.empty((2, z.shape[0]), dtype=z.dtype)
        m, s = rows[0], rows[1]
        np.maximum.reduce(z, axis=1, out=m)         # ufunc methods directly: no Python wrapper per batch
        out = np.subtract(z, m[:, None], out=out)
        np.exp(out, out=out)
        np.add.reduce(out, axis=1, out=s)
        out /= s[:, None]
        return out

    def backward(self, z, a, g, work=None):
        work = np.multiply(g, a, out=work)
        dot = work.sum(axis=1, keepdims=True)
        g -= dot
        g *= a
        return g

    def derivative(self, z):
        """The diagonal of the Jacobian, d a_k / d z_k = a_k (1 - a_k) (backward uses the full Jacobian)."""
        z = np.asarray(z, dtype=np.result_type(np.asarray(z).dtype, np.float32))
        a = self.forward(np.atleast_2d(z)).reshape(z.shape)
        return a * (1 - a)


ACTIVATIONS = {"sigmoid": Sigmoid, "tanh": Tanh, "relu": ReLU, "leaky_relu": LeakyReLU,
               "softmax": Softmax, "linear": Linear}


def make_activation(layer: dict) -> Activation:
    """The Activation instance a (validated) layer dict asks for."""
    name = layer["activation"]
    if name == "leaky_relu":
        return LeakyReLU(alpha=layer.get("alpha", 0.01))
    return ACTIVATIONS[name]()
