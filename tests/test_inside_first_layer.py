"""firstLayerWeightsView: each tile is W[:, j] as a 28x28 image (normalised), updated from weight snapshots."""
import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QColor

from app.session import TrainingSession
from app.state import AppState
from app.widgets.inside.colors import diverging_rgb
from app.widgets.inside.first_layer_weights import FirstLayerWeightsView
from app.widgets.inside.inside_tab import InsideTab
from engine import Network
from helpers_app import show_widget

SPEC = {"input_size": 784, "layers": [{"units": 12, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 2}


@pytest.fixture
def view(qtbot):
    return show_widget(qtbot, FirstLayerWeightsView(), (800, 600))


def test_tiles_are_the_normalised_weight_columns_and_are_drawn(qtbot, view):
    assert view.objectName() == view.accessibleName() == "firstLayerWeightsView"
    net = Network.from_spec(SPEC)
    W = net.layers[0].W
    W[:, 5] = 0
    W[300, 5] = -0.4                                                 # unit 5 only dislikes pixel (10, 20)
    view.set_network(net)
    assert view.images.shape == (12, 28, 28)
    for j in range(12):
        np.testing.assert_allclose(view.images[j], W[:, j].reshape(28, 28) / np.abs(W[:, j]).max(), rtol=1e-6)
    assert "12 neurons" in view.caption.text()
    # what is on screen: tile 5 is white except one full-orange pixel at row 10, column 20
    shot = view.tiles.grab().toImage()
    rect = view.tiles.tile_rect(5)
    side = rect.width() / 28
    def pixel(r, c):
        return QColor(shot.pixel(int(rect.left() + (c + 0.5) * side), int(rect.top() + (r + 0.5) * side)))
    orange, white = diverging_rgb(-1.0), diverging_rgb(0.0)
    got = pixel(10, 20)
    assert (got.red(), got.green(), got.blue()) == tuple(orange)
    got = pixel(3, 3)
    assert (got.red(), got.green(), got.blue()) == tuple(white)


def test_it_follows_weight_snapshots_while_training_and_waits_when_hidden(qtbot):
    state, session = AppState(), TrainingSession()
    state.set_spec(SPEC)
    tab = InsideTab(state, session)
    qtbot.addWidget(tab)
    tab.resize(1000, 700)
    tab.show()
    qtbot.waitExposed(tab)
    net = Network.from_spec(SPEC)
    state.set_network(net, trained=True)                       # First layer page hidden: nothing computed yet
    assert tab.first_layer.images is None
    tab.pages.setCurrentWidget(tab.first_layer)
    np.testing.assert_allclose(tab.first_layer.images[3], net.layers[0].W[:, 3].reshape(28, 28)
                               / np.abs(net.layers[0].W[:, 3]).max(), rtol=1e-6)
    later = net.copy()
    later.layers[0].W = -later.layers[0].W
    state.set_network(later, trained=True)                     # visible: redrawn at once
    np.testing.assert_allclose(tab.first_layer.images, -first(net), rtol=1e-6)


def first(net):
    W = net.layers[0].W
    return (W / np.abs(W).max(axis=0)).T.reshape(-1, 28, 28)


def test_networks_without_image_inputs_are_explained(view):
    view.set_network(Network.from_spec({"input_size": 10, "layers": [{"units": 4, "activation": "relu"},
                                        {"units": 2, "activation": "softmax"}], "loss": "cross_entropy"}))
    assert view.images is None and "28x28" in view.caption.text()


def test_the_change_since_initialisation_can_be_shown(qtbot, view):
    net = Network.from_spec(SPEC)
    net.layers[0].W[:, 1] += np.linspace(0, 1, 784, dtype=np.float32)     # "training" changed unit 1
    view.set_network(net)
    qtbot.mouseClick(view.change, Qt.LeftButton)
    assert view.change.isChecked() and "how training changed" in view.caption.text()
    np.testing.assert_allclose(view.images[1], np.linspace(0, 1, 784).reshape(28, 28), atol=1e-5)
    assert not view.images[0].any()                                       # unit 0 kept its start
    qtbot.mouseClick(view.change, Qt.LeftButton)
    np.testing.assert_allclose(view.images[0], net.layers[0].W[:, 0].reshape(28, 28)
                               / np.abs(net.layers[0].W[:, 0]).max(), rtol=1e-6)
