"""A seeded, class-stratified train/validation split."""
from __future__ import annotations

import numpy as np

from ..errors import DataError


def stratified_split(X: np.ndarray, y: np.ndarray, val_fraction: float, seed: int = 0):
    """(X_tr, y_tr, X_val, y_val): each class keeps round(val_fraction * its count) samples for validation.

    Both parts come out shuffled (seeded), so class-grouped files such as the bundled sample are mixed.
    """
    if not 0 <= val_fraction < 1:
        raise DataError(f"The validation fraction must be between 0 and 1 (got {val_fraction}).")
    y = np.asarray(y)
    rng = np.random.default_rng(seed)
    order = rng.permutation(len(y))
    order = order[np.argsort(y[order], kind="stable")]            # grouped by class, shuffled within
    classes, starts, counts = np.unique(y[order], return_index=True, return_counts=True)
    rank = np.arange(len(y)) - np.repeat(starts, counts)          # position within its class
    n_val = np.floor(val_fraction * counts + 0.5).astype(np.int64)
    is_val = rank < np.repeat(n_val, counts)
    val_idx = rng.permutation(order[is_val])
    tr_idx = rng.permutation(order[~is_val])
    return X[tr_idx], y[tr_idx], X[val_idx], y[val_idx]
