"""Robust y ranges: the axes follow the bulk of the shown runs; spikes and far-off runs may go off-scale.

A run's loss is summarised by medians of BIN consecutive batch losses (a spike narrower than half a bin moves
nothing) and by its epoch points. A run leaves the bulk (does not set the range) when its typical distance from the
ideal (loss 0, accuracy 100 %) is both above a floor and several times the other runs' median distance: one lr-10
run squashes nobody. It is off a plot's scale only when its summarised curve reaches outside the range chosen: a
run far from the others may still lie inside it.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

BIN = 8
LOSS_RATIO, LOSS_FLOOR = 8.0, 0.5           # a typical loss under 0.5 is never off-scale
ACCURACY_RATIO, ACCURACY_FLOOR = 4.0, 30.0  # nor a typical accuracy above 70 %
LEVEL_SAMPLES = 2048
NICE_STEPS = (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10)
ACCURACY_STEP = 5.0      # the accuracy axis ends on multiples of 5 %


@dataclass
class RunSpan:
    """What one run needs on each axis (NaN when it has no such data yet)."""
    loss_level: float = np.nan     # typical loss (median)
    loss_top: float = np.nan
    loss_min: float = np.nan       # smallest positive loss (log scale)
    acc_level: float = np.nan      # typical accuracy in %, training and validation
    acc_low: float = np.nan
    acc_high: float = np.nan


def _finite(values) -> np.ndarray:
    values = np.asarray(values, np.float64).reshape(-1)
    return values[np.isfinite(values)]


def nice_ceil(value: float) -> float:
    """The smallest of 1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8 (times a power of ten) >= value: an axis that
    changes only now and then, each change a round number."""
    if not value > 0:
        return 1.0
    scale = 10.0 ** np.floor(np.log10(value))
    for step in NICE_STEPS:
        if step * scale >= value * (1 - 1e-12):
            return float(step * scale)
    return float(10 * scale)


def bin_medians(values: np.ndarray) -> np.ndarray:
    """Medians of BIN consecutive values (the last, partial bin included); a NaN counts as +inf (a blow-up)."""
    values = np.where(np.isnan(values), np.inf, values)
    if not values.size:
        return values
    full = values.size // BIN * BIN
    parts = [np.median(values[:full].reshape(-1, BIN), axis=1)] if full else []
    if full < values.size:
        parts.append([np.median(values[full:])])
    return np.concatenate(parts)


def _typical(values: np.ndarray) -> float:
    """The median of at most LEVEL_SAMPLES evenly spaced values (a run's level, cheap on 25,000 bins)."""
    step = max(1, values.size // LEVEL_SAMPLES)
    return float(np.median(values[::step]))


def span(bins: np.ndarray, train_losses, val_losses, epoch_accuracies: list) -> RunSpan:
    """A run's RunSpan from its batch-loss bin medians, epoch losses and epoch accuracies (fractions).

    An epoch's training loss is the mean of its batches (one spike lifts it), so it counts only for a run
    without batches (a saved history)."""
    s = RunSpan()
    losses = np.concatenate([_finite(bins) if len(bins) else _finite(train_losses), _finite(val_losses)])
    if losses.size:
        s.loss_top = float(losses.max())
        s.loss_level = _typical(losses)
        positive = losses[losses > 0]
        s.loss_min = float(positive.min()) if positive.size else np.nan
    acc = 100 * _finite(np.concatenate([_finite(v) for v in epoch_accuracies])) if epoch_accuracies else []
    if len(acc):
        s.acc_low, s.acc_high, s.acc_level = float(acc.min()), float(acc.max()), float(np.median(acc))
    return s


def in_bulk(gaps, floor: float, ratio: float) -> np.ndarray:
    """True for each run inside the bulk; False for runs without data or too far from the others."""
    gaps = np.asarray(gaps, np.float64)
    keep = np.isfinite(gaps)
    for i in np.flatnonzero(keep):
        others = np.delete(gaps, i)
        others = others[np.isfinite(others)]
        if others.size and gaps[i] > floor and gaps[i] > ratio * np.median(others):
            keep[i] = False
    return keep


def loss_range(spans: list[RunSpan]) -> tuple[tuple[float, float] | None, list[bool]]:
    """((0, a round top) over the runs in the bulk, or None without data; per run: does it reach above the top)."""
    keep = in_bulk([s.loss_level for s in spans], LOSS_FLOOR, LOSS_RATIO)
    tops = [s.loss_top for s, k in zip(spans, keep) if k]
    if not tops:
        return None, [False] * len(spans)
    top = nice_ceil(max(tops) * 1.02)
    return (0.0, top), [bool(s.loss_top > top) for s in spans]     # NaN (no data yet) is never off


def log_loss_range(spans: list[RunSpan]) -> tuple[float, float] | None:
    """(log10 low, log10 high) over every run: on a log axis all runs fit."""
    lows = _finite([s.loss_min for s in spans])
    highs = _finite([s.loss_top for s in spans])
    highs = highs[highs > 0]
    if not lows.size or not highs.size:
        return None
    lo, hi = np.log10(lows.min()), np.log10(highs.max())
    return float(np.floor(lo * 4 - 0.1) / 4), float(np.ceil(hi * 4 + 0.1) / 4)     # quarter decades


def accuracy_range(spans: list[RunSpan]) -> tuple[tuple[float, float], list[bool]]:
    """((low, high) in % on multiples of 5 over the runs in the bulk, (0, 100) without data; per run: does it
    reach outside them)."""
    keep = in_bulk([100 - s.acc_level for s in spans], ACCURACY_FLOOR, ACCURACY_RATIO)
    kept = [s for s, k in zip(spans, keep) if k]
    if not kept:
        return (0.0, 100.0), [False] * len(spans)
    low, high = min(s.acc_low for s in kept), max(s.acc_high for s in kept)
    step = ACCURACY_STEP
    shown = (max(0.0, np.floor((low - 1) / step) * step), min(100.0, np.ceil((high + 1) / step) * step))
    return shown, [bool(s.acc_low < shown[0] or s.acc_high > shown[1]) for s in spans]
