"""Copies of the flat parameter buffer that training goes back to.

  Rollback      the weights at the end of the last epoch and of the one before: a divergence restores them
  BestWeights   the weights of the best epoch so far (lowest validation loss, else training loss) and the
                early-stopping count of epochs without improvement
Each copy is allocated once; saving and restoring are in-place copies.
"""
from __future__ import annotations

import math


class Rollback:
    """End-of-epoch weights are only proven good by the next batch's loss, so a divergence at a new epoch's
    first batch goes back one epoch further than one later in the epoch."""

    def __init__(self, params):
        self.params = params
        self.good, self.before_good = params.copy(), params.copy()

    def epoch_done(self):
        self.before_good[...] = self.good
        self.good[...] = self.params

    def restore(self, first_batch_of_epoch: bool):
        self.params[...] = self.before_good if first_batch_of_epoch else self.good


class BestWeights:
    """The best epoch so far; with patience > 0 also a copy of its weights, for early stopping."""

    def __init__(self, params, patience: int):
        self.params, self.patience = params, patience
        self.weights = params.copy() if patience else None
        self.epoch, self.value, self.since = None, math.inf, 0

    def observe(self, epoch: int, monitor: float) -> bool:
        """Record an epoch's monitored loss; True if it is the best so far."""
        if monitor < self.value:
            self.epoch, self.value, self.since = epoch, monitor, 0
            if self.weights is not None:
                self.weights[...] = self.params
            return True
        self.since += 1
        return False

    def should_stop(self, epoch: int, epochs: int) -> bool:
        return bool(self.patience) and self.since >= self.patience and epoch < epochs

    def restore(self):
        self.params[...] = self.weights
