"""The lessons after the course, one click each in the real window, checked against the numbers they claim: the
overfitting lesson's validation loss ends above its minimum and weight decay, dropout, augmentation (jitter) and more data each shrink the gap
between training and validation loss; the zero-initialised sigmoid network's hidden units stay identical (within
1e-7) while their weights change, and the three starts run side by side named by their initialiser."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QCheckBox, QLabel, QPushButton, QWidget

from app.widgets.playground.lessons import BY_KEY
from helpers_app import make_window
from helpers_playground import click_lesson, click_then, train as train_now

LONG = 240_000       # 300 epochs with 128 neuron maps live: a loaded 2-core machine needs more than a minute


def train(qtbot, w):
    return train_now(qtbot, w, timeout=LONG)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    yield w
    w.session.shutdown(5000)


def drawn(w, item: str) -> np.ndarray:
    """The y values of the last run's curve `item` as drawn (empty before its first draw)."""
    y = getattr(w.curves.runs[-1], item).getOriginalDataset()[1]
    return np.array([]) if y is None else np.asarray(y)


def gap(w):
    last = w.state.network.history[-1]
    return last["val_loss"] - last["train_loss"]


@pytest.mark.slow
def test_overfitting_then_weight_decay_then_dropout_shrink_the_gap(qtbot, window):
    w = window
    click_lesson(qtbot, w, "overfitting")
    text = w.findChild(QLabel, "lessonText").text()
    assert "never the test set" in text and w.state.dataset.key == "moons"
    assert [(l["units"], l["activation"]) for l in w.state.spec["layers"]] == [(64, "relu"), (64, "relu"),
                                                                              (2, "softmax")]
    assert w.state.settings["val_fraction"] == 0.3 and w.state.settings["weight_decay"] == 0
    train(qtbot, w)
    history = w.state.network.history
    val = [e["val_loss"] for e in history]
    assert val[-1] > 1.5 * min(val) and int(np.argmin(val)) < len(val) // 2     # it turns up, and early
    assert history[-1]["train_loss"] < 0.1                                       # while training still falls
    assert all(e["penalty"] == 0 for e in history)
    qtbot.waitUntil(lambda: len(drawn(w, "val_loss")) == len(val), timeout=5000)     # drawn on the next tick
    np.testing.assert_allclose(drawn(w, "val_loss"), val)                       # the validation curve is drawn
    plain = gap(w)

    assert w.findChild(QPushButton, "lessonThen").text() == "Add L2 weight decay (0.01)"
    click_then(qtbot, w)
    assert w.state.settings["weight_decay"] == 0.01 and w.panel.weight_decay.value() == 0.01
    train(qtbot, w)
    assert gap(w) < 0.5 * plain
    assert w.state.network.history[-1]["penalty"] > 0
    qtbot.waitUntil(lambda: len(drawn(w, "penalty")) == 300, timeout=5000)
    assert np.nanmin(drawn(w, "penalty")) > 0                                   # on its own dotted curve

    assert w.findChild(QPushButton, "lessonThen").text() == "Dropout instead (0.5)"
    click_then(qtbot, w)
    assert [l.get("dropout") for l in w.state.spec["layers"]] == [0.5, 0.5, None]
    assert w.state.settings["weight_decay"] == 0 and w.editor.rows[0].dropout.value() == 0.5
    train(qtbot, w)
    assert gap(w) < 0.5 * plain

    assert w.findChild(QPushButton, "lessonThen").text() == "Augmentation instead (jitter)"
    click_then(qtbot, w)
    assert [l.get("dropout") for l in w.state.spec["layers"]] == [None, None, None]
    check = w.findChild(QCheckBox, "augmentCheck")
    assert w.state.settings["augment"] is True and check.isChecked() and check.text() == "Augment (jitter the points)"
    train(qtbot, w)
    assert gap(w) < 0.5 * plain

    assert w.findChild(QPushButton, "lessonThen").text() == "More data instead (2,000 points)"
    click_then(qtbot, w)
    qtbot.waitUntil(lambda: w.state.dataset.params["n"] == 2000, timeout=LONG)    # new points, same kind and noise
    assert w.state.dataset.key == "moons" and w.state.dataset.params["noise"] == 0.35
    assert [l.get("dropout") for l in w.state.spec["layers"]] == [None, None, None]
    assert w.state.settings["weight_decay"] == 0 and w.findChild(QWidget, "playgroundPoints").value() == 2000
    assert w.state.settings["augment"] is False and not check.isChecked()
    train(qtbot, w)
    assert gap(w) < 0.5 * plain
    assert not w.findChild(QPushButton, "lessonThen").isVisible()               # the lesson's last step


def hidden_units_identical(net, tol=1e-7) -> bool:
    """Every hidden unit's incoming weights and bias are the first unit's."""
    return all(np.abs(layer.W - layer.W[:, :1]).max() <= tol and np.ptp(layer.b) <= tol
               for layer in net.layers[:-1])


@pytest.mark.slow
def test_initialisation_zeros_keep_units_identical_and_three_starts_run_side_by_side(qtbot, window):
    w = window
    click_lesson(qtbot, w, "initialisation")
    assert all(l.get("init") == "zeros" for l in w.state.spec["layers"])
    assert w.editor.init.currentData() == "zeros" and "W = 0" in w.editor.init.itemData(
        w.editor.init.currentIndex(), Qt.ToolTipRole)
    zeros = train(qtbot, w)
    net = w.state.network
    assert hidden_units_identical(net)
    assert all(np.abs(layer.W).max() > 1e-3 for layer in net.layers)            # while the weights did change
    assert zeros["test_accuracy"] <= 0.6                                         # so it cannot separate the circles

    click_then(qtbot, w)                                                         # too large
    assert all(l.get("init") == "normal" and l["init_scale"] == 30 for l in w.state.spec["layers"])
    assert w.editor.init_scale.isVisible() and w.editor.init_scale.value() == 30
    train(qtbot, w)
    too_large = w.state.network.history[-1]["train_loss"]
    click_then(qtbot, w)                                                         # Xavier, the default
    assert all("init" not in l for l in w.state.spec["layers"])
    xavier = train(qtbot, w)
    assert w.state.network.history[-1]["train_loss"] < 0.2 * too_large and xavier["test_accuracy"] >= 0.9

    click_then(qtbot, w)                                                         # all three side by side
    dialog = w.course_tools.compare_dialog
    qtbot.waitUntil(dialog.isVisible, timeout=5000)
    assert dialog.setting.currentData() == "init" and dialog.values() == ["normal", "xavier_uniform", "zeros"] \
        or sorted(dialog.values()) == ["normal", "xavier_uniform", "zeros"]
    assert dialog.epochs.value() == 200
    n_before = len(w.state.runs)
    with qtbot.waitSignal(w.session.compared, timeout=3 * LONG):
        qtbot.mouseClick(dialog.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)
    labels = [r["label"] for r in w.state.runs[n_before:]]
    assert sorted(labels) == sorted(["Initialiser: Zeros", "Initialiser: Normal σ = 30",
                                     "Initialiser: Xavier uniform"]), labels
