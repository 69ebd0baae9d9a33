"""NetworkView: the shown subset, clicks on connections, hover on neurons, tooltips, colours from weights."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QPointF, Qt

from app.widgets.network_view import MAX_SHOWN, NetworkView, shown_units
from engine.activations import ACTIVATIONS
from engine.network import Network
from helpers_app import show_widget

SPEC = {"input_size": 784, "layers": [{"units": 64, "activation": "tanh"}, {"units": 32, "activation": "tanh"},
                                      {"units": 10, "activation": "softmax"}], "loss": "cross_entropy", "seed": 0}


@pytest.fixture
def view(qtbot):
    v = NetworkView()
    v.setSpec(SPEC)
    return show_widget(qtbot, v, (900, 420))


def test_wide_layers_show_a_subset_and_say_how_many_are_hidden(view):
    cols, _ = view._layout()
    assert [len(u) for u, _ in cols] == [MAX_SHOWN, MAX_SHOWN, MAX_SHOWN, 10]
    assert view.picture().title(0) == "Input · 784" and view.sizes == [784, 64, 32, 10]
    inputs = shown_units(784, (28, 28))
    assert len(set(inputs)) == MAX_SHOWN and all(0 <= i < 784 for i in inputs)
    rows, colsx = inputs // 28, inputs % 28
    assert rows.min() >= 5 and rows.max() <= 22 and colsx.min() >= 5 and colsx.max() <= 22   # the digit's area
    img = view.grab().toImage()
    assert img.width() == 900


def test_clicking_a_connection_emits_its_layer_and_units(qtbot, view):
    units_in, units_out = view._layout()[0][1][0], view._layout()[0][2][0]
    i, j = int(units_in[3]), int(units_out[5])
    point = view.connectionPoint(1, i, j)
    with qtbot.waitSignal(view.connectionClicked, timeout=1000) as sig:
        qtbot.mouseClick(view, Qt.LeftButton, pos=point.toPoint())
    assert sig.args == [1, i, j]
    assert view.selected == (1, i, j)


def test_hovering_a_neuron_emits_it_and_explains_it(qtbot, view):
    net = Network.from_spec(SPEC)
    view.setNetwork(net)
    unit = int(view._layout()[0][2][0][2])
    with qtbot.waitSignal(view.neuronHovered, timeout=1000) as sig:
        qtbot.mouseMove(view, view.neuronPoint(2, unit).toPoint())
    assert sig.args == [2, unit]
    text = view.tooltipFor(("n", 2, unit))
    tanh = ACTIVATIONS["tanh"]
    assert f"activation {tanh.label} " in text and f"{tanh.formula}, range {tanh.range_text}." in text
    assert f"{float(net.layers[1].b[unit]):+.4f}" in text
    assert "aggregator" in text


def test_connection_tooltip_shows_the_weight(view):
    net = Network.from_spec(SPEC)
    view.setNetwork(net)
    text = view.tooltipFor(("w", 0, 300, 7))
    assert f"{float(net.layers[0].W[300, 7]):+.4f}" in text and "Backpropagation" in text


def test_weights_colour_the_connections_by_sign(qtbot, view):
    net = Network.from_spec({**SPEC, "layers": [{"units": 2, "activation": "tanh"}, {"units": 2, "activation": "softmax"}],
                             "input_size": 2})
    v = view
    v.setSpec(net.to_spec())
    net.layers[0].W = np.array([[1.0, -1.0], [1.0, -1.0]], dtype=net.dtype)
    v.setNetwork(net)
    v.renderNow()
    img = v._cache
    mid_pos = v.connectionPoint(0, 0, 0)     # positive: blue
    mid_neg = v.connectionPoint(0, 0, 1)     # negative: orange
    assert v.itemAt(mid_pos) == ("w", 0, 0, 0) and v.itemAt(mid_neg) == ("w", 0, 0, 1)
    dpr = img.devicePixelRatio()
    c_pos = img.pixelColor(int(mid_pos.x() * dpr), int(mid_pos.y() * dpr))
    c_neg = img.pixelColor(int(mid_neg.x() * dpr), int(mid_neg.y() * dpr))
    assert c_pos.blue() > c_pos.red() and c_neg.red() > c_neg.blue()


def test_set_activations_lights_neurons(view):
    acts = [np.linspace(0, 1, 784), np.ones(64), -np.ones(32), np.eye(10)[3]]
    view.setActivations(acts)
    view.renderNow()
    img = view._cache
    dpr = img.devicePixelRatio()
    p_on = view.neuronPoint(3, 3)
    p_off = view.neuronPoint(3, 4)
    on = img.pixelColor(int(p_on.x() * dpr), int(p_on.y() * dpr))
    off = img.pixelColor(int(p_off.x() * dpr), int(p_off.y() * dpr))
    assert on.blue() > on.red() + 80 and off.red() > 240 and off.green() > 240         # lit vs. white
    neg = view.neuronPoint(2, int(view._layout()[0][2][0][0]))
    c = img.pixelColor(int(neg.x() * dpr), int(neg.y() * dpr))
    assert c.red() > c.blue()                                                         # negative: orange
    assert "Activation now: -1.0000" in view.tooltipFor(("n", 2, int(view._layout()[0][2][0][0])))
    view.setActivations(None)
    assert view.acts is None


def test_overflowed_weights_and_activations_are_drawn_flat_without_a_warning(qtbot):
    """A step at an absurd learning rate can leave NaN or infinite weights (the random clicker, seed 8675309): the
    diagram still draws, those connections and neurons neutral, and NumPy raises no 'invalid value' on the way."""
    import warnings
    net = Network.from_spec({"input_size": 4, "layers": [{"units": 3, "activation": "tanh"},
                                                         {"units": 2, "activation": "softmax"}],
                             "loss": "cross_entropy", "seed": 0})
    net.layers[0].W[0, 0], net.layers[0].W[1, 1] = np.nan, np.inf
    view = NetworkView()
    qtbot.addWidget(view)
    view.setSpec(net.to_spec())
    view.setImageShape(None)
    view.setNetwork(net)
    view.setActivations([np.array([np.nan, 1, 2, 3.]), np.array([np.inf, np.nan, 0.5]), np.array([np.nan, 0.1])])
    view.resize(500, 300)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        view.renderNow()
        image = view.grab().toImage()
    assert not image.isNull() and image.width() == 500


@pytest.mark.parametrize("width", [260, 345, 420, 640, 900])
@pytest.mark.parametrize("hidden", [[16], [64, 64], [256, 128, 64], [32, 32, 32, 32]])
def test_column_titles_never_reach_the_next_column(qtbot, width, hidden):
    """A narrow diagram (the playground at 1024x768: 2-64-64-2 in ~345 px) wrote 'Hidden 1 · 64' over 'Hidden 2'."""
    from PySide6.QtGui import QFont, QFontMetrics
    v = NetworkView()
    v.setSpec({"input_size": 2, "layers": [{"units": n, "activation": "relu"} for n in hidden]
               + [{"units": 2, "activation": "softmax"}], "loss": "cross_entropy", "seed": 0})
    show_widget(qtbot, v, (width, 300))
    pic, (cols, _) = v.picture(), v._layout()
    xs = [pos[0][0] for _, pos in cols]
    bold = QFont(v.font())
    bold.setBold(True)
    widths = [(QFontMetrics(bold).horizontalAdvance(v.column_title(pic, c)[0]),
               v.fontMetrics().horizontalAdvance(v.column_title(pic, c)[1])) for c in range(len(xs))]
    for c in range(len(xs) - 1):
        room = xs[c + 1] - xs[c]
        assert max(widths[c]) / 2 + max(widths[c + 1]) / 2 < room, (c, widths, room)
    full = [pic.title(c) for c in range(len(xs))]
    if width >= 640 and len(xs) <= 4:
        assert [v.column_title(pic, c)[0] for c in range(len(xs))] == full     # room enough: the whole title
