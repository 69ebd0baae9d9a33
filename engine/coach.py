"""The coach: reads a run's curves and probes and names known patterns, each with its evidence in numbers and a
one-click fix. Pure functions, no Qt; hints never stop or change a run by themselves.

For the app (call from the session after each epoch and when the run ends; cheap, pure):
    found = hints(history, probes, cfg, n_classes, running, spec=spec, finished=fin, test_accuracy=acc)
    for h in found:  h.key, h.title, h.evidence, h.button, h.action, h.fix
    spec, cfg = apply(h, spec, cfg)          # the fix as a new spec and TrainConfig (inputs are not changed)
history   this run's epochs: EpochStats (or their to_dict()), or Finished.history (not net.history, which
          spans every run the network has had)
probes    BatchStats of the run (the probed ones carry grad_norms / dead_units, every cfg.probe_every batches)
          and/or UnitProbe records from probe_units(net, X, epoch): dead and saturated units on a few samples
          (the trainer does not measure saturation, and batch GD has one batch per epoch, so it is rarely probed)
finished  the run's Finished event (or its reason, e.g. "diverged"), None while it runs
A fix is a dict of TrainConfig fields ({"lr": 0.005}) plus, for the network, "hidden_activation" (every
hidden layer); `action` names it: lower_lr, raise_lr, more_epochs, find_lr, early_stopping, augment,
fewer_epochs, use_relu, use_leaky_relu.

The patterns, in the order they are listed:
  diverged     the run ended "diverged" (NaN / exploding loss): learning rate / 10
  lr_jump      an epoch's training loss > JUMP x the lowest before it (the first batch's loss counts):
               learning rate / 3
  loss_flat    after a few epochs the training loss is still > FLAT x epoch 1's (a one-epoch run: the first
               batch's): too high a rate (the loss went up on the way, or the rate is HIGH x its optimizer's
               usual one) -> / 10; otherwise too low -> x 10;
  more_epochs  the same in batch GD (one step per epoch) with a steadily falling loss, once the run ended
  chance       accuracy <= 1/k + CHANCE_MARGIN (test accuracy if known, else validation, else training)
  dead_relu    > HALF of a ReLU layer's units gave 0 for every sample of each probe of the last epoch
  saturated    > HALF of a sigmoid/tanh layer's units saturated (f'(z) < SATURATED x its peak) on
               >= MOSTLY of the probe samples
  overfitting  validation loss >= RISE x its best, MIN_EPOCHS or more epochs after the best, while the training
               loss fell below FLAT x its value then (and the best validation loss was below the first batch's
               loss: it had learned); not said when the rate was already found unstable
"""
from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass, field

import numpy as np

from .errors import DataError
from .presets import starting_lr
from .spec import validate_spec

CHANCE_MARGIN = 0.05
FLAT = 0.9           # "not falling": still above 90 % of where it started
JUMP = 1.5
TOLERANCE = 0.02     # an epoch's loss this much above the one before counts as going up
HALF = 0.5
SATURATED, MOSTLY = 0.05, 0.9
RISE = 1.05
MIN_EPOCHS = 3       # a running run is judged on its curves only after this many epochs
HIGH = 10.0          # a rate this many times its optimizer's usual starting rate counts as high
SQUASHING = ("sigmoid", "tanh")
UNSTABLE = ("diverged", "lr_jump", "loss_flat")


@dataclass(frozen=True)
class Hint:
    key: str             # stable id (see the module docstring)
    title: str           # a few words
    evidence: str        # what the run shows, in numbers
    button: str          # the one-click fix, as a button says it
    action: str
    fix: dict = field(default_factory=dict)


@dataclass
class UnitProbe:
    """Per hidden layer: units that output 0 for every probe sample, and units saturated on most of them."""
    epoch: int | None
    dead_units: list
    saturated_units: list
    samples: int


def probe_units(net, X, epoch: int | None = None, n: int = 256) -> UnitProbe:
    """Dead and saturated units of every hidden layer on the first n rows of X (one forward pass)."""
    if len(X) == 0:
        raise DataError("There are no samples to probe the units with.")
    zs, acts = net.forward_trace(np.asarray(X[:n], dtype=net.dtype))
    dead, saturated = [], []
    for layer, z, a in zip(net.layers[:-1], zs[:-1], acts[1:-1]):
        dead.append(int(np.count_nonzero(~a.any(axis=0))))
        if layer.activation.name in SQUASHING:
            peak = float(layer.activation.derivative(np.zeros(1, z.dtype))[0])
            flat = layer.activation.derivative(z) < SATURATED * peak
            saturated.append(int(np.count_nonzero(flat.mean(axis=0) >= MOSTLY)))
        else:
            saturated.append(0)
    return UnitProbe(epoch, dead, saturated, len(zs[0]))


