"""One optimizer step, recorded in the course's three phases, for the app to play back and for tests to check.

  1. forward pass        zs[l] = a_{l-1} W_l + b_l ;  a_l = f(zs[l])
  2. error estimation    L = the loss of the batch (and of one chosen sample), output deltas dL/dz_L
  3. backward pass       deltas and dL/dW_{i->j} = delta_j z_i through Network.backprop (the one backward pass),
     + optimizer step    the optimizer's own step() on the flat buffer, its memory kept before and after
The loss on the same batch after the step is recorded beside the loss before it.
A network with dropout steps with masks drawn as a run draws them (BatchOrder owns the run's mask generator), and
the record keeps them: the loss after the step, the gradient check and the playback use the same masks.
"""
from __future__ import annotations

import copy
from dataclasses import dataclass, field

import numpy as np

from .dropout import draw_masks, dropout_rng
from .errors import DataError, SpecError
from .inspection import weight_layer
from .optimizers import OPTIMIZERS, make_optimizer
from .quiet import quiet_float
from .train_rows import labels_of, training_rows
from .train_state import optimizer_state
from .training import _fits

PHASES = ("forward pass", "error estimation", "backward pass + optimizer step")


@dataclass
class StepRecord:
    """Every number one step shows. Batch arrays have one row per sample; `sample` picks the row drawn."""
    indices: np.ndarray
    sample: int
    zs: list
    activations: list
    targets: np.ndarray
    loss_before: float
    sample_loss: float
    deltas: list
    grads: list
    params_before: np.ndarray
    params_after: np.ndarray
    loss_after: float
    optimizer: str
    lr: float
    momentum: float
    state_before: dict = field(default_factory=dict)
    state_after: dict = field(default_factory=dict)
    t_after: int = 0
    hyper: dict = field(default_factory=dict)      # rho, beta1, beta2, eps of the optimizer; weight_decay
    epoch: int = 1                                  # where the batch sits in the seeded data order (1-based)
    batch: int = 1
    n_batches: int = 1
    masks: list | None = None       # the dropout masks of the step, one (batch, units) array per dropout layer
                                    # (None for the others; None altogether without dropout); activations are after them

    @property
    def batch_size(self) -> int:
        return len(self.indices)

    @property
    def change(self) -> np.ndarray:
        """Flat parameter change made by the optimizer (after - before)."""
        return self.params_after - self.params_before


