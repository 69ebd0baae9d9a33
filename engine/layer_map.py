"""What the hidden layers learn, in 2-D: each layer's activations on a fixed subsample of digits, projected by PCA,
and how well the classes separate there.

  PCA      X centred by its mean μ; covariance C = Xcᵀ Xc / (n − 1) = V Λ Vᵀ (eigh, λ largest first); the map is
           Xc V[:, :2]. An axis's sign is arbitrary, so it is fixed: the same direction as the reference axis when
           one is given (the previous picture's: the map never flips between updates), else its largest loading > 0.
  separation  nearest-centroid accuracy in the plane: each point gets the class whose 2-D centroid is nearest;
           the share of points given their own class (measured on the points that made the centroids).
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import DataError

MAP_SAMPLES = 2000


def fixed_subsample(n_total: int, n: int = MAP_SAMPLES, seed: int = 0) -> np.ndarray:
    """n row indices of 0..n_total-1 (all of them if fewer), chosen by `seed`, in increasing order."""
    if n_total <= n:
        return np.arange(n_total)
    return np.sort(np.random.default_rng(seed).choice(n_total, size=n, replace=False))


@dataclass
class Projection:
    coords: np.ndarray          # (n, 2) float32: each sample on the two main axes
    axes: np.ndarray            # (d, 2) float64: unit eigenvectors of the covariance, largest variance first
    mean: np.ndarray            # (d,) float64
    explained: np.ndarray       # (2,) share of the total variance along each axis (0 when there is none)


def _fix_signs(axes: np.ndarray, reference) -> np.ndarray:
    if reference is not None and np.shape(reference) == axes.shape:
        flip = np.einsum("dk,dk->k", axes, reference) < 0
    else:
        flip = axes[np.abs(axes).argmax(axis=0), np.arange(axes.shape[1])] < 0
    return np.where(flip, -axes, axes)


def pca_2d(X, reference=None) -> Projection:
    """The two principal axes of the rows of X (n >= 2, d >= 1) and the samples on them (see the module's formula).
    A one-feature X gets a second axis of zeros."""
    X = np.asarray(X, dtype=np.float64)
    if X.ndim != 2 or len(X) < 2:
        raise DataError("A map needs at least two samples with the same number of values.")
    mean = X.mean(axis=0)
    Xc = X - mean
    cov = (Xc.T @ Xc) / (len(X) - 1)
    lam, vec = np.linalg.eigh(cov)                  # ascending
    order = np.argsort(-lam, kind="stable")[:2]
    axes = np.zeros((X.shape[1], 2))
    axes[:, :len(order)] = vec[:, order]
    axes = _fix_signs(axes, reference)
    variance = np.zeros(2)
    variance[:len(order)] = np.clip(lam[order], 0, None)
    total = float(np.clip(lam, 0, None).sum())
    explained = variance / total if total > 0 else np.zeros(2)
    return Projection((Xc @ axes).astype(np.float32), axes, mean, explained)


def nearest_centroid_accuracy(points, y) -> float:
    """Share of points whose class's centroid is the nearest of all classes' centroids (ties: the lower class)."""
    points, y = np.asarray(points, dtype=np.float64), np.asarray(y)
    if len(points) != len(y) or not len(y):
        raise DataError(f"There are {len(points)} points but {len(y)} labels.")
    classes, inverse = np.unique(y, return_inverse=True)
    counts = np.bincount(inverse, minlength=len(classes))
    centroids = np.zeros((len(classes), points.shape[1]))
    np.add.at(centroids, inverse, points)
    centroids /= counts[:, None]
    d2 = ((points[:, None, :] - centroids[None, :, :]) ** 2).sum(axis=2)
    return float(np.mean(d2.argmin(axis=1) == inverse))


@dataclass
class LayerMap:
    name: str                   # "Pixels", "Hidden layer 1", ...
    projection: Projection
    separation: float           # nearest-centroid accuracy in the 2-D map


def layer_maps(net, X, y, previous=None) -> list[LayerMap]:
    """The pixels' map, then each hidden layer's, for the samples X (labels y). `previous`: the maps of the same
    samples shown before (their axes fix the signs; the pixels' map is reused, since weights do not change it)."""
    X = np.asarray(X, dtype=net.dtype)
    if X.ndim != 2 or X.shape[1] != net.input_size:
        raise DataError(f"These samples have {X.shape[-1]} values but the network expects {net.input_size} inputs.")
    previous = list(previous or [])
    acts = net.forward_trace(X)[1][:-1]            # the input, then each hidden layer's output
    maps = []
    for l, a in enumerate(acts):
        before = previous[l] if l < len(previous) else None
        if l == 0 and before is not None and before.projection.axes.shape[0] == X.shape[1]:
            maps.append(before)
            continue
        proj = pca_2d(a, None if before is None else before.projection.axes)
        maps.append(LayerMap("Pixels" if l == 0 else f"Hidden layer {l}", proj,
                             nearest_centroid_accuracy(proj.coords, y)))
    return maps
