"""Look-inside helpers for the app's views: plain NumPy, computed from the engine's own passes.

  layer_activations(net, x)      one sample's z (aggregator output) and a = f(z) for every layer (forward_trace)
  weight_backprop(net, x, y, layer, i, j, cfg, state)
                                 the course's dL/dW_{i->j} = delta_j * z_i for one weight, read from
                                 net.backprop (deltas, activations, grads), and the step the optimizer takes
  gradient_norms(grads)          ||dL/dW||_2 per layer: vanishing gradients show as norms shrinking towards the input
  dead_units(activations)        per hidden layer, units whose output is 0 for every sample of the batch
  weight_histograms(net, init)   per layer, np.histogram of W now and at initialisation on the same fixed bins
  first_layer_images(net, shape, init) weights (or their change since init) into each first-hidden unit as images
  error_analysis(net, X, y)      test-set probabilities, confusion matrix, precision/recall, confident mistakes
Here "z_i" is what the lectures call the local input of weight i->j: the output of unit i of the previous
layer (the pixel itself for the first layer), i.e. activations[layer][i].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataError, SpecError

@dataclass
class LayerTrace:
    """One sample through the network: z[l] (pre-activation) and a[l] for each layer l; a_in is the input."""
    a_in: np.ndarray
    z: list
    a: list

    @property
    def all_activations(self) -> list:
        """[input, layer 0 output, ...]: what NetworkView.setActivations takes."""
        return [self.a_in, *self.a]


def _one(net, x) -> np.ndarray:
    x = np.asarray(x, dtype=net.dtype).reshape(1, -1)
    if x.shape[1] != net.input_size:
        raise DataError(f"This sample has {x.shape[1]} values but the network expects {net.input_size} inputs.")
    return x


def layer_activations(net, x) -> LayerTrace:
    """Per-layer z and a = f(z) of one sample x (shape (d,) or (1, d))."""
    zs, acts = net.forward_trace(_one(net, x))
    return LayerTrace(acts[0][0].copy(), [z[0].copy() for z in zs], [a[0].copy() for a in acts[1:]])


@dataclass
class WeightBackprop:
    """Backpropagation seen on one weight W_{i->j} of net.layers[layer] for one sample."""
    layer: int
    i: int
    j: int
    w: float            # the weight now
    z_i: float          # local input: output of unit i of the previous layer
    delta_j: float      # local error dL/dz_j of unit j
    product: float      # delta_j * z_i, the formula
    dW: float           # the engine's gradient for this weight (equal to product for one sample)
    loss: float
    a_j: float          # output of unit j
    target_j: float | None      # output layer: the target of unit j (delta_j = a_j - target_j with a fused loss)
    fprime_j: float | None      # hidden layer: f'(z_j) ...
    back_sum_j: float | None    # ... times sum_k w_jk delta_k of the next layer = delta_j
    optimizer: str
    lr: float
    step: float         # the change the optimizer makes to w with this gradient
    rule: str           # the update rule in words/symbols


def _cfg(cfg, name, default):
    if cfg is None:
        return default
    if isinstance(cfg, dict):
        return cfg.get(name, default)
    return getattr(cfg, name, default)


def optimizer_step(g: float, w: float, cfg=None, state: dict | None = None) -> tuple[float, str]:
    """(step, rule): the change the engine's optimizer (cfg.optimizer, lr, momentum, weight_decay) makes to a
    weight w with gradient g, run on a one-weight copy. `state` is that weight's optimizer memory if known
    ({"v"} momentum/nesterov, {"s"} rmsprop, {"m", "v", "t"} adam); without it the memory is empty (a first step).
    """
    from .optimizers import OPTIMIZERS
    name = str(_cfg(cfg, "optimizer", "sgd"))
    if name not in OPTIMIZERS:
        raise SpecError(f"Unknown optimizer {name!r}; choose one of {', '.join(OPTIMIZERS)}.")
    opt = OPTIMIZERS[name](1, np.float64, momentum=float(_cfg(cfg, "momentum", 0.9)))
    for key, value in (state or {}).items():
        if key == "t":
            opt.t = int(value)
        elif key in opt.state:
            setattr(opt, key, value)
    wa, ga = np.array([w], np.float64), np.array([g], np.float64)
    opt.step(wa, ga, float(_cfg(cfg, "lr", 0.01)), float(_cfg(cfg, "weight_decay", 0.0)))
    rule = f"{OPTIMIZERS[name].label}: {OPTIMIZERS[name].formula}"
    if name not in ("sgd", "bgd", "minibatch") and not state:
        rule += " (shown as its first step: its running averages start empty)"
    return float(wa[0] - w), rule


def weight_layer(net, layer: int, i: int, j: int):
    """net.layers[layer], after checking that it has a weight i -> j (SpecError with a sentence if not)."""
    if not 0 <= layer < len(net.layers):
        raise SpecError(f"The network has {len(net.layers)} layers; there is no layer {layer + 1}.")
    L = net.layers[layer]
    if not (0 <= i < L.fan_in and 0 <= j < L.units):
        raise SpecError(f"Layer {layer + 1} connects {L.fan_in} inputs to {L.units} units; "
                        f"there is no weight {i} -> {j}.")
    return L


def weight_backprop(net, x, y, layer: int, i: int, j: int, optimizer_cfg=None, state=None) -> WeightBackprop:
    """z_i, delta_j, their product, the engine's dL/dW_{i->j} and the optimizer's step, for sample (x, y).

    y is an int label or a target vector. All numbers come from one net.backprop call on the sample.
    """
    L = weight_layer(net, layer, i, j)
    x = _one(net, x)
    y = np.asarray(y).reshape(1, -1) if np.ndim(y) else np.asarray([int(y)])
    bp = net.backprop(x, y)
    z_i = float(bp.activations[layer][0, i])
    delta_j = float(bp.deltas[layer][0, j])
    dW = float(bp.grads[layer][0][i, j])
    w = float(L.W[i, j])
    a_j = float(bp.activations[layer + 1][0, j])
    target_j = fprime_j = back_sum_j = None
    if layer == len(net.layers) - 1:
        target_j = float(net.targets(y, 1)[0, j])
    else:
        fprime_j = float(L.activation.derivative(bp.zs[layer][0])[j])
        back_sum_j = float(bp.deltas[layer + 1][0] @ net.layers[layer + 1].W[j])
    step, rule = optimizer_step(dW, w, optimizer_cfg, state)
    return WeightBackprop(layer, i, j, w, z_i, delta_j, delta_j * z_i, dW, float(bp.loss),
                          a_j, target_j, fprime_j, back_sum_j,
                          str(_cfg(optimizer_cfg, "optimizer", "sgd")), float(_cfg(optimizer_cfg, "lr", 0.01)),
                          float(step), rule)


def gradient_norms(grads) -> list[float]:
    """Euclidean norm of each layer's gradient, W and b together (grads: [(dW, db), ...]), as the trainer probes."""
    return [float(np.sqrt(np.vdot(dW, dW) + np.vdot(db, db))) for dW, db in grads]


