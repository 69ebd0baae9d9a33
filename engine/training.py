"""Training: Trainer (a generator of the BatchStats / EpochStats / Finished events of events.py) and fit().

The settings are a TrainConfig (config.py); the weights it goes back to are kept by checkpoints.py.

Each epoch reshuffles the training set (seeded) and walks it in batches. One step, all in preallocated buffers:
  gather the batch (np.take into a buffer) -> forward (out=) -> loss and accuracy -> output delta (for
  softmax + cross-entropy (a - Y) * c / B, c = the optimizer's grad_scale(lr), e.g. lr for plain GD, folded in
  for free) -> Network.backward (the same code as Network.backprop) -> optimizer update on the flat buffer.
No array is allocated per batch once the first batch of a given size has run.
Dropout (a hidden layer's "dropout" in the spec): each step draws that layer's mask from the run's own generator
(dropout.dropout_rng(cfg.seed): the same seed, the same masks) into the workspace; evaluation never drops out.
Which rows train and validate (the validation split, cfg.train_subset's balanced subset) is train_rows.py's.
With weight decay each batch and epoch also report the penalty wd/2 ||w||² beside the data loss (0 without).
Control (pause/resume/stop/set_lr/set_momentum/set_batch_size) is thread-safe and acts before the next batch.
A NaN or infinite loss ends the run with reason "diverged" and the weights of the last good epoch.
"""
from __future__ import annotations

import math
import numbers
import threading
import time

import numpy as np

from .checkpoints import BestWeights, Rollback
from .config import TrainConfig
from .dropout import dropout_rng, has_dropout
from .errors import DataError, DivergenceError, SpecError
from .events import BatchStats, EpochStats, Finished
from .optimizers import OPTIMIZERS, make_optimizer
from .schedules import SCHEDULES
from .spec import check_memory
from .prefetch import AugmentPrefetcher
from .quiet import quiet_float
from .train_rows import is_regression, labels_of, training_rows
from .train_state import TrainState, optimizer_state

EVAL_CHUNK = 2048
EXPLODED = 1e4       # a loss this many times the first batch's (at least 1) counts as diverged, like NaN