def hints(history, probes, cfg, n_classes, running: bool, *, spec=None, finished=None,
          test_accuracy=None) -> list[Hint]:
    """Every pattern the run shows now (see the module docstring); [] for a healthy run."""
    run = _Run(history, probes or [], cfg, n_classes, running, spec, finished, test_accuracy)
    found = []
    for rule in (_diverged, _jump, _flat, _chance, _dead, _saturated, _overfitting):
        if rule is _overfitting and any(h.key in UNSTABLE for h in found):
            continue                         # an unstable run's validation curve says nothing about memorising
        if rule is _flat and found:
            continue                         # after a divergence or a jump it would say the same again
        hint = rule(run)
        if hint is not None:
            found.append(hint)
    return found


def apply(hint: Hint, spec: dict | None, cfg):
    """(spec, cfg) with the hint's fix applied: new objects, validated; the inputs are left as they were."""
    changes = dict(hint.fix)
    act = changes.pop("hidden_activation", None)
    new_spec = copy.deepcopy(spec)
    if act is not None and spec is not None:
        for layer in new_spec["layers"][:-1]:
            layer["activation"] = act
            layer.pop("alpha", None)
            layer.pop("init", None)          # the new activation's own initialiser (He or Xavier)
        new_spec = validate_spec(new_spec)
    if "lr" in changes:
        changes["min_lr"] = min(_get(cfg, "min_lr", 0.0), changes["lr"])
    if isinstance(cfg, dict):
        return new_spec, {**cfg, **changes}
    return new_spec, dataclasses.replace(cfg, **changes).validate()


# --- reading a run ---------------------------------------------------------------------------------------------
def _get(obj, name, default=None):
    if isinstance(obj, dict):
        return obj.get(name, default)
    return getattr(obj, name, default)


class _Run:
    """The facts every rule reads, gathered once."""

    def __init__(self, history, probes, cfg, n_classes, running, spec, finished, test_accuracy):
        self.h = [h if isinstance(h, dict) else h.to_dict() for h in history]
        self.train = [float(h["train_loss"]) for h in self.h]
        self.val = [h.get("val_loss") for h in self.h]
        self.probes, self.cfg, self.k, self.running = probes, cfg, n_classes, running
        self.spec = spec
        self.reason = finished if isinstance(finished, str) or finished is None else finished.reason
        self.message = "" if finished is None or isinstance(finished, str) else finished.message
        self.restored = getattr(finished, "restored_epoch", None)   # a divergence: the epoch gone back to
        self.test_accuracy = test_accuracy
        self.lr = float(self.h[-1]["lr"]) if self.h else float(_get(cfg, "lr", 0.0))
        self.base_lr = float(_get(cfg, "lr", self.lr))
        self.optimizer = str(_get(cfg, "optimizer", "momentum"))
        self.epochs_planned = int(_get(cfg, "epochs", len(self.h)) or len(self.h))

    @property
    def judged(self) -> bool:
        """Enough epochs to judge the curves (all of them once the run ended)."""
        return bool(self.h) and (not self.running or len(self.h) >= min(MIN_EPOCHS, self.epochs_planned))

    @property
    def high_lr(self) -> bool:
        return self.base_lr >= HIGH * starting_lr(self.optimizer)

    def first_loss(self) -> float | None:
        """The loss before learning: the first batch's, if the probes hold it."""
        for p in self.probes:
            if _get(p, "epoch") == 1 and _get(p, "batch") == 1 and _get(p, "loss") is not None:
                return float(_get(p, "loss"))
        return None

    def one_step_per_epoch(self) -> bool:
        counts = {_get(p, "n_batches") for p in self.probes if _get(p, "n_batches") is not None}
        return counts == {1} or (not counts and self.optimizer == "bgd")

    def hidden(self, names) -> list[tuple[int, int, str]]:
        """(index, units, activation) of the hidden layers whose activation is in names."""
        if self.spec is None:
            return []
        return [(i, int(l["units"]), l["activation"]) for i, l in enumerate(self.spec["layers"][:-1])
                if l["activation"] in names]

    def last_epoch_probes(self, attr) -> list[list]:
        """The given per-layer counts from every probe of the latest probed epoch (probes without an epoch count
        as the latest)."""
        found = [(_get(p, "epoch"), _get(p, attr)) for p in self.probes if _get(p, attr) is not None]
        if not found:
            return []
        epochs = [e for e, _ in found if e is not None]
        last = max(epochs) if epochs else None
        return [v for e, v in found if e is None or e == last]


