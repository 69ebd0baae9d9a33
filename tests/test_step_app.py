"""Step in the real window: click Step, walk its three phases, and read back every number the diagram and the
panel show against an independent forward pass, backprop and optimizer step on a copy of the network."""
import re

import numpy as np
import pytest
from PySide6.QtCore import Qt

from engine.data import load_dataset
from engine.network import Network
from engine.optimizers import OPTIMIZERS
from helpers_app import sample_window

NUMBER = r"[-−+]?\d+(?:\.\d+)?(?:e[-+]?\d+)?"


@pytest.fixture(scope="module")
def sample():
    return load_dataset("sample")


@pytest.fixture
def window(qtbot, sample, tmp_path, monkeypatch):
    return sample_window(qtbot, tmp_path, monkeypatch, sample)


def plain(text: str) -> str:
    return re.sub(r"<[^>]+>", "", text).replace("−", "-")


def after(text: str, key: str) -> list[float]:
    """The numbers that follow each occurrence of `key` in the shown text."""
    return [float(m) for m in re.findall(re.escape(key) + r"\s*(" + NUMBER + ")", plain(text))]


def close(shown, exact, rel=2e-3, abs_=2e-6):
    assert shown == pytest.approx(float(exact), rel=rel, abs=abs_)


def setup(w, hidden, out, loss, optimizer, **settings):
    spec = {"input_size": 784, "layers": [{"units": 12, "activation": hidden}, {"units": 10, "activation": out}],
            "loss": loss, "seed": 3}
    w.state.set_spec(spec)
    for k, v in {**dict(optimizer=optimizer, lr=0.01, momentum=0.9, batch_size=32), **settings}.items():
        w.state.set_setting(k, v)
    net = Network.from_spec(w.state.spec)
    w.state.set_network(net)
    w.steps.speed.setValue(0)                   # each phase at once: the numbers are read, not watched
    return net.copy()


def click_step(qtbot, w):
    qtbot.mouseClick(w.steps.step_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.steps.phase_label.text().startswith("1. Forward pass"), timeout=10000)
    return w.steps.overlay.rec


def expected_update(net, cfg, bp, Y):
    """The engine's optimizer, on its own, applied to a copy of the parameters with the batch's gradient folded
    with its grad_scale as the trainer folds it (Adam's step amplifies the rounding of a gradient near 0)."""
    from engine.step import scaled_gradient
    opt = OPTIMIZERS[cfg["optimizer"]](net.n_params, net.dtype, momentum=cfg["momentum"])
    w = np.array(net.params, copy=True)
    opt.step(w, scaled_gradient(net, bp, Y, opt.grad_scale(cfg["lr"])), cfg["lr"], 0.0, scaled=True)
    return w


CASES = [("tanh", "softmax", "cross_entropy", "adam"), ("relu", "sigmoid", "mse", "momentum"),
         ("sigmoid", "tanh", "l1", "sgd"), ("leaky_relu", "linear", "mse", "rmsprop"),
         ("linear", "sigmoid", "binary_cross_entropy", "nesterov"), ("tanh", "softmax", "cross_entropy", "bgd"),
         ("relu", "softmax", "cross_entropy", "minibatch")]


