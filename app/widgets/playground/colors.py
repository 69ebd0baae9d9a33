"""Class colours and the heat maps' colours: the network's output over the plane, softened so points stand out.

Colours come from 256-entry lookup tables (one per background colour), so a 150x150 frame is one table lookup
instead of a dozen full-size array operations: it is drawn while training, many times a second.
"""
from __future__ import annotations

from functools import lru_cache

import numpy as np
from PySide6.QtGui import QColor

# blue, orange, green, purple, red, teal, brown, pink: readable on light and dark plot backgrounds
CLASS_COLORS = np.array([(33, 118, 210), (230, 110, 20), (46, 160, 67), (156, 39, 176), (211, 47, 47),
                         (0, 150, 136), (121, 85, 72), (216, 27, 96)], dtype=np.float32)
FIELD_STRENGTH = 0.55      # how far a certain cell moves from the background towards its class colour
NEURON_STRENGTH = 0.85     # the same for a neuron's map at the ends of its range
LEVELS = 256


def class_color(k: int) -> QColor:
    r, g, b = CLASS_COLORS[k % len(CLASS_COLORS)]
    return QColor(int(r), int(g), int(b))


def _rgb(background: QColor) -> tuple:
    return background.red(), background.green(), background.blue()


@lru_cache(maxsize=8)
def _ramp(bg: tuple, strength: float) -> np.ndarray:
    """(LEVELS, 3) uint8: class 0's colour at 0, the background in the middle, class 1's colour at the top."""
    t = np.linspace(-1.0, 1.0, LEVELS, dtype=np.float32)[:, None]
    toward = np.where(t < 0, CLASS_COLORS[0], CLASS_COLORS[1])
    bgv = np.array(bg, np.float32)
    return np.clip(bgv + strength * np.abs(t) * (toward - bgv), 0, 255).astype(np.uint8)


def _levels(t: np.ndarray) -> np.ndarray:
    """Values in [0, 1] -> table indices."""
    return np.clip(t * (LEVELS - 1) + 0.5, 0, LEVELS - 1).astype(np.intp)


def heat_rgb(probs: np.ndarray, background: QColor) -> np.ndarray:
    """(cells, cells, k) class probabilities -> (cells, cells, 3) uint8: each cell the background moved towards its
    classes' colours by how sure the network is (an even split stays the background: the boundary)."""
    k = probs.shape[-1]
    if k == 2:                                  # P(class 1) alone says both the colour and the certainty
        return _ramp(_rgb(background), FIELD_STRENGTH)[_levels(probs[..., 1])]
    colors = CLASS_COLORS[np.arange(k) % len(CLASS_COLORS)]
    bg = np.array(_rgb(background), np.float32)
    mix = probs @ colors                        # the classes' colours weighted by their probability
    certainty = (probs.max(axis=-1, keepdims=True) - 1 / k) * k / (k - 1) if k > 1 else np.ones(probs.shape[:-1] + (1,))
    rgb = bg + FIELD_STRENGTH * np.clip(certainty, 0, 1) * (mix - bg)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def value_rgb(values: np.ndarray, background: QColor, lo, hi) -> np.ndarray:
    """Neurons' outputs over the plane -> uint8 RGB: low values blue, high orange, the middle the background.
    lo and hi: numbers, or arrays that broadcast against `values` (one range per neuron)."""
    span = np.maximum(np.asarray(hi, np.float32) - lo, 1e-9)
    return _ramp(_rgb(background), NEURON_STRENGTH)[_levels((values - lo) / span)]
