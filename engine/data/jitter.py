"""Augmentation for inputs that are not images (the playground's points, a table's columns): input jitter.

    x' = x + sigma_k * n,   n ~ N(0, 1) drawn anew for every sample, every feature and every step,
    sigma_k = JITTER * (the spread of feature k over the training rows)

Each step then sees the training points moved a little, never twice the same way: the network cannot learn one
point's exact place, so it learns the shape around it (noise injection, Bishop 1995: like L2 for small sigma).
"""
from __future__ import annotations

import numpy as np

JITTER = 0.25        # sigma as a share of each feature's standard deviation


class Jitter:
    """augmenter(xb (B, k) float32, rng) -> a new (B, k) float32 batch: every value moved by Gaussian noise."""

    def __init__(self, spread, share: float = JITTER):
        self.sigma = (np.asarray(spread, np.float32) * np.float32(share)).reshape(1, -1)

    @classmethod
    def fitted(cls, X, share: float = JITTER) -> "Jitter":
        """A jitter scaled to the training rows X (a constant feature is not moved)."""
        return cls(np.std(X, axis=0, dtype=np.float64), share)      # summed in float64, without a copy of X

    def __repr__(self) -> str:
        return f"Jitter(sigma={np.round(self.sigma.ravel(), 3).tolist()})"

    def __call__(self, xb: np.ndarray, rng: np.random.Generator) -> np.ndarray:
        noise = rng.standard_normal(xb.shape, dtype=np.float32)
        noise *= self.sigma
        noise += xb
        return noise
