"""The coach panel (coachHints): each hint appears on a run that shows its pattern (tiny real runs through the
window, or the session's own signals carrying a constructed run), states its evidence, and its one-click fix
changes the model's settings; a healthy run on the bundled digits gets no hint."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton

from app.session import Run
from engine.events import BatchStats, EpochStats, Finished
from engine.network import Network
from helpers_tiny_run import tiny_window


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    return tiny_window(qtbot, tmp_path, monkeypatch)


def coach(w):
    return w.course_tools.coach


def shown(w) -> dict:
    return {row.hint.key: row for row in coach(w).rows}


def train(qtbot, w, **settings):
    for name, value in settings.items():
        w.state.set_setting(name, value)
    with qtbot.waitSignal(w.session.finished, timeout=60000):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)
    coach(w).judge()


def replay(w, epochs, batches=(), finished=None, kind="train", cfg=None):
    """A constructed run delivered through the session's own signals, as the worker would."""
    s = w.session
    s.run, s.config = Run("constructed", kind=kind), cfg or w.state.config()
    s.started.emit()
    if batches:
        s.batchChunk.emit(list(batches))
    for e in epochs:
        s.epochStats.emit(e)
    if finished is not None:
        s.finished.emit(finished)
    coach(w).judge()


def epoch(e, train_loss, val_loss, acc=0.9, lr=0.1):
    return EpochStats(e, 20, train_loss, acc, val_loss, acc, lr, 0.1, 0.1 * e, False)


def click_fix(qtbot, w, key):
    """Click a hint's fix: it changes the settings, so the hints judged on the old ones go, and the coach says what
    it applied."""
    button = shown(w)[key].button
    assert button.isEnabled() and button.objectName() == f"coachFix_{key}"
    qtbot.mouseClick(button, Qt.LeftButton)
    assert key not in shown(w) and coach(w).status.text().startswith("Applied")


def test_a_diverging_rate_is_named_and_the_fix_lowers_it(window, qtbot):
    train(qtbot, window, lr=1e3, epochs=3)
    row = shown(window)["diverged"]
    assert "1e+03" in row.text.text() or "1000" in row.text.text()
    assert row.button.text() == "Lower the learning rate to 100"
    click_fix(qtbot, window, "diverged")
    assert window.state.settings["lr"] == 100.0 and window.panel.lr.value() == 100.0     # every view follows


def test_a_tiny_rate_leaves_the_loss_flat_and_the_fix_raises_it(window, qtbot):
    train(qtbot, window, lr=1e-7, epochs=3)
    row = shown(window)["loss_flat"]
    assert "learning rate of 1e-07" in row.text.text() and "epoch 1" in row.text.text()
    click_fix(qtbot, window, "loss_flat")
    assert window.state.settings["lr"] == pytest.approx(1e-6)


def test_the_default_run_on_the_digits_gets_no_hint(window, qtbot, mnist_sample):
    window.state.reset()
    window.state.set_dataset("sample", mnist_sample)
    window.state.set_config({**window.state.settings, "epochs": 2, "augment": False})
    train(qtbot, window)
    assert window.state.results["test_accuracy"] > 0.85
    assert coach(window).rows == [] and "nothing wrong" in coach(window).status.text()


def test_dead_relu_units_from_the_trainers_probes_and_the_fix_uses_leaky_relu(window, qtbot):
    probes = [BatchStats(1, 1, 5, 1.1, 0.3, 0.1, 0.0, 16),
              *(BatchStats(3, b, 5, 0.9, 0.5, 0.1, 0.3, 16, grad_norms=[0.1, 0.1], dead_units=[6]) for b in (1, 3))]
    replay(window, [epoch(1, 1.0, 1.0), epoch(2, 0.9, 0.9), epoch(3, 0.5, 0.5)], probes,
           Finished("completed", "", None, []))
    row = shown(window)["dead_relu"]
    assert "75 % of hidden-1 units (6 of 8)" in row.text.text()
    click_fix(qtbot, window, "dead_relu")
    assert [l["activation"] for l in window.state.hidden] == ["leaky_relu"]


