"""The playground in the real window: the switch, the data set combo and sliders, presets through the model, the
same Start button, and the views (heat map = predict_proba, neuron maps, perceptron view, the regression fit)."""
import numpy as np
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QMouseEvent
from PySide6.QtWidgets import QApplication, QComboBox, QPushButton, QSlider, QTabBar, QWidget

from engine.presets import PLAYGROUND
from helpers_app import make_window
from helpers_playground import playground_window, switch_to_playground, train


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    return playground_window(qtbot, tmp_path, monkeypatch)


def test_the_switch_lists_the_sets_and_applies_xors_preset(qtbot, window):
    w = window
    assert isinstance(w.findChild(QTabBar, "playgroundTab"), QTabBar)
    switch_to_playground(qtbot, w)
    combo = w.findChild(QComboBox, "playgroundDataset")
    names = [combo.itemText(i) for i in range(combo.count())]
    assert any("XOR" in n for n in names) and len(names) == 8
    assert w.state.dataset.key == "xor" and len(w.state.dataset.x_test) == 60
    spec = w.state.spec
    assert [(l["units"], l["activation"]) for l in spec["layers"]] == [(8, "tanh"), (2, "softmax")]
    assert spec["loss"] == "cross_entropy"
    preset = PLAYGROUND["xor"].config
    assert (w.state.settings["lr"], w.state.settings["epochs"], w.state.settings["augment"]) == (
        preset.lr, preset.epochs, False)
    assert "2-8-2" in w.playground.preset.text()
    # the panel shows the preset and it can be changed there
    assert w.panel.epochs.value() == preset.epochs
    assert not w.panel.dataset.isVisible()                # the digit sets' row: not for points


def test_start_trains_on_the_set_and_the_heat_map_is_predict_proba(qtbot, window):
    w = window
    switch_to_playground(qtbot, w)
    w.state.set_setting("epochs", 200)
    results = train(qtbot, w)
    assert results["dataset"] == "xor" and results["test_accuracy"] >= 0.98
    b = w.findChild(QWidget, "decisionBoundary")
    qtbot.waitUntil(lambda: b.values is not None and b.net is w.state.network, timeout=3000)
    b.redraw.draw_now()
    assert b.values.shape[:2] == (150, 150) and b.cells >= 150
    expect = w.state.network.predict_proba(b.points).reshape(150, 150, -1)
    assert np.max(np.abs(b.values - expect)) <= 1e-6
    assert b.image.image.shape[:2] == (150, 150)
    # the frames made with each weight snapshot on the training thread hold the same numbers
    kind, net, (values, points, _, _) = w.state.network.derived["decisionBoundary"]
    assert kind == "plane" and net is w.state.network
    assert np.max(np.abs(values - net.predict_proba(points).reshape(150, 150, -1))) <= 1e-6
    # every training and test point is drawn, in its class colour, test points outlined
    assert len(b.train_points.data) == 140 and len(b.test_points.data) == 60


def test_a_perceptron_and_linear_hidden_layers_in_the_one_builder(qtbot, window):
    w = window
    switch_to_playground(qtbot, w)
    hidden = [w.editor.rows[0].activation.itemData(i) for i in range(w.editor.rows[0].activation.count())]
    assert "linear" in hidden
    qtbot.mouseClick(w.editor.rows[0].remove, Qt.LeftButton)
    assert [l["units"] for l in w.state.spec["layers"]] == [2]
    results = train(qtbot, w)
    assert results["test_accuracy"] <= 0.8
    view = w.findChild(QWidget, "perceptronView")
    view.redraw.draw_now()
    wv, b, act, _ = view.current()
    L = w.state.network.layers[0]
    assert np.allclose(wv, L.W[:, 1] - L.W[:, 0]) and b == pytest.approx(float(L.b[1] - L.b[0]))
    x = w.state.dataset.x_train[0].astype(np.float64)
    z = float(wv @ x + b)
    assert f"{z:+.3f}".replace("-", "−") in view.text.text()
    p1 = float(w.state.network.predict_proba(w.state.dataset.x_train[:1])[0, 1])
    assert f"{p1:.3f}" in view.text.text()                  # a = σ(z) is the network's P(class 1)
    boundary = w.findChild(QWidget, "decisionBoundary")
    xs, ys = boundary.line.getOriginalDataset()
    assert xs is not None and len(xs) == 2
    assert np.allclose(wv[0] * xs + wv[1] * ys + b, 0, atol=1e-4)   # the dashed line is w·x + b = 0