class Trainer:
    """Runs training as a generator (`run()`); see the module docstring. Control methods are thread-safe."""

    def __init__(self, net, cfg: TrainConfig, X, y, X_val=None, y_val=None, augmenter=None, task=None,
                 optimizer=None):
        """optimizer: an existing optimizer of cfg.optimizer's kind for `net` (its memory carries on); None: fresh."""
        self.net, self.cfg = net, cfg.validate()
        # regression targets are numbers: reported by their loss (MSE), never by an "accuracy"
        self.regression = is_regression(y, net) if task is None else task == "regression"
        dt = net.dtype
        self.X = np.ascontiguousarray(net.as_inputs(X))
        if len(self.X) == 0:
            raise DataError("There is no training data.")
        self.Y = net.targets(y, len(self.X))
        if net.loss_name == "cross_entropy" and np.ndim(y) == 2 and not np.allclose(self.Y.sum(axis=1), 1, atol=1e-3):
            raise DataError("cross_entropy targets must be probabilities that sum to 1 in every row.")
        self.labels = labels_of(y, self.Y)
        self.val = None                         # (X_val, Y_val, labels_val)
        # train_idx None: every row of X trains; notice: a sentence about a setting the trainer adjusted, or ""
        self.train_idx, va, self.notice = training_rows(self.labels, cfg, split=X_val is None)
        if X_val is not None:
            Xv = np.ascontiguousarray(net.as_inputs(X_val))
            Yv = net.targets(y_val, len(Xv))
            self.val = (Xv, Yv, labels_of(y_val, Yv))
        elif va is not None:
            self.val = (np.take(self.X, va, axis=0), self.Y[va], self.labels[va])
        self.n_train = len(self.X) if self.train_idx is None else len(self.train_idx)
        self.augmenter = augmenter if augmenter is not None else _default_augmenter(cfg, net, self.X, self.train_idx)
        self._batch_size = {"sgd": 1, "bgd": self.n_train}.get(cfg.optimizer, cfg.batch_size)
        check_memory(net.spec, min(self._batch_size, self.n_train), str(dt))
        if self._batch_size > self.n_train:
            clamped = (f"The batch size ({self._batch_size:,}) is larger than the {self.n_train:,} training "
                       f"samples, so each step uses all {self.n_train:,} of them (batch gradient descent).")
            self.notice = f"{self.notice} {clamped}".strip()
        self._dropout = has_dropout(net.spec)
        self.opt = _own_optimizer(optimizer, cfg, net)
        self.gflat, self.grads = net.zeros_like_params()
        self._ws = {}
        self._base_lr = float(cfg.lr)
        self._stop = False
        self._running = threading.Event()
        self._running.set()
        self._lock = threading.Lock()

    # --- control (any thread) -----------------------------------------------------------------------------
    def pause(self):
        self._running.clear()

    def resume(self):
        self._running.set()

    def stop(self):
        self._stop = True
        self._running.set()

    @property
    def paused(self) -> bool:
        return not self._running.is_set()

    def set_lr(self, lr):
        if not (isinstance(lr, numbers.Real) and math.isfinite(lr) and lr > 0):
            raise SpecError(f"The learning rate must be a number above 0 (got {lr!r}).")
        self._base_lr = float(lr)

    def set_momentum(self, mu):
        if not (isinstance(mu, numbers.Real) and 0 <= mu < 1):
            raise SpecError(f"Momentum must be in [0, 1) (got {mu!r}).")
        self.opt.momentum = float(mu)

    def set_batch_size(self, n):
        if not (isinstance(n, (int, np.integer)) and not isinstance(n, bool) and n >= 1):
            raise SpecError(f"The batch size must be a whole number >= 1 (got {n!r}).")
        check_memory(self.net.spec, min(int(n), self.n_train), str(self.net.dtype))
        self._batch_size = int(n)

    @property
    def batch_size(self) -> int:
        return self._batch_size

    # --- the loop ------------------------------------------------------------------------------------------
    def lr_at(self, epoch: int) -> float:
        c = self.cfg
        return SCHEDULES[c.schedule](self._base_lr, epoch, c.epochs, c.step_size, c.gamma, c.min_lr)

    def _workspace(self, B: int, m: int):
        # a batch of the whole set trains on X itself; a part of it (a batch size raised to the whole set in the
        # middle of an epoch) needs gather buffers, even at that size
        gather = not (self._whole_set(B) and m == B)
        ws = self._ws.get((B, gather))
        if ws is None:
            self._ws = {(B, gather): self.net.workspace(B, gather)}   # one size at a time: drop the old buffers
            ws = self._ws[(B, gather)]
        return ws if m == B else ws.view(m, self.net)

    def run(self):
        prefetch = None
        if self.augmenter is not None:
            prefetch = AugmentPrefetcher(self.augmenter, self.X, np.random.default_rng([self.cfg.seed, 1]),
                                         self.net.dtype)
        try:
            yield from self._run(prefetch)
        finally:
            if prefetch is not None:
                prefetch.close()

    def _run(self, prefetch):
        """The epochs: shuffle, the batches, evaluate, keep the best weights, stop early if asked to."""
        cfg = self.cfg
        rng = np.random.default_rng(cfg.seed)
        self._masks_rng = dropout_rng(cfg.seed)
        self._rollback = Rollback(self.net.params)
        self._best = BestWeights(self.net.params, cfg.patience)
        self._history, self._t0, self._paused_for = [], time.perf_counter(), 0.0
        self._samples, self._first_loss = 0, None
        order = np.empty(self.n_train, np.intp)
        for epoch in range(1, cfg.epochs + 1):
            started = time.perf_counter()
            self._shuffle(rng, order)
            sums = yield from self._batches(epoch, order, prefetch)
            if isinstance(sums, Finished):
                yield sums
                return
            yield self._end_epoch(epoch, started, *sums)
            if self._best.should_stop(epoch, cfg.epochs):
                self._best.restore()
                yield self._finished("early_stopped", f"Stopped early after epoch {epoch}: no improvement for "
                                     f"{cfg.patience} epochs; kept the weights of epoch {self._best.epoch}.",
                                     self._best.epoch, memory=False)
                return
        yield self._finished("completed", f"Training completed: {cfg.epochs} epochs.", cfg.epochs)

    def _shuffle(self, rng, order):
        """This epoch's order of the training rows, drawn into `order`."""
        perm = rng.permutation(self.n_train)
        if self.train_idx is None:
            order[...] = perm
        else:
            np.take(self.train_idx, perm, out=order)

    def _batches(self, epoch, order, prefetch):
        """Yield one epoch's BatchStats; return (loss sum, correct count), or the Finished that ends the run."""
        pos, batch, loss_sum, hit_sum, penalty_sum = 0, 0, 0.0, 0, 0.0
        while pos < self.n_train:
            if self._hold():
                return self._finished("stopped", f"Training stopped at epoch {epoch}, batch {batch + 1}.", epoch - 1)
            B = min(self._batch_size, self.n_train)
            m = min(B, self.n_train - pos)
            lr = self.lr_at(epoch)
            xaug = self._prefetched(prefetch, epoch, order, pos, m, B)
            probe = (batch + 1) % self.cfg.probe_every == 0
            penalty = self.penalty()                # of the weights this batch's loss is measured with
            loss, hits, norms, dead = self._step(order[pos:pos + m], m, B, lr, xaug, probe)
            pos, batch, self._samples = pos + m, batch + 1, self._samples + m
            if self._diverged(loss):
                self._rollback.restore(first_batch_of_epoch=batch == 1)
                return self._finished("diverged", _divergence_message(epoch, batch, loss, lr),
                                      max(0, epoch - 1 - (batch == 1)), memory=False)
            loss_sum += loss * m
            hit_sum += hits
            penalty_sum += penalty * m
            yield BatchStats(epoch, batch, batch + math.ceil((self.n_train - pos) / B), loss,
                             None if self.regression else hits / m, lr,
                             self._elapsed(self._t0), self._samples, norms, dead, penalty)
        return loss_sum, hit_sum, penalty_sum

    def _hold(self) -> bool:
        """Wait here while paused (the wait does not count as training time); True if asked to stop."""
        if not self._running.is_set():
            t = time.perf_counter()
            self._running.wait()
            self._paused_for += time.perf_counter() - t
        return self._stop

    @staticmethod
    def _prefetched(prefetch, epoch, order, pos, m, B):
        """This batch's augmented inputs (None without augmentation); the next batch starts on the prefetch
        thread while this one trains."""
        if prefetch is None:
            return None
        xaug = prefetch.get((epoch, pos, m), order[pos:pos + m])
        n = len(order)
        if pos + m < n:
            m2 = min(B, n - pos - m)
            prefetch.submit((epoch, pos + m, m2), order[pos + m:pos + m + m2])
        return xaug

    def _diverged(self, loss) -> bool:
        """NaN, infinite, or EXPLODED times the first batch's loss (at least 1)."""
        if self._first_loss is None:
            self._first_loss = loss
        return not math.isfinite(loss) or loss > EXPLODED * max(self._first_loss, 1.0)

    def penalty(self) -> float:
        """Weight decay's wd/2 ||w||² of the weights now (0.0, and no pass over them, without weight decay)."""
        wd = self.cfg.weight_decay
        return 0.5 * wd * float(np.vdot(self.net.params, self.net.params)) if wd else 0.0

    def _end_epoch(self, epoch, started, loss_sum, hit_sum, penalty_sum) -> EpochStats:
        """Evaluate on the validation set, note the best epoch, record the history and the rollback point."""
        val_loss, val_acc = self.evaluate(*self.val) if self.val is not None else (None, None)
        train_loss = loss_sum / self.n_train
        is_best = self._best.observe(epoch, val_loss if val_loss is not None else train_loss)
        train_acc = None if self.regression else hit_sum / self.n_train
        stats = EpochStats(epoch, self.cfg.epochs, train_loss, train_acc, val_loss, val_acc,
                           self.lr_at(epoch), time.perf_counter() - started, self._elapsed(self._t0), is_best,
                           penalty_sum / self.n_train)
        self._history.append(stats.to_dict())
        self.net.history.append(stats.to_dict())
        self.net.train_state = TrainState(self._settings(), epoch)
        self._rollback.epoch_done()
        return stats

    def _finished(self, reason, message, epochs_done: int, memory: bool = True) -> Finished:
        """The end of the run; the network records where it stands (its optimizer memory only if it matches the
        weights kept: not after a divergence's or early stop's restore)."""
        state = optimizer_state(self.opt) if memory else None
        self.net.train_state = TrainState(self._settings(), epochs_done, state)
        return Finished(reason, message, self._best.epoch, self._history,
                        restored_epoch=epochs_done if reason == "diverged" else None)

    def _settings(self) -> dict:
        """The settings in effect now: the config with the learning rate, momentum and batch size set while running."""
        s = {**self.cfg.to_dict(), "lr": self._base_lr, "momentum": float(self.opt.momentum)}
        if s["optimizer"] not in ("sgd", "bgd"):
            s["batch_size"] = int(self._batch_size)
        s["min_lr"] = min(s["min_lr"], s["lr"])
        return s

    def _elapsed(self, t0):
        return time.perf_counter() - t0 - self._paused_for

    def _whole_set(self, m) -> bool:
        # with dropout the batch is gathered in the shuffled order: each row meets the mask row Step gives it
        return m >= len(self.X) and self.train_idx is None and self.augmenter is None and not self._dropout

    @quiet_float
    def _step(self, idx, m, B, lr, xaug, probe):
        """One optimizer step on the samples X[idx]; returns (loss, correct count, grad norms, dead units)."""
        net, ws = self.net, self._workspace(B, m)
        if self._whole_set(m):
            xb, Yb, lab = self.X, self.Y, self.labels           # the whole set (batch GD): no gather needed
        else:
            xb, Yb, lab = ws.x, ws.Y, ws.labels
            # mode="clip" writes straight into the buffer (the default mode buffers its output: 2-15x slower)
            if xaug is None:
                self.X.take(idx, axis=0, out=xb, mode="clip")
            self.Y.take(idx, axis=0, out=Yb, mode="clip")
            self.labels.take(idx, out=lab, mode="clip")
        if xaug is not None:
            xb = xaug                                           # augmented on the prefetch thread
        drop = ws.dropout                       # None without dropout: the plain path
        if drop is not None:
            drop.draw(self._masks_rng)
        zs, acts = net.forward_trace(xb, ws, drop)
        z, a, out_act, loss_fn = zs[-1], acts[-1], net.layers[-1].activation, net.loss_fn
        loss = loss_fn.value(z, a, Yb, rows=ws.rows if out_act.name == "softmax" else None, work=ws.work[-1])
        hits = 0 if self.regression else _count_hits(a, lab, ws)
        c = self.opt.grad_scale(lr)             # the optimizer's factor on g, folded into the output delta
        loss_fn.delta(z, a, Yb, out_act, out=ws.deltas[-1], scale=c / m, work=ws.work[-1])
        net.backward(acts, zs, ws.deltas[-1], self.grads, ws.deltas, ws.work, ws.ones, drop)
        norms = dead = None
        if probe:
            norms = [float(np.sqrt(np.vdot(dW, dW) + np.vdot(db, db))) / c
                     for dW, db in self.grads]
            # a unit is dead when f(z) is 0 for the whole batch, not when dropout switched it off
            outs = ws.acts[:-1] if drop is not None else acts[1:-1]
            dead = [int(np.count_nonzero(~a_.any(axis=0))) for a_ in outs]
        self.opt.step(net.params, self.gflat, lr, self.cfg.weight_decay, scaled=True)
        return loss, hits, norms, dead

    @quiet_float
    def evaluate(self, X, Y, labels):
        """(mean loss, accuracy) over a data set, in chunks (no training); accuracy None for regression."""
        net, total, hits = self.net, 0.0, 0
        for s in range(0, len(X), EVAL_CHUNK):
            zs, acts = net.forward_trace(X[s:s + EVAL_CHUNK])
            Yc = Y[s:s + EVAL_CHUNK]
            total += net.loss_fn.value(zs[-1], acts[-1], Yc) * len(Yc)
            hits += _count_hits(acts[-1], labels[s:s + EVAL_CHUNK])
        return total / len(X), None if self.regression else hits / len(X)