def test_saturated_units_measured_on_the_models_network(window, qtbot):
    window.state.set_hidden([{"units": 8, "activation": "sigmoid"}])
    net = Network.from_spec(window.state.spec)
    net.layers[0].W[...] *= 400                  # every pre-activation far out on the flat ends
    window.state.set_network(net, trained=True)
    replay(window, [epoch(1, 1.0, 1.0), epoch(2, 0.9, 0.9), epoch(3, 0.5, 0.5)], finished=Finished("completed", "", None, []))
    row = shown(window)["saturated"]
    assert "hidden-1 sigmoid units" in row.text.text()
    click_fix(qtbot, window, "saturated")
    assert [l["activation"] for l in window.state.hidden] == ["relu"]


def test_overfitting_while_running_and_the_fix_waits_for_the_run_to_end(window, qtbot):
    token = window.state.activity.begin("training")
    val = [1.0, 0.6, 0.5, 0.55, 0.6, 0.7]
    train_loss = [1.0, 0.6, 0.4, 0.2, 0.1, 0.05]
    replay(window, [epoch(e, t, v) for e, (t, v) in enumerate(zip(train_loss, val), 1)],
           [BatchStats(1, 1, 5, 1.2, 0.3, 0.1, 0.0, 16)])
    row = shown(window)["overfitting"]
    assert "rose from 0.5 (epoch 3) to 0.7 (epoch 6)" in row.text.text()
    assert not row.button.isEnabled()            # never changes the run under way
    window.state.activity.end(token)
    click_fix(qtbot, window, "overfitting")
    assert window.state.settings["patience"] == 3


def test_batch_gd_needs_more_epochs(window, qtbot):
    window.state.set_setting("optimizer", "bgd")
    cfg = window.state.config(optimizer="bgd", epochs=3, lr=0.01)
    replay(window, [epoch(e, 1.1 - 0.01 * e, 1.1, acc=0.5, lr=0.01) for e in (1, 2, 3)],
           [BatchStats(e, 1, 1, 1.1, 0.5, 0.01, 0.1 * e, 72) for e in (1, 2, 3)],
           Finished("completed", "", None, []), cfg=cfg)
    assert "more_epochs" in shown(window)
    click_fix(qtbot, window, "more_epochs")
    assert window.state.settings["epochs"] == 30


def test_chance_level_offers_the_learning_rate_finder(window, qtbot):
    replay(window, [epoch(e, 1.1, 1.1, acc=0.30, lr=0.01) for e in (1, 2, 3)],
           finished=Finished("completed", "", None, []))
    row = shown(window)["chance"]
    assert row.button.text() == "Find a learning rate"
    with qtbot.waitSignal(window.session.lrFound, timeout=60000):
        qtbot.mouseClick(row.button, Qt.LeftButton)
    assert window.course_tools.lr_dialog.isVisible()


def test_the_panel_has_its_name_and_sits_under_the_training_panel(window):
    panel = window.findChild(type(coach(window)), "coachHints")
    assert panel is coach(window) and panel.accessibleName() == "coachHints"
    column = window.panel.parentWidget().layout()
    assert column.indexOf(panel) == column.indexOf(window.panel) + 1
    assert not panel.findChildren(QPushButton)                 # nothing to fix before a run


def test_hints_about_a_network_go_when_the_student_edits_it_away(window, qtbot):
    window.state.set_hidden([{"units": 8, "activation": "relu"}, {"units": 8, "activation": "relu"}])
    probes = [BatchStats(1, 1, 5, 1.1, 0.3, 0.1, 0.0, 16),
              BatchStats(3, 1, 5, 0.9, 0.5, 0.1, 0.3, 16, grad_norms=[0.1] * 3, dead_units=[7, 7])]
    replay(window, [epoch(1, 1.0, 1.0), epoch(2, 0.9, 0.9), epoch(3, 0.5, 0.5)], probes,
           Finished("completed", "", None, []))
    assert "hidden-1 units (7 of 8)" in shown(window)["dead_relu"].text.text()
    window.state.set_hidden([{"units": 8, "activation": "tanh"}])      # the student edits the network
    assert shown(window) == {}                                           # no hint about a network now gone
    window.state.set_results({"test_accuracy": 0.9})                     # a re-judgement comes
    coach(window).judge()
    assert shown(window) == {}
