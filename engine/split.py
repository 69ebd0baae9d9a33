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


def balanced_subset(labels, n: int, seed=0) -> np.ndarray:
    """Positions of n of the rows (labels: (n_rows,) class numbers), as equal a number of each class as there is
    (a class with too few rows gives all it has, the others share the rest), drawn with `seed` (what
    np.random.default_rng takes); sorted. n >= len(labels): every row.

    Each class's rows are shuffled and ranked; the subset takes rank 0 of every class, then rank 1, ..., so any
    n is as balanced as possible (the classes that get one more at the last rank are drawn with the seed too).
    """
    labels = np.asarray(labels)
    if n >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    rank = np.empty(len(labels), np.int64)
    for c in classes:
        rows = np.flatnonzero(labels == c)
        rank[rng.permutation(rows)] = np.arange(len(rows))
    priority = rng.permutation(len(classes))[np.searchsorted(classes, labels)]
    return np.sort(np.lexsort((priority, rank))[:n])
