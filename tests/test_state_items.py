"""Issue 22's reports, each replayed on the real window the way the student met it: a stuck Step, two crashes, work
lost on a mode switch or a New, a wrong history, and texts that outlived what they were about. Each of these
failed on the window before the activity, generation and workspace rules (docs/ARCHITECTURE.md)."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from app.widgets.guide import show_me
from engine.events import Finished
from engine.network import Network
from helpers_app import type_into
from helpers_tiny_run import SETTINGS, tiny_window

WAIT = 30000


def window(qtbot, tmp_path, monkeypatch):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    w.steps.speed.setValue(0)
    return w


def train(qtbot, w, button=None):
    with qtbot.waitSignal(w.session.finished, timeout=WAIT):
        qtbot.mouseClick(button or w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=WAIT)


def step(qtbot, w):
    with qtbot.waitSignal(w.runs.stepped, timeout=WAIT):
        qtbot.mouseClick(w.steps.step_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=WAIT)


def lr_field(w) -> QWidget:
    return w.panel.findChild(QWidget, "learningRateInput")


# ---- 1. Stuck ---------------------------------------------------------------------------------------------------
def test_a_refused_rate_never_leaves_step_stuck_or_its_sentence_behind(qtbot, tmp_path, monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    w.activateWindow()
    qtbot.waitActive(w)                                            # the keyboard goes to the window
    type_into(qtbot, lr_field(w), "-5")
    assert "above 0" in w.panel.blocker()                          # refused in red beside the field, as before
    assert not w.steps.step_button.isEnabled()                     # the actions table: no Step with a red field
    qtbot.mouseClick(w.steps.step_button, Qt.LeftButton)
    w.steps.take_step()                                            # nor by any other way in (Show me, Play)
    assert w.state.activity.idle and "Taking a step" not in w.steps.phase_label.text()
    type_into(qtbot, lr_field(w), "0.004")
    assert w.steps.step_button.isEnabled() and "learning rate" not in w.statusBar().currentMessage()
    step(qtbot, w)
    assert w.steps.overlay is not None and w.steps.step_button.isEnabled()
    w.state.set_hidden([{"units": 4, "activation": "relu"}])      # an architecture change and back
    w.state.set_hidden([{"units": 8, "activation": "relu"}])
    assert w.steps.step_button.isEnabled()
    step(qtbot, w)
    assert w.steps.step_button.isEnabled() and w.state.activity.idle


# ---- 2. A Show me of the playground, then one of the digits ---------------------------------------------------
def test_a_digits_show_me_after_a_playground_lesson_shows_the_digits_network(qtbot, tmp_path, monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    train(qtbot, w)
    step(qtbot, w)
    digits_net = w.state.network
    show_me.run(w, "xor_perceptron")
    qtbot.waitUntil(lambda: getattr(w.state.dataset, "key", None) == "xor" and w.state.activity.idle, timeout=WAIT)
    show_me.run(w, "backprop_connection")
    inside = w.findChild(QWidget, "insideTab")
    qtbot.waitUntil(lambda: inside.backprop.connection is not None, timeout=WAIT)
    assert w.state.mode == "digits" and w.state.network is digits_net         # the digits workspace, as left
    assert inside.backprop.x.size == 784 and "expects" not in inside.forward.result.text()
    assert "expects" not in inside.backprop.title.text()


# ---- 3. Clear runs while a run trains, then Pause ------------------------------------------------------------------
def test_clear_runs_waits_for_the_run_and_pause_after_it_is_harmless(qtbot, tmp_path, monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    w.state.set_setting("patience", 2)
    w.train_one_epoch()
    assert w.state.activity.kind == "training"
    assert not w.clear_runs_action.isEnabled()                     # the table: the curves belong to the run now
    w.clear_runs_action.trigger()
    w.clear_runs_action.trigger()
    qtbot.mouseClick(w.panel.pause_button, Qt.LeftButton)
    if w.state.activity.paused:
        qtbot.mouseClick(w.panel.pause_button, Qt.LeftButton)   # Resume
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=WAIT)
    assert w.curves.current is not None and w.curves.current.bloss.n > 0
    assert w.clear_runs_action.isEnabled()
    w.clear_runs_action.trigger()
    assert w.curves.runs == [] and not w.clear_runs_action.isEnabled()
    w.panel.progress.on_finished(Finished("early_stopped", "", 1, []))   # a late end with no curve: no error
    w._on_finished(Finished("early_stopped", "", 1, []))


# ---- 5. Each mode keeps its work; nothing unsaved goes without a question -----------------------------------------
def test_a_mode_switch_and_back_keeps_the_trained_network_its_curves_and_the_draw_tabs(qtbot, tmp_path, monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    train(qtbot, w)
    net, results, runs = w.state.network, dict(w.state.results), len(w.curves.runs)
    draw = w.findChild(QWidget, "drawCanvas").parentWidget()
    while not hasattr(draw, "network"):
        draw = draw.parentWidget()
    w.playground.mode.setCurrentIndex(1)
    qtbot.waitUntil(lambda: getattr(w.state.dataset, "key", None) == "xor" and w.state.activity.idle, timeout=WAIT)
    for _ in range(3):                                               # steps in the playground
        step(qtbot, w)
    order, pg_net = w.state.step_order, w.state.network
    w.playground.mode.setCurrentIndex(0)
    assert w.state.network is net and w.state.trained and w.state.results == results
    assert len(w.curves.runs) == runs and draw.network is net
    w.playground.mode.setCurrentIndex(1)
    assert w.state.network is pg_net and w.state.step_order is order      # the steps are not lost either
    step(qtbot, w)
    assert w.steps.overlay.rec.batch == 4


def test_new_open_and_close_ask_before_a_lesson_note_or_trained_work_goes(qtbot, tmp_path, monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    asked = []
    w.prompts.ask_unsaved = lambda what: asked.append(what) or "cancel"
    w.state.set_hidden([{"units": 5, "activation": "tanh"}])       # remembered between launches: no question
    assert not w.document.dirty and w.document.new()
    w.document.set_lesson({"preset": None, "section": "perceptron", "note": "Try XOR first."})
    assert w.document.dirty and not w.document.new() and "lesson" in asked[-1]
    assert w.document.lesson["note"] == "Try XOR first."            # cancelled: nothing was discarded
    w.document.set_lesson(None)
    train(qtbot, w)
    w.prompts.ask_open_path = lambda _filter: str(tmp_path / "missing.mlpstudio")
    assert not w.document.open() and "trained network" in asked[-1]
    w.close()
    assert w.isVisible() and len(asked) == 3                        # the close asked too, and stayed


# ---- 6. A history of two runs reopens whole ------------------------------------------------------------------------
def test_a_saved_history_of_two_runs_is_drawn_over_all_its_epochs_and_one_epoch_goes_on(qtbot, tmp_path,
                                                                                      monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    net = Network.from_spec(w.state.spec)
    rows = [{"epoch": e, "train_loss": 1 / e, "val_loss": 1.1 / e, "lr": 0.1, "elapsed": 0.1 * e} for e in range(1, 41)]
    net.history = rows + [{"epoch": e, "train_loss": 0.02, "val_loss": 0.03, "lr": 0.01, "elapsed": 0.1 * e}
                          for e in (1, 2, 3)]
    w.state.set_network(net, trained=True)
    w.prompts.ask_save_path = lambda *a: str(tmp_path / "two-runs.mlpstudio")
    assert w.document.save() and w.document.new()
    assert w.document.open_path(tmp_path / "two-runs.mlpstudio", ask=False)
    x = list(w.curves.current.ex.view)
    assert x == list(range(1, 44))
    train(qtbot, w, w.panel.epoch_button)
    assert list(w.curves.current.ex.view) == list(range(1, 45))     # epoch 44 goes on, no line back to 40


# ---- 8. Texts that outlived what they were about --------------------------------------------------------------------
def test_a_gradient_check_goes_with_its_step(qtbot, tmp_path, monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    step(qtbot, w)
    w.diagram.connectionClicked.emit(1, 0, 0)
    with qtbot.waitSignal(w.steps.gradientChecked, timeout=WAIT):
        qtbot.mouseClick(w.steps.check_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=WAIT)
    assert "agrees" in w.steps.check_result.text()
    step(qtbot, w)
    assert w.steps.check_result.text() == "" and w.steps.overlay.rec.batch == 2


def test_after_new_no_text_of_the_old_network_is_left(qtbot, tmp_path, monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    train(qtbot, w)
    assert w.panel.progress.format() == "Done"
    draw_status = w.findChild(QWidget, "drawStatus")
    draw_status.say("Fine-tuned: 16 of your 16 digits are now recognised.")
    w.say("Something went wrong inside MLP Studio (details saved to x).", 0)
    assert w.document.new()
    assert draw_status.text() == "" and w.panel.progress.format() == "Ready"
    assert w.course_tools.coach.rows == []
    w.say("Something went wrong inside MLP Studio (details saved to x).", 0)
    for name, value in SETTINGS.items():
        w.state.set_setting(name, value)
    w.state.set_hidden([{"units": 8, "activation": "relu"}])
    with qtbot.waitSignal(w.session.started, timeout=WAIT):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    assert "went wrong" not in w.statusBar().currentMessage()       # the next action began: the message went
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=WAIT)


def test_the_busy_text_is_the_activity_s_and_goes_with_it(qtbot, tmp_path, monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    with qtbot.waitSignal(w.session.lrFound, timeout=WAIT):
        w.course_tools.find_learning_rate()
        assert "learning rate" in w.status_task.label.text() and w.status_task.isVisible()
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=WAIT)
    assert not w.status_task.isVisible() and "Training" not in w.statusBar().currentMessage()


def test_look_inside_speaks_of_points_on_points(qtbot, tmp_path, monkeypatch):
    w = window(qtbot, tmp_path, monkeypatch)
    w.playground.mode.setCurrentIndex(1)
    qtbot.waitUntil(lambda: getattr(w.state.dataset, "key", None) == "xor" and w.state.activity.idle, timeout=WAIT)
    show_me.run(w, "forward_page")                                 # a digits Show me: the digits workspace
    inside = w.findChild(QWidget, "insideTab")
    assert w.state.mode == "digits" and inside.forward.index_box.prefix() == "test digit #"
    w.playground.mode.setCurrentIndex(1)
    w.state.set_network(Network.from_spec(w.state.spec), trained=False)
    inside.forward.set_dataset(w.state.dataset)
    inside.set_dataset(w.state.dataset)
    assert inside.forward.index_box.prefix() == "test point #"
    inside.forward.show_neuron(0, 0)
    assert "input value" in inside.forward.details.text() and "pixel" not in inside.forward.details.text()
    inside.backprop.set_network(w.state.network)
    inside.backprop.show_connection(0, 0, 0)
    assert "pixel" not in inside.backprop.title.text() and "dark pixel" not in inside.backprop.explain.text()
    assert np.size(inside.backprop.x) == 2