def _own_optimizer(opt, cfg, net):
    """The optimizer to continue with (its momentum set to the config's), or a fresh one when there is none."""
    if opt is None:
        return make_optimizer(cfg.optimizer, net.n_params, net.dtype, cfg.momentum)
    if type(opt) is not OPTIMIZERS[cfg.optimizer] or not _fits(opt, net):
        raise SpecError(f"The saved optimizer state is not a {cfg.optimizer} state for this network; "
                        "start again to train with a fresh optimizer.")
    opt.momentum = float(cfg.momentum)
    return opt


def _fits(opt, net) -> bool:
    """True if every memory buffer of `opt` is shaped and typed like the network's parameters."""
    return all(b.shape == net.params.shape and b.dtype == net.dtype for b in opt.buffers())


def _divergence_message(epoch, batch, loss, lr) -> str:
    what = "NaN" if math.isnan(loss) else "infinite" if math.isinf(loss) else f"huge ({loss:.3g})"
    return (f"Training diverged at epoch {epoch}, batch {batch}: the loss became {what}. "
            f"The learning rate ({lr:g}) is probably too high; try 10x lower.")


def _count_hits(a, labels, ws=None) -> int:
    """How many rows' predicted class equals the label (argmax; a single output: > 0.5)."""
    if a.shape[1] == 1:
        hit = np.greater(a[:, 0], 0.5, out=None if ws is None else ws.hit)
    else:
        pred = a.argmax(axis=1, out=None if ws is None else ws.pred)
        hit = np.equal(pred, labels, out=None if ws is None else ws.hit)
        return int(np.count_nonzero(hit))
    return int(np.count_nonzero(np.equal(hit, labels, out=hit)))


