"""gradientHealthPlot: fed by a real training run through the TrainingSession; shows the trainer's probes."""
import dataclasses

import numpy as np
import pytest

from app.session import TrainingSession
from app.state import AppState
from app.widgets.inside.gradient_health import GradientHealthPlot
from app.widgets.inside.inside_tab import InsideTab
from engine import Network, TrainConfig
from engine.data.dataset import Dataset
from engine.inspection import dead_units, gradient_norms

SPEC = {"input_size": 784, "layers": [{"units": 24, "activation": "sigmoid"}, {"units": 16, "activation": "sigmoid"},
        {"units": 12, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 1}


def tiny(n=240, seed=0):
    rng = np.random.default_rng(seed)
    x = (rng.random((n, 784)) < 0.15).astype(np.float32)
    y = rng.integers(0, 10, n)
    return Dataset("tiny", x[:200], y[:200], x[200:], y[200:])


def test_a_training_run_draws_every_probe_per_layer_on_a_log_scale(qtbot):
    state, session = AppState(), TrainingSession()
    state.set_spec(SPEC)
    tab = InsideTab(state, session)
    qtbot.addWidget(tab)
    probes = []
    session.batchChunk.connect(lambda chunk: probes.extend(b for b in chunk if b.grad_norms is not None))
    net = Network.from_spec(SPEC)
    cfg = TrainConfig(optimizer="minibatch", lr=0.05, batch_size=10, epochs=3, val_fraction=0.0, probe_every=4)
    with qtbot.waitSignal(session.finished, timeout=30000):
        session.start(net, cfg, tiny())
    view = tab.gradients
    assert view._norm_curves[0].xData is None                   # hidden: the probes are kept, not drawn
    tab.show()
    tab.pages.setCurrentWidget(view)
    qtbot.waitUntil(lambda: view._norm_curves[0].xData is not None and len(view._norm_curves[0].xData) == len(probes))
    assert view.objectName() == view.accessibleName() == "gradientHealthPlot"
    assert len(probes) == 3 * (20 // 4) and len(view.x) == len(probes)       # none lost to GUI throttling
    assert view.norm_plot.plotItem.ctrl.logYCheck.isChecked()
    for k, curve in enumerate(view._norm_curves):
        want = [b.grad_norms[k] for b in probes]
        np.testing.assert_allclose(curve.xData, [b.epoch - 1 + b.batch / b.n_batches for b in probes])
        np.testing.assert_allclose(curve.yData, want)
        np.testing.assert_allclose(curve.getData()[1], np.log10(want), rtol=1e-6)     # drawn on a log axis
    assert len(view._dead_curves) == 1                               # only the ReLU layer can have dead units
    np.testing.assert_array_equal(view._dead_curves[0].yData, [b.dead_units[2] for b in probes])
    assert np.all(np.diff(view.x) > 0)
    last = probes[-1].grad_norms
    assert f"{last[0]:.2e}" in view.summary.text()
    assert f"Dead ReLU units: {probes[-1].dead_units[2]} of 12 in hidden 3" in view.summary.text()
    assert all(name in view.legend.text() for name in ("hidden 1 (Sigmoid)", "hidden 3 (ReLU)", "output (Softmax)"))
    session.shutdown(5000)


def test_a_loaded_network_is_measured_on_training_digits(qtbot):
    view = GradientHealthPlot()
    qtbot.addWidget(view)
    spec = {**SPEC, "layers": [{"units": 8, "activation": "relu"}, {"units": 10, "activation": "softmax"}]}
    view.set_spec(spec)
    net = Network.from_spec(spec, dtype="float64")
    net.layers[0].b = np.where(np.arange(8) < 3, -1e3, 0.0)           # three ReLUs that can never fire
    ds = tiny()
    view.probe(net, ds.x_train, ds.y_train)
    bp = net.backprop(ds.x_train, ds.y_train)
    norms, dead = gradient_norms(bp.grads), dead_units(bp.activations)
    assert dead == [3]
    text = view.summary.text()
    assert f"hidden 1: {norms[0]:.2e}" in text and f"output: {norms[1]:.2e}" in text
    assert "Dead ReLU units: 3 of 8 in hidden 1" in text


def test_a_perceptron_run_is_drawn_on_its_own_epochs(qtbot):
    """No hidden layer: one gradient curve, no dead units, an x axis that spans this run (not an earlier one)."""
    state, session = AppState(), TrainingSession()
    state.set_spec(SPEC)
    tab = InsideTab(state, session)
    qtbot.addWidget(tab)
    tab.show()
    view = tab.gradients
    tab.pages.setCurrentWidget(view)
    cfg = TrainConfig(optimizer="minibatch", lr=0.05, batch_size=10, epochs=6, val_fraction=0.0, probe_every=4)
    with qtbot.waitSignal(session.finished, timeout=30000):
        session.start(Network.from_spec(SPEC), cfg, tiny())
    qtbot.waitUntil(lambda: view.x and view._norm_curves[0].xData is not None)
    perceptron = {**SPEC, "layers": [{"units": 10, "activation": "softmax"}]}
    state.set_spec(perceptron)
    probes = []
    session.batchChunk.connect(lambda chunk: probes.extend(b for b in chunk if b.grad_norms is not None))
    with qtbot.waitSignal(session.finished, timeout=30000):
        session.start(Network.from_spec(perceptron), dataclasses.replace(cfg, epochs=2), tiny())
    qtbot.waitUntil(lambda: view._norm_curves and view._norm_curves[0].xData is not None
                    and len(view._norm_curves[0].xData) == len(probes))
    assert len(probes) == 2 * (20 // 4) and len(view._norm_curves) == 1 and not view._dead_curves
    np.testing.assert_allclose(view._norm_curves[0].yData, [b.grad_norms[0] for b in probes])
    text = view.summary.text()
    assert "Start training" not in text and f"output: {probes[-1].grad_norms[0]:.2e}" in text
    assert "No ReLU layers" in text
    (x0, x1), _ = view.norm_plot.viewRange()
    assert -0.1 <= x0 <= 0 and 1.9 < x1 < 2.1                   # this run's 2 epochs, not the earlier 6
    session.shutdown(5000)


def test_after_a_hidden_layer_run_a_perceptron_run_shows_in_the_window(qtbot, tmp_path, monkeypatch, mnist_sample):
    """The student's path: train, remove the hidden layer, train again, then open Look inside > Gradient health."""
    from helpers_app import make_window
    w = make_window(qtbot, tmp_path, monkeypatch)
    st = w.state
    st.set_dataset("sample", mnist_sample)
    for name, value in (("augment", False), ("probe_every", 20), ("epochs", 3), ("val_fraction", 0.0)):
        st.set_setting(name, value)
    with qtbot.waitSignal(w.session.finished, timeout=60000):
        w.start_training()
    inside = w.findChild(InsideTab)
    w.tabs.setCurrentWidget(inside)                                         # look inside, then go back
    inside.pages.setCurrentWidget(inside.gradients)
    qtbot.waitUntil(lambda: inside.net is not None)
    w.tabs.setCurrentIndex(0)
    st.set_spec({**st.spec, "layers": [st.spec["layers"][-1]]})            # remove the hidden layer
    st.set_setting("epochs", 2)
    probes = []
    w.session.batchChunk.connect(lambda chunk: probes.extend(b for b in chunk if b.grad_norms is not None))
    with qtbot.waitSignal(w.session.finished, timeout=60000):
        w.start_training()
    w.tabs.setCurrentWidget(inside)
    view = inside.gradients
    qtbot.waitUntil(lambda: view._norm_curves and view._norm_curves[0].xData is not None)
    assert len(probes) == len(view.x) > 0 and len(view._norm_curves) == 1
    assert "Start training" not in view.summary.text() and "output:" in view.summary.text()
    (x0, x1), _ = view.norm_plot.viewRange()
    assert -0.1 <= x0 <= 0 and 1.9 < x1 < 2.1, (x0, x1)                    # this run's 2 epochs, not 3