@pytest.mark.parametrize("hidden, out, loss, optimizer", CASES)
def test_step_shows_the_engines_numbers_in_three_phases(qtbot, window, sample, hidden, out, loss, optimizer):
    w = window
    ref_net = setup(w, hidden, out, loss, optimizer)
    rec = click_step(qtbot, w)
    idx = rec.indices
    X, y = sample.x_train[idx], sample.y_train[idx]
    n = {"sgd": 1, "bgd": 4500}.get(optimizer, 32)
    assert len(idx) == n and ("batch mean" in w.steps.details.text()) == (n > 1)
    ref = ref_net.backprop(X, y)
    Y = ref_net.targets(y, n)
    d = w.diagram
    # phase 1: the perceptron's z = Σ w·x + b and a = f(z) of the shown sample
    for u in (0, 5, 11):
        tip = d.tooltipFor(("n", 1, u))
        assert "perceptron" in tip
        close(float(re.search(r"= (" + NUMBER + r")\s*a = f\(z\)", plain(tip)).group(1)), ref.zs[0][0, u])
        close(after(tip, "a = ")[-1], ref.activations[1][0, u])
    # phase 2: the sample's loss filled in, the batch loss, the output deltas
    qtbot.mouseClick(w.steps.next_button, Qt.LeftButton)
    assert w.steps.phase_label.text().startswith("2. Error estimation")
    text = w.steps.details.text()
    q, p = ref.activations[-1][0], Y[0]
    own = {"cross_entropy": lambda: -np.sum(p * np.log(q)), "mse": lambda: np.sum((q - p) ** 2),
           "l1": lambda: np.sum(np.abs(q - p)),
           "binary_cross_entropy": lambda: -np.sum(p * np.log(q) + (1 - p) * np.log(1 - q))}[loss]()
    close(float(re.search(r"(" + NUMBER + r")\s*(?:Loss of the batch|Output local)", plain(text)).group(1)), own)
    if n > 1:
        close(after(text, "L = ")[-1], ref.loss)
    out_delta = ref_net.copy().backprop(X[:1], y[:1]).deltas[-1][0]
    for k in range(10):
        close(after(text, f"δ{k} = ")[0], out_delta[k])
    # phase 3: δ, dL/dW = δ_j z_i, the batch mean, and the change the optimizer made
    qtbot.mouseClick(w.steps.next_button, Qt.LeftButton)
    assert w.steps.phase_label.text().startswith("3. Backward pass + optimizer step")
    own1 = ref_net.copy().backprop(X[:1], y[:1])
    cfg = dict(w.state.settings)
    new = expected_update(ref_net, cfg, ref, Y)
    after_net = ref_net.copy()
    after_net.params[...] = new
    for u in (1, 7):
        close(after(d.tooltipFor(("n", 1, u)), "dL/dz = ")[0], own1.deltas[0][0, u])
    for layer, i, j in ((0, 300, 4), (1, 3, 6), (1, 11, 0)):
        tip = d.tooltipFor(("w", layer, i, j))
        close(float(re.search(r"= (" + NUMBER + r")\s*for sample", plain(tip)).group(1)), own1.grads[layer][0][i, j])
        if n > 1:
            close(after(tip, "what the update uses): ")[0], ref.grads[layer][0][i, j])
        w0, w1 = re.search(r"w: (" + NUMBER + r") → (" + NUMBER + ")", plain(tip)).groups()
        close(float(w0), ref_net.layers[layer].W[i, j])
        close(float(w1), after_net.layers[layer].W[i, j], abs_=1e-5)
    assert np.allclose(w.state.network.params, new, atol=1e-6)
    shown = plain(w.steps.details.text())
    before_after = re.search(r"before the step (" + NUMBER + r"), after it (" + NUMBER + ")", shown).groups()
    close(float(before_after[0]), ref.loss)
    close(float(before_after[1]), after_net.loss(X, y))
    assert not w.steps.next_button.isEnabled()


def test_the_clicked_connection_shows_its_update_and_checks_its_gradient(qtbot, window, sample):
    w = window
    setup(w, "tanh", "softmax", "cross_entropy", "adam")
    click_step(qtbot, w)
    click_step_again = w.steps.overlay.rec
    qtbot.mouseClick(w.steps.next_button, Qt.LeftButton)
    qtbot.mouseClick(w.steps.next_button, Qt.LeftButton)
    w.diagram.renderNow()
    qtbot.mouseClick(w.diagram, Qt.LeftButton, pos=w.diagram.connectionPoint(1, 4, 2).toPoint())
    text = plain(w.steps.connection.text())
    assert "m_hat = m / (1 - β₁^1)" in text and text.endswith(f"{float(w.state.network.layers[1].W[4, 2]):.5g}")
    with qtbot.waitSignal(w.steps.gradientChecked, timeout=10000) as got:
        qtbot.mouseClick(w.findChild(type(w.steps.check_button), "gradientCheckButton"), Qt.LeftButton)
    res = got.args[0]
    assert res.relative_error < 1e-6 and not res.at_kink
    close(res.backprop, click_step_again.grads[1][0][4, 2], rel=1e-4)
    assert "agrees" in w.steps.check_result.text()


def test_steps_keep_the_optimizers_memory_and_one_epoch_continues_it(qtbot, window):
    w = window
    setup(w, "tanh", "softmax", "cross_entropy", "adam")
    first = click_step(qtbot, w)
    second = click_step(qtbot, w)
    assert (first.batch, second.batch) == (1, 2) and w.state.optimizer.t == 2 and second.state_before["t"] == 1
    assert not np.array_equal(first.indices, second.indices)
    assert len(w.curves.current.bloss.view) == 2           # each step is a point on the loss curve
    with qtbot.waitSignal(w.session.finished, timeout=30000):
        w.train_one_epoch()
    assert w.state.optimizer is not None and w.state.optimizer.t == 2 + 141     # 4500 / 32 batches continue t


def test_step_is_refused_while_training_runs(qtbot, window):
    w = window
    setup(w, "tanh", "softmax", "cross_entropy", "adam", epochs=50)
    w.start_training()
    qtbot.waitUntil(w.session.is_running, timeout=10000)
    assert not w.steps.step_button.isEnabled()    # the actions table: no Step while a run trains
    qtbot.mouseClick(w.steps.step_button, Qt.LeftButton)
    w.steps.take_step()                           # nor by any other way in
    w.session.stop()
    qtbot.waitUntil(lambda: not w.session.is_running(), timeout=10000)
    qtbot.wait(200)
    assert w.steps.overlay is None                # refused, not queued


