"""A main window set up for tiny, fast real runs: 90 training / 30 test 784-pixel samples in 3 classes, one hidden
layer of 8, two epochs of plain mini-batch descent (the compare and coach tests train through it)."""
from __future__ import annotations

import numpy as np

from engine.data.dataset import Dataset
from helpers_app import make_window

N_TRAIN, N_TEST, K = 90, 30, 3
SETTINGS = dict(epochs=2, augment=False, val_fraction=0.2, batch_size=16, schedule="constant", optimizer="minibatch",
                lr=0.1, patience=0)


def tiny() -> Dataset:
    rng = np.random.default_rng(0)
    y = np.arange(N_TRAIN) % K
    x = (rng.random((N_TRAIN, 784)) * 0.3 + (y[:, None] == np.arange(784) % K) * 0.5).astype(np.float32)
    yt = np.arange(N_TEST) % K
    xt = (rng.random((N_TEST, 784)) * 0.3 + (yt[:, None] == np.arange(784) % K) * 0.5).astype(np.float32)
    return Dataset("tiny", x, y, xt, yt, n_classes=K)


def tiny_window(qtbot, tmp_path, monkeypatch):
    """A shown main window holding the tiny set, one hidden layer of 8 ReLU units and SETTINGS."""
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.state.set_dataset("tiny", tiny())
    w.state.set_hidden([{"units": 8, "activation": "relu"}])
    for name, value in SETTINGS.items():
        w.state.set_setting(name, value)
    return w