MIN_IMAGE_SIDE = 8     # a square input this wide or wider is an image to warp; anything else is jittered


def _default_augmenter(cfg, net, X, rows=None):
    """The augmentation that fits the inputs: warps for square images, Gaussian jitter scaled to the training rows
    (X[rows], all of X when rows is None) for anything else (the playground's points, a table's columns)."""
    if not cfg.augment:
        return None
    from .data.augment import Augmenter       # here, not at the top: training alone needs no data package
    from .data.jitter import Jitter
    side = math.isqrt(net.input_size)
    if side * side == net.input_size and side >= MIN_IMAGE_SIDE:
        return Augmenter(image_shape=(side, side), seed=cfg.seed)
    return Jitter.fitted(X if rows is None else np.take(X, rows, axis=0))     # only here: a copy of the rows


def fit(net, cfg: TrainConfig, X, y, X_val=None, y_val=None, augmenter=None, callback=None) -> list:
    """Train to the end; callback(event) sees every event. Returns the epoch history (list of dicts).

    Raises DivergenceError if the loss became NaN/inf (the weights are restored to the last good epoch).
    """
    trainer = Trainer(net, cfg, X, y, X_val, y_val, augmenter)
    fin = None
    for event in trainer.run():
        if callback is not None:
            callback(event)
        if isinstance(event, Finished):
            fin = event
    if fin.reason == "diverged":
        raise DivergenceError(fin.message)
    return fin.history
