"""Classification metrics: accuracy, confusion matrix, per-class precision and recall."""
from __future__ import annotations

import numpy as np

from .errors import DataError


def _pair(y_true, y_pred):
    y_true, y_pred = np.asarray(y_true).astype(np.int64).ravel(), np.asarray(y_pred).astype(np.int64).ravel()
    if len(y_true) != len(y_pred):
        raise DataError(f"There are {len(y_true)} labels but {len(y_pred)} predictions.")
    return y_true, y_pred


def accuracy(y_true, y_pred) -> float:
    """Fraction of predictions equal to the label."""
    y_true, y_pred = _pair(y_true, y_pred)
    return float(np.mean(y_true == y_pred)) if len(y_true) else float("nan")


def confusion_matrix(y_true, y_pred, n_classes: int | None = None) -> np.ndarray:
    """cm[i, j] = number of samples of true class i predicted as class j."""
    y_true, y_pred = _pair(y_true, y_pred)
    if n_classes is None:
        n_classes = int(max(y_true.max(initial=-1), y_pred.max(initial=-1))) + 1
    if len(y_true) and (min(y_true.min(), y_pred.min()) < 0 or max(y_true.max(), y_pred.max()) >= n_classes):
        raise DataError(f"A class number is outside 0..{n_classes - 1}.")
    return np.bincount(y_true * n_classes + y_pred, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def precision_recall(y_true=None, y_pred=None, n_classes: int | None = None, cm=None):
    """(precision, recall) per class: precision_c = cm[c, c] / column sum, recall_c = cm[c, c] / row sum
    (0 where a class was never predicted / never present)."""
    if cm is None:
        cm = confusion_matrix(y_true, y_pred, n_classes)
    cm = np.asarray(cm, dtype=np.float64)
    tp = np.diag(cm)
    predicted, actual = cm.sum(axis=0), cm.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, actual, out=np.zeros_like(tp), where=actual > 0)
    return precision, recall
