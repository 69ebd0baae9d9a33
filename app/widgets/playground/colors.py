"""Class colours and the heat map's colours: the network's output over the plane, softened so points stand out."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QColor

# blue, orange, green, purple, red, teal, brown, pink: readable on light and dark plot backgrounds
CLASS_COLORS = np.array([(33, 118, 210), (230, 110, 20), (46, 160, 67), (156, 39, 176), (211, 47, 47),
                         (0, 150, 136), (121, 85, 72), (216, 27, 96)], dtype=np.float32)
FIELD_STRENGTH = 0.55      # how far a certain cell moves from the background towards its class colour


def class_color(k: int) -> QColor:
    r, g, b = CLASS_COLORS[k % len(CLASS_COLORS)]
    return QColor(int(r), int(g), int(b))


def heat_rgb(probs: np.ndarray, background: QColor) -> np.ndarray:
    """(cells, cells, k) class probabilities -> (cells, cells, 3) uint8: each cell the background moved towards its
    classes' colours by how sure the network is (an even split stays the background: the boundary)."""
    k = probs.shape[-1]
    colors = CLASS_COLORS[np.arange(k) % len(CLASS_COLORS)]
    bg = np.array([background.red(), background.green(), background.blue()], np.float32)
    mix = probs @ colors                                   # the classes' colours weighted by their probability
    certainty = (probs.max(axis=-1, keepdims=True) - 1 / k) * k / (k - 1) if k > 1 else np.ones(probs.shape[:-1] + (1,))
    rgb = bg + FIELD_STRENGTH * np.clip(certainty, 0, 1) * (mix - bg)
    return np.clip(rgb, 0, 255).astype(np.uint8)


def value_rgb(values: np.ndarray, background: QColor, lo: float, hi: float) -> np.ndarray:
    """A neuron's output over the plane -> uint8 RGB: low values blue, high orange, the middle the background."""
    span = max(hi - lo, 1e-9)
    t = np.clip((values - lo) / span, 0, 1)[..., None] * 2 - 1      # -1 .. +1
    bg = np.array([background.red(), background.green(), background.blue()], np.float32)
    toward = np.where(t < 0, CLASS_COLORS[0], CLASS_COLORS[1])
    rgb = bg + 0.85 * np.abs(t) * (toward - bg)
    return np.clip(rgb, 0, 255).astype(np.uint8)
