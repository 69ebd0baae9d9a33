"""Which rows of the training data train and which validate, the same way for a run (training.py) and for Step
(step.py): the seeded, class-stratified validation split first, then cfg.train_subset's seeded, class-balanced
subset of the rows left.

The subset is drawn after the split so that the validation rows are the same whatever the subset's size: runs on
500 and on all digits are measured on the same held-out digits, and the gap between training and validation
accuracy (overfitting) is not hidden by a validation set of a few dozen noisy digits.
"""
from __future__ import annotations

import numpy as np

from .split import balanced_subset, stratified_split


def labels_of(y, Y) -> np.ndarray:
    """Class numbers for accuracy: the labels themselves, or the argmax of (n, k) targets."""
    y = np.asarray(y)
    if y.ndim == 1 and Y.shape[1] > 1:
        return y.astype(np.int64)
    return (Y[:, 0] > 0.5).astype(np.int64) if Y.shape[1] == 1 else Y.argmax(axis=1).astype(np.int64)


def is_regression(y, net) -> bool:
    """Numeric targets of one column (not 0/1 labels for a sigmoid + binary cross-entropy) are a regression."""
    y = np.asarray(y)
    return (y.ndim == 2 and y.shape[1] == 1 and np.issubdtype(y.dtype, np.floating)
            and net.loss_name != "binary_cross_entropy")


def split_indices(labels, val_fraction, seed):
    """(training rows, validation rows) of the stratified split, as row positions."""
    idx = np.arange(len(labels))
    tr, _, va, _ = stratified_split(idx, labels, val_fraction, seed)
    return tr.astype(np.intp), va.astype(np.intp)


def training_rows(labels, cfg, split: bool = True):
    """(training rows or None for every row, validation rows or None, a notice sentence or "").

    split: hold cfg.val_fraction out (False: the caller brings its own validation set)."""
    train, val, notice = None, None, ""
    if split and cfg.val_fraction > 0:
        train, val = split_indices(labels, cfg.val_fraction, cfg.seed)
    n = getattr(cfg, "train_subset", 0)
    if n:
        rows = np.arange(len(labels), dtype=np.intp) if train is None else train
        if n >= len(rows):
            notice = (f"The training subset ({n:,}) is not smaller than the {len(rows):,} training samples, "
                      f"so all {len(rows):,} of them train.")
        else:
            # the subset's own seed stream: the split's rows do not depend on it, nor it on the split's draws
            train = rows[balanced_subset(labels[rows], n, [cfg.seed, 3])]
    return train, val, notice
