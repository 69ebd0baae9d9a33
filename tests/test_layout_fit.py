"""The Build & train tab's side panel fits its column at both window sizes: no control is cut off at the right."""
import pytest
from PySide6.QtWidgets import QScrollArea, QWidget

from helpers_app import make_window


def side_panel(qtbot, tmp_path, monkeypatch, size):
    """A window at `size` and the scroll area of its Build & train side panel."""
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.resize(*size)
    qtbot.wait(50)
    scroll = next(s for s in w.findChildren(QScrollArea)
                  if s.widget() is not None and s.widget().findChild(QWidget, "startButton") is not None)
    return w, scroll


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_side_panel_fits_its_column(qtbot, tmp_path, monkeypatch, size):
    w, scroll = side_panel(qtbot, tmp_path, monkeypatch, size)
    inner = scroll.widget()
    assert inner.minimumSizeHint().width() <= scroll.viewport().width()
    for name in ("datasetCombo", "startButton", "learningRateInput", "hiddenActivation1", "removeLayer1"):
        widget = inner.findChild(QWidget, name)
        assert widget is not None, name
        right = widget.mapTo(inner, widget.rect().topRight()).x()
        assert right < scroll.viewport().width(), f"{name} is cut off at {size}"


def test_playground_mode_fits_a_1280x800_screen(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.resize(1280, 800)
    with qtbot.waitSignal(w.state.datasetChanged, timeout=10000):
        w.playground.mode.setCurrentIndex(1)
    qtbot.wait(50)
    assert w.minimumSizeHint().height() <= 770 and w.height() <= 800     # room for a title bar on 800 px


def test_curves_of_another_data_set_leave_the_plots_but_not_the_results_table(qtbot, tmp_path, monkeypatch):
    from helpers_playground import click_lesson, train
    w = make_window(qtbot, tmp_path, monkeypatch)
    click_lesson(qtbot, w, "perceptron_xor")
    w.state.set_setting("epochs", 20)
    train(qtbot, w)
    assert len(w.curves.runs) == 1 and len(w.state.runs) == 1
    click_lesson(qtbot, w, "sigmoid_relu")                  # the spiral: another data set
    assert w.curves.runs == [] and len(w.state.runs) == 1


def test_eight_runs_in_the_legend_leave_the_window_on_a_1024x768_screen(qtbot, tmp_path, monkeypatch):
    """Each run's label is a line's worth at 1024 px: the legend scrolls past three lines instead of growing (the
    window's minimum height stays under 735 px: a 768 px screen keeps room for a title bar)."""
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.resize(1024, 768)
    qtbot.wait(50)
    limit = w.minimumSizeHint().height()
    for k in range(8):
        w.curves.begin_run(f"784-256-128-64-10 ReLU · Adam lr 0.004 · batch 128 · cosine decay · run {k}",
                           augment=True)
    qtbot.wait(50)
    lines = w.curves.legend.fontMetrics().lineSpacing()
    assert w.curves.legend_box.height() <= 3 * lines + 1 < w.curves.legend.height()
    assert w.minimumSizeHint().height() <= max(limit, 735) and w.height() <= 768
    w.curves.clear()
    qtbot.wait(50)
    assert w.curves.legend_box.height() <= 2 * lines + 4             # the key alone: no empty rows kept


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_step_sits_beside_start_and_its_playback_beside_the_phase(qtbot, tmp_path, monkeypatch, size):
    """Start | One epoch | Step in one row, in sight without scrolling; Next phase and Play in the step's pane."""
    w, scroll = side_panel(qtbot, tmp_path, monkeypatch, size)
    start, step = w.panel.start_button, w.steps.step_button
    assert step.mapTo(w, step.rect().center()).y() == start.mapTo(w, start.rect().center()).y()
    bottom = step.mapTo(scroll.viewport(), step.rect().bottomLeft()).y()
    assert bottom <= scroll.viewport().height(), f"Step is below the fold at {size}"
    if size == (1280, 800):                     # and the run's result, the number a student looks for first
        result = w.findChild(QWidget, "trainingResult")
        assert result.mapTo(scroll.viewport(), result.rect().bottomLeft()).y() <= scroll.viewport().height()
    for button in (w.steps.next_button, w.steps.play_button):
        assert w.steps.isAncestorOf(button) and button.isVisible()
