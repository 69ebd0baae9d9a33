"""Every view shows the current network: after Start, File > New, File > Open, an architecture change and a data
set change, the panel's result line, both diagrams, Look inside and the Draw tab agree with the app's model."""
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QMessageBox, QPushButton, QWidget

from app.widgets.draw_tab import DrawTab
from helpers_app import make_window

FAST = dict(optimizer="adam", lr=0.003, batch_size=64, augment=False, schedule="constant", epochs=1)


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, mnist_sample):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.state.set_dataset("sample", mnist_sample)
    monkeypatch.setattr(QMessageBox, "question", lambda *a, **k: QMessageBox.Yes)   # "discard the weights?"
    return w


def train(qtbot, w, **settings) -> dict:
    """Start a run with the panel's button and wait for its test accuracy; returns the model's results."""
    for name, value in {**FAST, **settings}.items():
        w.state.set_setting(name, value)
    with qtbot.waitSignal(w.state.resultsChanged, timeout=60000, check_params_cb=lambda r: r is not None):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)
    return w.state.results


def percent(results) -> str:
    return f"{100 * results['test_accuracy']:.2f}%"


def sizes_of(net):
    return [net.input_size] + [layer.units for layer in net.layers]


def assert_every_diagram_agrees(w):
    """A diagram draws weights only of a network of its own architecture: the model's, or none."""
    inside = w.findChild(QWidget, "insideTab")
    for diagram in (w.diagram, inside.diagram):
        assert diagram.net is None or sizes_of(diagram.net) == diagram.sizes, diagram.objectName()
        assert diagram.net is None or diagram.net is w.state.network


def result_line(w) -> QLabel:
    return w.panel.result


def test_the_result_line_reports_the_network_just_trained(qtbot, window):
    results = train(qtbot, window)
    assert 0.5 < results["test_accuracy"] <= 1 and results["n_test"] == 10_000
    assert percent(results) in result_line(window).text()
    assert window.diagram.net is window.state.network and window.state.trained
    assert window.state.runs[-1]["results"] == results                  # the run history keeps it too


def test_file_new_after_training_leaves_no_number_of_the_old_network(qtbot, window):
    inside = window.findChild(QWidget, "insideTab")
    draw = window.findChild(DrawTab)
    window.tabs.setCurrentWidget(inside)
    inside.pages.setCurrentWidget(inside.errors)
    results = train(qtbot, window)
    qtbot.waitUntil(lambda: f"{results['test_accuracy']:.2%}" in inside.errors.summary.text(), timeout=10000)
    window.tabs.setCurrentIndex(0)
    window.menus.new_action.trigger()
    assert window.state.network is None and window.state.results is None
    assert result_line(window).text() == ""
    assert window.diagram.net is None
    window.tabs.setCurrentWidget(inside)
    assert inside.net is None and inside.diagram.net is None and inside.backprop.net is None
    assert "%" not in inside.errors.summary.text() and "Train or load" in inside.errors.summary.text()
    assert draw.network is None and "No trained network" in draw.banner_text.text()
    assert_every_diagram_agrees(window)


def test_opening_a_saved_project_shows_that_projects_accuracy(qtbot, window, tmp_path):
    saved = train(qtbot, window)
    path = tmp_path / "good.mlpstudio"
    assert window.document.save_to(path)
    other = train(qtbot, window, lr=1e-6)                                   # barely trained: another accuracy
    assert percent(other) != percent(saved) and percent(other) in result_line(window).text()
    assert window.document.open_path(path, ask=False)
    assert window.state.results["test_accuracy"] == pytest.approx(saved["test_accuracy"])
    assert percent(saved) in result_line(window).text() and percent(other) not in result_line(window).text()
    inside = window.findChild(QWidget, "insideTab")
    window.tabs.setCurrentWidget(inside)
    inside.pages.setCurrentWidget(inside.errors)
    qtbot.waitUntil(lambda: f"{saved['test_accuracy']:.2%}" in inside.errors.summary.text(), timeout=10000)
    assert inside.net is window.state.network
    assert_every_diagram_agrees(window)


def test_start_replaces_the_shown_network_and_its_results_at_once(qtbot, window):
    first = train(qtbot, window)
    before = window.state.network
    window.state.set_setting("epochs", 50)
    qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    assert window.state.network is not before and window.state.results is None      # the new run's network
    assert percent(first) not in result_line(window).text()
    assert window.findChild(DrawTab).network is window.state.network
    window.session.stop()
    qtbot.waitUntil(lambda: window.state.activity.idle, timeout=10000)


def test_an_architecture_change_clears_the_result_and_the_weights_everywhere(qtbot, window):
    train(qtbot, window)
    qtbot.mouseClick(window.findChild(QPushButton, "addLayerButton"), Qt.LeftButton)    # answered Yes
    assert window.state.network is None and result_line(window).text() == ""
    assert window.diagram.net is None and len(window.diagram.sizes) == 4
    assert_every_diagram_agrees(window)


def test_a_data_set_change_clears_results_measured_on_the_old_one(qtbot, window):
    from app.paths import SAMPLE
    train(qtbot, window)
    with qtbot.waitSignal(window.state.datasetChanged, timeout=20000):
        window.choose_dataset(str(SAMPLE))                                  # the same digits, another data set
    assert window.state.results is None and result_line(window).text() == ""
    assert window.state.network is not None                                 # same sizes: the network stays


def test_removing_then_adding_a_hidden_layer_around_look_inside_keeps_spec_and_network_in_step(qtbot, window):
    """Train; remove the hidden layer (Yes); 2 epochs; Start; Look inside; back; + Add hidden layer (Yes): the
    Look inside diagram was given the new spec, then the old network, and raised IndexError."""
    inside = window.findChild(QWidget, "insideTab")
    train(qtbot, window)
    qtbot.mouseClick(window.editor.rows[0].remove, Qt.LeftButton)
    assert len(window.state.spec["layers"]) == 1 and window.state.network is None
    train(qtbot, window, epochs=2)
    window.tabs.setCurrentWidget(inside)
    inside.diagram.renderNow()
    assert sizes_of(inside.diagram.net) == inside.diagram.sizes == [784, 10]
    window.tabs.setCurrentIndex(0)
    qtbot.mouseClick(window.findChild(QPushButton, "addLayerButton"), Qt.LeftButton)
    assert len(window.state.spec["layers"]) == 2 and window.state.network is None
    assert_every_diagram_agrees(window)
    window.tabs.setCurrentWidget(inside)
    inside.diagram.renderNow()
    inside.diagram.grab()
    assert inside.diagram.net is None and inside.diagram.sizes[0] == 784 and len(inside.diagram.sizes) == 3
    assert_every_diagram_agrees(window)


def test_every_list_the_app_offers_is_the_engines_registry(window):
    from engine.activations import ACTIVATIONS
    from engine.losses import LOSSES
    from engine.optimizers import OPTIMIZERS
    from engine.schedules import SCHEDULES

    def keys(combo):
        return [combo.itemData(i) for i in range(combo.count())]
    assert keys(window.panel.loss) == list(LOSSES)
    assert keys(window.panel.optimizer) == list(OPTIMIZERS)
    assert keys(window.panel.schedule) == list(SCHEDULES)
    assert keys(window.editor.output_activation) == list(ACTIVATIONS)
    assert keys(window.editor.rows[0].activation) == [n for n, a in ACTIVATIONS.items() if a.hidden_ok]
    assert window.panel.optimizer.itemText(keys(window.panel.optimizer).index("adam")) == OPTIMIZERS["adam"].label
