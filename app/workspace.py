"""Workspace: everything one mode (Digits or Playground) is working on, kept while the other mode is shown.

The app's model (AppState) holds one workspace per mode and shows the current one's fields as its own; switching
modes swaps which workspace is current and nothing in either is discarded: network, its optimizer memory and
step position, results, runs, settings, spec and data set all come back exactly as they were left. Also what a
stored setting may be (sane_setting) and what a network's weights depend on (architecture).
"""
from __future__ import annotations

import copy
import dataclasses
import math
import numbers
from dataclasses import dataclass, field

from app import choices
from engine.presets import DIGIT_DATASET, PRESETS, digit_spec

DIGITS, PLAYGROUND = "digits", "playground"
MODES = (DIGITS, PLAYGROUND)
DEFAULT_SPEC = digit_spec()
DEFAULT_SETTINGS = dataclasses.asdict(PRESETS["app_digits"])


@dataclass
class Workspace:
    mode: str
    spec: dict = field(default_factory=lambda: copy.deepcopy(DEFAULT_SPEC))
    settings: dict = field(default_factory=lambda: dict(DEFAULT_SETTINGS))
    dataset_name: str = DIGIT_DATASET
    dataset_params: dict = field(default_factory=dict)   # a generated set's n, noise, seed, test_fraction
    dataset: object = None
    network: object = None
    trained: bool = False              # the network holds trained weights (or stepped ones)
    results: dict | None = None        # the network's test accuracy (or MSE), measured on `dataset_name`
    optimizer: object = None           # the network's optimizer memory (velocity, m, v, t) or None
    step_order: object = None          # where Step is in the seeded batch order (engine BatchOrder) or None
    runs: list = field(default_factory=list)
    run_ids: int = 0
    visited: bool = False              # the playground's first visit applies its default set's preset

    def has_work(self) -> bool:
        """Something here that settings cannot rebuild: trained weights, runs, step progress."""
        return (self.network is not None and self.trained) or bool(self.runs) or self.step_order is not None

    def __repr__(self) -> str:
        sizes = "-".join(str(n) for n in [self.spec["input_size"], *(l["units"] for l in self.spec["layers"])])
        return (f"Workspace({self.mode}: {sizes} on {self.dataset_name}, "
                f"{'trained' if self.trained else 'untrained' if self.network is not None else 'no'} network, "
                f"{len(self.runs)} runs)")


def sane_setting(name: str, value) -> bool:
    """A stored setting (a project or settings file may hold anything) of its default's kind and widget-sized."""
    default = DEFAULT_SETTINGS.get(name)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, numbers.Integral) and not isinstance(value, bool) and abs(value) < 2**31
    if isinstance(default, float):
        return (isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
                and abs(value) < 1e12)
    if name in ("optimizer", "schedule") and not isinstance(value, str):
        return False                                        # a list or dict from a forged file is not a name
    if name == "optimizer":
        return value in choices.optimizers()
    if name == "schedule":
        return value in choices.schedules()
    return True


def architecture(spec: dict) -> tuple:
    """What a network's weights depend on: sizes, activations (and leaky ReLU's slope) and the loss; not the seed."""
    layers = tuple((int(l["units"]), l["activation"], l.get("alpha", 0.01) if l["activation"] == "leaky_relu"
                    else None) for l in spec["layers"])
    return int(spec["input_size"]), layers, spec.get("loss")


def network_architecture(net) -> tuple:
    return architecture(net.to_spec())