def test_play_at_speed_zero_shows_each_step_at_once_and_repeats(qtbot, window):
    w = window
    setup(w, "relu", "softmax", "cross_entropy", "momentum")
    w.steps.speed.setValue(0)
    phases = []
    w.steps.phaseShown.connect(lambda phase, kind: phases.append(kind))
    qtbot.mouseClick(w.steps.play_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.steps.overlay is not None and w.steps.overlay.rec.batch >= 3, timeout=20000)
    qtbot.mouseClick(w.steps.play_button, Qt.LeftButton)
    assert set(phases) == {"update"}                # speed 0: no stage is waited for
    assert w.steps.overlay.done
    qtbot.waitUntil(lambda: not w.session.is_running(), timeout=5000)
    assert len(w.curves.current.bloss.view) >= 3 and w.curves.current.label.endswith("one step at a time")


def test_step_on_the_two_input_playground_data(qtbot, window):
    w = window
    with qtbot.waitSignal(w.state.datasetChanged, timeout=10000):
        w.state.load_dataset("xor")
    w.state.set_hidden([{"units": 3, "activation": "tanh"}])
    w.state.set_setting("optimizer", "momentum")
    w.steps.speed.setValue(0)
    rec = click_step(qtbot, w)
    ref_net = w.steps.overlay.before
    X, y = w.state.dataset.x_train[rec.indices], w.state.dataset.y_train[rec.indices]
    ref = ref_net.backprop(X, y)
    tip = plain(w.diagram.tooltipFor(("n", 1, 2)))
    W, b = ref_net.layers[0].W, ref_net.layers[0].b
    assert f"{W[0, 2]:.4g}·{X[0, 0]:.4g}".replace("−", "-") in tip.replace("(", "").replace(")", "")
    close(float(re.search(r"= (" + NUMBER + r")\s*a = f\(z\)", tip).group(1)), ref.zs[0][0, 2])
    qtbot.mouseClick(w.steps.next_button, Qt.LeftButton)
    qtbot.mouseClick(w.steps.next_button, Qt.LeftButton)
    tip = w.diagram.tooltipFor(("w", 1, 2, 1))
    if rec.batch_size > 1:
        close(after(tip, "what the update uses): ")[0], ref.grads[1][0][2, 1])
    assert "Loss on the same batch" in w.steps.details.text()


def test_another_sample_of_the_batch_shows_its_own_numbers(qtbot, window, sample):
    w = window
    ref_net = setup(w, "sigmoid", "softmax", "cross_entropy", "minibatch")
    rec = click_step(qtbot, w)
    w.steps.sample.setValue(7)
    X, y = sample.x_train[rec.indices[6:7]], sample.y_train[rec.indices[6:7]]
    own = ref_net.backprop(X, y)
    close(float(re.search(r"= (" + NUMBER + r")\s*a = f\(z\)", plain(w.diagram.tooltipFor(("n", 1, 4)))).group(1)),
          own.zs[0][0, 4])
    assert "sample 7" in w.steps.details.text()
    qtbot.mouseClick(w.steps.next_button, Qt.LeftButton)
    close(float(re.search(r"(" + NUMBER + r")\s*Loss of the batch", plain(w.steps.details.text())).group(1)),
          own.loss)


def test_phases_play_stage_by_stage_at_a_speed(qtbot, window):
    w = window
    setup(w, "tanh", "softmax", "cross_entropy", "adam")
    w.state.set_hidden([{"units": 6, "activation": "tanh"}, {"units": 5, "activation": "relu"}])
    w.steps.speed.setValue(30)
    shown = []
    w.steps.phaseShown.connect(lambda phase, kind: shown.append((phase, kind, w.steps.overlay.stages[
        w.steps.overlay.stage][1])))
    qtbot.mouseClick(w.steps.step_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: bool(shown) and shown[-1] == (0, "forward", 3), timeout=10000)
    assert shown == [(0, "forward", k) for k in range(4)]       # inputs, then each layer lights up in turn
    qtbot.mouseClick(w.steps.next_button, Qt.LeftButton)
    assert shown[-1][:2] == (1, "error")
    qtbot.mouseClick(w.steps.next_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: shown[-1][1] == "update", timeout=10000)
    assert [s[1:] for s in shown[5:]] == [("backward", 3), ("backward", 2), ("backward", 1), ("update", 0)]
    assert w.steps.phase_label.text() == "3. Backward pass + optimizer step · the update is applied"


