"""Look-inside helpers for the app's views (issue 7): plain NumPy, computed from the engine's own passes.

  layer_activations(net, x)      one sample's z (aggregator output) and a = f(z) for every layer (forward_trace)
  weight_backprop(net, x, y, layer, i, j, cfg, state)
                                 the course's dL/dW_{i->j} = delta_j * z_i for one weight, read from
                                 net.backprop (deltas, activations, grads), and the step the optimizer takes
  gradient_norms(grads)          ||dL/dW||_2 per layer: vanishing gradients show as norms shrinking towards the input
  dead_units(activations)        per hidden layer, units whose output is 0 for every sample of the batch
  weight_histograms(net, init)   per layer, np.histogram of W now and at initialisation on the same fixed bins
  first_layer_images(net, shape) weights into each first-hidden unit as an image, scaled to [-1, 1]
  error_analysis(net, X, y)      test-set probabilities, confusion matrix, precision/recall, confident mistakes
Here "z_i" is what the lectures call the local input of weight i->j: the output of unit i of the previous
layer (the pixel itself for the first layer), i.e. activations[layer][i].
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import SpecError

PLAIN_GD = ("gd", "sgd", "bgd", "minibatch")


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
        raise SpecError(f"This sample has {x.shape[1]} values but the network expects {net.input_size} inputs.")
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
    """(step, rule) the optimizer in cfg would apply to a weight w with gradient g.

    Without state (the optimizer's per-weight memory) the step is plain gradient descent, -lr * g.
    state may give: momentum/nesterov {"velocity"}; rmsprop {"s"}; adam {"m", "v", "t"} (t = steps done).
    """
    name = str(_cfg(cfg, "optimizer", "gd"))
    lr = float(_cfg(cfg, "lr", 0.01))
    g = g + float(_cfg(cfg, "weight_decay", 0.0)) * w      # L2 decay joins the gradient
    if name in PLAIN_GD or not state:
        rule = "Δw = −η · ∂L/∂w"
        if name not in PLAIN_GD:
            rule += f" (plain gradient descent; {name} also uses its running averages, not shown)"
        return -lr * g, rule
    mu = float(_cfg(cfg, "momentum", 0.9))
    if name in ("momentum", "nesterov"):
        v = mu * float(state["velocity"]) - lr * g
        if name == "nesterov":
            return mu * v - lr * g, "v ← μv − η·∂L/∂w ; Δw = μv − η·∂L/∂w"
        return v, "v ← μv − η·∂L/∂w ; Δw = v"
    eps = float(_cfg(cfg, "eps", 1e-8))
    if name == "rmsprop":
        rho = float(_cfg(cfg, "rho", 0.9))
        s = rho * float(state["s"]) + (1 - rho) * g * g
        return -lr * g / (np.sqrt(s) + eps), "s ← ρs + (1−ρ)(∂L/∂w)² ; Δw = −η·∂L/∂w / (√s + ε)"
    if name == "adam":
        b1, b2 = float(_cfg(cfg, "beta1", 0.9)), float(_cfg(cfg, "beta2", 0.999))
        t = int(state.get("t", 0)) + 1
        m = b1 * float(state["m"]) + (1 - b1) * g
        v = b2 * float(state["v"]) + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** t), v / (1 - b2 ** t)
        return -lr * m_hat / (np.sqrt(v_hat) + eps), "m, v ← running means of ∂L/∂w, (∂L/∂w)² ; Δw = −η·m̂/(√v̂ + ε)"
    raise SpecError(f"Unknown optimizer {name!r}.")


def weight_backprop(net, x, y, layer: int, i: int, j: int, optimizer_cfg=None, state=None) -> WeightBackprop:
    """z_i, delta_j, their product, the engine's dL/dW_{i->j} and the optimizer's step, for sample (x, y).

    y is an int label or a target vector. All numbers come from one net.backprop call on the sample.
    """
    if not 0 <= layer < len(net.layers):
        raise SpecError(f"The network has {len(net.layers)} layers; there is no layer {layer + 1}.")
    L = net.layers[layer]
    if not (0 <= i < L.fan_in and 0 <= j < L.units):
        raise SpecError(f"Layer {layer + 1} connects {L.fan_in} inputs to {L.units} units; "
                        f"there is no weight {i} -> {j}.")
    x = _one(net, x)
    y = np.asarray(y).reshape(1, -1) if np.ndim(y) else np.asarray([int(y)])
    bp = net.backprop(x, y)
    z_i = float(bp.activations[layer][0, i])
    delta_j = float(bp.deltas[layer][0, j])
    dW = float(bp.grads[layer][0][i, j])
    w = float(L.W[i, j])
    step, rule = optimizer_step(dW, w, optimizer_cfg, state)
    return WeightBackprop(layer, i, j, w, z_i, delta_j, delta_j * z_i, dW, float(bp.loss),
                          str(_cfg(optimizer_cfg, "optimizer", "gd")), float(_cfg(optimizer_cfg, "lr", 0.01)),
                          float(step), rule)


def gradient_norms(grads) -> list[float]:
    """Euclidean norm of each layer's weight gradient dW (grads: [(dW, db), ...])."""
    return [float(np.sqrt(np.vdot(dW, dW))) for dW, _ in grads]


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


def first_layer_images(net, shape=(28, 28)) -> np.ndarray:
    """(units, h, w): W[:, j].reshape(shape) / max|W[:, j]|, so blue/orange show what excites or inhibits unit j."""
    W = np.asarray(net.layers[0].W, dtype=np.float32)
    if W.shape[0] != int(np.prod(shape)):
        raise SpecError(f"The first layer has {W.shape[0]} inputs; they cannot be shown as a "
                        f"{shape[0]}x{shape[1]} image.")
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
    precision, recall = precision_recall(cm)
    acc = float(np.trace(cm) / max(cm.sum(), 1))
    return ErrorAnalysis(probs, pred, cm, np.asarray(precision), np.asarray(recall), acc)
