"""Find learning rate… (lrFinderButton): the range test runs on the session's worker from the weights Start would
train (a fresh network once the model's is trained), the plot is loss against learning rate on a log axis with the
suggestion marked, "Use this rate" sets the model's learning rate, and the network's weights stay bit-identical."""
from __future__ import annotations

import math

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.lr_finder import find_lr
from helpers_app import make_window

FAST = dict(optimizer="momentum", lr=0.05, batch_size=64, augment=False, schedule="constant", epochs=1,
            val_fraction=0.1)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, mnist_sample):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.state.set_dataset("sample", mnist_sample)
    for name, value in FAST.items():
        w.state.set_setting(name, value)
    return w


def run_finder(qtbot, w):
    with qtbot.waitSignal(w.session.lrFound, timeout=120000) as got:
        qtbot.mouseClick(w.panel.lr_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)
    return w.course_tools.lr_dialog, got.args[0]


def test_the_finder_leaves_the_trained_network_bit_identical_and_its_rate_is_applied(window, qtbot):
    with qtbot.waitSignal(window.state.resultsChanged, timeout=60000, check_params_cb=lambda r: r is not None):
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: window.state.activity.idle, timeout=10000)
    net = window.state.network
    before, history, results = net.params.copy(), list(net.history), dict(window.state.results)
    dialog, result = run_finder(qtbot, window)
    assert window.state.network is net and net.params.tobytes() == before.tobytes() and net.history == history
    assert window.state.results == results                         # the results still belong to that network
    # a trained network's loss is already low: the test starts from Start's fresh weights, as for a new student
    from engine.network import Network
    want = find_lr(Network.from_spec(window.state.spec), window.state.config(), window.state.dataset.x_train,
                   window.state.dataset.y_train)
    assert np.array_equal(result.lrs, want.lrs) and np.allclose(result.losses, want.losses, rtol=1e-5)
    assert result.suggestion is not None and dialog.isVisible()
    assert result.suggestion == pytest.approx(result.lr_at_min / 10)
    shown = float(dialog.use_button.text().removeprefix("Use "))     # the number the button says ...
    assert shown == pytest.approx(result.suggestion, rel=5e-3) and shown != result.suggestion   # (3 digits)
    qtbot.mouseClick(dialog.use_button, Qt.LeftButton)
    assert window.state.settings["lr"] == shown and window.panel.lr.value() == shown   # ... is the rate set
    assert window.state.settings["min_lr"] <= shown


def test_the_plot_is_loss_against_rate_on_a_log_axis_with_the_suggestion_marked(window, qtbot):
    dialog, result = run_finder(qtbot, window)
    x, y = dialog.curve.getOriginalDataset()
    ok = np.isfinite(result.losses)
    assert np.allclose(x, result.lrs[ok]) and np.allclose(y, result.losses[ok])         # given as rates, ...
    assert dialog.plot.getPlotItem().ctrl.logXCheck.isChecked()                          # ... drawn on log10
    assert dialog.marker.isVisible() and dialog.marker.value() == pytest.approx(math.log10(result.suggestion),
                                                                                abs=1e-3)
    assert f"{result.suggestion:.3g}" in dialog.use_button.text() and dialog.message.text()
    assert window.state.runs == []                                  # a range test is not a training run


def test_the_finder_runs_the_engines_test_on_the_models_network(window, qtbot):
    """The session ran the same range test as the engine's find_lr on the same start (a fresh network here)."""
    from engine.network import Network
    dialog, result = run_finder(qtbot, window)
    want = find_lr(Network.from_spec(window.state.spec), window.state.config(), window.state.dataset.x_train,
                   window.state.dataset.y_train)
    assert np.array_equal(result.lrs, want.lrs) and np.allclose(result.losses, want.losses, rtol=1e-5)
    assert result.suggestion == pytest.approx(want.suggestion)


def test_a_busy_session_is_said_and_stop_ends_the_test(window, qtbot):
    window.state.set_setting("epochs", 50)
    qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(window.session.is_running, timeout=20000)
    window.course_tools.find_learning_rate()
    dialog = window.course_tools.lr_dialog
    assert "stop it" in dialog.message.text() and not dialog.use_button.isEnabled()
    with qtbot.waitSignal(window.session.finished, timeout=20000):
        window.session.stop()
    qtbot.waitUntil(lambda: window.state.activity.idle, timeout=10000)
    dialog.start()
    qtbot.waitUntil(lambda: window.session.is_running(), timeout=20000)
    with qtbot.waitSignal(window.session.lrFound, timeout=20000) as got:
        qtbot.mouseClick(dialog.stop_button, Qt.LeftButton)
    assert got.args[0].reason == "stopped"
