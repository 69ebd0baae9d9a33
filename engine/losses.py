"""Loss functions: value and gradient side by side.

Every loss is summed over the output units and averaged over the samples of a batch:
  cross_entropy         H(Y, a) = -sum_k Y_k log a_k, computed from the logits with log-softmax (finite for any z)
  binary_cross_entropy  -sum_k [Y_k log a_k + (1 - Y_k) log(1 - a_k)], from the logits (softplus form)
  mse                   sum_k (a_k - Y_k)^2
  l1                    sum_k |a_k - Y_k|
`delta(z, a, Y, act)` gives dL/dz of the output layer (the first local error of backprop). Cross-entropy with
softmax and binary cross-entropy with sigmoid are fused: delta = (a - Y) / n, stable and short. For mse/l1 the
gradient dL/da goes back through the output activation (softmax: vector-Jacobian product).
Each loss also carries its teaching metadata: label, formula (Unicode, n = samples in the batch), description.
"""
from __future__ import annotations

import numpy as np

from .errors import DataError


class Loss:
    name = "?"
    fused_with = None      # the output activation whose delta is simply (a - Y) / n
    label = formula = description = ""      # each subclass fills them in

    def value(self, z, a, Y, rows=None, work=None) -> float:
        raise NotImplementedError

    def grad_a(self, a, Y, out):
        raise NotImplementedError

    def delta(self, z, a, Y, act, out=None, scale=None, work=None):
        """dL/dz of the output layer times `scale` (default 1/n: the gradient of the batch mean)."""
        scale = 1.0 / len(a) if scale is None else scale
        if self.fused_with == act.name:
            out = np.subtract(a, Y, out=out)
        else:
            out = self.grad_a(a, Y, out)
            act.backward(z, a, out, work)
        out *= scale
        return out

    def __repr__(self):
        return f"{type(self).__name__}()"


class CrossEntropy(Loss):
    """-sum_k Y_k log softmax(z)_k; log softmax(z) = z - logsumexp(z); with softmax, delta = (a - Y) / n."""
    name, fused_with = "cross_entropy", "softmax"
    label, formula = "Cross-entropy", "L = −(1/n) Σᵢ Σₖ yᵢₖ log aᵢₖ"
    description = "Penalises a low probability on the true class; paired with a softmax output."

    def value(self, z, a, Y, rows=None, work=None) -> float:
        n = len(z)
        if rows is not None:
            # rows = (row max, row sum of exp) left by Softmax.forward; targets are distributions (rows sum to 1)
            np.log(rows[1], out=rows[1])
            return float((np.add.reduce(rows, axis=None, dtype=np.float64) - np.vdot(z, Y)) / n)
        z = np.asarray(z, dtype=np.float64)
        m = z.max(axis=1, keepdims=True)
        lse = m + np.log(np.exp(z - m).sum(axis=1, keepdims=True))
        return float(-(Y * (z - lse)).sum() / n)

    def grad_a(self, a, Y, out):
        raise AssertionError("cross_entropy is always fused with softmax")


class BinaryCrossEntropy(Loss):
    """-[Y log sigma(z) + (1-Y) log(1 - sigma(z))] = max(z, 0) - z Y + log(1 + e^-|z|); delta = (a - Y) / n."""
    name, fused_with = "binary_cross_entropy", "sigmoid"
    label, formula = "Binary cross-entropy", "L = −(1/n) Σᵢ Σₖ [yᵢₖ log aᵢₖ + (1 − yᵢₖ) log(1 − aᵢₖ)]"
    description = "Cross-entropy for independent yes/no outputs; paired with a sigmoid output."

    def value(self, z, a, Y, rows=None, work=None) -> float:
        w = np.abs(z, out=work)
        np.negative(w, out=w)
        np.exp(w, out=w)
        np.log1p(w, out=w)
        total = w.sum(dtype=np.float64)
        total += np.maximum(z, 0, out=w).sum(dtype=np.float64)
        return float((total - np.vdot(z, Y)) / len(z))

    def grad_a(self, a, Y, out):
        raise AssertionError("binary_cross_entropy is always fused with sigmoid")


class DistanceLoss(Loss):
    """A loss of the difference d = a - Y alone: total(d) summed over the batch, divided by n; dL/da = slope(d)."""

    def value(self, z, a, Y, rows=None, work=None) -> float:
        return float(self.total(np.subtract(a, Y, out=work)) / len(a))

    def grad_a(self, a, Y, out):
        return self.slope(np.subtract(a, Y, out=out))

    @staticmethod
    def total(d):
        """Sum of the per-output losses over the batch (d may be overwritten)."""
        raise NotImplementedError

    @staticmethod
    def slope(d):
        """The per-output derivative, in place of d."""
        raise NotImplementedError


class MSE(DistanceLoss):
    """sum_k (a_k - Y_k)^2 ; dL/da = 2 (a - Y) / n."""
    name = "mse"
    label, formula = "Mean squared error (MSE)", "L = (1/n) Σᵢ Σₖ (aᵢₖ − yᵢₖ)²"
    description = "Squared distance between output and target; large errors weigh most."

    total = staticmethod(lambda d: np.vdot(d, d))                             # Σ d²
    slope = staticmethod(lambda d: np.multiply(d, 2, out=d))                  # 2 d


class L1(DistanceLoss):
    """sum_k |a_k - Y_k| ; dL/da = sign(a - Y) / n."""
    name = "l1"
    label, formula = "Mean absolute error (L1)", "L = (1/n) Σᵢ Σₖ |aᵢₖ − yᵢₖ|"
    description = "Absolute distance between output and target; every error pulls equally hard."

    total = staticmethod(lambda d: np.abs(d, out=d).sum(dtype=np.float64))    # Σ |d|
    slope = staticmethod(lambda d: np.sign(d, out=d))                         # sign(d)


LOSSES = {"cross_entropy": CrossEntropy, "binary_cross_entropy": BinaryCrossEntropy, "mse": MSE, "l1": L1}


def to_targets(y, n_outputs: int, dtype) -> np.ndarray:
    """Integer class labels (n,) -> one-hot (n, k) (or (n, 1) for a single output); targets (n, k) pass through."""
    y = np.asarray(y)
    if y.ndim == 2:
        if y.shape[1] != n_outputs:
            raise DataError(f"The targets have {y.shape[1]} columns but the network has {n_outputs} outputs.")
        return np.ascontiguousarray(y, dtype=dtype)
    if y.ndim != 1:
        raise DataError(f"Labels must be a list of class numbers or an (n, {n_outputs}) table; got shape {y.shape}.")
    if n_outputs == 1:
        return np.ascontiguousarray(y.reshape(-1, 1), dtype=dtype)
    if y.size and not np.issubdtype(y.dtype, np.integer):
        if not np.all(np.mod(y, 1) == 0):
            raise DataError("Class labels must be whole numbers (0, 1, 2, ...).")
    labels = y.astype(np.int64, copy=False)
    if labels.size and (labels.min() < 0 or labels.max() >= n_outputs):
        bad = labels.min() if labels.min() < 0 else labels.max()
        raise DataError(f"Label {bad} is outside 0..{n_outputs - 1}: the network has {n_outputs} outputs.")
    Y = np.zeros((len(labels), n_outputs), dtype=dtype)
    Y[np.arange(len(labels)), labels] = 1
    return Y
