"""Optimizers: update rules on the flat parameter buffer w, given the flat gradient g (mean over the batch).

L2 weight decay first adds wd * w to g (on every parameter, as PyTorch's weight_decay does). Then:
  gd        w -= lr g                                   (stochastic: 1 sample per step; batch: the whole set;
                                                         mini-batch: n samples; the same rule for all three)
  momentum  v = mu v + g ;  w -= lr v
  nesterov  v = mu v + g ;  w -= lr (g + mu v)
  rmsprop   s = rho s + (1 - rho) g^2 ;  w -= lr g / (sqrt(s) + eps)
  adam      m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2 ;  t += 1
            w -= lr m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)
How a step stays short: every rule takes g already multiplied by grad_scale(lr) (the trainer folds that factor
into the output delta for free), and each memory buffer is kept as raw * scale with a scalar scale that absorbs
a decay (Adam: m = p M with p = b1^k, so m = b1 m + (1 - b1) g is the one pass M += g'). Reading a memory
(`opt.m`, `opt.v`, `opt.s`) gives the formula's quantity (see Memory). Each step is a few in-place NumPy calls
into buffers allocated once: Adam 9 passes over the flat buffer, RMSProp 7, Nesterov 5, momentum 3, GD 1.
Every OPTIMIZERS entry carries its teaching metadata: label, formula (Unicode), description (one line).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np

from .errors import SpecError

RENORMALISE_BELOW = 1e-3    # a memory's scale this small is folded back into it (one pass) before g' grows large


class Memory:
    """A per-parameter memory buffer named in Optimizer.state, stored as raw * scale. Reading it gives the formula's
    quantity: the live buffer while its scale is 1 (a fresh optimizer: it may be preset in place), otherwise a
    read-only copy, so looking never changes the rounding of the steps that follow. `opt.m = values` sets it."""

    def __set_name__(self, owner, name):
        self.name = name

    def __get__(self, opt, owner=None):
        if opt is None:
            return self
        raw, scale = opt.raw[self.name], opt.scale[self.name]
        if scale == 1.0:
            return raw
        value = raw * scale
        value.flags.writeable = False
        return value

    def __set__(self, opt, value):
        opt.raw[self.name][...] = value
        opt.scale[self.name] = 1.0


class Optimizer:
    name = "?"
    label = formula = description = ""      # each registered class fills them in
    state: tuple[str, ...] = ()             # names of its per-parameter memory buffers, zero at the start
    scratch = False                         # whether step() needs a work buffer self._d

    def __init__(self, n_params: int, dtype, momentum=0.9, beta1=0.9, beta2=0.999, rho=0.9, eps=1e-8):
        if not all(0 < x < 1 for x in (beta1, beta2, rho)):
            raise SpecError(f"The decays beta1, beta2 and rho must lie strictly between 0 and 1 (got {beta1}, "
                            f"{beta2}, {rho}).")
        self.momentum, self.beta1, self.beta2, self.rho, self.eps = momentum, beta1, beta2, rho, eps
        self.t = 0
        self.raw = {key: np.zeros(n_params, dtype) for key in self.state}
        self.scale = dict.fromkeys(self.state, 1.0)
        self._d = np.empty(n_params, dtype) if self.scratch else None

    def grad_scale(self, lr) -> float:
        """The factor step(..., scaled=True) expects g to be multiplied by (it depends on the state: ask each step)."""
        return 1.0

    def step(self, w, g, lr, weight_decay=0.0, scaled=False):
        """One update of w in place; g is used as scratch (its content is lost). scaled: g holds grad_scale(lr) * g."""
        c = self.grad_scale(lr)
        if not scaled and c != 1.0:
            g *= c
        if weight_decay:
            self._decay(w, g, c * weight_decay)
        self._update(w, g, lr, c)

    def _update(self, w, g, lr, c):
        raise NotImplementedError

    def _decay(self, w, g, k):
        """g += k * w (L2 weight decay, k = weight decay times the gradient's scale) through the work buffer."""
        if self._d is None or self._d.shape != w.shape:
            self._d = np.empty_like(w)
        np.multiply(w, k, out=self._d)
        g += self._d

    def settle(self, key):
        """Fold memory `key`'s scale into its buffer (one pass), so the buffer holds the formula's quantity."""
        if self.scale[key] != 1.0:
            self.raw[key] *= self.scale[key]
            self.scale[key] = 1.0

    def buffers(self) -> list:
        """Every per-parameter array the optimizer keeps (memories and work buffers)."""
        return [*self.raw.values(), *([] if self._d is None else [self._d])]

    def __repr__(self):
        return f"{type(self).__name__}()"


class GD(Optimizer):
    name = "gd"
    label, formula = "gradient descent", "w ← w − η·g"
    description = "Steps against the gradient, scaled by the learning rate η."

    def grad_scale(self, lr) -> float:
        return lr

    def _update(self, w, g, lr, c):
        w -= g


class Momentum(Optimizer):
    """v is kept as u = lr v (raw u, scale 1 / lr), so w -= u needs no extra pass; a new lr rescales u once."""
    name = "momentum"
    label, formula = "momentum", "v ← μ·v + g;  w ← w − η·v"
    description = "Mini-batch GD that keeps a running velocity v, smoothing zig-zags and speeding up valleys."
    state = ("v",)
    v = Memory()

    def grad_scale(self, lr) -> float:
        return lr

    def _in_lr_units(self, lr):
        """The raw velocity as lr * v for this step's lr (a pass only when lr changed or v was read)."""
        if self.scale["v"] != 1.0 / lr:
            self.raw["v"] *= self.scale["v"] * lr
            self.scale["v"] = 1.0 / lr
        return self.raw["v"]

    def _update(self, w, g, lr, c):
        u = self._in_lr_units(lr)
        u *= self.momentum
        u += g
        w -= u


class Nesterov(Momentum):
    name = "nesterov"
    label, formula = "Nesterov", "v ← μ·v + g;  w ← w − η·(g + μ·v)"
    description = "Momentum that looks one step ahead along the velocity before it steps."

    def _update(self, w, g, lr, c):
        u = self._in_lr_units(lr)
        u *= self.momentum
        u += g
        w -= g
        np.multiply(u, self.momentum, out=g)
        w -= g


class RMSProp(Optimizer):
    """s = sigma S; each step sigma *= rho, so s = rho s + (1 - rho) g^2 is S += g'^2 with g' = sqrt((1 - rho) /
    sigma') g, and w -= lr g / (sqrt(s) + eps) is w -= (lr / sqrt(1 - rho)) g' / (sqrt(S) + eps / sqrt(sigma'))."""
    name = "rmsprop"
    label, formula = "RMSProp", "s ← ρ·s + (1 − ρ)·g²;  w ← w − η·g / (√s + ε)"
    description = "Divides each step by a running root-mean-square of that weight's gradient."
    state, scratch = ("s",), True
    s = Memory()

    def grad_scale(self, lr) -> float:
        return math.sqrt((1 - self.rho) / (self.rho * self.scale["s"]))

    def _update(self, w, g, lr, c):
        S, d = self.raw["s"], self._d
        self.scale["s"] *= self.rho
        np.multiply(g, g, out=d)
        S += d
        root = math.sqrt(self.scale["s"])
        np.sqrt(S, out=d)
        d += self.eps / root
        np.divide(g, d, out=d)
        d *= lr / (c * root)
        w -= d
        if self.scale["s"] < RENORMALISE_BELOW:
            self.settle("s")


class Adam(Optimizer):
    """m = p M and v = q V; each step p *= b1 and q *= b2, so the running averages are M += g' (the trainer's
    scale g' = (1 - b1) / p' g) and V += k g'^2, and the step is a M / (sqrt(V) + eps'), with the bias
    corrections and p', q' folded into the scalars a and eps'."""
    name = "adam"
    label = "Adam"
    formula = "m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  w ← w − η·m_hat / (√v_hat + ε)"
    description = "Momentum and RMSProp together, with bias correction of both running averages."
    state, scratch = ("m", "v"), True
    m = Memory()
    v = Memory()

    def grad_scale(self, lr) -> float:
        return (1 - self.beta1) / (self.beta1 * self.scale["m"])

    def _update(self, w, g, lr, c):
        b1, b2, d, sc = self.beta1, self.beta2, self._d, self.scale
        self.t += 1
        sc["m"] *= b1
        sc["v"] *= b2
        M, V = self.raw["m"], self.raw["v"]
        M += g
        np.multiply(g, g, out=g)
        g *= (1 - b2) / (sc["v"] * c * c)
        V += g
        # lr m_hat / (sqrt(v_hat) + eps) = lr c2 / c1 * p M / (sqrt(q) (sqrt(V) + eps c2 / sqrt(q)))
        c1, c2, root = 1 - b1 ** self.t, math.sqrt(1 - b2 ** self.t), math.sqrt(sc["v"])
        np.sqrt(V, out=d)
        d += self.eps * c2 / root
        np.divide(M, d, out=d)
        d *= lr * c2 * sc["m"] / (c1 * root)
        w -= d
        for key in self.state:
            if sc[key] < RENORMALISE_BELOW:
                self.settle(key)


# The three forms of plain gradient descent share GD's rule and differ only in the batch the trainer feeds
# them; a subclass each lets OPTIMIZERS[name] carry its own label.
class StochasticGD(GD):
    label, formula = "SGD", "w ← w − η·g   (g from one sample)"
    description = "Stochastic gradient descent: one sample per step."


class BatchGD(GD):
    label, formula = "batch GD", "w ← w − η·g   (g over the whole training set)"
    description = "Batch gradient descent: the whole training set per step."


class MiniBatchGD(GD):
    label, formula = "mini-batch GD", "w ← w − η·g   (g over a batch of samples)"
    description = "Mini-batch gradient descent: batch_size samples per step."


UPDATE_RULES = {"gd": GD, "momentum": Momentum, "nesterov": Nesterov, "rmsprop": RMSProp, "adam": Adam}

# TrainConfig.optimizer names -> update rule; sgd/bgd/minibatch differ only in the batch size
OPTIMIZERS = {"sgd": StochasticGD, "bgd": BatchGD, "minibatch": MiniBatchGD, "momentum": Momentum,
              "nesterov": Nesterov, "rmsprop": RMSProp, "adam": Adam}


class OptimizerInfo(NamedTuple):
    label: str
    formula: str
    description: str


# A read-only view of the classes' metadata, for code that wants plain records rather than classes
OPTIMIZER_INFO = {name: OptimizerInfo(cls.label, cls.formula, cls.description) for name, cls in OPTIMIZERS.items()}


def make_optimizer(name: str, n_params: int, dtype, momentum=0.9) -> Optimizer:
    return OPTIMIZERS[name](n_params, dtype, momentum=momentum)