# --- the rules: each returns a Hint or None ----------------------------------------------------------------------
def _rate(run) -> str:
    """The run's learning rate as its fix reads it (the setting), and where a schedule had taken it by the end."""
    scheduled = "" if math.isclose(run.lr, run.base_lr, rel_tol=1e-3) else f" (the schedule's {run.lr:.3g} by then)"
    return f"{run.base_lr:.3g}{scheduled}"


def _lower(run, factor, button_words="Lower the learning rate") -> tuple[str, dict]:
    new = run.base_lr / factor
    return f"{button_words} to {new:.3g}", {"lr": new}


def _diverged(run):
    if run.reason != "diverged":
        return None
    button, fix = _lower(run, 10)
    evidence = run.message or f"The loss became NaN or exploded at a learning rate of {_rate(run)}."
    back = run.restored
    where = (" The weights went back to where this run started: no epoch had ended with a sound loss." if back == 0
             else f" The weights went back to the end of epoch {back}, the last good one." if back
             else " The weights went back to the last good epoch.")
    return Hint("diverged", "The loss diverged: the learning rate is too high", evidence + where, button,
                "lower_lr", fix)


def _jump(run):
    """The largest rise of an epoch's training loss over the lowest loss before it (the first batch counts)."""
    first = run.first_loss()
    refs = ([(first, "the first batch")] if first is not None else []) + \
        [(loss, f"epoch {e}") for e, loss in enumerate(run.train, 1)]
    worst, lowest = None, None
    for i in range(1, len(refs)):
        if lowest is None or refs[i - 1][0] < lowest[0]:      # the lowest loss before i, kept as we go
            lowest = refs[i - 1]
        (low, where), loss = lowest, refs[i][0]
        if loss > JUMP * low and (worst is None or loss / low > worst[0]):
            worst = (loss / low, low, where, loss, refs[i][1])
    if worst is None:
        return None
    ratio, low, where, loss, at = worst
    button, fix = _lower(run, 3)
    return Hint("lr_jump", "The loss jumped up: the learning rate is probably too high",
                f"The training loss rose from {low:.3g} ({where}) to {loss:.3g} ({at}), {ratio:.1f} times higher, "
                f"at a learning rate of {_rate(run)}.", button, "lower_lr", fix)


def _flat(run):
    if not run.judged or run.reason == "diverged":
        return None
    n, last = len(run.train), run.train[-1]
    start, since = (run.train[0], "epoch 1") if n >= 2 else (run.first_loss(), "the first batch")
    if start is None or not (math.isfinite(last) and last > FLAT * start):
        return None
    change = f"{100 * abs(1 - last / start):.1f} % {'lower' if last <= start else 'higher'}"
    drop = f"the training loss went from {start:.4g} ({since}) to {last:.4g} (epoch {n}), {change}"
    rose = last > (1 + TOLERANCE) * start or any(b > (1 + TOLERANCE) * a for a, b in zip(run.train, run.train[1:]))
    if rose or run.high_lr:
        button, fix = _lower(run, 10)
        return Hint("loss_flat", "The loss is not falling: the learning rate is too high",
                    f"At a learning rate of {run.base_lr:.3g}, {drop}" + (", going up on the way." if rose else "."),
                    button, "lower_lr", fix)
    if run.one_step_per_epoch():
        if run.running:
            return None
        more = min(10 * run.epochs_planned, 100_000)
        return Hint("more_epochs", "Batch gradient descent needs more epochs",
                    f"Batch gradient descent takes one step per epoch: {n} epochs were {n} steps, and {drop}.",
                    f"Train for {more:,} epochs", "more_epochs", {"epochs": more})
    new = run.base_lr * 10
    return Hint("loss_flat", "The loss is falling too slowly: the learning rate is too low",
                f"At a learning rate of {run.base_lr:.3g}, {drop}.", f"Raise the learning rate to {new:.3g}",
                "raise_lr", {"lr": new})


