"""Confidence is not certainty: does "90 % sure" come true 90 % of the time? (a reliability diagram)

Each sample's confidence is its top probability c = max_k p_k. Samples are put in equal-width bins of c on [0, 1]
(bin b holds b/B < c <= (b+1)/B; c = 0 goes to the first); per bin, its count n_b, mean confidence conf_b and
observed accuracy acc_b (share whose top class is the label). A calibrated network has acc_b = conf_b.

  expected calibration error  ECE = Σ_b (n_b / N) · |acc_b − conf_b|
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataError


@dataclass
class Reliability:
    edges: np.ndarray           # (B + 1,) bin edges on [0, 1]
    counts: np.ndarray          # (B,) samples per bin
    confidence: np.ndarray      # (B,) mean top probability per bin (nan where empty)
    accuracy: np.ndarray        # (B,) share right per bin (nan where empty)
    ece: float                  # expected calibration error
    mean_confidence: float      # over all samples
    overall_accuracy: float


def reliability(probs, y, bins: int = 10) -> Reliability:
    """The reliability diagram's numbers for class probabilities `probs` (n, k) and int labels `y` (n,)."""
    probs, y = np.asarray(probs, dtype=np.float64), np.asarray(y).astype(np.int64).ravel()
    if probs.ndim != 2 or len(probs) != len(y) or not len(y):
        raise DataError(f"There are {len(probs)} rows of probabilities but {len(y)} labels.")
    conf, right = probs.max(axis=1), (probs.argmax(axis=1) == y).astype(np.float64)
    edges = np.linspace(0.0, 1.0, bins + 1)
    b = np.clip(np.ceil(conf * bins).astype(np.int64) - 1, 0, bins - 1)
    counts = np.bincount(b, minlength=bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_conf = np.bincount(b, conf, minlength=bins) / counts
        acc = np.bincount(b, right, minlength=bins) / counts
    gap = np.where(counts > 0, np.abs(np.nan_to_num(acc) - np.nan_to_num(mean_conf)), 0.0)
    ece = float((counts / len(y) * gap).sum())
    return Reliability(edges, counts, mean_conf, acc, ece, float(conf.mean()), float(right.mean()))
