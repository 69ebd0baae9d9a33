"""Fair comparisons: variants of one run that differ in exactly one setting, run from the same start, and the
results row of any finished run.

Fair means: the same seed for the weights (spec["seed"]) and for the data (cfg.seed), so
  - the same initial weights, bit for bit, unless the setting changes a layer's initialiser (an "init"
    comparison, or a hidden activation from the ReLU family (He) to sigmoid/tanh (Xavier) or back): then the
    same seed, so the same random draws scaled differently (same_start tells which);
  - the same dropout masks when the rates are the same (the Trainer's mask generator is seeded by cfg.seed);
  - the same data order: the Trainer shuffles each epoch with a generator seeded by cfg.seed (and splits off the
    same validation rows), so every variant sees the samples in the same order; only how many make one step
    differs (stochastic GD 1, mini-batch GD batch_size, batch GD all).
The other settings are copied from the base.

For the app (run the variants one after another on the worker thread, like any training run):
    vs = variants(spec, cfg, "activation", ["sigmoid", "tanh", "relu", "leaky_relu"])   # 2 to 4 values
    comparison = Comparison(vs, X, y, X_test, y_test, setting="activation")
    for index, event in comparison.run(): ...     # each run's training events, then a VariantDone (its row)
    comparison.stop()                             # from any thread: ends the current run, skips the rest
    row = run_record(history, cfg, n_train, label=..., ...)          # any finished run, compared or not
    varied("optimizer", vs)      # 'optimizer (SGD, batch GD, mini-batch GD)': a compared row's "setting"
    axes = curve_axes(history, cfg, n_train)                         # x of each epoch: epochs, steps, seconds
Settings: SETTINGS (optimizer: sgd / bgd / minibatch or any OPTIMIZERS name; activation: every hidden layer;
loss; lr; batch_size; weight_decay; dropout: every hidden layer's rate; init: every layer's initialiser, a name
or (name, init_scale)); labels from the registries. A bad value is a SpecError with a sentence.
"""
from __future__ import annotations

import copy
import dataclasses
import math
from dataclasses import dataclass
from typing import NamedTuple

import numpy as np

from .activations import ACTIVATIONS
from .config import TrainConfig
from .errors import SpecError
from .events import BatchStats, Finished
from .initializers import INITIALIZERS, layer_initializer
from .losses import LOSSES
from .network import Network
from .optimizers import OPTIMIZERS
from .quiet import quiet_float
from .spec import validate_spec
from .training import Trainer

SETTINGS = {"optimizer": "Optimizer", "activation": "Hidden activation", "loss": "Loss",
            "lr": "Learning rate", "batch_size": "Batch size", "weight_decay": "Weight decay",
            "dropout": "Dropout rate", "init": "Initialiser"}
OUTPUT_FOR_LOSS = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}   # losses that need one
MIN_VARIANTS, MAX_VARIANTS = 2, 4


class Variant(NamedTuple):
    label: str              # the varied setting's value: 'SGD', 'ReLU', '0.003', '64'
    spec: dict
    cfg: TrainConfig


def variants(base_spec: dict, base_cfg: TrainConfig, setting: str, values) -> list[Variant]:
    """One Variant per value, in order, each the base with only `setting` changed (see the module docstring)."""
    if setting not in SETTINGS:
        raise SpecError(f"Cannot compare {setting!r}; choose one of {', '.join(SETTINGS)}.")
    values = list(values)
    if not MIN_VARIANTS <= len(values) <= MAX_VARIANTS:
        raise SpecError(f"A comparison runs {MIN_VARIANTS} to {MAX_VARIANTS} variants (got {len(values)}).")
    if len({repr(v) for v in values}) != len(values):
        raise SpecError(f"Each variant needs its own {SETTINGS[setting].lower()}: {values} repeats one.")
    spec, cfg = validate_spec(base_spec), base_cfg.validate()
    return [_variant(spec, cfg, setting, v) for v in values]


def _variant(spec, cfg, setting, value) -> Variant:
    return VARY[setting](copy.deepcopy(spec), cfg, value)


def _optimizer(spec, cfg, value) -> Variant:
    _need(value in OPTIMIZERS, f"Unknown optimizer {value!r}; choose one of {', '.join(OPTIMIZERS)}.")
    return Variant(OPTIMIZERS[value].label, spec, dataclasses.replace(cfg, optimizer=value))


