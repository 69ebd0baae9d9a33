"""File > Export to PyTorch exports the settings the network was TRAINED with and where its run stopped, not the
panel's current settings: a real (tiny) run in the window, then the panel changed, then the export. A Step moves
the record's optimizer memory along with the weights."""
from __future__ import annotations

import ast

import numpy as np
from PySide6.QtCore import Qt

from engine.network import Network
from helpers_tiny_run import tiny_window


def constant(path, name):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == name:
            return ast.literal_eval(node.value)
    raise AssertionError(name)


def test_export_carries_the_run_that_trained_the_network_not_the_panel(qtbot, tmp_path, monkeypatch):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    w.state.set_setting("optimizer", "adam")
    w.state.set_setting("lr", 0.01)
    with qtbot.waitSignal(w.session.finished, timeout=60000):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle and w.state.optimizer is not None, timeout=10000)
    trained = w.state.network
    assert trained.train_state.epoch == 2 and trained.train_state.memory["t"] == w.state.optimizer.t
    w.state.set_setting("lr", 0.5)                   # the panel moves on; the trained network does not
    w.state.set_setting("optimizer", "rmsprop")
    w.state.set_setting("epochs", 9)
    w.prompts.ask_save_path = lambda *a: str(tmp_path / "torch")
    assert w.exports.export_torch()
    settings = constant(tmp_path / "torch" / "train.py", "SETTINGS")
    assert (settings["optimizer"], settings["lr"], settings["epochs"], settings["batch_size"]) == ("adam", 0.01, 2, 16)
    assert constant(tmp_path / "torch" / "train.py", "START") == {"epoch": 2, "memory": True}
    assert (tmp_path / "torch" / "optimizer.pt").exists()
    w.prompts.ask_save_path = lambda *a: str(tmp_path / "model.npz")
    assert w.exports.export_npz()
    saved = Network.load(tmp_path / "model.npz").train_state
    assert saved.settings["lr"] == 0.01 and saved.epoch == 2
    np.testing.assert_array_equal(saved.memory["m"], w.state.optimizer.m)


def test_a_step_carries_the_optimizer_memory_it_leaves(qtbot, tmp_path, monkeypatch):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    w.state.set_setting("optimizer", "momentum")
    with qtbot.waitSignal(w.session.finished, timeout=60000):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle and w.state.optimizer is not None, timeout=10000)
    with qtbot.waitSignal(w.runs.stepped, timeout=20000):
        w.runs.step(0)
    state = w.state.network.train_state
    assert state.epoch == 2
    np.testing.assert_array_equal(state.memory["v"], w.state.optimizer.v)
