"""weightHistograms: per layer, np.histogram of the weights now and at initialisation on shared bins."""
import numpy as np
import pytest

from app.widgets.inside.weight_histograms import BINS, WeightHistogramsView
from engine import Network, TrainConfig, fit
from helpers_app import show_widget

SPEC = {"input_size": 6, "layers": [{"units": 16, "activation": "tanh"}, {"units": 3, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 5}


def test_histograms_now_and_at_initialisation_match_numpy(qtbot, tiny_data):
    view = show_widget(qtbot, WeightHistogramsView(), (900, 400))
    assert view.objectName() == view.accessibleName() == "weightHistograms"
    net = Network.from_spec(SPEC)
    init = Network.from_spec(SPEC)
    X, y = tiny_data
    fit(net, TrainConfig(optimizer="momentum", lr=0.5, batch_size=8, epochs=30, val_fraction=0.0), X, y)
    view.set_network(net)
    assert len(view.plots) == 2
    for l, plot in enumerate(view.plots):
        W, W0 = net.layers[l].W, init.layers[l].W
        peak = float(max(np.abs(W).max(), np.abs(W0).max()))
        edges = view.hists[l]["edges"]                                  # fixed, symmetric, shared
        np.testing.assert_allclose(edges, np.linspace(-peak, peak, BINS + 1), rtol=1e-12)
        x, now = plot.now.xData, plot.now.yData
        np.testing.assert_allclose(x, edges, atol=1e-6)                  # pyqtgraph keeps float32 x
        np.testing.assert_array_equal(now, np.histogram(W, edges)[0])
        np.testing.assert_array_equal(plot.init.yData, np.histogram(W0, edges)[0])
        assert now.sum() == W.size
        assert f"std {np.std(W):.3f}" in plot.plotItem.titleLabel.text
    assert not np.array_equal(view.plots[0].now.yData, view.plots[0].init.yData)    # training moved them


def test_a_new_architecture_rebuilds_the_plots_and_none_clears(qtbot):
    view = WeightHistogramsView()
    qtbot.addWidget(view)
    view.show()
    deep = {**SPEC, "layers": [{"units": 5, "activation": "relu"}] * 3 + [{"units": 3, "activation": "softmax"}]}
    view.set_network(Network.from_spec(deep))
    assert len(view.plots) == 4
    view.set_network(None)
    assert view.plots == [] and "Train or load" in view.caption.text()
