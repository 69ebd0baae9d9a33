"""Each lesson, one click in the real window: it builds what it says, and Start reaches its stated result."""
import numpy as np
import pytest
from PySide6.QtWidgets import QLabel, QWidget

from app.widgets.playground.lessons import BY_KEY
from helpers_app import make_window
from helpers_playground import click_lesson, click_then, train


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    yield w
    w.session.shutdown(5000)


def layers(w):
    return [(l["units"], l["activation"]) for l in w.state.spec["layers"]]


def shown_text(w, key):
    text = w.findChild(QLabel, "lessonText").text()
    return BY_KEY[key].title in text and BY_KEY[key].text in text


def test_a_perceptron_cannot_learn_xor_then_one_hidden_layer_can(qtbot, window):
    w = window
    click_lesson(qtbot, w, "perceptron_xor")
    assert shown_text(w, "perceptron_xor") and w.state.dataset.key == "xor"
    assert layers(w) == [(2, "softmax")]
    assert train(qtbot, w)["test_accuracy"] <= 0.80
    # what the lesson says: the perceptron hedges at about 50 % everywhere, its loss near ln 2
    probs = w.state.network.predict_proba(w.state.dataset.x_test)
    assert np.abs(probs - 0.5).max() < 0.1
    assert abs(w.state.network.history[-1]["train_loss"] - np.log(2)) < 0.05
    click_then(qtbot, w)
    assert layers(w) == [(8, "tanh"), (2, "softmax")]
    assert train(qtbot, w)["test_accuracy"] >= 0.98


def test_linear_layers_stack_to_a_line(qtbot, window):
    w = window
    click_lesson(qtbot, w, "linear_stack")
    assert w.state.dataset.key == "circles"
    assert layers(w) == [(8, "linear"), (8, "linear"), (2, "softmax")]
    assert train(qtbot, w)["test_accuracy"] <= 0.70
    b = w.findChild(QWidget, "decisionBoundary")
    b.redraw.draw_now()
    # the boundary is a line: the two logits' difference is an affine function of the plane's points
    z = w.state.network.forward_trace(b.points)[0][-1].astype(np.float64)
    diff = z[:, 0] - z[:, 1]
    A = np.c_[b.points.astype(np.float64), np.ones(len(diff))]
    fit = A @ np.linalg.lstsq(A, diff, rcond=None)[0]
    assert np.max(np.abs(fit - diff)) <= 1e-3 * max(1.0, np.max(np.abs(diff)))
    click_then(qtbot, w)
    assert layers(w) == [(8, "tanh"), (8, "tanh"), (2, "softmax")]
    assert train(qtbot, w)["test_accuracy"] >= 0.9


def test_sigmoid_vs_relu_on_the_spiral_overlaid(qtbot, window):
    w = window
    click_lesson(qtbot, w, "sigmoid_relu")
    assert w.state.dataset.key == "spiral" and len(w.state.dataset.x_train) + len(w.state.dataset.x_test) == 400
    assert layers(w) == [(16, "sigmoid"), (16, "sigmoid"), (2, "softmax")]
    sigmoid = train(qtbot, w)["test_accuracy"]
    click_then(qtbot, w)
    assert layers(w) == [(16, "relu"), (16, "relu"), (2, "softmax")]
    relu = train(qtbot, w)["test_accuracy"]
    assert relu >= 0.95 and relu > sigmoid
    assert len(w.curves.runs) == 2                        # both runs overlaid on the one set of curves


def test_restricted_output_range(qtbot, window):
    w = window
    click_lesson(qtbot, w, "output_range")
    assert w.state.dataset.key == "sin" and w.state.dataset.task == "regression"
    assert layers(w) == [(16, "tanh"), (1, "sigmoid")] and w.state.spec["loss"] == "mse"
    results = train(qtbot, w)
    assert results["test_accuracy"] is None and results["test_mse"] > 0.1
    b = w.findChild(QWidget, "decisionBoundary")
    b.redraw.draw_now()
    _, ys = b.fit.getOriginalDataset()
    assert ys.min() >= 0.0 and ys.max() <= 1.0             # the fit never leaves the sigmoid's range
    assert [line.value() for line in b.bounds if line.scene() is not None] == [0.0, 1.0]
    click_then(qtbot, w)
    assert layers(w) == [(16, "tanh"), (1, "tanh")]
    assert train(qtbot, w)["test_mse"] < 0.02
    b.redraw.draw_now()
    assert b.fit.getOriginalDataset()[1].min() < -0.8