def dead_units(activations) -> list[int]:
    """Per hidden layer, how many units output exactly 0 for every sample (activations as from forward_trace:
    [X, hidden outputs..., output]); a dead ReLU gets no gradient, so it never recovers."""
    return [int(np.count_nonzero(~a.any(axis=0))) for a in activations[1:-1]]


def histogram_edges(arrays, bins: int = 41) -> np.ndarray:
    """Fixed bins symmetric around 0 wide enough for every array, so histograms can be compared."""
    peak = max((float(np.abs(a).max()) for a in arrays if np.size(a)), default=1.0) or 1.0
    return np.linspace(-peak, peak, bins + 1)


def weight_histograms(net, init=None, bins: int = 41) -> list[dict]:
    """Per layer {"edges", "now", "init"}: np.histogram counts of W now and in `init` (None if not given)."""
    out = []
    for l, layer in enumerate(net.layers):
        W0 = None if init is None else init.layers[l].W
        edges = histogram_edges([layer.W] + ([] if W0 is None else [W0]), bins)
        out.append({"edges": edges, "now": np.histogram(layer.W, edges)[0],
                    "init": None if W0 is None else np.histogram(W0, edges)[0]})
    return out


def first_layer_images(net, shape=(28, 28), init=None) -> np.ndarray:
    """(units, h, w): W[:, j].reshape(shape) / max|W[:, j]|, so blue/orange show what excites or inhibits unit j.

    With `init` (the network at initialisation) the images show W - W_init: what training changed, without the
    random starting pattern (pixels that are always blank, like the borders, then stay white).
    """
    W = np.asarray(net.layers[0].W, dtype=np.float32)
    if W.shape[0] != int(np.prod(shape)):
        raise SpecError(f"The first layer has {W.shape[0]} inputs; they cannot be shown as a "
                        f"{shape[0]}x{shape[1]} image.")
    if init is not None:
        W = W - np.asarray(init.layers[0].W, dtype=np.float32)
    peak = np.abs(W).max(axis=0)
    return (W / np.where(peak > 0, peak, 1)).T.reshape(-1, *shape)


@dataclass
class ErrorAnalysis:
    probs: np.ndarray          # (n, k) network output
    pred: np.ndarray           # (n,) predicted class
    confusion: np.ndarray      # (k, k): row = true class, column = predicted
    precision: np.ndarray      # (k,)
    recall: np.ndarray         # (k,)
    accuracy: float

    def cell(self, true: int, pred: int, y) -> np.ndarray:
        """Indices of the samples of class `true` predicted as `pred`, most confident first."""
        idx = np.flatnonzero((np.asarray(y) == true) & (self.pred == pred))
        return idx[np.argsort(-self.probs[idx, pred], kind="stable")]

    def confident_mistakes(self, y, k: int = 16) -> np.ndarray:
        """Indices of the k wrong predictions made with the highest probability."""
        wrong = np.flatnonzero(self.pred != np.asarray(y))
        return wrong[np.argsort(-self.probs[wrong, self.pred[wrong]], kind="stable")][:k]


def error_analysis(net, X, y, n_classes: int | None = None, batch: int = 4096) -> ErrorAnalysis:
    """Probabilities of every sample (in batches, so 10,000 digits stay light) and the metrics built on them."""
    from .metrics import confusion_matrix, precision_recall
    n_classes = int(n_classes or net.n_outputs)
    y = np.asarray(y)
    probs = np.concatenate([net.predict_proba(X[s:s + batch]) for s in range(0, len(X), batch)]) if len(X) \
        else np.zeros((0, net.n_outputs), dtype=net.dtype)
    pred = probs.argmax(axis=1)
    cm = confusion_matrix(y, pred, n_classes)
    precision, recall = precision_recall(cm=cm)
    acc = float(np.trace(cm) / max(cm.sum(), 1))
    return ErrorAnalysis(probs, pred, cm, np.asarray(precision), np.asarray(recall), acc)
