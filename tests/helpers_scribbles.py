"""Seeded scribbles: random pen strokes that are no digit, read through the pad's own path (engine.drawn.render_digit:
stroke layout, rasterisation and preprocessing, which tests match against the pad's QPainter).

Half are zigzags (one stroke through 6-14 points uniform in a square: lines crossing every way), half are tangles
(2-3 strokes, each a random walk of 10-30 steps whose heading turns by up to 90 degrees a step).
"""
from __future__ import annotations

import numpy as np

from engine.drawn import render_digit


def zigzag(rng) -> list:
    return [rng.random((int(rng.integers(6, 15)), 2)) * 100]


def tangle(rng) -> list:
    strokes = []
    for _ in range(int(rng.integers(2, 4))):
        n = int(rng.integers(10, 31))
        heading = rng.uniform(0, 2 * np.pi) + np.cumsum(rng.uniform(-np.pi / 2, np.pi / 2, n))
        steps = np.stack([np.cos(heading), np.sin(heading)], axis=1) * 8
        strokes.append(rng.random(2) * 60 + np.cumsum(steps, axis=0))
    return strokes


def scribbles(n: int = 200, seed: int = 0) -> np.ndarray:
    """(n, 784) float32: n scribbles as the pad would feed them to the network."""
    rng = np.random.default_rng(seed)
    images = [render_digit((zigzag if i % 2 == 0 else tangle)(rng)) for i in range(n)]
    return np.stack([im.reshape(-1) for im in images]).astype(np.float32)
