"""Series: a float buffer that grows by doubling, so a live curve appends without copying what it holds."""
from __future__ import annotations

import numpy as np


class Series:
    """A float buffer that grows by doubling; .view is the filled part (no copy)."""

    def __init__(self, capacity: int = 1024):
        self.data = np.empty(capacity, np.float64)
        self.n = 0

    def extend(self, values) -> None:
        values = np.asarray(values, np.float64).reshape(-1)
        if self.n + values.size > self.data.size:
            bigger = np.empty(max(2 * self.data.size, self.n + values.size), np.float64)
            bigger[:self.n] = self.data[:self.n]
            self.data = bigger
        self.data[self.n:self.n + values.size] = values
        self.n += values.size

    @property
    def view(self) -> np.ndarray:
        return self.data[:self.n]
