"""Optimizers: update rules on the flat parameter buffer w, given the flat gradient g (mean over the batch).

L2 weight decay first adds wd * w to g (on every parameter, as PyTorch's weight_decay does). Then:
  gd        w -= lr g                                   (stochastic: 1 sample per step; batch: the whole set;
                                                         mini-batch: n samples; the same rule for all three)
  momentum  v = mu v + g ;  w -= lr v
  nesterov  v = mu v + g ;  w -= lr (g + mu v)
  rmsprop   s = rho s + (1 - rho) g^2 ;  w -= lr g / (sqrt(s) + eps)
  adam      m = b1 m + (1 - b1) g ;  v = b2 v + (1 - b2) g^2 ;  t += 1
            w -= lr m_hat / (sqrt(v_hat) + eps),  m_hat = m / (1 - b1^t), v_hat = v / (1 - b2^t)
State buffers are allocated once; every step is a handful of in-place NumPy calls and allocates nothing.
Every OPTIMIZERS entry carries its teaching metadata: label, formula (Unicode), description (one line).
"""
from __future__ import annotations

import math
from typing import NamedTuple

import numpy as np


class Optimizer:
    name = "?"
    # folds_lr: step() also accepts g already multiplied by lr (scaled=True); the trainer folds lr into the
    # output delta for free, which saves one pass over every parameter per step
    folds_lr = False
    label = formula = description = ""      # each registered class fills them in
    state: tuple[str, ...] = ()             # names of its per-parameter memory buffers, zero at the start
    scratch = False                         # whether step() needs a work buffer self._d

    def __init__(self, n_params: int, dtype, momentum=0.9, beta1=0.9, beta2=0.999, rho=0.9, eps=1e-8):
        self.momentum, self.beta1, self.beta2, self.rho, self.eps = momentum, beta1, beta2, rho, eps
        self.t = 0
        self._wd = None
        for key in self.state:
            setattr(self, key, np.zeros(n_params, dtype))
        if self.scratch:
            self._d = np.empty(n_params, dtype)

    def step(self, w, g, lr, weight_decay=0.0, scaled=False):
        """One update of w in place; g is used as scratch (its content is lost)."""
        raise NotImplementedError

    def _decay(self, w, g, weight_decay):
        """g += wd * w (L2 weight decay), with one scratch buffer allocated on first use."""
        if weight_decay:
            if self._wd is None or self._wd.shape != w.shape:
                self._wd = np.empty_like(w)
            np.multiply(w, weight_decay, out=self._wd)
            g += self._wd

    def __repr__(self):
        return f"{type(self).__name__}()"


class GD(Optimizer):
    name, folds_lr = "gd", True
    label, formula = "gradient descent", "w ← w − η·g"
    description = "Steps against the gradient, scaled by the learning rate η."

    def step(self, w, g, lr, weight_decay=0.0, scaled=False):
        if scaled:                        # g holds lr * g: decay must be scaled the same way
            self._decay(w, g, lr * weight_decay)
        else:
            self._decay(w, g, weight_decay)
            g *= lr
        w -= g


class Momentum(Optimizer):
    """Kept as u = lr v (so w -= u needs no extra pass); u is rescaled whenever lr changes, which keeps the
    update exactly v = mu v + g; w -= lr v. Until the first step u holds v itself (lr taken as 1), so `v`
    is then the state buffer and may be preset (the app's inspector does)."""
    name, folds_lr = "momentum", True
    label, formula = "momentum", "v ← μ·v + g;  w ← w − η·v"
    description = "Mini-batch GD that keeps a running velocity v, smoothing zig-zags and speeding up valleys."

    def __init__(self, n_params, dtype, **kw):
        super().__init__(n_params, dtype, **kw)
        self.u = np.zeros(n_params, dtype)
        self._u_lr = 1.0

    @property
    def v(self):
        return self.u if self._u_lr == 1.0 else self.u / self._u_lr

    def step(self, w, g, lr, weight_decay=0.0, scaled=False):
        if scaled:
            self._decay(w, g, lr * weight_decay)
        else:
            self._decay(w, g, weight_decay)
            g *= lr
        if lr != self._u_lr:
            self.u *= lr / self._u_lr
            self._u_lr = lr
        self.u *= self.momentum
        self.u += g
        w -= self.u


class Nesterov(Optimizer):
    name = "nesterov"
    label, formula = "Nesterov", "v ← μ·v + g;  w ← w − η·(g + μ·v)"
    description = "Momentum that looks one step ahead along the velocity before it steps."
    state = ("v",)

    def step(self, w, g, lr, weight_decay=0.0, scaled=False):
        self._decay(w, g, weight_decay)
        self.v *= self.momentum
        self.v += g
        # w -= lr (g + mu v) as two in-place updates, no extra buffer
        g *= lr
        w -= g
        np.multiply(self.v, lr * self.momentum, out=g)
        w -= g


class RMSProp(Optimizer):
    name = "rmsprop"
    label, formula = "RMSProp", "s ← ρ·s + (1 − ρ)·g²;  w ← w − η·g / (√s + ε)"
    description = "Divides each step by a running root-mean-square of that weight's gradient."
    state, scratch = ("s",), True

    def step(self, w, g, lr, weight_decay=0.0, scaled=False):
        self._decay(w, g, weight_decay)
        d, rho = self._d, self.rho
        np.multiply(g, g, out=d)
        d *= 1 - rho
        self.s *= rho
        self.s += d
        np.sqrt(self.s, out=d)
        d += self.eps
        np.divide(g, d, out=d)
        d *= lr
        w -= d


class Adam(Optimizer):
    name = "adam"
    label = "Adam"
    formula = "m ← β₁m + (1 − β₁)g;  v ← β₂v + (1 − β₂)g²;  w ← w − η·m_hat / (√v_hat + ε)"
    description = "Momentum and RMSProp together, with bias correction of both running averages."
    state, scratch = ("m", "v"), True

    def step(self, w, g, lr, weight_decay=0.0, scaled=False):
        self._decay(w, g, weight_decay)
        b1, b2, d = self.beta1, self.beta2, self._d
        self.t += 1
        self.m *= b1
        np.multiply(g, 1 - b1, out=d)
        self.m += d
        self.v *= b2
        np.multiply(g, g, out=d)
        d *= 1 - b2
        self.v += d
        # lr m_hat / (sqrt(v_hat) + eps) rewritten with the bias corrections folded into two scalars
        c1, c2 = 1 - b1 ** self.t, math.sqrt(1 - b2 ** self.t)
        np.sqrt(self.v, out=d)
        d += self.eps * c2
        np.divide(self.m, d, out=d)
        d *= lr * c2 / c1
        w -= d


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
