"""Errors view: confusion matrix over the whole test set vs engine.metrics; clicking a cell and a digit."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from app.widgets.inside.confusion import CELL_DIGITS, ErrorsView
from engine import Network, TrainConfig, fit
from engine.data import load_dataset
from engine.metrics import confusion_matrix, precision_recall
from helpers_app import show_widget


@pytest.fixture(scope="module")
def trained():
    """784-32-10 after one epoch on the 5,000 bundled digits, and the 10,000 test digits."""
    ds = load_dataset("sample")
    net = Network.from_spec({"input_size": 784, "layers": [{"units": 32, "activation": "relu"},
                             {"units": 10, "activation": "softmax"}], "loss": "cross_entropy", "seed": 0})
    fit(net, TrainConfig(optimizer="adam", lr=3e-3, batch_size=64, epochs=1, val_fraction=0.0), ds.x_train, ds.y_train)
    return net, ds


@pytest.fixture
def view(qtbot, trained):
    v = show_widget(qtbot, ErrorsView(), (1200, 720))
    v.set_dataset(trained[1])
    v.set_network(trained[0])
    return v


def center(rect):
    return QPoint(round(rect.center().x()), round(rect.center().y()))


def test_the_matrix_covers_the_test_set_and_matches_engine_metrics(view, trained):
    net, ds = trained
    grid = view.grid
    assert grid.objectName() == grid.accessibleName() == "confusionMatrix"
    pred = net.predict(ds.x_test)
    assert grid.cm.sum() == len(ds.x_test) == 10_000
    np.testing.assert_array_equal(grid.cm, confusion_matrix(ds.y_test, pred, 10))
    p, r = precision_recall(ds.y_test, pred, 10)
    np.testing.assert_allclose(grid.precision, p)
    np.testing.assert_allclose(grid.recall, r)
    acc = np.mean(pred == ds.y_test)
    assert acc > 0.8                                                  # a trained network, real data
    assert f"{acc:.2%} right" in view.summary.text()


def test_clicking_a_cell_shows_its_digits_and_clicking_a_digit_its_probabilities(qtbot, view, trained):
    net, ds = trained
    cm = view.grid.cm
    off = cm - np.diag(np.diag(cm))
    t, q = np.unravel_index(int(off.argmax()), cm.shape)               # the most common mistake
    qtbot.mouseClick(view.grid, Qt.LeftButton, pos=center(view.grid.cell_rect(t, q)))
    assert view.cell == (t, q)
    shown = view.cell_digits.indices
    assert len(shown) == min(cm[t, q], CELL_DIGITS)
    pred = net.predict(ds.x_test)
    assert np.all(ds.y_test[shown] == t) and np.all(pred[shown] == q)
    assert f"{cm[t, q]} mistaken digits" in view.cell_title.text()
    qtbot.mouseClick(view.cell_digits, Qt.LeftButton, pos=center(view.cell_digits.tile_rect(1)))
    np.testing.assert_allclose(view.bars.probabilities, net.predict_proba(ds.x_test[shown[1]:shown[1] + 1])[0],
                               atol=1e-6)                                 # float32: batch vs single sample
    assert f"#{shown[1]}" in view.digit_title.text()


def test_most_confident_mistakes_are_wrong_and_sorted(view, trained):
    net, ds = trained
    idx = view.mistakes.indices
    probs = net.predict_proba(ds.x_test[idx])
    pred = probs.argmax(axis=1)
    assert len(idx) == 24 and np.all(pred != ds.y_test[idx])
    conf = probs.max(axis=1)
    assert np.all(np.diff(conf) <= 1e-7)
    everything = net.predict_proba(ds.x_test)
    wrong = everything.argmax(1) != ds.y_test
    assert conf[0] == pytest.approx(everything[wrong].max(1).max(), rel=1e-6)
    assert view.mistakes.captions[0] == f"{ds.y_test[idx[0]]}→{pred[0]} {conf[0]:.0%}"


def test_hidden_view_waits_until_shown_and_live_updates_are_throttled(qtbot, trained):
    net, ds = trained
    v = ErrorsView()
    qtbot.addWidget(v)
    v.set_dataset(ds)
    v.set_network(net)
    assert v.analysis is None                                         # not visible: no work yet
    v.show()
    qtbot.waitExposed(v)
    assert v.analysis is not None and v.grid.cm.sum() == 10_000
    changed = net.copy()
    changed.layers[1].b = changed.layers[1].b + np.eye(10, dtype=changed.dtype)[3] * 50   # now it always says 3
    v.set_network(changed, live=True)
    assert v.grid.cm[:, 3].sum() < 10_000                              # not yet: at most once a second
    qtbot.waitUntil(lambda: v.grid.cm[:, 3].sum() == 10_000, timeout=3000)


def test_no_network_or_no_test_digits_is_said(qtbot):
    v = ErrorsView()
    qtbot.addWidget(v)
    v.show()
    assert "Train or load" in v.summary.text()
    v.set_network(Network.from_spec({"input_size": 784, "layers": [{"units": 10, "activation": "softmax"}],
                                     "loss": "cross_entropy"}))
    assert "test digits" in v.summary.text() and v.grid.cm is None
