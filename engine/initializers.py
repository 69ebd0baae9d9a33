"""Weight initialisers: Xavier/Glorot (for sigmoid, tanh, softmax, linear) and He (for relu, leaky_relu).

  xavier_uniform  U(-r, r), r = sqrt(6 / (fan_in + fan_out))     xavier_normal  N(0, 2 / (fan_in + fan_out))
  he_uniform      U(-r, r), r = sqrt(6 / fan_in)                 he_normal      N(0, 2 / fan_in)
Each keeps the variance of the signal roughly constant from layer to layer. Biases start at zero.
Draws are made in float64 from the caller's seeded generator, so a seed gives bit-identical weights.
"""
from __future__ import annotations

import numpy as np


def xavier_uniform(rng, fan_in, fan_out):
    r = np.sqrt(6.0 / (fan_in + fan_out))
    return rng.uniform(-r, r, size=(fan_in, fan_out))


def xavier_normal(rng, fan_in, fan_out):
    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))


def he_uniform(rng, fan_in, fan_out):
    r = np.sqrt(6.0 / fan_in)
    return rng.uniform(-r, r, size=(fan_in, fan_out))


def he_normal(rng, fan_in, fan_out):
    return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))


INITIALIZERS = {"xavier_uniform": xavier_uniform, "xavier_normal": xavier_normal,
                "glorot_uniform": xavier_uniform, "glorot_normal": xavier_normal,
                "he_uniform": he_uniform, "he_normal": he_normal}


def default_initializer(activation: str) -> str:
    """He for the relu family (half the units are off), Xavier/Glorot for the rest."""
    return "he_uniform" if activation in ("relu", "leaky_relu") else "xavier_uniform"
