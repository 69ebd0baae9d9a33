"""TrainConfig: every training setting in one dataclass, validated with a sentence per mistake.

Named sets of values for particular uses (the app's digits, the CLI's runs) live in presets.py.
"""
from __future__ import annotations

import math
import numbers
from dataclasses import asdict, dataclass, fields

import numpy as np

from .errors import SpecError
from .optimizers import OPTIMIZERS
from .schedules import SCHEDULES


@dataclass
class TrainConfig:
    """Every training setting; validate() raises SpecError with a sentence for a setting that cannot work."""
    optimizer: str = "momentum"
    lr: float = 0.05
    momentum: float = 0.9
    batch_size: int = 64
    epochs: int = 20
    weight_decay: float = 0.0
    schedule: str = "constant"
    step_size: int = 10
    gamma: float = 0.5
    min_lr: float = 0.0
    val_fraction: float = 0.1
    patience: int = 0
    seed: int = 0
    augment: bool = False
    probe_every: int = 50

    def validate(self) -> "TrainConfig":
        def need(ok, msg):
            if not ok:
                raise SpecError(msg)
        num = lambda x: isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)
        whole = lambda x: isinstance(x, (int, np.integer)) and not isinstance(x, bool)
        need(isinstance(self.optimizer, str) and self.optimizer in OPTIMIZERS, f"Unknown optimizer {self.optimizer!r}; choose one of {', '.join(OPTIMIZERS)}.")
        need(isinstance(self.schedule, str) and self.schedule in SCHEDULES, f"Unknown schedule {self.schedule!r}; choose one of {', '.join(SCHEDULES)}.")
        need(num(self.lr) and self.lr > 0, f"The learning rate must be a number above 0 (got {self.lr!r}).")
        need(num(self.momentum) and 0 <= self.momentum < 1, f"Momentum must be in [0, 1) (got {self.momentum!r}).")
        need(whole(self.batch_size) and self.batch_size >= 1, f"The batch size must be a whole number >= 1 (got {self.batch_size!r}).")
        need(whole(self.epochs) and self.epochs >= 1, f"The number of epochs must be a whole number >= 1 (got {self.epochs!r}).")
        need(self.epochs <= 100_000, f"{self.epochs:,} epochs is more than the limit of 100,000.")
        need(num(self.weight_decay) and self.weight_decay >= 0, f"Weight decay must be >= 0 (got {self.weight_decay!r}).")
        need(whole(self.step_size) and self.step_size >= 1, f"The step size must be a whole number >= 1 (got {self.step_size!r}).")
        need(num(self.gamma) and 0 < self.gamma <= 1, f"The decay factor gamma must be in (0, 1] (got {self.gamma!r}).")
        need(num(self.min_lr) and 0 <= self.min_lr <= self.lr, f"min_lr must be between 0 and the learning rate (got {self.min_lr!r}).")
        need(num(self.val_fraction) and 0 <= self.val_fraction < 1, f"The validation fraction must be in [0, 1) (got {self.val_fraction!r}).")
        need(whole(self.patience) and self.patience >= 0, f"Patience must be a whole number >= 0 (got {self.patience!r}).")
        need(whole(self.seed) and self.seed >= 0, f"The seed must be a whole number >= 0 (got {self.seed!r}).")
        need(whole(self.probe_every) and self.probe_every >= 1, f"probe_every must be a whole number >= 1 (got {self.probe_every!r}).")
        need(isinstance(self.augment, (bool, np.bool_)), f"augment must be true or false (got {self.augment!r}).")
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