def _chance(run):
    if run.k is None or run.k < 2 or not run.judged:
        return None
    which, acc = "test", run.test_accuracy
    if acc is None:
        which, acc = ("validation", run.h[-1].get("val_accuracy")) if run.h[-1].get("val_accuracy") is not None \
            else ("training", run.h[-1].get("train_accuracy"))
    if acc is None or acc > 1 / run.k + CHANCE_MARGIN:
        return None
    evidence = (f"{which.capitalize()} accuracy is {100 * acc:.1f} %: guessing among {run.k} classes gets "
                f"{100 / run.k:.0f} %, so the network has learned nothing useful yet.")
    if run.high_lr:
        button, fix = _lower(run, 10)
        return Hint("chance", "Accuracy at chance level", evidence + f" A learning rate of {run.base_lr:.3g} is "
                    f"high for {run.optimizer}.", button, "lower_lr", fix)
    return Hint("chance", "Accuracy at chance level", evidence + " Find a learning rate that makes the loss fall.",
                "Find a learning rate", "find_lr", {})


def _mostly(run, activations, probe):
    """(i, units, act, fewest, probes) for the first hidden layer with one of `activations` where more than half
    the units were `probe` (dead, saturated) in every probe of the last probed epoch; None if there is none."""
    layers = run.hidden(activations)
    seen = run.last_epoch_probes(probe)
    for i, units, act in layers if seen else ():
        fewest = min((p[i] for p in seen if i < len(p)), default=None)
        if fewest is not None and fewest > HALF * units:
            return i, units, act, fewest, len(seen)
    return None


def _dead(run):
    found = _mostly(run, ("relu",), "dead_units")
    if found is None:
        return None
    i, units, _, fewest, probes = found
    evidence = (f"{100 * fewest / units:.0f} % of hidden-{i + 1} units ({fewest} of {units}) gave 0 for every sample "
                f"of each probe batch of the last probed epoch ({probes} probe{'s' * (probes > 1)}); "
                "a dead ReLU gets no gradient and never learns again.")
    if run.high_lr:
        button, fix = _lower(run, 10)
        return Hint("dead_relu", "Most ReLU units are dead", evidence, button, "lower_lr", fix)
    return Hint("dead_relu", "Most ReLU units are dead", evidence + " Leaky ReLU keeps a small slope below 0.",
                "Use leaky ReLU", "use_leaky_relu", {"hidden_activation": "leaky_relu"})


def _saturated(run):
    found = _mostly(run, SQUASHING, "saturated_units")
    if found is None:
        return None
    i, units, act, fewest, _ = found
    evidence = (f"{100 * fewest / units:.0f} % of hidden-{i + 1} {act} units ({fewest} of {units}) sat on "
                f"a flat end of the curve (slope under {100 * SATURATED:.0f} % of its peak) for "
                f"{100 * MOSTLY:.0f} % or more of the probe samples, so almost no gradient passes them.")
    if run.high_lr:
        button, fix = _lower(run, 10)
        return Hint("saturated", f"Most {act} units are saturated", evidence, button, "lower_lr", fix)
    return Hint("saturated", f"Most {act} units are saturated", evidence + " ReLU does not saturate above 0.",
                "Use ReLU", "use_relu", {"hidden_activation": "relu"})


def _overfitting(run):
    val = [v for v in run.val if v is not None]
    if len(val) != len(run.val) or len(val) < 3:
        return None
    best = int(np.argmin(val))
    last, first = len(val) - 1, run.first_loss()
    if last - best < MIN_EPOCHS or not val[last] >= RISE * val[best] or not run.train[last] < FLAT * run.train[best]:
        return None
    if first is not None and not val[best] < first:
        return None                          # it never learned: a rising validation loss is not memorising
    evidence = (f"Validation loss rose from {val[best]:.3g} (epoch {best + 1}) to {val[last]:.3g} (epoch {last + 1}) "
                f"while training loss fell from {run.train[best]:.3g} to {run.train[last]:.3g}: the network is "
                "memorising the training set.")
    if not _get(run.cfg, "patience", 0):
        return Hint("overfitting", "Overfitting", evidence + " Early stopping keeps the best epoch's weights.",
                    "Stop early (patience 3)", "early_stopping", {"patience": 3})
    if not _get(run.cfg, "augment", False):          # images are warped, points jittered (engine/data/jitter.py)
        why = (" Augmentation shows new variants of every digit." if _square_images(run.spec) else
               " Augmentation moves every training point a little at each step, so none can be learnt by heart.")
        return Hint("overfitting", "Overfitting", evidence + why, "Turn on augmentation", "augment", {"augment": True})
    return Hint("overfitting", "Overfitting", evidence, f"Train for {best + 1} epochs", "fewer_epochs",
                {"epochs": best + 1})


def _square_images(spec) -> bool:
    n = int(spec["input_size"]) if spec else 0
    return n >= 64 and math.isqrt(n) ** 2 == n
