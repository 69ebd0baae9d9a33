"""Check backpropagation by hand: dL/dW_{i->j} by central finite differences next to the backward pass's value.

Both run on a float64 copy of the network with the same batch, so the only difference left is the method:
  numeric  = (L(w + ε) − L(w − ε)) / 2ε        relative error = |a − b| / max(|a|, |b|, 1e-12)
A kink (a ReLU-family input or an L1 residual crossing zero between w − ε and w + ε) makes the numeric slope
a blend of two sides; the result says so instead of reporting a false failure.
With dropout, the check uses the batch's masks (a StepRecord's `masks`) for both: L(w ± ε) is the loss of the
same thinned network the backward pass differentiated, so the masks are part of the function, not noise.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .dropout import Dropout
from .step import flat_index

KINKED = ("relu", "leaky_relu")


@dataclass
class GradientCheck:
    backprop: float
    numeric: float
    relative_error: float
    eps: float
    at_kink: bool

    def __str__(self) -> str:
        text = (f"backprop dL/dW = {self.backprop:.10g}, finite differences = {self.numeric:.10g}, "
                f"relative error = {self.relative_error:.2e}")
        if self.at_kink:
            text += (" (this weight sits at a kink: a ReLU input or an L1 residual crosses zero within ±ε, "
                     "so the two one-sided slopes differ and a large error here is expected)")
        return text


def _signs(net, X, Y, masks=None) -> list:
    """Sign patterns that decide which side of a kink each unit or residual is on."""
    zs, acts = net.forward_trace(X, dropout=Dropout.fixed(masks, net.dtype))
    out = [np.sign(z) for z, layer in zip(zs, net.layers) if layer.activation.name in KINKED]
    if net.loss_name == "l1":
        out.append(np.sign(acts[-1] - Y))
    return out


def gradient_check(net, X, y, layer: int, i: int, j: int, eps: float = 1e-6, masks=None) -> GradientCheck:
    """Central differences for W_layer[i, j] against Network.backprop, both on a float64 copy of `net` (with the
    dropout masks `masks` if given: the batch's, one per layer, None where the layer has none)."""
    net64 = type(net)(net.spec, "float64", init=False)
    net64.params[...] = net.params
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    Y = net64.targets(y, len(X))
    p = flat_index(net64, layer, i, j)
    analytic = float(net64.backprop(X, Y, masks).grads[layer][0][i, j])
    w = float(net64.params[p])
    net64.params[p] = w + eps
    plus, signs_plus = net64.loss(X, Y, masks), _signs(net64, X, Y, masks)
    net64.params[p] = w - eps
    minus, signs_minus = net64.loss(X, Y, masks), _signs(net64, X, Y, masks)
    net64.params[p] = w
    numeric = (plus - minus) / (2 * eps)
    kink = any(not np.array_equal(a, b) for a, b in zip(signs_plus, signs_minus))
    rel = abs(analytic - numeric) / max(abs(analytic), abs(numeric), 1e-12)
    return GradientCheck(analytic, float(numeric), float(rel), eps, kink)
