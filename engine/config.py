"""TrainConfig: every training setting in one dataclass, validated with a sentence per mistake.

Named sets of values for particular uses (the app's digits, the CLI's runs) live in presets.py.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, field, fields

import numpy as np

from .errors import SpecError
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES


def _number(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def _whole(x) -> bool:
    return isinstance(x, (int, np.integer)) and not isinstance(x, bool)


def setting(default, ok, problem: str):
    """A field with its rule: ok(value) must hold, else problem.format(v=value) is the sentence the user reads."""
    return field(default=default, metadata={"ok": ok, "problem": problem})


@dataclass
class TrainConfig:
    """Every training setting with its default and its rule; validate() raises SpecError with the broken rule's
    sentence."""
    optimizer: str = setting("momentum", lambda v: isinstance(v, str) and v in OPTIMIZERS,
                             "Unknown optimizer {v!r}; choose one of " + ", ".join(OPTIMIZERS) + ".")
    lr: float = setting(0.05, lambda v: _number(v) and v > 0, "The learning rate must be a number above 0 (got {v!r}).")
    momentum: float = setting(0.9, lambda v: _number(v) and 0 <= v < 1, "Momentum must be in [0, 1) (got {v!r}).")
    batch_size: int = setting(64, lambda v: _whole(v) and v >= 1,
                              "The batch size must be a whole number >= 1 (got {v!r}).")
    epochs: int = setting(20, lambda v: _whole(v) and v >= 1,
                          "The number of epochs must be a whole number >= 1 (got {v!r}).")
    weight_decay: float = setting(0.0, lambda v: _number(v) and v >= 0, "Weight decay must be >= 0 (got {v!r}).")
    schedule: str = setting("constant", lambda v: isinstance(v, str) and v in SCHEDULES,
                            "Unknown schedule {v!r}; choose one of " + ", ".join(SCHEDULES) + ".")
    step_size: int = setting(10, lambda v: _whole(v) and v >= 1,
                             "The step size must be a whole number >= 1 (got {v!r}).")
    gamma: float = setting(0.5, lambda v: _number(v) and 0 < v <= 1,
                           "The decay factor gamma must be in (0, 1] (got {v!r}).")
    min_lr: float = setting(0.0, lambda v: _number(v) and v >= 0,
                            "min_lr must be between 0 and the learning rate (got {v!r}).")
    val_fraction: float = setting(0.1, lambda v: _number(v) and 0 <= v < 1,
                                  "The validation fraction must be in [0, 1) (got {v!r}).")
    patience: int = setting(0, lambda v: _whole(v) and v >= 0, "Patience must be a whole number >= 0 (got {v!r}).")
    seed: int = setting(0, lambda v: _whole(v) and v >= 0, "The seed must be a whole number >= 0 (got {v!r}).")
    augment: bool = setting(False, lambda v: isinstance(v, (bool, np.bool_)),
                            "augment must be true or false (got {v!r}).")
    probe_every: int = setting(50, lambda v: _whole(v) and v >= 1,
                               "probe_every must be a whole number >= 1 (got {v!r}).")
    # how many training samples to use: a seeded, class-balanced subset of the rows left after the validation
    # split (train_rows.py says why after); 0 uses them all
    train_subset: int = setting(0, lambda v: _whole(v) and v >= 0,
                                "The training subset must be a whole number of samples >= 0, 0 for all of them "
                                "(got {v!r}).")

    def validate(self) -> "TrainConfig":
        for f in fields(self):
            value = getattr(self, f.name)
            if not f.metadata["ok"](value):
                raise SpecError(f.metadata["problem"].format(v=value))
        if self.epochs > 100_000:
            raise SpecError(f"{self.epochs:,} epochs is more than the limit of 100,000.")
        if self.min_lr > self.lr:
            raise SpecError(f"min_lr must be between 0 and the learning rate (got {self.min_lr!r}).")
        return self

    def to_dict(self) -> dict:
        return asdict(self)

    @classmethod
    def from_dict(cls, d) -> "TrainConfig":
        """A validated TrainConfig from a plain dict (a settings or project file); SpecError with a sentence."""
        if not isinstance(d, dict):
            raise SpecError("Training settings must be a table of names and values, like {\"lr\": 0.01}.")
        unknown = set(d) - {f.name for f in fields(cls)}
        if unknown:
            raise SpecError(f"Unknown training setting(s): {', '.join(sorted(map(str, unknown)))}; "
                            f"known: {', '.join(f.name for f in fields(cls))}.")
        return cls(**d).validate()
