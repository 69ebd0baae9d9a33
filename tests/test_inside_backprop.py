"""Forward pass and backprop inspector in the Look-inside tab, driven with the mouse; numbers vs the engine."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt

from app.session import TrainingSession
from app.state import AppState
from app.widgets.inside.inside_tab import InsideTab
from engine import Network
from engine.data.dataset import Dataset

SPEC = {"input_size": 784, "layers": [{"units": 20, "activation": "sigmoid"}, {"units": 12, "activation": "tanh"},
        {"units": 10, "activation": "softmax"}], "loss": "cross_entropy", "seed": 4}


def small_dataset(n_train=60, n_test=40, seed=0):
    rng = np.random.default_rng(seed)
    x = rng.random((n_train + n_test, 784), dtype=np.float32) * (rng.random((n_train + n_test, 784)) < 0.2)
    y = rng.integers(0, 10, n_train + n_test)
    return Dataset("tiny", x[:n_train], y[:n_train], x[n_train:], y[n_train:])


@pytest.fixture(scope="module")
def shared_tab(qapp):
    """One tab for the module (building its plots is the slow part); each test resets its inputs."""
    state = AppState()
    state.set_setting("optimizer", "sgd")
    state.set_setting("lr", 0.1)
    state.set_spec(SPEC)
    t = InsideTab(state, TrainingSession())
    t.resize(1280, 760)
    t.show()
    state.set_dataset("tiny", small_dataset())
    yield t
    t.close()
    t.deleteLater()


@pytest.fixture
def tab(qtbot, shared_tab):
    qtbot.waitExposed(shared_tab)
    shared_tab.pages.setCurrentIndex(0)
    shared_tab.state.set_network(Network.from_spec(SPEC, dtype="float64"))
    return shared_tab


def point(p):
    return QPoint(round(p.x()), round(p.y()))


def connection_spot(diagram, layer, i, j):
    """A pixel on the drawn line i -> j where no other connection is nearer (where a user would click)."""
    cols, _ = diagram._layout()
    a = cols[layer][1][list(cols[layer][0]).index(i)]
    b = cols[layer + 1][1][list(cols[layer + 1][0]).index(j)]
    for t in np.linspace(0.08, 0.92, 85):
        p = QPoint(*np.round(a + t * (b - a)).astype(int))
        if diagram.itemAt(p.toPointF()) == ("w", layer, i, j):
            return p
    raise AssertionError("no unambiguous pixel on that connection")


def test_the_diagram_lights_the_forward_pass_of_the_chosen_test_digit(qtbot, tab):
    net, ds = tab.state.network, tab.state.dataset
    tab.forward.index_box.setFocus()
    qtbot.keyClick(tab.forward.index_box, Qt.Key_Up)
    qtbot.keyClick(tab.forward.index_box, Qt.Key_Up)
    assert tab.forward.index_box.value() == 2
    zs, acts = net.forward_trace(ds.x_test[2:3])
    shown = tab.diagram.acts
    assert len(shown) == 4
    for got, want in zip(shown, acts):
        np.testing.assert_allclose(got, want[0], rtol=1e-6)
    assert "network says" in tab.forward.result.text()
    np.testing.assert_array_equal(tab.forward.image.array, ds.x_test[2].reshape(28, 28))


def test_hovering_a_neuron_shows_its_z_bias_and_output(qtbot, tab):
    net, ds = tab.state.network, tab.state.dataset
    tab.forward.show_test_digit(5)
    zs, acts = net.forward_trace(ds.x_test[5:6])
    unit = int(tab.diagram._layout()[0][2][0][3])                 # a drawn neuron of hidden layer 2
    qtbot.mouseMove(tab.diagram, point(tab.diagram.neuronPoint(2, unit)))
    qtbot.waitUntil(lambda: "neuron" in tab.forward.details.text(), timeout=2000)
    text = tab.forward.details.text()
    assert f"Hidden layer 2, neuron {unit}" in text
    assert f"{zs[1][0, unit]:+.4f}" in text
    assert f"{float(net.layers[1].b[unit]):+.4f}" in text
    assert f"{acts[2][0, unit]:.4f}" in text


@pytest.mark.parametrize("layer,k_in,k_out", [(0, 6, 4), (1, 3, 7), (2, 2, 5)])
def test_clicking_a_connection_shows_the_engines_gradient_for_that_weight(qtbot, tab, layer, k_in, k_out):
    net, ds = tab.state.network, tab.state.dataset
    tab.forward.show_test_digit(7)
    cols, _ = tab.diagram._layout()
    i, j = int(cols[layer][0][k_in]), int(cols[layer + 1][0][k_out])
    qtbot.mouseClick(tab.diagram, Qt.LeftButton, pos=connection_spot(tab.diagram, layer, i, j))
    r = tab.backprop.result
    assert r is not None and (r.layer, r.i, r.j) == (layer, i, j)
    x, y = ds.x_test[7:8], ds.y_test[7:8]
    dW = net.gradients(x, y)[layer][0][i, j]
    assert r.dW == pytest.approx(dW, abs=1e-6)
    assert r.product == pytest.approx(dW, abs=1e-6)
    bp = net.backprop(x, y)
    assert r.z_i == pytest.approx(bp.activations[layer][0, i], abs=1e-12)
    assert r.delta_j == pytest.approx(bp.deltas[layer][0, j], abs=1e-12)
    # what the user reads is the same number
    shown = {k: float(label.text()) for k, label in tab.backprop.values.items()}
    assert shown["dW"] == pytest.approx(dW, rel=1e-5, abs=1e-12)
    assert shown["z_i"] == pytest.approx(r.z_i, rel=1e-5, abs=1e-12)
    assert shown["step"] == pytest.approx(-0.1 * dW, rel=1e-5, abs=1e-12)       # plain SGD, lr 0.1
    assert shown["after"] == pytest.approx(net.layers[layer].W[i, j] - 0.1 * dW, rel=1e-5)
    assert "δ" in tab.backprop.explain.text()


def test_the_inspector_follows_new_weights_and_a_new_digit(qtbot, tab):
    net = tab.state.network
    tab.forward.show_test_digit(1)
    tab.diagram.connectionClicked.emit(2, 3, 4)
    before = tab.backprop.result.dW
    trained = net.copy()
    trained.layers[2].W = trained.layers[2].W * 2
    tab.state.set_network(trained, trained=True)                # as each weight snapshot during training
    ds = tab.state.dataset
    assert tab.backprop.result.dW == pytest.approx(trained.gradients(ds.x_test[1:2], ds.y_test[1:2])[2][0][3, 4])
    tab.forward.show_test_digit(9)
    assert tab.backprop.result.dW == pytest.approx(trained.gradients(ds.x_test[9:10], ds.y_test[9:10])[2][0][3, 4])
    assert tab.backprop.result.dW != before


def test_without_a_network_every_view_says_what_to_do(qtbot):
    state = AppState()
    t = InsideTab(state, TrainingSession())
    qtbot.addWidget(t)
    t.show()
    assert "Train or load" in t.backprop.title.text()
    assert "Train or load" in t.forward.result.text()
    t.forward.use_drawn_digit()
    assert "draw a digit" in t.forward.result.text()


def test_a_label_the_network_has_no_output_for_is_a_message_not_a_traceback(qtbot, tab):
    tab.forward.set_sample(tab.state.dataset.x_test[0], 12)          # 10 outputs: there is no class 12
    tab.diagram.connectionClicked.emit(2, 0, 0)
    assert tab.backprop.result is None
    assert "12" in tab.backprop.title.text()
    assert all(label.text() == "–" for label in tab.backprop.values.values())
