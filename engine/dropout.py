"""Inverted dropout: in each training step every unit of a hidden layer with rate p > 0 is switched off with
probability p, and the ones kept are scaled by 1 / (1 − p) so that a unit's expected output is unchanged; at
evaluation nothing is switched off and nothing scaled (predict, loss, validation never see a mask).

    forward    a_kept = f(z) ⊙ m,        m_ij = 0 with probability p, else 1 / (1 − p)
    backward   dL/df(z) = dL/da_kept ⊙ m  (the same mask), then dL/dz = dL/df(z) ⊙ f'(z)
The mask is one (batch, units) array per dropout layer, drawn from a generator the caller owns (the Trainer's is
seeded, so the same seed gives the same masks). A Dropout holds the masks of one pass, the forward pass writes the
kept outputs beside them and notes f(z) before the mask, which f'(z) needs (sigmoid and tanh read it from a).
"""
from __future__ import annotations

import numpy as np


def rates(spec: dict) -> list[float]:
    """Each layer's dropout rate (0: none; the output layer always 0)."""
    return [float(layer.get("dropout", 0.0)) for layer in spec["layers"]]


def has_dropout(spec: dict) -> bool:
    return any(p > 0 for p in rates(spec))


class Dropout:
    """The masks of one training pass: masks[l] is None (no dropout) or an (n, units) array of 0 and 1 / (1 − p).

    kept[l] receives f(z_l) ⊙ masks[l] in the forward pass and outputs[l] notes f(z_l) itself, for the backward.
    """

    def __init__(self, masks: list, rates_: list | None = None, kept: list | None = None):
        self.masks = masks
        self.rates = rates_ if rates_ is not None else [0.0] * len(masks)     # given masks are never redrawn
        self.kept = kept if kept is not None else [None if m is None else np.empty_like(m) for m in masks]
        self.outputs = [None] * len(masks)

    @classmethod
    def allocate(cls, spec: dict, batch_size: int, dtype) -> "Dropout | None":
        """Preallocated masks for batches of up to batch_size rows; None when no layer drops out (no cost)."""
        ps = rates(spec)
        if not any(p > 0 for p in ps):
            return None
        masks = [np.empty((batch_size, layer["units"]), dtype) if p > 0 else None
                 for p, layer in zip(ps, spec["layers"])]
        return cls(masks, ps)

    @classmethod
    def fixed(cls, masks, dtype) -> "Dropout | None":
        """Given masks (None per layer without dropout; a StepRecord's) as arrays of `dtype`; None if none is given."""
        if masks is None or all(m is None for m in masks):
            return None
        return cls([None if m is None else np.array(m, dtype=dtype) for m in masks])

    def view(self, m: int) -> "Dropout":
        """The first m rows of every buffer (a partial batch)."""
        cut = [None if a is None else a[:m] for a in self.masks]
        return Dropout(cut, self.rates, [None if a is None else a[:m] for a in self.kept])

    def draw(self, rng) -> "Dropout":
        """New masks in place: each unit kept with probability 1 − p, a kept one scaled by 1 / (1 − p)."""
        for mask, p in zip(self.masks, self.rates):
            if mask is not None:
                rng.random(dtype=mask.dtype, out=mask)
                np.greater_equal(mask, p, out=mask)          # 1.0 where kept, 0.0 where switched off
                mask *= 1.0 / (1.0 - p)
        return self

    def apply(self, l: int, a):
        """a ⊙ masks[l] into kept[l] (the layer's output the next layer sees); notes a for the backward pass."""
        self.outputs[l] = a
        return np.multiply(a, self.masks[l], out=self.kept[l])

    def copies(self) -> list:
        """The masks as fresh arrays (None per layer without dropout), for a record of the step."""
        return [None if m is None else m.copy() for m in self.masks]


def draw_masks(spec: dict, n: int, rng, dtype=np.float32) -> list | None:
    """Fresh masks for a batch of n rows (None without dropout), drawn as the Trainer draws them."""
    drop = Dropout.allocate(spec, n, dtype)
    return None if drop is None else drop.draw(rng).masks


def dropout_rng(seed: int):
    """The Trainer's mask generator for a run with this seed (the shuffle uses seed, augmentation [seed, 1])."""
    return np.random.default_rng([seed, 2])

