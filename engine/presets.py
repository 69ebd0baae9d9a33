"""Named training presets: the defaults each use of the engine starts from, owned here once.

  app_digits   the app's First Start on the digits: Adam 0.004, batch 128, cosine, 40 epochs, augmentation;
               with DIGIT_SPEC (784-256-10) on DIGIT_DATASET it reads 99 % of drawn digits by writers it
               never saw and 97.6 % of the MNIST test set (docs/drawn-digits.md)
  cli_plain    `python -m engine train`: momentum 0.05, constant rate, 20 epochs
  cli_augment  `python -m engine train --augment`: Adam 0.001, cosine, 30 epochs (>= 97 % on the sample)
  playground   two-input and one-input generated sets (PLAYGROUND[name]): Adam, small batches, no augmentation
DIGIT_SPEC is the network the app starts with, DIGIT_DATASET the data set (load_dataset's name). PRESETS holds shared instances: use preset(name) for a copy
to change.
"""
from __future__ import annotations

import copy
import dataclasses

from .config import TrainConfig
from .errors import SpecError

PRESETS = {
    "app_digits": TrainConfig(optimizer="adam", lr=0.004, momentum=0.9, batch_size=128, epochs=40,
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

# 256 units: the drawn digits in the training data cost 128 units 0.3 points of MNIST accuracy; 256 win it back
DIGIT_SPEC = {"input_size": 784,
              "layers": [{"units": 256, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
              "loss": "cross_entropy", "seed": 0}
DIGIT_DATASET = "sample+drawn"     # the MNIST sample plus pen-drawn digits by writers never used to evaluate



@dataclasses.dataclass(frozen=True)
class PlaygroundPreset:
    """What a generated set starts with: its data (points, noise), a network that can learn it, the output and
    loss its task needs (softmax + cross-entropy for classes, a linear output + MSE for numbers) and training."""
    config: TrainConfig
    hidden: tuple = ((8, "tanh"),)
    output: str = "softmax"
    loss: str = "cross_entropy"
    points: int = 200
    noise: float = 0.1

    def spec(self, input_size: int, n_outputs: int, seed: int = 0) -> dict:
        layers = [{"units": u, "activation": a} for u, a in self.hidden]
        return {"input_size": input_size, "layers": layers + [{"units": n_outputs, "activation": self.output}],
                "loss": self.loss, "seed": seed}


def _toy(epochs: int, lr: float = 0.03) -> TrainConfig:
    return TrainConfig(optimizer="adam", lr=lr, batch_size=16, epochs=epochs, schedule="constant",
                       val_fraction=0.0, augment=False, probe_every=10)


PLAYGROUND = {
    "xor": PlaygroundPreset(_toy(300)),
    "circles": PlaygroundPreset(_toy(300)),
    "spiral": PlaygroundPreset(_toy(500), hidden=((16, "relu"), (16, "relu")), points=400, noise=0.02),
    "blobs": PlaygroundPreset(_toy(100), hidden=()),
    "moons": PlaygroundPreset(_toy(300)),
    "sin": PlaygroundPreset(_toy(500, 0.01), hidden=((16, "tanh"),), output="linear", loss="mse", noise=0.05),
    "abs": PlaygroundPreset(_toy(500, 0.01), hidden=((16, "relu"),), output="linear", loss="mse", noise=0.05),
    "step": PlaygroundPreset(_toy(500, 0.01), hidden=((16, "tanh"),), output="linear", loss="mse", noise=0.05),
}


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
