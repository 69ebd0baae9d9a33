"""Augment the next training batch on a helper thread while the current one trains.

Augmentation is gathers and arithmetic that NumPy runs without the GIL, so on a 2-core machine it overlaps
the BLAS work of the training step instead of adding to it. Every augmenter call runs on the one helper
thread, in batch order, so results stay seeded and deterministic (the augmenter reuses its buffers).
"""
from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import numpy as np


class AugmentPrefetcher:
    def __init__(self, augmenter, X: np.ndarray, rng: np.random.Generator, dtype):
        self.augmenter, self.X, self.rng, self.dtype = augmenter, X, rng, dtype
        self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="augment")
        self._key = None
        self._future = None

    def _job(self, idx: np.ndarray) -> np.ndarray:
        xb = self.X.take(idx, axis=0, mode="clip")
        return np.ascontiguousarray(self.augmenter(xb, self.rng), dtype=self.dtype)

    def submit(self, key, idx: np.ndarray) -> None:
        """Start augmenting the samples X[idx] (the batch that `key` names) in the background."""
        self._key, self._future = key, self._pool.submit(self._job, np.array(idx))

    def get(self, key, idx: np.ndarray) -> np.ndarray:
        """The augmented batch for `key`: the prefetched one if it matches, else computed now."""
        if self._key != key:
            if self._future is not None:
                self._future.result()            # discard a stale batch (e.g. the batch size changed)
            self.submit(key, idx)
        future, self._key, self._future = self._future, None, None
        return future.result()

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
