"""Find a learning rate: the range test (Smith 2017; fastai's lr_find), run on a copy of the network.

The rate is raised exponentially, one mini-batch step at each value,
    lr_i = lr_min * (lr_max / lr_min) ^ (i / (steps - 1)),   i = 0 .. steps - 1,
and the loss of each step is smoothed by a bias-corrected exponential moving average
    avg_i = beta avg_{i-1} + (1 - beta) loss_i,   smoothed_i = avg_i / (1 - beta^(i+1)).
The test stops early once the smoothed loss is more than EXPLODE (4) times its lowest value (or NaN / inf).
The first WARMUP (10) steps only fill the average: a lucky batch there (one sample per step in stochastic GD)
would be a false "lowest value", so neither the stop rule nor the minimum looks at them.
Suggestion: one decade below the rate at the lowest smoothed loss, lr_at_min / 10. At the minimum the loss is
about to blow up; a tenth of it still falls fast and stays stable for a whole training run. No suggestion
when the loss never fell below its value at the end of the warm-up (the range started too high).

Every step is the Trainer's own step (same optimizer rule, momentum, weight decay, batch size, validation
split, augmentation and data order as cfg), with a fresh optimizer state, on `net.copy()`: the network
passed in keeps bit-identical weights and history.

For the app (run it on the worker thread like a training run):
    finder = LRFinder(net, cfg, X, y)             # SpecError / DataError with a sentence on bad input
    for point in finder.run():                    # LRPoint(step, steps, lr, loss, smoothed) after each step
        ...                                       # plot point.lr (log axis) against point.smoothed
    result = finder.result()                      # LRFinderResult: lrs, losses, raw_losses, suggestion, ...
    finder.stop()                                 # from any thread: the run ends before the next step
or in one call: find_lr(net, cfg, X, y) -> LRFinderResult. Apply with cfg.lr = result.suggestion.
"""
from __future__ import annotations

import dataclasses
import math
from dataclasses import dataclass

import numpy as np

from .config import TrainConfig
from .errors import SpecError
from .events import BatchStats, Finished
from .training import Trainer

LR_MIN, LR_MAX = 1e-6, 10.0
STEPS = 200
BETA = 0.98          # smoothing: about the last 50 steps count
EXPLODE = 4.0        # stop once the smoothed loss exceeds this many times its lowest value
WARMUP = 10          # steps that only fill the moving average (see the module docstring)
MIN_POINTS = WARMUP + 1


@dataclass
class LRPoint:
    """One step of the range test."""
    step: int           # 1-based
    steps: int          # the planned number of steps
    lr: float
    loss: float         # this batch's loss
    smoothed: float


@dataclass
class LRFinderResult:
    lrs: np.ndarray            # the rate of each recorded step
    losses: np.ndarray         # smoothed loss of each step (what to plot against lrs on a log axis)
    raw_losses: np.ndarray     # each batch's own loss
    suggestion: float | None   # lr_at_min / 10, or None when the test found no minimum worth trusting
    lr_at_min: float | None    # the rate at the lowest smoothed loss
    reason: str                # "exploded" | "completed" | "stopped"
    message: str               # a sentence for the user

    def to_dict(self) -> dict:
        return {"lrs": self.lrs.tolist(), "losses": self.losses.tolist(), "raw_losses": self.raw_losses.tolist(),
                "suggestion": self.suggestion, "lr_at_min": self.lr_at_min, "reason": self.reason,
                "message": self.message}


def lr_schedule(lr_min: float, lr_max: float, steps: int) -> np.ndarray:
    """The exponentially growing rates, lr_min first and lr_max last."""
    return lr_min * (lr_max / lr_min) ** (np.arange(steps) / max(steps - 1, 1))


def suggest(lrs, smoothed) -> tuple[float | None, float | None]:
    """(suggestion, lr_at_min): one decade below the rate of the lowest smoothed loss after the warm-up;
    (None, None) if too few points or the loss never fell below its value at the end of the warm-up."""
    lrs, smoothed = np.asarray(lrs, float), np.asarray(smoothed, float)
    start = WARMUP - 1
    after = np.where(np.isfinite(smoothed[start:]), smoothed[start:], np.nan)
    if len(after) < 2 or np.isnan(after).all():
        return None, None
    i = start + int(np.nanargmin(after))
    if not smoothed[i] < smoothed[start]:
        return None, None
    return float(lrs[i] / 10), float(lrs[i])


