"""Look inside > Hidden layers (layerMapView) on the real window: a short training of the app's digits network
through Start, watched live; the classes separate more in the last hidden layer than in the pixels (nearest-
centroid accuracy in 2-D); a click on a dot shows its digit; the playground gets a sentence, never a crash."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QWidget

from engine.layer_map import MAP_SAMPLES, layer_maps
from engine.presets import DIGIT_DATASET, digit_spec
from helpers_app import make_window

WAIT = 60000
SHORT = dict(epochs=2, augment=False, val_fraction=0.1, patience=0)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch, show=False)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    return w


def layer_page(w):
    inside = w.findChild(QWidget, "insideTab")
    view = w.findChild(QWidget, "layerMapView")
    w.tabs.setCurrentWidget(inside)
    inside.pages.setCurrentWidget(view)
    return view


def on_screen(plot, xy):
    box = plot.getPlotItem().getViewBox()
    return np.array([[p.x(), p.y()] for p in (plot.mapFromScene(box.mapViewToScene(QPointF(float(x), float(y))))
                                               for x, y in xy)], float)


def lonely_dot(view, plot_index, digit):
    """The fixed digit of class `digit` whose dot is farthest from any other dot on screen (a click hits it)."""
    pos = on_screen(view.plots[plot_index].plot, view.maps[plot_index].projection.coords)
    d2 = ((pos[:, None, :] - pos[None, :, :]) ** 2).sum(axis=2)
    np.fill_diagonal(d2, np.inf)
    mine = np.flatnonzero(view.y == digit)
    return int(mine[np.argmax(d2[mine].min(axis=1))])


def click_dot(qtbot, view, plot_index, index):
    """Click the dot of fixed digit `index` in map `plot_index`, where it is on screen."""
    plot = view.plots[plot_index].plot
    x, y = on_screen(plot, view.maps[plot_index].projection.coords[index:index + 1])[0]
    qtbot.mouseClick(plot.viewport(), Qt.LeftButton, pos=QPointF(x, y).toPoint())


def test_short_training_separates_the_last_hidden_layer_more_than_the_pixels(qtbot, window):
    w = window
    assert w.state.spec["layers"] == digit_spec()["layers"] and w.state.dataset_name == DIGIT_DATASET
    for name, value in SHORT.items():
        w.state.set_setting(name, value)
    view = layer_page(w)
    qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.kind == "training" and w.state.dataset is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: w.state.activity.kind == "idle" and w.state.trained, timeout=WAIT)
    qtbot.waitUntil(lambda: view.shown_net is w.state.network and view.settled(), timeout=WAIT)
    assert view.cost_ms                                       # the maps of the trained network, put up at the end
    assert [m.name for m in view.maps] == ["Pixels", "Hidden layer 1"]
    assert len(view.X) == MAP_SAMPLES and len(view.shown_plots()) == 2
    pixels, hidden = view.maps[0].separation, view.maps[-1].separation
    print(f"separation: pixels {pixels:.1%}, last hidden layer {hidden:.1%}; map cost {np.median(view.cost_ms):.0f} ms")
    assert hidden > pixels
    direct = layer_maps(w.state.network, view.X, view.y)          # what is shown is the engine's, for these digits
    assert [m.separation for m in direct] == pytest.approx([pixels, hidden])
    assert view.shown_plots()[-1].separation.text() == f"separation {hidden:.0%}"

    index = lonely_dot(view, 1, 7)
    click_dot(qtbot, view, 1, index)
    assert view.picked == index
    assert np.array_equal(view.digit.array, view.X[index].reshape(28, 28))
    assert f"Test digit #{int(view.rows[index])}: a 7" in view.digit_text.text()
    for plot, m in zip(view.shown_plots(), view.maps):               # ringed in every map
        assert np.allclose(plot.ring.getData()[0], [m.projection.coords[index, 0]])


def test_signs_stay_between_updates(qtbot, window):
    """A new snapshot of nearly the same weights draws nearly the same picture, never a mirrored one."""
    w = window
    view = layer_page(w)
    from engine.network import Network
    net = Network.from_spec(w.state.spec)
    w.state.set_network(net)                                  # the page asks for the digits it maps
    qtbot.waitUntil(lambda: w.state.dataset is not None, timeout=WAIT)
    qtbot.waitUntil(lambda: view.shown_net is net and view.settled(), timeout=WAIT)
    before = [m.projection.coords.copy() for m in view.maps]
    nudged = net.copy()
    nudged.params[:] += np.random.default_rng(0).normal(0, 1e-3, nudged.params.shape).astype(nudged.params.dtype)
    w.state.set_network(nudged, snapshot=True)
    qtbot.waitUntil(lambda: view.shown_net is nudged and view.settled(), timeout=WAIT)
    for old, m in zip(before, view.maps):
        assert np.corrcoef(old[:, 0], m.projection.coords[:, 0])[0, 1] > 0.9


def test_the_playground_gets_a_sentence(qtbot, window):
    w = window
    w.playground.start_lesson("perceptron_xor")
    qtbot.waitUntil(lambda: getattr(w.state.dataset, "key", None) == "xor", timeout=WAIT)
    view = layer_page(w)
    conf = w.findChild(QWidget, "reliabilityView")
    qtbot.waitUntil(lambda: view.message.isVisible(), timeout=WAIT)
    assert "maps digits" in view.message.text() and not view.shown_plots()
    w.findChild(QWidget, "insideTab").pages.setCurrentWidget(conf)
    qtbot.wait(50)
    assert conf.summary.text() and conf.result is None or conf.result is not None


def test_a_frame_of_replaced_digits_is_not_drawn(qtbot, window):
    """Maps computed from the digits of a data set that has since been replaced never reach the screen."""
    w = window
    view = layer_page(w)
    from engine.network import Network
    net = Network.from_spec(w.state.spec)
    w.state.set_network(net)
    qtbot.waitUntil(lambda: view.shown_net is net and view.settled(), timeout=WAIT)
    frame = view._job()()
    shown = view.maps
    view.set_dataset(w.state.dataset)                         # the same set again: new fixed digits
    view._show(frame)
    assert view.maps is shown or view.maps == []
    qtbot.waitUntil(lambda: view.shown_net is net and view.settled() and view.maps is not shown, timeout=WAIT)


# What held the window 40-112 ms here: an application-wide event filter in Python (every event waited for the GIL
# beside the trainer), full garbage collections on the GUI thread, hidden views redrawing each snapshot, and a frame
# asked for before Start put up during the run. Now 2-7 ms on a quiet 2-core machine (live maps included).
@pytest.mark.parametrize("page", ["layerMapView", "reliabilityView"])
def test_the_gui_thread_never_stalls_while_training_with_the_page_shown(qtbot, window, page):
    """The default digits network trains while the page is shown: the window keeps the GUI bound; the maps follow
    the run live (every 2 s), the confidence page when it is over."""
    from helpers_stall import StallMeter
    w = window
    w.state.set_setting("epochs", 1000)
    inside = w.findChild(QWidget, "insideTab")
    view = w.findChild(QWidget, page)
    w.tabs.setCurrentWidget(inside)
    inside.pages.setCurrentWidget(view)
    qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.curves.current is not None and w.curves.current.bloss.n > 0, timeout=WAIT)
    shown = view.redraw.count
    meter = StallMeter()
    meter.start()
    qtbot.wait(5000)
    meter.stop()
    live = view.redraw.count - shown
    with qtbot.waitSignal(w.session.over, timeout=WAIT):
        w.session.stop()
    qtbot.waitUntil(lambda: view.redraw.count > shown + live and not getattr(view, "waiting", False), timeout=WAIT)
    frames = view.redraw.count - shown
    if page == "layerMapView":
        assert live >= 2, f"the maps followed the run {live} times in 5 s"      # live, every 2 s
    print(f"{page}: {frames} frames in 5 s of training; longest GUI stall {meter.worst:.1f} ms "
          f"(ours {meter.worst_ours:.1f} ms; {meter.at_worst()})")
    assert frames >= 1                                        # the page followed the run
    meter.skip_if_contended()
    assert meter.worst_ours < 50, f"the GUI thread was blocked {meter.worst_ours:.0f} ms ({meter.at_worst()})"