def _activation(spec, cfg, value) -> Variant:
    ok = [n for n, a in ACTIVATIONS.items() if a.hidden_ok]
    _need(value in ok, f"Unknown hidden activation {value!r}; choose one of {', '.join(ok)}.")
    for layer in _hidden(spec, "hidden activation"):
        layer["activation"] = value
        layer.pop("alpha", None)
    return Variant(ACTIVATIONS[value].label, validate_spec(spec), cfg)


def _loss(spec, cfg, value) -> Variant:
    _need(value in LOSSES, f"Unknown loss {value!r}; choose one of {', '.join(LOSSES)}.")
    spec["loss"] = value
    if value in OUTPUT_FOR_LOSS:
        spec["layers"][-1]["activation"] = OUTPUT_FOR_LOSS[value]
    return Variant(LOSSES[value].label, validate_spec(spec), cfg)


def _lr(spec, cfg, value) -> Variant:
    new = dataclasses.replace(cfg, lr=value, min_lr=min(cfg.min_lr, value) if _real(value) else cfg.min_lr)
    return Variant(_number_label(value), spec, new.validate())


def _batch_size(spec, cfg, value) -> Variant:
    _need(cfg.optimizer not in ("sgd", "bgd"), f"{OPTIMIZERS[cfg.optimizer].label} fixes its own batch size; "
          "compare batch sizes with a mini-batch optimizer (mini-batch GD, momentum, Adam ...).")
    return Variant(str(value), spec, dataclasses.replace(cfg, batch_size=value).validate())


def _weight_decay(spec, cfg, value) -> Variant:
    return Variant(_number_label(value), spec, dataclasses.replace(cfg, weight_decay=value).validate())


def _dropout(spec, cfg, value) -> Variant:
    """Every hidden layer's dropout rate set to `value` (0: none)."""
    for layer in _hidden(spec, "dropout rate"):
        layer["dropout"] = value
    return Variant(_number_label(value), validate_spec(spec), cfg)


def _init(spec, cfg, value) -> Variant:
    """Every layer's initialiser set to `value`: a registry name, or (name, init_scale) for a scaled one."""
    name, scale = value if isinstance(value, (tuple, list)) and len(value) == 2 else (value, None)
    _need(isinstance(name, str) and name in INITIALIZERS,
          f"Unknown initialiser {name!r}; choose one of {', '.join(INITIALIZERS)}.")
    for layer in spec["layers"]:
        layer["init"] = name
        if INITIALIZERS[name].uses_scale and scale is not None:
            layer["init_scale"] = scale
        elif not INITIALIZERS[name].uses_scale:
            layer.pop("init_scale", None)
    spec = validate_spec(spec)
    label = INITIALIZERS[name].label
    if INITIALIZERS[name].uses_scale:
        label = f"{label.split(' (')[0]} σ = {spec['layers'][0]['init_scale']:g}"
    return Variant(label, spec, cfg)


VARY = {"optimizer": _optimizer, "activation": _activation, "loss": _loss, "lr": _lr, "batch_size": _batch_size,
        "weight_decay": _weight_decay, "dropout": _dropout, "init": _init}


def _hidden(spec, what: str) -> list:
    _need(len(spec["layers"]) > 1, f"This network has no hidden layer, so there is no {what} to compare.")
    return spec["layers"][:-1]


def _number_label(value) -> str:
    return f"{value:g}" if _real(value) else str(value)


def varied(setting: str, vs: list[Variant]) -> str:
    """What a comparison varied, with its values: 'optimizer (SGD, batch GD, mini-batch GD)'."""
    name = SETTINGS.get(setting, setting)
    return f"{name[:1].lower()}{name[1:]} ({', '.join(v.label for v in vs)})"


def same_start(spec_a: dict, spec_b: dict) -> bool:
    """True if the two networks start from bit-identical weights: the same layer sizes, seed and initialisers."""
    def start(spec):
        s = validate_spec(spec)
        return (s["input_size"], s["seed"],
                [(l["units"], layer_initializer(l), l.get("init_scale")) for l in s["layers"]])
    return start(spec_a) == start(spec_b)


# --- running them --------------------------------------------------------------------------------------------------
@dataclass
class VariantDone:
    """The end of one variant's run: its results row and its trained network."""
    index: int
    record: dict
    net: Network


