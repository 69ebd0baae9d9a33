"""What fine-tuning on the student's handwriting gained and cost, in numbers (no Qt).

Once the set has MIN_DIGITS digits, a fifth of them (per digit where possible, seeded) is held out of the
fine-tuning; the network before and after is then measured per digit on those held-out digits (what was
gained on the student's writing) and on the data set's test part (what was lost there: forgetting).
Accuracies are shown to one decimal (accuracy_text), and a change is the difference of the two shown numbers.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

MIN_DIGITS = 20
HELD_OUT = 0.2


def held_out_split(labels, fraction: float = HELD_OUT, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """(train indices, held-out indices), both sorted. round(n * fraction) held out, shared among the digits
    by largest remainder, never the last example of a digit; none below MIN_DIGITS."""
    labels = np.asarray(labels).ravel()
    n = len(labels)
    if n < MIN_DIGITS:
        return np.arange(n), np.arange(0)
    rng = np.random.default_rng(seed)
    digits = np.unique(labels)
    counts = np.array([(labels == d).sum() for d in digits])
    quota = counts * fraction
    take = np.minimum(np.floor(quota).astype(int), counts - 1)
    tie_break = rng.permutation(len(digits))
    order = tie_break[np.argsort(-(quota - take)[tie_break], kind="stable")]
    target = int(round(n * fraction))
    while take.sum() < target and (take < counts - 1).any():
        for i in order:
            if take.sum() < target and take[i] < counts[i] - 1:
                take[i] += 1
    held = [rng.choice(np.flatnonzero(labels == d), k, replace=False) for d, k in zip(digits, take)]
    held = np.sort(np.concatenate(held)).astype(np.int64)
    return np.setdiff1d(np.arange(n), held), held


@dataclass
class DigitScores:
    """Per digit 0..n_classes-1: how many examples, how many read right before and after fine-tuning."""
    count: np.ndarray
    before: np.ndarray
    after: np.ndarray

    @property
    def total(self) -> tuple[int, int, int]:
        return int(self.count.sum()), int(self.before.sum()), int(self.after.sum())


@dataclass
class FineTuneReport:
    yours: DigitScores            # the held-out personal digits (count 0 everywhere below MIN_DIGITS)
    test: DigitScores             # the data set's test part
    test_name: str = "test set"


def digit_scores(before, after, x, y, n_classes: int = 10) -> DigitScores:
    y = np.asarray(y).astype(np.int64)
    count = np.bincount(y, minlength=n_classes)
    right = [np.bincount(y[net.predict(x) == y], minlength=n_classes) if len(y) else np.zeros(n_classes, int)
             for net in (before, after)]
    return DigitScores(count, right[0], right[1])


def accuracy_text(right: int, count: int) -> str:
    """An accuracy as the student reads it, in percent to one decimal; '–' without examples."""
    return f"{100 * right / count:.1f}%" if count else "–"


def change_text(count: int, right_before: int, right_after: int) -> str:
    """'97.7% → 97.5% (−0.2 points)': the change is that of the two percentages shown, so the three agree."""
    before, after = accuracy_text(right_before, count), accuracy_text(right_after, count)
    if not count:
        return f"{before} → {after}"
    tenths = round(10 * float(after[:-1])) - round(10 * float(before[:-1]))
    sign = "+" if tenths > 0 else "−" if tenths < 0 else ""
    return f"{before} → {after} ({sign}{abs(tenths) / 10:.1f} points)"


def measure(before, after, x_held, y_held, x_test, y_test, test_name: str = "test set") -> FineTuneReport:
    """Both networks on the held-out digits and on the test set (runs on a worker: 2 x the test set)."""
    k = int(before.n_outputs)
    return FineTuneReport(digit_scores(before, after, x_held, y_held, k), digit_scores(before, after, x_test,
                                                                                       y_test, k), test_name)