class BatchOrder:
    """The training rows in the Trainer's seeded order (same validation split and subset, same shuffles, same
    dropout masks), one batch at a time, without augmentation: Step takes the batch a run with these settings
    would take next."""

    def __init__(self, cfg, net, y):
        n_rows = len(y)
        labels = labels_of(y, net.targets(y, n_rows))
        rows, _, _ = training_rows(labels, cfg)
        self.rows = np.arange(n_rows) if rows is None else rows
        self.masks_rng = dropout_rng(cfg.seed)
        if len(self.rows) == 0:
            raise DataError("There is no training data.")
        self.size = min({"sgd": 1, "bgd": len(self.rows)}.get(cfg.optimizer, cfg.batch_size), len(self.rows))
        self.key = order_key(cfg, n_rows)
        self._rng = np.random.default_rng(cfg.seed)
        self._order, self._pos, self.epoch, self.batch = None, 0, 0, 0

    @property
    def n_batches(self) -> int:
        return -(-len(self.rows) // self.size)

    def next(self) -> np.ndarray:
        """The next batch's row numbers; a new epoch reshuffles as the Trainer does."""
        if self._order is None or self._pos >= len(self.rows):
            self._order = self.rows[self._rng.permutation(len(self.rows))]
            self._pos, self.epoch, self.batch = 0, self.epoch + 1, 0
        idx = self._order[self._pos:self._pos + self.size]
        self._pos += len(idx)
        self.batch += 1
        return idx


def order_key(cfg, n_rows: int) -> tuple:
    """What a BatchOrder depends on: when it changes, the order starts again."""
    return cfg.seed, cfg.val_fraction, cfg.optimizer, cfg.batch_size, cfg.train_subset, n_rows


def next_step(net, opt, order: BatchOrder, X, y, lr: float, weight_decay: float = 0.0, sample: int = 0):
    """take_step on the next batch of `order` (rows of X, y), with where that batch sits in the order (and the
    dropout masks a run would draw for it)."""
    idx = order.next()
    masks = draw_masks(net.spec, len(idx), order.masks_rng, net.dtype)
    rec = take_step(net, opt, np.take(X, idx, axis=0), np.take(y, idx, axis=0), lr, weight_decay, idx, sample,
                    masks)
    rec.epoch, rec.batch, rec.n_batches = order.epoch, order.batch, order.n_batches
    return rec


def continue_optimizer(opt, net, cfg):
    """A copy of `opt` to go on with if it is cfg.optimizer's kind for `net` (its momentum set to the config's);
    otherwise a fresh optimizer (another kind or shape has no memory worth keeping)."""
    if opt is None or type(opt) is not OPTIMIZERS.get(cfg.optimizer) or not _fits(opt, net):
        return make_step_optimizer(net, cfg)
    opt = copy.deepcopy(opt)
    opt.momentum = float(cfg.momentum)
    return opt


def make_step_optimizer(net, cfg):
    """A fresh optimizer for `net` with the config's hyper-parameters (state starts empty)."""
    if cfg.optimizer not in OPTIMIZERS:
        raise SpecError(f"Unknown optimizer {cfg.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}.")
    return make_optimizer(cfg.optimizer, net.n_params, net.dtype, cfg.momentum)


def sample_loss(net, z, a, Y) -> float:
    """The loss of one sample (row vectors z, a, Y), as the loss function defines it."""
    return float(net.loss_fn.value(z[None, :].copy(), a[None, :].copy(), Y[None, :].copy()))


@quiet_float
def take_step(net, opt, X, y, lr: float, weight_decay: float = 0.0, indices=None, sample: int = 0,
              masks=None) -> StepRecord:
    """One optimizer step of `opt` on `net` with the batch (X, y) (and dropout masks, if given), recorded phase
    by phase; `net` is updated."""
    bp = net.backprop(X, y, masks)                           # phases 1-3 before the update, all fresh arrays
    Y = net.targets(y, len(bp.activations[0]))
    sample = int(np.clip(sample, 0, len(Y) - 1))
    before = np.array(net.params, copy=True)
    state_before = optimizer_state(opt)
    g = scaled_gradient(net, bp, Y, opt.grad_scale(float(lr)))
    opt.step(net.params, g, float(lr), float(weight_decay), scaled=True)
    return StepRecord(
        indices=np.arange(len(Y)) if indices is None else np.asarray(indices), sample=sample,
        zs=bp.zs, activations=bp.activations, targets=Y, loss_before=float(bp.loss),
        sample_loss=sample_loss(net, bp.zs[-1][sample], bp.activations[-1][sample], Y[sample]),
        deltas=bp.deltas, grads=bp.grads, params_before=before, params_after=np.array(net.params, copy=True),
        loss_after=float(net.loss(X, y, bp.masks)), optimizer=opt_name(opt), lr=float(lr),
        momentum=float(opt.momentum), state_before=state_before, state_after=optimizer_state(opt),
        t_after=int(opt.t), hyper=dict(rho=opt.rho, beta1=opt.beta1, beta2=opt.beta2, eps=opt.eps,
                                       weight_decay=float(weight_decay)), masks=bp.masks)


def scaled_gradient(net, bp, Y, c: float) -> np.ndarray:
    """The flat gradient of bp's batch times c, computed as the Trainer does (c folded into the output delta), so
    a Step and a training run on the same batch change the weights bit for bit alike."""
    g, views = net.zeros_like_params()
    deltas = [np.empty_like(z) for z in bp.zs]
    net.loss_fn.delta(bp.zs[-1], bp.activations[-1], Y, net.layers[-1].activation, out=deltas[-1], scale=c / len(Y))
    net.backward(bp.activations, bp.zs, deltas[-1], views, deltas, dropout=bp.dropout)
    return g


def opt_name(opt) -> str:
    for name, cls in OPTIMIZERS.items():
        if type(opt) is cls:
            return name
    return getattr(opt, "name", "?")


def flat_index(net, layer: int, i: int, j: int) -> int:
    """Position of W_layer[i, j] in the flat parameter buffer."""
    L = weight_layer(net, layer, i, j)
    offset = sum(l.fan_in * l.units + l.units for l in net.layers[:layer])
    return offset + i * L.units + j


def update_in_numbers(rec: StepRecord, net, layer: int, i: int, j: int, weight_decay: float | None = None) -> str:
    """The optimizer's rule for W_layer[i, j] with this step's numbers filled in (why a tiny g can move w a lot)."""
    p = flat_index(net, layer, i, j)
    if weight_decay is None:                 # the decay this step was taken with
        weight_decay = rec.hyper.get("weight_decay", 0.0)
    g = float(rec.grads[layer][0][i, j]) + weight_decay * float(rec.params_before[p])
    w0, w1, lr = float(rec.params_before[p]), float(rec.params_after[p]), rec.lr
    sb, sa, name, h = rec.state_before, rec.state_after, rec.optimizer, rec.hyper
    head = f"g = dL/dW = {g:.4g}, η = {lr:.3g}"
    if name in ("sgd", "bgd", "minibatch"):
        body = f"w ← w − η·g = {w0:.5g} − {lr:.3g}·{g:.4g} = {w1:.5g}"
    elif name == "momentum":
        v0, v1 = float(sb["v"][p]), float(sa["v"][p])
        body = (f"v ← μ·v + g = {rec.momentum:g}·{v0:.4g} + {g:.4g} = {v1:.4g};  "
                f"w ← w − η·v = {w0:.5g} − {lr:.3g}·{v1:.4g} = {w1:.5g}")
    elif name == "nesterov":
        v0, v1 = float(sb["v"][p]), float(sa["v"][p])
        body = (f"v ← μ·v + g = {rec.momentum:g}·{v0:.4g} + {g:.4g} = {v1:.4g};  "
                f"w ← w − η·(g + μ·v) = {w0:.5g} − {lr:.3g}·({g:.4g} + {rec.momentum:g}·{v1:.4g}) = {w1:.5g}")
    elif name == "rmsprop":
        s0, s1 = float(sb["s"][p]), float(sa["s"][p])
        body = (f"s ← ρ·s + (1 − ρ)·g² = {h['rho']:g}·{s0:.4g} + {1 - h['rho']:g}·{g * g:.4g} = {s1:.4g};  "
                f"w ← w − η·g / (√s + ε) = {w0:.5g} − {lr:.3g}·{g:.4g} / {np.sqrt(s1):.4g} = {w1:.5g}")
    elif name == "adam":
        t, b1, b2 = rec.t_after, h["beta1"], h["beta2"]
        m1, v1 = float(sa["m"][p]), float(sa["v"][p])
        mh, vh = m1 / (1 - b1 ** t), v1 / (1 - b2 ** t)
        body = (f"m ← β₁·m + (1 − β₁)·g = {b1:g}·{float(sb['m'][p]):.4g} + {1 - b1:.3g}·{g:.4g} = {m1:.4g};  "
                f"v ← β₂·v + (1 − β₂)·g² = {b2:g}·{float(sb['v'][p]):.4g} + {1 - b2:.3g}·{g * g:.4g} = {v1:.4g};  "
                f"step t = {t}: m_hat = m / (1 − β₁^{t}) = {mh:.4g}, v_hat = v / (1 − β₂^{t}) = {vh:.4g};  "
                f"w ← w − η·m_hat / (√v_hat + ε) = {w0:.5g} − {lr:.3g}·{mh:.4g} / {np.sqrt(vh):.4g} = {w1:.5g}")
    else:
        body = f"w: {w0:.5g} → {w1:.5g}"
    return f"{head}.  {body}"
