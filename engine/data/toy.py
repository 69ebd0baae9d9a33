"""Playground data sets: seeded two-input classification and one-input regression, generated on demand.

Units: XOR cluster centres sit at (±1, ±1), the circles have radii 0.5 and 1, the moons radius 1, the spiral's
arms reach radius 1 after 1.5 turns. `noise` is the standard deviation of Gaussian jitter added to every point
(no label is ever flipped); regression adds it to the target.
"""
from __future__ import annotations

import math

import numpy as np

from ..errors import DataError
from ..split import stratified_split

CLASSIFICATION = ("xor", "circles", "spiral", "blobs", "moons")
REGRESSION = ("sin", "abs", "step")
TOY_NAMES = CLASSIFICATION + REGRESSION

LABELS = {"xor": "XOR (four clusters)", "circles": "Two circles", "spiral": "Spiral", "blobs": "Gaussian blobs",
          "moons": "Two moons", "sin": "Fit sin x", "abs": "Fit |x|", "step": "Fit a step"}
DEFAULTS = dict(n=200, noise=0.1, seed=0, test_fraction=0.3, classes=2)
MAX_POINTS = 100_000
X_RANGE = 3.0              # regression inputs are drawn from [-3, 3]
BLOB_SPREAD = 0.35         # a blob's own spread; noise adds to it


def _counts(n: int, k: int) -> np.ndarray:
    """n split into k nearly equal parts (balanced classes)."""
    return np.full(k, n // k) + (np.arange(k) < n % k)


def _xor(n, rng, k):
    centres = np.array([[1, 1], [-1, -1], [1, -1], [-1, 1]], dtype=np.float64)
    labels = np.array([0, 0, 1, 1])
    cluster = np.concatenate([np.full(c, i) for i, c in enumerate(_counts(n, 4))])
    return centres[cluster], labels[cluster]


def _circles(n, rng, k):
    y = np.concatenate([np.full(c, i) for i, c in enumerate(_counts(n, 2))])
    radius = np.where(y == 0, 0.5, 1.0)
    theta = rng.uniform(0, 2 * math.pi, n)
    return np.stack([radius * np.cos(theta), radius * np.sin(theta)], axis=1), y


def _spiral(n, rng, k):
    y = np.concatenate([np.full(c, i) for i, c in enumerate(_counts(n, k))])
    t = rng.uniform(0.05, 1.0, n)                       # 0 would put every arm's first point at the centre
    theta = 1.5 * 2 * math.pi * t + 2 * math.pi * y / k
    return np.stack([t * np.cos(theta), t * np.sin(theta)], axis=1), y


def _blobs(n, rng, k):
    y = np.concatenate([np.full(c, i) for i, c in enumerate(_counts(n, k))])
    angle = math.pi / 4 + 2 * math.pi * y / k
    centres = np.stack([np.cos(angle), np.sin(angle)], axis=1)
    return centres + rng.normal(0, BLOB_SPREAD, (n, 2)), y


def _moons(n, rng, k):
    y = np.concatenate([np.full(c, i) for i, c in enumerate(_counts(n, 2))])
    theta = rng.uniform(0, math.pi, n)
    upper = np.stack([np.cos(theta), np.sin(theta)], axis=1)
    lower = np.stack([1 - np.cos(theta), 0.5 - np.sin(theta)], axis=1)
    return np.where((y == 0)[:, None], upper, lower) - [0.5, 0.25], y


TARGETS = {"sin": np.sin, "abs": np.abs, "step": lambda x: (x >= 0).astype(np.float64)}
GENERATORS = {"xor": _xor, "circles": _circles, "spiral": _spiral, "blobs": _blobs, "moons": _moons}


def _check(name, n, noise, test_fraction, classes):
    if name not in TOY_NAMES:
        raise DataError(f"No generated data set called {name!r}; choose one of {', '.join(TOY_NAMES)}.")
    if not isinstance(n, (int, np.integer)) or isinstance(n, bool) or not 10 <= n <= MAX_POINTS:
        raise DataError(f"The number of points must be a whole number from 10 to {MAX_POINTS:,} (got {n!r}).")
    if not isinstance(noise, (int, float)) or not math.isfinite(noise) or not 0 <= noise <= 5:
        raise DataError(f"The noise must be a number from 0 to 5 (got {noise!r}).")
    if not isinstance(test_fraction, (int, float)) or not 0.05 <= test_fraction <= 0.9:
        raise DataError(f"The test share must be between 0.05 and 0.9 (got {test_fraction!r}).")
    if name in ("spiral", "blobs") and not (isinstance(classes, int) and 2 <= classes <= 8):
        raise DataError(f"The number of {name} classes must be from 2 to 8 (got {classes!r}).")


def generate(name: str, n: int = 200, noise: float = 0.1, seed: int = 0, classes: int = 2):
    """(x, y) for one generated set: x (n, 2) float32 and int64 labels, or x (n, 1) and y (n, 1) float32."""
    rng = np.random.default_rng(seed)
    if name in REGRESSION:
        x = np.sort(rng.uniform(-X_RANGE, X_RANGE, n))
        y = TARGETS[name](x) + rng.normal(0, noise, n)
        return x[:, None].astype(np.float32), y[:, None].astype(np.float32)
    k = classes if name in ("spiral", "blobs") else 2
    x, y = GENERATORS[name](n, rng, k)
    x = x + rng.normal(0, noise, x.shape)
    return x.astype(np.float32), y.astype(np.int64)


def split_toy(name: str, n: int | None = None, noise: float | None = None, seed: int | None = None,
              test_fraction: float | None = None, classes: int | None = None) -> dict:
    """A generated set split into training and test points (stratified for classes), all seeded: the fields
    of a Dataset, which load_dataset builds from them."""
    p = {**DEFAULTS, **{k: v for k, v in dict(n=n, noise=noise, seed=seed, test_fraction=test_fraction,
                                                  classes=classes).items() if v is not None}}
    _check(name, p["n"], p["noise"], p["test_fraction"], p["classes"])
    x, y = generate(name, int(p["n"]), float(p["noise"]), int(p["seed"]), int(p["classes"]))
    regression = name in REGRESSION
    if regression:
        order = np.random.default_rng(p["seed"] + 1).permutation(len(x))
        n_test = max(1, int(round(len(x) * p["test_fraction"])))
        te, tr = order[:n_test], order[n_test:]
        x_tr, y_tr, x_te, y_te = x[tr], y[tr], x[te], y[te]
    else:
        x_tr, y_tr, x_te, y_te = stratified_split(x, y, p["test_fraction"], p["seed"] + 1)
    k = 1 if regression else int(y.max()) + 1
    params = {key: p[key] for key in ("n", "noise", "seed", "test_fraction")}
    if name in ("spiral", "blobs"):
        params["classes"] = p["classes"]
    return dict(name=LABELS[name], x_train=x_tr, y_train=y_tr, x_test=x_te, y_test=y_te,
                image_shape=(x.shape[1],), n_classes=k,
                class_names=["y"] if regression else [f"class {i}" for i in range(k)],
                source=f"generated: {name}", task="regression" if regression else "classification",
                key=name, params=params)
