"""Seeded, class-stratified train/validation split (every class keeps its share in both parts)."""
from __future__ import annotations

import numpy as np

from .errors import DataError


def stratified_split(X, y, val_fraction: float, seed: int = 0):
    """(X_tr, y_tr, X_val, y_val): about val_fraction of each class goes to validation, chosen by `seed`.

    y may be int labels (n,) or targets (n, k) (stratified by argmax). Order within each part is kept.
    """
    X, y = np.asarray(X), np.asarray(y)
    if not 0 < val_fraction < 1:
        raise DataError(f"The validation fraction must be between 0 and 1 (got {val_fraction}).")
    if len(X) != len(y):
        raise DataError(f"There are {len(X)} samples but {len(y)} labels.")
    classes = y.argmax(axis=1) if y.ndim == 2 and y.shape[1] > 1 else y.reshape(len(y), -1)[:, 0]
    rng = np.random.default_rng(seed)
    is_val = np.zeros(len(y), bool)
    for c in np.unique(classes):
        idx = np.flatnonzero(classes == c)
        k = int(round(len(idx) * val_fraction))
        is_val[rng.choice(idx, size=k, replace=False)] = True
    if not is_val.any() or is_val.all():
        raise DataError(f"Too few samples ({len(y)}) to keep {val_fraction:.0%} for validation.")
    return X[~is_val], y[~is_val], X[is_val], y[is_val]
