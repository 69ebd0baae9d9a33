"""Shared fixtures: tiny data sets and a finite-difference gradient helper."""
import os
import tempfile

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
# No test reads or writes the user's real settings or data folder (tests may still point these elsewhere).
_SANDBOX = tempfile.mkdtemp(prefix="mlp-studio-tests-")
os.environ.setdefault("MLP_STUDIO_SETTINGS", os.path.join(_SANDBOX, "settings.ini"))
os.environ.setdefault("MLP_STUDIO_DATA_DIR", os.path.join(_SANDBOX, "data"))


def numeric_grad(f, x, eps=1e-6):
    """Central finite differences of scalar f() with respect to array x (modified in place, then restored)."""
    g = np.zeros_like(x, dtype=np.float64)
    it = np.nditer(x, flags=["multi_index"])
    for _ in it:
        i = it.multi_index
        old = x[i]
        x[i] = old + eps
        fp = f()
        x[i] = old - eps
        fm = f()
        x[i] = old
        g[i] = (fp - fm) / (2 * eps)
    return g


@pytest.fixture
def tiny_data():
    """40 samples of 6 features in 3 linearly separable-ish classes (float64)."""
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 6)) * 2
    y = np.repeat(np.arange(3), 14)[:40]
    X = centers[y] + rng.normal(size=(40, 6)) * 0.5
    return X, y