class LRFinder:
    """The range test as a generator of LRPoint (see the module docstring); stop() is thread-safe."""

    def __init__(self, net, cfg: TrainConfig, X, y, lr_min: float = LR_MIN, lr_max: float = LR_MAX,
                 steps: int = STEPS, beta: float = BETA, explode: float = EXPLODE):
        _check(lr_min, lr_max, steps, beta, explode)
        self.lrs_planned = lr_schedule(lr_min, lr_max, steps)
        self.steps, self.beta, self.explode = int(steps), float(beta), float(explode)
        # patience 0: no early stop; the most epochs allowed: the test ends by its own count of steps
        run_cfg = dataclasses.replace(cfg.validate(), lr=float(lr_min), schedule="constant", min_lr=0.0,
                                      patience=0, epochs=100_000, probe_every=10 ** 9)
        self._trainer = Trainer(net.copy(), run_cfg, X, y)
        self._lrs, self._raw, self._smooth = [], [], []
        self._reason = "completed"

    def stop(self) -> None:
        self._trainer.stop()

    def run(self):
        """Yield an LRPoint after each step until the planned steps are done, the loss explodes, or stop()."""
        gen, avg, best = self._trainer.run(), 0.0, math.inf
        try:
            for event in gen:
                if isinstance(event, Finished):
                    self._reason = {"diverged": "exploded"}.get(event.reason, "stopped")
                    return
                if not isinstance(event, BatchStats):
                    continue
                i = len(self._lrs)
                avg = self.beta * avg + (1 - self.beta) * event.loss
                smoothed = avg / (1 - self.beta ** (i + 1))
                self._lrs.append(event.lr)
                self._raw.append(event.loss)
                self._smooth.append(smoothed)
                yield LRPoint(i + 1, self.steps, event.lr, event.loss, smoothed)
                if i + 1 >= WARMUP:
                    best = min(best, smoothed)
                if not math.isfinite(smoothed) or smoothed > self.explode * best:
                    self._reason = "exploded"
                    return
                if i + 1 >= self.steps:
                    return
                self._trainer.set_lr(float(self.lrs_planned[i + 1]))
        finally:
            gen.close()

    def result(self) -> LRFinderResult:
        lrs, smooth = np.asarray(self._lrs, float), np.asarray(self._smooth, float)
        suggestion, at_min = suggest(lrs, smooth)
        last_step = at_min is not None and at_min == lrs[-1]
        return LRFinderResult(lrs, smooth, np.asarray(self._raw, float), suggestion, at_min, self._reason,
                              _message(suggestion, at_min, len(lrs), self._reason, last_step))


def find_lr(net, cfg: TrainConfig, X, y, **kw) -> LRFinderResult:
    """Run the whole range test (keywords as LRFinder) and return its result; `net` is left untouched."""
    finder = LRFinder(net, cfg, X, y, **kw)
    for _ in finder.run():
        pass
    return finder.result()


def _check(lr_min, lr_max, steps, beta, explode):
    real = lambda v: isinstance(v, (int, float, np.floating, np.integer)) and not isinstance(v, bool) \
        and math.isfinite(v)
    if not (real(lr_min) and real(lr_max) and 0 < lr_min < lr_max):
        raise SpecError(f"The learning-rate range must go up from a rate above 0 (got {lr_min!r} to {lr_max!r}).")
    if not (isinstance(steps, (int, np.integer)) and not isinstance(steps, bool) and MIN_POINTS <= steps <= 100_000):
        raise SpecError(f"The range test needs between {MIN_POINTS} and 100,000 steps (got {steps!r}).")
    if not (real(beta) and 0 <= beta < 1):
        raise SpecError(f"The smoothing factor must be in [0, 1) (got {beta!r}).")
    if not (real(explode) and explode > 1):
        raise SpecError(f"The explosion factor must be above 1 (got {explode!r}).")


def _message(suggestion, at_min, n, reason, last_step=False) -> str:
    if suggestion is None:
        if n < MIN_POINTS:
            return f"The test stopped after {n} steps: too few to suggest a learning rate."
        return ("The loss never fell below where it started, so there is no rate to suggest: "
                "try a smaller lower end of the range.")
    end = {"exploded": "until the loss blew up", "completed": "to the end of the range",
           "stopped": "until it was stopped"}[reason]
    said = (f"Over {n} steps {end}, the smoothed loss was lowest at a learning rate of {at_min:.3g}; "
            f"one decade below it, {suggestion:.3g}, is the suggestion.")
    if last_step:
        said += " The loss was still falling at the last step, so a higher rate may work too."
    return said
