"""Weight initialisers: how a layer's W is drawn before training. Biases always start at zero.

  xavier_uniform  U(-r, r), r = sqrt(6 / (fan_in + fan_out))     xavier_normal  N(0, 2 / (fan_in + fan_out))
  he_uniform      U(-r, r), r = sqrt(6 / fan_in)                 he_normal      N(0, 2 / fan_in)
  normal          N(0, s²), s = the layer's "init_scale"         zeros          every weight 0
Xavier/Glorot (for sigmoid, tanh, softmax, linear) and He (for relu, leaky_relu) keep the variance of the signal
roughly constant from layer to layer; `normal` with a fixed s shows what happens when it does not, and `zeros`
shows why weights must start different (every hidden unit computes the same thing and stays the same).
INITIALIZERS maps a name to its class; each class carries the teaching metadata the app reads (label, formula,
description), like the activations. `make_initializer(layer)` builds the one a (validated) layer dict asks for;
calling it, init(rng, fan_in, fan_out), draws W in float64 from the caller's seeded generator, so a seed gives
bit-identical weights (zeros draws nothing: the next layer's draws are unchanged by it).
"""
from __future__ import annotations

import numpy as np

DEFAULT_SCALE = 0.01        # "normal" without an init_scale: the classic "small random numbers"


class Initializer:
    name = "?"
    label = formula = description = ""      # each registered class fills them in
    uses_scale = False                      # reads the layer's "init_scale" (a standard deviation)

    def __init__(self, scale: float = DEFAULT_SCALE):
        self.scale = float(scale)

    def __call__(self, rng, fan_in: int, fan_out: int) -> np.ndarray:
        raise NotImplementedError

    def __repr__(self):
        return f"{type(self).__name__}({f'scale={self.scale:g}' if self.uses_scale else ''})"


class XavierUniform(Initializer):
    name, label = "xavier_uniform", "Xavier uniform"
    formula = "W ~ U(−r, r),  r = √(6 / (fan_in + fan_out))"
    description = "Glorot's range: keeps the signal's spread steady through sigmoid and tanh layers."

    def __call__(self, rng, fan_in, fan_out):
        r = np.sqrt(6.0 / (fan_in + fan_out))
        return rng.uniform(-r, r, size=(fan_in, fan_out))


class XavierNormal(Initializer):
    name, label = "xavier_normal", "Xavier normal"
    formula = "W ~ N(0, σ²),  σ = √(2 / (fan_in + fan_out))"
    description = "Glorot's spread drawn from a bell curve; for sigmoid and tanh layers."

    def __call__(self, rng, fan_in, fan_out):
        return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


class GlorotUniform(XavierUniform):
    name, label = "glorot_uniform", "Glorot uniform"
    description = "Another name for Xavier uniform (Xavier Glorot proposed it)."


class GlorotNormal(XavierNormal):
    name, label = "glorot_normal", "Glorot normal"
    description = "Another name for Xavier normal (Xavier Glorot proposed it)."


class HeUniform(Initializer):
    name, label = "he_uniform", "He uniform"
    formula = "W ~ U(−r, r),  r = √(6 / fan_in)"
    description = "Twice Xavier's variance: ReLU silences half the units, so the rest must carry the signal."

    def __call__(self, rng, fan_in, fan_out):
        r = np.sqrt(6.0 / fan_in)
        return rng.uniform(-r, r, size=(fan_in, fan_out))


class HeNormal(Initializer):
    name, label = "he_normal", "He normal"
    formula = "W ~ N(0, σ²),  σ = √(2 / fan_in)"
    description = "He's spread drawn from a bell curve; for ReLU and leaky ReLU layers."

    def __call__(self, rng, fan_in, fan_out):
        return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


class Normal(Initializer):
    name, label = "normal", "Normal (fixed σ)"
    formula = "W ~ N(0, σ²),  σ = init_scale"
    description = "The same spread whatever the layer's size: too small fades the signal, too large saturates it."
    uses_scale = True

    def __call__(self, rng, fan_in, fan_out):
        return rng.normal(0.0, self.scale, size=(fan_in, fan_out))


class Zeros(Initializer):
    name, label = "zeros", "Zeros"
    formula = "W = 0"
    description = "Every hidden unit starts the same, gets the same gradient and stays the same: no learning."

    def __call__(self, rng, fan_in, fan_out):
        return np.zeros((fan_in, fan_out))


INITIALIZERS = {cls.name: cls for cls in (XavierUniform, XavierNormal, GlorotUniform, GlorotNormal, HeUniform,
                                          HeNormal, Normal, Zeros)}


def default_initializer(activation: str) -> str:
    """He for the relu family (half the units are off), Xavier/Glorot for the rest."""
    return "he_uniform" if activation in ("relu", "leaky_relu") else "xavier_uniform"


def layer_initializer(layer: dict) -> str:
    """The initialiser's name a layer dict uses: its "init", else its activation's default."""
    return layer.get("init") or default_initializer(layer["activation"])


def make_initializer(layer: dict) -> Initializer:
    """The Initializer instance a (validated) layer dict asks for (init_scale for the scaled ones)."""
    return INITIALIZERS[layer_initializer(layer)](layer.get("init_scale", DEFAULT_SCALE))
