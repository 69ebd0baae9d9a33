"""The Look inside tab in the real main window: stable names, and one network reaching every view."""
import numpy as np
import pytest
from PySide6.QtWidgets import QWidget

from app.main_window import MainWindow
from engine import Network

STABLE = ["activationView", "confusionMatrix", "firstLayerWeightsView", "gradientHealthPlot", "backpropInspector"]


@pytest.fixture
def window(qtbot):
    w = MainWindow()
    if hasattr(w, "prompts"):
        w.prompts.ask_unsaved = lambda what: "discard"                 # closing never blocks on a dialog
    qtbot.addWidget(w)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    yield w
    w.session.shutdown(3000)


def test_the_tab_is_in_the_window_with_every_stable_name(window):
    inside = window.findChild(QWidget, "insideTab")
    assert window.tabs.indexOf(inside) >= 0
    for name in STABLE:
        found = window.findChildren(QWidget, name)
        assert len(found) == 1, name
        assert found[0].accessibleName() == name
        assert inside.isAncestorOf(found[0])


def test_a_network_reaches_every_view_and_the_digits_load_on_their_own(qtbot, window):
    inside = window.findChild(QWidget, "insideTab")
    window.tabs.setCurrentWidget(inside)
    state = window.state
    net = Network.from_spec(state.spec)
    state.set_network(net)
    # no data set loaded yet: the tab loads the chosen one (the bundled sample) on a worker
    qtbot.waitUntil(lambda: inside.dataset is not None, timeout=20000)
    ds = inside.dataset
    assert len(ds.x_test) == 10_000
    # the sample's forward pass follows the data set (at once, or a pass of the event loop later when the digits
    # were already in memory from an earlier window)
    qtbot.waitUntil(lambda: inside.forward.trace is not None, timeout=5000)
    np.testing.assert_allclose(inside.forward.trace.a[-1], net.predict_proba(ds.x_test[:1])[0], rtol=1e-5)
    assert inside.backprop.net is net and inside.diagram.net is net
    inside.pages.setCurrentWidget(inside.first_layer)
    np.testing.assert_allclose(inside.first_layer.images[0], net.layers[0].W[:, 0].reshape(28, 28)
                               / np.abs(net.layers[0].W[:, 0]).max(), rtol=1e-6)
    inside.pages.setCurrentWidget(inside.errors)
    assert inside.errors.grid.cm.sum() == 10_000
    inside.pages.setCurrentWidget(inside.histograms)
    assert len(inside.histograms.plots) == len(net.layers)
    assert "output" in inside.gradients.summary.text()          # measured on training digits
    assert inside.activations.highlighted() == [l["activation"] for l in state.spec["layers"][:-1]]


def test_the_digit_on_the_draw_tabs_pad_goes_through_the_network(qtbot, window):
    from PySide6.QtCore import Qt

    from app.widgets.draw_tab import DrawTab
    from test_draw_canvas import drag
    pad = window.findChild(DrawTab)
    inside = window.findChild(QWidget, "insideTab")
    net = Network.from_spec(window.state.spec)
    window.state.set_network(net)
    window.tabs.setCurrentWidget(pad)
    sq = pad.canvas._square()
    drag(qtbot, pad.canvas, [(sq.x() + 0.5 * sq.width(), sq.y() + (0.2 + 0.03 * k) * sq.height()) for k in range(21)])
    qtbot.waitUntil(lambda: pad.image is not None, timeout=2000)
    window.tabs.setCurrentWidget(inside)
    qtbot.mouseClick(inside.forward.drawn_button, Qt.LeftButton)
    np.testing.assert_array_equal(inside.forward.x, pad.image.reshape(-1))
    np.testing.assert_allclose(inside.diagram.acts[-1], net.predict_proba(pad.image.reshape(1, -1))[0], rtol=1e-5)
    assert inside.backprop.y is None                       # a drawn digit has no label: the guess is the target


def test_a_data_set_that_cannot_be_loaded_is_a_sentence(qtbot, window, tmp_path):
    inside = window.findChild(QWidget, "insideTab")
    window.state.ws.dataset_name = str(tmp_path / "missing-folder")
    window.tabs.setCurrentWidget(inside)
    window.state.set_network(Network.from_spec(window.state.spec))
    if window.state.dataset is not None or inside.dataset is not None:
        pytest.skip("the window had already loaded a data set")
    qtbot.waitUntil(lambda: window.state.loading_dataset() is None, timeout=10000)
    assert "Could not load the digits" in inside.forward.result.text()
    assert "missing-folder" in inside.forward.result.text()          # the engine's sentence, not a traceback
    assert inside.dataset is None