def test_neuron_maps_show_each_hidden_neuron_and_enlarge_under_the_mouse(qtbot, window):
    w = window
    switch_to_playground(qtbot, w)
    w.state.set_setting("epochs", 20)
    train(qtbot, w)
    maps = w.findChild(QWidget, "neuronMaps")
    maps.redraw.draw_now()
    assert [len(layer) for layer in maps.images] == [8]
    values = maps.maps()[0]
    _, acts = w.state.network.forward_trace(np.array([[0.0, 0.0]], np.float32))
    assert values.shape == (8, 40, 40)
    _, rect = maps.rects[3][:2], maps.rects[3][2]
    centre = QPointF(rect.center().x(), rect.center().y())
    QApplication.sendEvent(maps, QMouseEvent(QEvent.MouseMove, centre, maps.mapToGlobal(centre), Qt.NoButton,
                                             Qt.NoButton, Qt.NoModifier))
    qtbot.waitUntil(lambda: maps.hover == (0, 3) and maps.large is not None, timeout=2000)
    qtbot.mouseClick(maps, Qt.LeftButton, pos=QPoint(int(rect.center().x()), int(rect.center().y())))
    view = w.findChild(QWidget, "perceptronView")
    wv, b, _, title = view.current()
    assert "neuron 4" in title and np.allclose(wv, w.state.network.layers[0].W[:, 3])
    # the network goes (a new spec): the maps go with it, and a frame of the old one arriving late is not shown
    frame = maps._job()()
    w.state.set_network(None)
    maps.grab()
    maps._show(frame)
    maps.grab()
    assert maps.images == [] and maps.shown_net is None


def test_sliders_regenerate_the_data_and_keep_the_network(qtbot, window):
    w = window
    switch_to_playground(qtbot, w)
    spec = w.state.spec
    with qtbot.waitSignal(w.state.datasetChanged, timeout=10000):
        w.findChild(QSlider, "playgroundPoints").setValue(400)
    assert len(w.state.dataset.x_train) + len(w.state.dataset.x_test) == 400
    assert w.state.dataset.params["n"] == 400 and w.state.spec == spec


def test_regression_reports_mse_and_draws_the_fit(qtbot, window):
    w = window
    switch_to_playground(qtbot, w)
    combo = w.findChild(QComboBox, "playgroundDataset")
    with qtbot.waitSignal(w.state.datasetChanged, timeout=10000):
        combo.setCurrentIndex(combo.findData("sin"))
        combo.activated.emit(combo.currentIndex())
    qtbot.waitUntil(lambda: w.state.spec["layers"][-1]["activation"] == "linear", timeout=3000)
    w.state.set_setting("epochs", 30)
    results = train(qtbot, w)
    assert results["test_accuracy"] is None and results["test_mse"] > 0
    ds, net = w.state.dataset, w.state.network
    assert results["test_mse"] == pytest.approx(float(np.mean((net.forward(ds.x_test) - ds.y_test) ** 2)), rel=1e-5)
    assert "Test MSE" in w.playground.result.text() and w.panel.result.text() == ""
    assert not w.curves.accuracy_plot.isVisible() and w.curves.loss_plot.isVisible()
    assert all(r["train_accuracy"] is None or np.isnan(r["train_accuracy"]) for r in w.curves.current.rows)
    b = w.findChild(QWidget, "decisionBoundary")
    b.redraw.draw_now()
    xs, ys = b.fit.getOriginalDataset()
    assert np.allclose(ys, net.forward(xs[:, None].astype(np.float32))[:, 0], atol=1e-6)


def test_back_to_digits_restores_the_digit_network(qtbot, window):
    w = window
    check = w.findChild(QWidget, "augmentCheck")
    assert check.text() == "Augment (shift, rotate, scale, thicken)"
    switch_to_playground(qtbot, w)
    assert check.text() == "Augment (jitter the points)" and "point" in check.toolTip()   # points are jittered
    with qtbot.waitSignal(w.state.datasetChanged, timeout=30000):
        w.playground.mode.setCurrentIndex(0)
    qtbot.waitUntil(lambda: w.state.spec["input_size"] == 784, timeout=5000)
    assert w.state.settings["augment"] is True and not w.findChild(QWidget, "decisionBoundary").isVisible()
    assert check.text() == "Augment (shift, rotate, scale, thicken)" and "digits" in check.toolTip()


def test_a_saved_project_remembers_the_generated_set(qtbot, window, tmp_path, monkeypatch):
    from app.project import from_state, load_project, save_project
    w = window
    switch_to_playground(qtbot, w)
    w.findChild(QSlider, "playgroundNoise").setValue(25)
    with qtbot.waitSignal(w.state.datasetChanged, timeout=10000):
        w.playground.seed.setValue(7)
    assert w.state.dataset.params["noise"] == 0.25 and w.state.dataset.params["seed"] == 7
    w.state.set_setting("epochs", 5)
    train(qtbot, w)
    path = save_project(tmp_path / "xor.mlpstudio", from_state(w.state))
    project = load_project(path)
    assert project.dataset == "xor"
    assert project.dataset_params == {"n": 200, "noise": 0.25, "seed": 7, "test_fraction": 0.3}
    # a fresh window opens it: the same points, and the playground controls show them
    (tmp_path / "other").mkdir()
    other = make_window(qtbot, tmp_path / "other", monkeypatch)
    with qtbot.waitSignal(other.state.datasetChanged, timeout=10000):
        other.document.open_path(path, ask=False)
    qtbot.waitUntil(lambda: getattr(other.state.dataset, "key", "") == "xor", timeout=10000)
    assert np.array_equal(other.state.dataset.x_train, w.state.dataset.x_train)
    assert other.playground.playground() and other.playground.noise.value() == 25
    assert other.playground.seed.value() == 7
    other.session.shutdown(5000)
