"""Does a drawing look like the digits the network was trained on? Judged in the network's own terms.

Softmax outputs sum to 1 whatever the input, so "95 % sure" says nothing about whether the input is a digit at
all. Instead: the drawing's feature is its last hidden layer's activation h (the pixels for a network without a
hidden layer), scaled to length 1; its strangeness is the distance from that feature to the k-th nearest of a
fixed subsample of training digits' features (k-NN distance, as in Sun et al. 2022, "Out-of-distribution
detection with deep nearest neighbors"). The threshold comes from validation digits (never trained on, never the
test set): the 95th percentile of their distances, taken with 95 % confidence from above, so that at most 5 % of
real digits are flagged despite the few hundred validation digits it is measured on. With n distances sorted,
the threshold is the r-th smallest,

    r = min(n, ceil(n q + z sqrt(n q (1 − q)))),   q = 0.95, z = 1.645

(the number of values below the true q-quantile is Binomial(n, q); normal approximation, one-sided 95 %). A data
set that mixes kinds of digits (MNIST's scans and pen-drawn ones: Dataset.train_groups) takes the highest of each
kind's threshold, so no kind has more than 5 % flagged (the easier kind would otherwise hide the other's).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataError
from .layer_map import fixed_subsample

K_NEAREST = 5
QUANTILE = 0.95
Z_CONFIDENCE = 1.645            # one-sided 95 %: the threshold is above the true 95th percentile 19 times in 20
REFERENCE_SAMPLES = 10000        # every training digit of the bundled set; a sample of full MNIST's
VALIDATION_SAMPLES = 2000
BATCH = 1000


def features(net, X) -> np.ndarray:
    """Last hidden layer's activations (the input without a hidden layer), each row scaled to length 1."""
    X = np.asarray(X, dtype=net.dtype).reshape(-1, net.input_size)
    h = net.forward_trace(X)[1][-2].astype(np.float32)
    norm = np.linalg.norm(h, axis=1, keepdims=True)
    return h / np.where(norm > 0, norm, 1)


def knn_distance(queries, reference, k: int = K_NEAREST, ref2=None) -> np.ndarray:
    """Euclidean distance from each query row to its k-th nearest reference row (in batches of queries); ref2: the
    reference rows' squared lengths, if known (the pad asks 25 times a second)."""
    k = min(k, len(reference))
    ref2 = (reference * reference).sum(axis=1) if ref2 is None else ref2
    out = np.empty(len(queries), np.float32)
    for s in range(0, len(queries), BATCH):
        q = queries[s:s + BATCH]
        d2 = (q * q).sum(axis=1)[:, None] + ref2[None, :] - 2 * (q @ reference.T)
        out[s:s + BATCH] = np.sqrt(np.clip(np.partition(d2, k - 1, axis=1)[:, k - 1], 0, None))
    return out


@dataclass
class Familiarity:
    """The reference features and the threshold for one network (they mean nothing for another)."""
    reference: np.ndarray       # (m, h) unit-length features of training digits
    threshold: float            # distances above this are flagged
    k: int
    n_validation: int
    validation_rate: float      # share of the validation digits flagged (<= 1 - QUANTILE by construction)

    def __post_init__(self):
        self.ref2 = (self.reference * self.reference).sum(axis=1)

    def distance(self, net, X) -> np.ndarray:
        return knn_distance(features(net, X), self.reference, self.k, self.ref2)

    def unfamiliar(self, net, X) -> np.ndarray:
        """True for each row of X that looks unlike the training digits."""
        return self.distance(net, X) > self.threshold


def upper_quantile(d, q: float = QUANTILE, z: float = Z_CONFIDENCE) -> float:
    """The r-th smallest of the values d (the module's formula): at least their distribution's q-quantile with the
    confidence z stands for."""
    d = np.sort(np.asarray(d, dtype=np.float64))
    n = len(d)
    r = min(n, int(np.ceil(n * q + z * np.sqrt(n * q * (1 - q)))))
    return float(d[max(r, 1) - 1])


def calibrate(net, X_train, X_val, val_groups=None, k: int = K_NEAREST, quantile: float = QUANTILE,
              seed: int = 0) -> Familiarity:
    """Reference features from a fixed subsample of X_train, threshold from the validation digits X_val (of the
    kinds val_groups, one int per row, if given)."""
    if len(X_train) < 1 or len(X_val) < 1:
        raise DataError("Judging whether a drawing looks like a digit needs training and validation digits.")
    ref = features(net, np.asarray(X_train)[fixed_subsample(len(X_train), REFERENCE_SAMPLES, seed)])
    rows = fixed_subsample(len(X_val), VALIDATION_SAMPLES, seed)
    d = knn_distance(features(net, np.asarray(X_val)[rows]), ref, k)
    groups = np.zeros(len(rows), np.int64) if val_groups is None else np.asarray(val_groups)[rows]
    threshold = max(upper_quantile(d[groups == g], quantile) for g in np.unique(groups))
    return Familiarity(ref, threshold, min(k, len(ref)), len(rows), float(np.mean(d > threshold)))


def calibrate_on(net, dataset, val_fraction: float, seed: int = 0) -> Familiarity:
    """calibrate() on a data set, with the validation rows the Trainer holds out for (val_fraction, seed); without
    a validation split (val_fraction 0) a tenth of the training digits is set aside the same way, though the
    network may have trained on them (their distances are then smaller: more drawings are flagged, not fewer)."""
    from .split import stratified_split
    idx = np.arange(len(dataset.y_train))
    tr, _, va, _ = stratified_split(idx, dataset.y_train, val_fraction if 0 < val_fraction < 1 else 0.1, seed)
    groups = getattr(dataset, "train_groups", None)
    groups = groups[va] if groups is not None and len(groups) == len(idx) else None
    return calibrate(net, dataset.x_train[tr], dataset.x_train[va], groups, seed=seed)
