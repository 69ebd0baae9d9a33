"""Named training presets: the defaults each use of the engine starts from, owned here once.

  app_digits   the app's First Start on the digits: Adam 0.003, cosine, 40 epochs, augmentation
               (reaches >= 96 % test accuracy on the bundled sample)
  cli_plain    `python -m engine train`: momentum 0.05, constant rate, 20 epochs
  cli_augment  `python -m engine train --augment`: Adam 0.001, cosine, 30 epochs (>= 97 % on the sample)
DIGIT_SPEC is the network the app starts with. PRESETS holds shared instances: use preset(name) for a copy
to change.
"""
from __future__ import annotations

import copy
import dataclasses

from .config import TrainConfig
from .errors import SpecError

PRESETS = {
    "app_digits": TrainConfig(optimizer="adam", lr=0.003, momentum=0.9, batch_size=64, epochs=40,
                              weight_decay=0.0, schedule="cosine", step_size=10, gamma=0.5, min_lr=0.0,
                              val_fraction=0.1, patience=0, seed=0, augment=True, probe_every=50),
    "cli_plain": TrainConfig(optimizer="momentum", lr=0.05, momentum=0.9, batch_size=64, epochs=20,
                             schedule="constant", val_fraction=0.0),
    "cli_augment": TrainConfig(optimizer="adam", lr=1e-3, momentum=0.9, batch_size=64, epochs=30,
                               schedule="cosine", val_fraction=0.0, augment=True),
}

# The learning rate to start from when an optimizer is chosen without one: adaptive rules need a smaller one
OPTIMIZER_LR = {"adam": 1e-3, "rmsprop": 1e-3}
DEFAULT_LR = 0.05

DIGIT_SPEC = {"input_size": 784,
              "layers": [{"units": 128, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
              "loss": "cross_entropy", "seed": 0}


def preset(name: str) -> TrainConfig:
    """A fresh copy of a named preset (SpecError with the known names if there is none)."""
    if name not in PRESETS:
        raise SpecError(f"Unknown preset {name!r}; choose one of {', '.join(PRESETS)}.")
    return dataclasses.replace(PRESETS[name])


def digit_spec() -> dict:
    """A fresh copy of the app's starting network spec."""
    return copy.deepcopy(DIGIT_SPEC)


def starting_lr(optimizer: str) -> float:
    return OPTIMIZER_LR.get(optimizer, DEFAULT_LR)
