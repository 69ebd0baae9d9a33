"""Every Show me button of the crash course leads to the state it names: the tab and page shown, the lesson or
preset loaded (the model's data set and spec), the focus on the control it points at."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.widgets.guide import show_me
from app.widgets.guide.sections import SECTIONS
from engine.presets import PRESETS
from tests.helpers_app import make_window

BUTTONS = [(s.key, show.action) for s in SECTIONS for show in s.shows]
WAIT = 20000


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.activateWindow()
    yield w
    finish_loads()


def finish_loads():
    """Every data-set load (a superseded one too) ends and reports before its window goes."""
    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication
    QThreadPool.globalInstance().waitForDone(30000)
    QApplication.processEvents()


def hidden(w):
    return [(l["units"], l["activation"]) for l in w.state.spec["layers"][:-1]]


def inside(w):
    return w.findChild(QWidget, "insideTab")


def dataset_key(w):
    return getattr(w.state.dataset, "key", None)


def press(qtbot, w, section, action):
    """Open the guide at the section and press its Show me button with the keyboard (focus + Enter)."""
    w.guide.open_at(section)
    button = w.guide.findChild(QWidget, f"showMe_{section}_{action}")
    assert button is not None and button.text() == "Show me" and button.isVisible()
    button.setFocus()
    qtbot.keyClick(button, Qt.Key_Return)


def check_build_tab(qtbot, w):
    assert w.tabs.currentIndex() == 0
    assert w.diagram.isVisible()


def check_xor_perceptron(qtbot, w):
    qtbot.waitUntil(lambda: dataset_key(w) == "xor" and hidden(w) == [], timeout=WAIT)
    assert w.playground.playground() and w.playground.lesson.key == "perceptron_xor"
    assert w.state.spec["input_size"] == 2
    assert w.findChild(QWidget, "perceptronView").isVisible()


def check_xor_hidden(qtbot, w):
    qtbot.waitUntil(lambda: dataset_key(w) == "xor" and hidden(w) == [(8, "tanh")], timeout=WAIT)
    assert w.playground.lesson.key == "perceptron_xor"
    assert w.findChild(QWidget, "neuronMaps").isVisible()


def check_output_range(qtbot, w):
    qtbot.waitUntil(lambda: dataset_key(w) == "sin" and w.state.spec["layers"][-1]["activation"] == "sigmoid",
                    timeout=WAIT)
    assert w.playground.lesson.key == "output_range"


def check_overfitting_lesson(qtbot, w):
    qtbot.waitUntil(lambda: dataset_key(w) == "moons" and hidden(w) == [(64, "relu"), (64, "relu")], timeout=WAIT)
    assert w.playground.lesson.key == "overfitting" and w.state.settings["val_fraction"] == 0.3
    assert w.playground.lesson_text.isVisible()


def check_initialisation_lesson(qtbot, w):
    qtbot.waitUntil(lambda: dataset_key(w) == "circles" and hidden(w) == [(8, "sigmoid"), (8, "sigmoid")],
                    timeout=WAIT)
    assert w.playground.lesson.key == "initialisation"
    assert all(layer.get("init") == "zeros" for layer in w.state.spec["layers"])


def focused(name):
    def check(qtbot, w):
        assert w.tabs.currentIndex() == 0
        assert w.focusWidget() is w.findChild(QWidget, name)
    return check


def check_backprop_connection(qtbot, w):
    tab = inside(w)
    assert w.tabs.currentWidget() is tab and tab.pages.currentIndex() == 0
    assert w.state.network is not None
    qtbot.waitUntil(lambda: tab.backprop.connection is not None, timeout=WAIT)   # clicked once the digit is in
    layer, i, j = tab.backprop.connection
    assert layer == len(w.state.network.layers) - 1
    qtbot.waitUntil(lambda: tab.backprop.result is not None, timeout=WAIT)   # numbers once a digit is picked
    r = tab.backprop.result
    assert r.dW == pytest.approx(r.delta_j * r.z_i, rel=1e-5, abs=1e-9)       # dL/dW = delta_j z_i, shown
    assert r.z_i != 0                                       # a connection that carries something: numbers to read


def check_forward_page(qtbot, w):
    tab = inside(w)
    assert w.tabs.currentWidget() is tab and tab.pages.currentIndex() == 0
    assert w.state.network is not None


def check_activations_page(qtbot, w):
    tab = inside(w)
    assert w.tabs.currentWidget() is tab and tab.pages.currentWidget() is tab.activations
    mine = {l["activation"] for l in w.state.spec["layers"]}
    for name, box in tab.activations.boxes.items():
        assert box.used == (name in mine), name


def check_step(qtbot, w):
    qtbot.waitUntil(lambda: w.steps.result is not None, timeout=WAIT)
    assert w.tabs.currentIndex() == 0
    assert w.findChild(QWidget, "stepPhaseLabel").text() != ""
    assert w.state.network is not None


def check_digits_start(qtbot, w):
    assert w.tabs.currentIndex() == 0
    assert not w.playground.playground()
    qtbot.waitUntil(lambda: hidden(w) == [(256, "relu")] and w.state.spec["input_size"] == 784, timeout=WAIT)
    for name in ("optimizer", "lr", "batch_size", "epochs"):
        assert w.state.settings[name] == getattr(PRESETS["app_digits"], name)
    assert w.focusWidget() is w.findChild(QWidget, "startButton")


def inside_page(name):
    def check(qtbot, w):
        tab = inside(w)
        page = tab.findChild(QWidget, name)
        assert w.tabs.currentWidget() is tab and page.isVisible()
        assert not w.playground.playground() and w.state.network is not None
    return check


def compared(setting, values):
    def check(qtbot, w):
        dialog = w.findChild(QWidget, "compareDialog")
        assert dialog.isVisible() and w.tabs.currentIndex() == 0
        assert dialog.setting.currentData() == setting
        assert sorted(dialog.values()) == sorted(values)
        assert dialog.focusWidget() is dialog.run_button
        dialog.close()
    return check


CHECKS = {"build_tab": check_build_tab, "xor_perceptron": check_xor_perceptron, "xor_hidden": check_xor_hidden,
          "output_range": check_output_range, "training_panel": focused("datasetCombo"),
          "loss_choice": focused("lossCombo"), "optimizer_choice": focused("optimizerCombo"),
          "backprop_connection": check_backprop_connection, "forward_page": check_forward_page,
          "activations_page": check_activations_page, "step": check_step, "digits_start": check_digits_start,
          "compare_optimizers": compared("optimizer", ["sgd", "minibatch", "bgd"]),
          "compare_activations": compared("activation", ["sigmoid", "tanh", "relu", "leaky_relu"]),
          "compare_losses": compared("loss", ["cross_entropy", "l1"]),
          "overfitting_lesson": check_overfitting_lesson, "initialisation_lesson": check_initialisation_lesson,
          "hidden_layers_page": inside_page("layerMapView"), "confidence_page": inside_page("reliabilityDiagram")}


def test_every_button_has_a_check():
    assert {action for _, action in BUTTONS} == set(CHECKS)


@pytest.mark.parametrize("section,action", BUTTONS)
def test_show_me_leads_to_its_state(qtbot, window, section, action):
    w = window
    if action in ("build_tab", "digits_start", "activations_page", "hidden_layers_page", "confidence_page"):
        w.tabs.setCurrentIndex(2)                   # start elsewhere, so the button has something to do
    if action in ("digits_start", "hidden_layers_page"):     # from the playground (and with changed settings)
        w.state.set_setting("lr", 0.5)
        w.playground.start_lesson("perceptron_xor")
        qtbot.waitUntil(lambda: dataset_key(w) == "xor", timeout=WAIT)
    if action.startswith("compare"):
        w.course_tools.compare_dialog.configure("lr")     # the button must set the setting, not find it set
    press(qtbot, w, section, action)
    CHECKS[action](qtbot, w)


def test_show_me_that_changes_the_network_refuses_while_training(qtbot, window):
    w = window
    token = w.state.activity.begin("training")
    spec = dict(w.state.spec)
    w.guide.open_at("perceptron")
    button = w.guide.findChild(QWidget, "showMe_perceptron_xor_perceptron")
    assert not button.isEnabled()                              # the actions table: no lesson while a run trains
    show_me.run(w, "xor_perceptron")                           # nor by any other way in
    assert w.state.spec == spec and not w.playground.playground()
    assert "press Stop" in w.statusBar().currentMessage()
    w.state.activity.end(token)