class Comparison:
    """Trains each variant in turn from a fresh Network(spec). run() yields (index, event) for every training
    event and (index, VariantDone) after each run; stop() (any thread) ends the current run and skips the rest."""

    def __init__(self, vs: list[Variant], X, y, X_test=None, y_test=None, setting: str = "", dtype="float32"):
        self.variants, self.X, self.y, self.X_test, self.y_test = vs, X, y, X_test, y_test
        self.setting, self.dtype = setting, dtype
        self.trainer = None
        self._stopped = False

    def stop(self) -> None:
        self._stopped = True
        trainer = self.trainer
        if trainer is not None:
            trainer.stop()

    def run(self):
        for i, v in enumerate(self.variants):
            if self._stopped:
                return
            net = Network(v.spec, self.dtype)
            self.trainer = Trainer(net, v.cfg, self.X, self.y)
            fin, steps = None, 0
            for event in self.trainer.run():
                if isinstance(event, Finished):
                    fin = event
                elif isinstance(event, BatchStats):
                    steps += 1
                yield i, event
            test_loss, test_acc = scores(net, self.X_test, self.y_test) if self.X_test is not None else (None, None)
            record = run_record(fin.history, v.cfg, self.trainer.n_train, label=v.label,
                                setting=varied(self.setting, self.variants) if self.setting else "",
                                test_loss=test_loss, test_accuracy=test_acc, finished=fin, steps=steps)
            yield i, VariantDone(i, record, net)


SCORE_WORK = 5e9     # rows x parameters per chunk (~0.1-0.3 s on one core): a caller may stop between chunks


@quiet_float
def scores(net, X, y, chunk: int | None = None, stop=None) -> tuple[float | None, float | None]:
    """(mean loss, accuracy) of the network on a data set, one forward pass per chunk of rows; (None, None) if
    stop() says so between two chunks (a closing window does not wait for a 20M-weight network's test set)."""
    chunk = chunk or int(max(64, min(4096, SCORE_WORK // max(net.n_params, 1))))
    total, hits = 0.0, 0
    for s in range(0, len(X), chunk):
        if stop is not None and stop():
            return None, None
        Xc, yc = net.as_inputs(X[s:s + chunk]), np.asarray(y[s:s + chunk])
        zs, acts = net.forward_trace(Xc)
        total += net.loss_fn.value(zs[-1], acts[-1], net.targets(yc, len(Xc))) * len(Xc)
        hits += int(np.count_nonzero(net.classes(acts[-1]) == (yc if yc.ndim == 1 else yc.argmax(axis=1))))
    return total / len(X), hits / len(X)


# --- results rows and curve axes -------------------------------------------------------------------------------------
def steps_per_epoch(cfg, n_train: int) -> int:
    """Optimizer steps in one epoch: batch GD 1, stochastic GD n_train, mini-batch ceil(n_train / batch_size)."""
    return math.ceil(n_train / samples_per_step(cfg, n_train))


def curve_axes(history, cfg, n_train: int) -> dict:
    """The x of each epoch's point three ways: {"epochs": [1, 2, ...], "steps": [...], "seconds": [...]}."""
    per = steps_per_epoch(cfg, n_train)
    epochs = [int(h["epoch"]) for h in history]
    return {"epochs": epochs, "steps": [e * per for e in epochs], "seconds": [float(h["elapsed"]) for h in history]}


def run_record(history, cfg, n_train: int, *, label: str = "", setting: str = "", test_loss=None,
               test_accuracy=None, finished=None, steps: int | None = None) -> dict:
    """One results-table row from a run's epoch history (the last epoch's numbers). steps: the optimizer steps
    counted while it ran (BatchStats events); None counts whole epochs, each steps_per_epoch."""
    last = history[-1] if history else {}
    epochs = len(history)
    return {"label": label, "setting": SETTINGS.get(setting, setting), "optimizer": cfg.optimizer, "lr": cfg.lr,
            "batch_size": samples_per_step(cfg, n_train), "train_loss": last.get("train_loss"),
            "train_accuracy": last.get("train_accuracy"), "val_loss": last.get("val_loss"),
            "val_accuracy": last.get("val_accuracy"), "test_loss": test_loss, "test_accuracy": test_accuracy,
            "epochs": epochs, "steps": epochs * steps_per_epoch(cfg, n_train) if steps is None else steps,
            "seconds": float(last.get("elapsed", 0.0)),
            "outcome": getattr(finished, "reason", None) or ("completed" if history else "stopped")}


def samples_per_step(cfg, n_train: int) -> int:
    """The number of samples per step the run used."""
    return min({"sgd": 1, "bgd": n_train}.get(cfg.optimizer, cfg.batch_size), n_train)


def _real(v) -> bool:
    return isinstance(v, (int, float, np.integer, np.floating)) and not isinstance(v, bool) and math.isfinite(v)


def _need(ok, message):
    if not ok:
        raise SpecError(message)