def test_starting_a_run_ends_the_playback_and_clears_the_step(qtbot, window):
    w = window
    setup(w, "tanh", "softmax", "cross_entropy", "sgd", epochs=1)
    w.steps.speed.setValue(300)                   # the playback is between stages, the session idle
    qtbot.mouseClick(w.steps.play_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.steps.overlay is not None and w.steps.overlay.stage >= 1, timeout=10000)
    assert not w.session.is_running()
    w.start_training()
    qtbot.waitUntil(lambda: w.steps.overlay is None, timeout=10000)
    assert not w.steps.play_button.isChecked() and w.diagram.overlay is None
    with qtbot.waitSignal(w.session.finished, timeout=30000):
        pass
    qtbot.wait(100)
    assert w.steps.overlay is None                 # no step was taken behind the run's back


def test_a_step_after_a_run_continues_the_runs_optimizer(qtbot, window):
    w = window
    setup(w, "relu", "softmax", "cross_entropy", "adam", epochs=1, batch_size=64, augment=False)
    with qtbot.waitSignal(w.session.finished, timeout=30000):
        w.start_training()
    qtbot.waitUntil(lambda: w.state.optimizer is not None, timeout=5000)
    assert w.state.optimizer.t == 71                          # 4,500 training digits in batches of 64
    rec = click_step(qtbot, w)
    assert rec.state_before["t"] == 71 and rec.t_after == 72 and w.state.optimizer.t == 72


def test_a_comparison_ends_the_step_shown_on_the_diagram(qtbot, tmp_path, monkeypatch):
    """Compare… trains copies and leaves the model's network alone; the step's labels must still leave the diagram,
    whose run (and curves) are now the comparison's."""
    from helpers_tiny_run import tiny_window
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    w.steps.speed.setValue(0)
    with qtbot.waitSignal(w.runs.stepped, timeout=20000):
        qtbot.mouseClick(w.steps.step_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.diagram.overlay is not None, timeout=5000)
    qtbot.mouseClick(w.panel.compare_button, Qt.LeftButton)
    dialog = w.course_tools.compare_dialog
    dialog.configure("lr", [0.01, 0.1], 2)
    with qtbot.waitSignal(w.session.compared, timeout=60000):
        qtbot.mouseClick(dialog.run_button, Qt.LeftButton)
    assert w.steps.overlay is None and w.diagram.overlay is None
    from app.widgets.step_controls import IDLE_TEXT
    assert w.steps.phase_label.text() == IDLE_TEXT and not w.steps.details.text()


class _Recorder:
    """A painter that keeps the texts drawn (and ignores the rest)."""

    def __init__(self, texts):
        self.texts = texts

    def drawText(self, *args):
        self.texts.append(str(args[-1]))

    def __getattr__(self, name):
        return lambda *args, **kwargs: None


def test_step_marks_the_neurons_dropout_switched_off_and_says_what_it_did(qtbot, window, sample):
    """A hidden layer with dropout 0.5: the diagram crosses exactly the neurons the step's mask switched off for
    the shown sample, their tooltips say so (and a kept one's its 1/(1 − p) factor), the caption counts them."""
    from app.widgets.network_view import NetworkView
    w = window
    w.state.set_spec({"input_size": 784, "layers": [{"units": 12, "activation": "relu", "dropout": 0.5},
                                                    {"units": 10, "activation": "softmax"}],
                      "loss": "cross_entropy", "seed": 3})
    w.state.set_network(Network.from_spec(w.state.spec))
    w.steps.speed.setValue(0)
    rec = click_step(qtbot, w)
    overlay, diagram = w.steps.overlay, w.findChild(NetworkView, "networkDiagram")
    mask = np.asarray(rec.masks[0])[rec.sample]
    assert set(np.unique(mask)) <= {0.0, 2.0} and (mask == 0).any() and (mask != 0).any()
    units = np.arange(12)
    assert overlay.dropped(1, units).tolist() == (mask == 0).tolist()
    assert overlay.dropped(0, units[:5]) is None and overlay.dropped(2, units[:10]) is None
    off, kept = int(np.flatnonzero(mask == 0)[0]), int(np.flatnonzero(mask != 0)[0])
    assert "Switched off by dropout" in overlay.tooltip(("n", 1, off))
    kept_tip = plain(overlay.tooltip(("n", 1, kept)))
    assert "Kept by dropout" in kept_tip and "= 2" in kept_tip
    shown = []
    overlay.paint(_Recorder(shown), diagram, *diagram._layout())
    assert any(f"✕ {int((mask == 0).sum())} of 12 off by dropout" in text for text in shown)
    diagram.renderNow()
    crossed = diagram.grab().toImage()
    overlay.rec.masks = None                               # the same step without the marks: the picture differs
    diagram.refresh(0.0)
    diagram.renderNow()
    assert diagram.grab().toImage() != crossed
