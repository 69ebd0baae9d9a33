"""Diverging colour map of the network diagram: blue for positive, orange for negative, white at zero."""
from __future__ import annotations

import numpy as np
from PySide6.QtGui import QImage

POSITIVE = np.array([33, 118, 210], dtype=np.float32)
NEGATIVE = np.array([240, 120, 20], dtype=np.float32)
WHITE = np.array([252, 252, 252], dtype=np.float32)


def diverging_rgb(v: np.ndarray) -> np.ndarray:
    """Values in [-1, 1] -> uint8 RGB (..., 3): |v| blends white towards blue (v > 0) or orange (v < 0)."""
    v = np.clip(np.asarray(v, dtype=np.float32), -1, 1)[..., None]
    end = np.where(v >= 0, POSITIVE, NEGATIVE)
    return np.round(WHITE + (end - WHITE) * np.abs(v)).astype(np.uint8)


def diverging_qimage(v: np.ndarray) -> QImage:
    """A (h, w) array in [-1, 1] as an owned RGB888 QImage."""
    rgb = np.ascontiguousarray(diverging_rgb(v))
    h, w = rgb.shape[:2]
    return QImage(rgb.data, w, h, 3 * w, QImage.Format_RGB888).copy()
