"""What the random clicker (tools/random_clicker.py) found on the window of the last round, each replayed here in its
shortest form: pages for images shown a playground's points, a regression's empty accuracy drawn on a log scale, a
connection picked before a data set changed, a layer removed twice. Each raised inside a Qt slot (or wrote to
stderr) before its fix; PySide6 may even crash on an exception raised inside a paint or event handler."""
from __future__ import annotations

import warnings

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.widgets import network_tips
from app.widgets.inside.inside_tab import InsideTab
from engine.events import EpochStats
from engine.network import Network
from helpers_app import make_window
from helpers_playground import switch_to_playground


def playground(qtbot, tmp_path, monkeypatch, lesson=None):
    w = make_window(qtbot, tmp_path, monkeypatch)
    switch_to_playground(qtbot, w)
    if lesson:
        w.playground.start_lesson(lesson)
        qtbot.waitUntil(lambda: w.state.activity.idle and w.state.dataset.key == lesson_set(lesson), timeout=10000)
    w.state.set_network(Network.from_spec(w.state.spec), trained=True)
    return w


def lesson_set(key):
    from app.widgets.playground.lessons import BY_KEY
    return BY_KEY[key].dataset


def test_the_image_pages_on_points_and_on_a_curve_say_so_and_raise_nothing(qtbot, tmp_path, monkeypatch):
    for lesson in (None, "output_range"):                       # XOR points, then sin x (a regression)
        w = playground(qtbot, tmp_path, monkeypatch, lesson)
        w.state.set_hidden([])                                   # the perceptron: first layer = the output
        w.state.set_network(Network.from_spec(w.state.spec), trained=True)
        inside = w.findChild(InsideTab)
        w.tabs.setCurrentWidget(inside)
        for page in (inside.errors, inside.first_layer):
            inside.pages.setCurrentWidget(page)
            page.refresh()
            qtbot.wait(20)
        assert "for classified images" in inside.errors.summary.text()
        assert "for images" in inside.first_layer.caption.text()


def test_an_input_neurons_tooltip_on_points_names_a_coordinate(qtbot, tmp_path, monkeypatch):
    w = playground(qtbot, tmp_path, monkeypatch)
    w.diagram.renderNow()
    text = network_tips.tooltip(w.diagram.picture(), ("neuron", 0, 1))
    assert "coordinate x<sub>2</sub>" in text and "pixel" not in text


def test_a_regressions_missing_accuracy_is_drawn_as_nothing_even_on_a_log_scale(qtbot, tmp_path, monkeypatch):
    w = playground(qtbot, tmp_path, monkeypatch)
    run = w.curves.begin_run("a curve fit")
    w.curves.loss_plot.getPlotItem().setLogMode(y=True)
    w.curves.accuracy_plot.getPlotItem().setLogMode(y=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")                          # "All-NaN slice encountered" went to stderr
        for e in (1, 2, 3):
            w.curves.add_epoch(EpochStats(e, 3, 0.5 / e, None, 0.6 / e, None, 0.01, 0.1, 0.1 * e, False))
        w.curves.redraw()
        w.curves.redraw()
        w.curves.accuracy_plot.grab()
    assert run.train_acc.getOriginalDataset()[0] is None or len(run.train_acc.getOriginalDataset()[0]) == 0


def test_a_connection_picked_before_a_data_set_change_is_dropped_with_it(qtbot, tmp_path, monkeypatch):
    w = playground(qtbot, tmp_path, monkeypatch)
    w.state.set_hidden([{"units": 16, "activation": "tanh"}])
    w.diagram.connectionClicked.emit(1, 15, 1)                  # picked before any step
    w.playground.points.setValue(40)                            # the data set changes: another generation
    qtbot.waitUntil(lambda: w.state.activity.idle and len(w.state.dataset.x_train) < 40, timeout=10000)
    w.state.set_hidden([{"units": 4, "activation": "tanh"}])
    assert w.steps.selected is None
    with qtbot.waitSignal(w.runs.stepped, timeout=10000):
        w.steps.take_step()
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)
    assert w.steps.overlay is not None and w.steps.connection.text() == ""


def test_a_layer_removed_twice_before_its_row_is_gone_is_removed_once(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.state.set_hidden([{"units": 16, "activation": "relu"}, {"units": 8, "activation": "relu"}])
    row = w.editor.rows[1]
    qtbot.mouseClick(row.remove, Qt.LeftButton)
    w.editor.remove_layer(1)                                    # the same row's button again, before it is deleted
    assert [l["units"] for l in w.state.hidden] == [16]
    w.editor.move_layer(3, -1)
    assert [l["units"] for l in w.state.hidden] == [16]
    assert w.findChild(QWidget, "networkDiagram") is not None
