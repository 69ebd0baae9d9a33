"""Divergence: learning rate 1e3 with every optimizer stops within one epoch with the "diverged" message, the
weights are the last good ones, and the app stays usable and trains again after the learning rate is lowered.

Data: the first 1,500 digits of the bundled MNIST sample, the app's default 784-128-10 ReLU network.
"""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.data import load_dataset
from engine.data.dataset import Dataset
from engine.errors import DivergenceError
from engine.network import Network
from engine.optimizers import OPTIMIZERS
from engine.training import EpochStats, Finished, TrainConfig, Trainer, fit
from helpers_app import make_window

SPEC = {"input_size": 784, "layers": [{"units": 128, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 0}


@pytest.fixture(scope="module")
def digits():
    ds = load_dataset("sample")
    return ds.x_train[:1500], ds.y_train[:1500], ds


@pytest.mark.parametrize("optimizer", list(OPTIMIZERS))
@pytest.mark.parametrize("hidden", ["relu", "leaky_relu"])
def test_lr_1e3_diverges_within_one_epoch_with_every_optimizer(digits, optimizer, hidden):
    X, y, _ = digits
    spec = {**SPEC, "layers": [{"units": 128, "activation": hidden}, SPEC["layers"][1]]}
    net = Network.from_spec(spec)
    start = net.params.copy()
    cfg = TrainConfig(optimizer=optimizer, lr=1e3, epochs=5, batch_size=32, val_fraction=0.1)
    events = list(Trainer(net, cfg, X, y).run())
    fin = events[-1]
    assert isinstance(fin, Finished) and fin.reason == "diverged", fin
    # batch GD takes one step per epoch; that step's loss is seen at the next epoch's first batch
    where = "epoch 2, batch 1" if optimizer == "bgd" else "epoch 1, batch"
    assert fin.message.startswith(f"Training diverged at {where}"), fin.message
    assert "learning rate (1000)" in fin.message and "too high" in fin.message
    epochs_done = sum(isinstance(e, EpochStats) for e in events)
    assert epochs_done == (1 if optimizer == "bgd" else 0)
    assert np.isfinite(net.params).all()
    if epochs_done == 0:
        np.testing.assert_array_equal(net.params, start)             # back to the last good weights


def test_fit_raises_divergence_error_with_the_message(digits):
    X, y, _ = digits
    with pytest.raises(DivergenceError, match=r"diverged at epoch 1.*try 10x lower"):
        fit(Network.from_spec(SPEC), TrainConfig(optimizer="adam", lr=1e3, epochs=3, val_fraction=0), X, y)


def test_cli_diverged_run_exits_1_with_one_line(capsys, tmp_path, digits):
    from engine.cli import main
    X, y, _ = digits
    np.savez(tmp_path / "d.npz", x_train=X, y_train=y, x_test=X[:100], y_test=y[:100])
    code = main(["train", "--dataset", str(tmp_path / "d.npz"), "--lr", "1000", "--epochs", "3", "--quiet",
                 "--threads", "1"])
    out, err = capsys.readouterr()
    assert code == 1 and "diverged" in err and "Traceback" not in err


# ---- the app ---------------------------------------------------------------------------------------------
@pytest.fixture
def window(tmp_path, monkeypatch, qtbot, digits):
    X, y, full = digits
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.state.set_dataset("sample", Dataset("MNIST sample (1,500)", X, y, full.x_test[:300], full.y_test[:300]))
    w.state.set_setting("augment", False)
    return w


def _train(qtbot, w, timeout=20000):
    with qtbot.waitSignal(w.session.finished, timeout=timeout) as fin:
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not w.session.is_running(), timeout=5000)
    return fin.args[0]


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "sgd"])
def test_app_shows_divergence_then_trains_again(window, qtbot, optimizer):
    w = window
    w.state.set_setting("optimizer", optimizer)
    w.state.set_setting("lr", 1e3)          # past the spin box (max 10): as an edited project file could
    w.state.set_setting("epochs", 5)
    fin = _train(qtbot, w)
    assert fin.reason == "diverged"
    assert "diverged" in w.panel.result.text() and "Lower the learning rate" in w.panel.result.text()
    assert w.panel.start_button.isEnabled() and w.editor.isEnabled()
    assert w.state.activity.idle
    # the user lowers the learning rate with the spin box and one epoch; training works again
    w.panel.lr.selectAll()
    qtbot.keyClicks(w.panel.lr, "0.01")
    qtbot.keyClick(w.panel.lr, Qt.Key_Return)
    w.panel.epochs.selectAll()
    qtbot.keyClicks(w.panel.epochs, "1")
    qtbot.keyClick(w.panel.epochs, Qt.Key_Return)
    assert w.state.settings["lr"] == pytest.approx(0.01) and w.state.settings["epochs"] == 1
    fin = _train(qtbot, w)
    assert fin.reason == "completed", fin.message
    assert "Test accuracy" in w.panel.result.text() or "accuracy" in w.statusBar().currentMessage().lower()
    assert w.state.network is not None and np.isfinite(w.state.network.params).all()
