"""The training panel driven like a user: values taken as typed, refusals with the engine's sentence, Start that says
why it is off, notices that stay, one progress for panel and status bar, lists read from the engine's registries."""
from __future__ import annotations

import numpy as np
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtWidgets import QApplication, QComboBox, QLabel, QWidget

from engine.data.dataset import Dataset
from helpers_app import active_window, type_and_tab


@pytest.fixture
def window(tmp_path, monkeypatch, qtbot):
    return active_window(qtbot, tmp_path, monkeypatch)


def tiny(n_train=60, n_test=20, seed=0, k=10) -> Dataset:
    rng = np.random.default_rng(seed)
    x = rng.random((n_train, 784)).astype(np.float32)
    y = np.arange(n_train) % k
    xt = rng.random((n_test, 784)).astype(np.float32)
    return Dataset("tiny", x, y, xt, rng.integers(0, k, n_test))


def lr_field(w) -> QWidget:
    return w.findChild(QWidget, "learningRateInput") or w.panel.lr     # the names have their own test


def settle():
    for _ in range(3):
        QApplication.sendPostedEvents()
        QApplication.processEvents()


# ---- item 4: values taken as typed, refusals with the reason -----------------------------------------------
def test_the_learning_rate_field_has_its_stable_names(window):
    field = lr_field(window)
    assert field is not None and field.accessibleName() == "learningRateInput"


@pytest.mark.parametrize("text", ["3e-6", "1e-6", "0.003", "0.0015", "10", "1000", "250"])
def test_a_learning_rate_the_engine_accepts_is_taken_as_typed(window, qtbot, text):
    field = lr_field(window)
    type_and_tab(qtbot, field, text)
    assert window.state.settings["lr"] == float(text)
    assert window.state.config().lr == float(text)
    shown = field.text()
    assert float(shown) == float(text) and "0.00000" not in shown       # three significant digits, not 0.00000
    assert window.panel.start_button.isEnabled()


@pytest.mark.parametrize("text,why", [("0", "above 0"), ("-1", "above 0"), ("abc", "number")])
def test_a_learning_rate_the_engine_refuses_is_shown_refused_and_start_says_why(window, qtbot, text, why):
    panel = window.panel
    before = window.state.settings["lr"]
    type_and_tab(qtbot, lr_field(window), text)
    assert lr_field(window).text() == text                              # nothing changed behind the user's back
    reason = panel.refusals["lr"]
    assert reason.isVisible() and why in reason.text()
    assert not panel.start_button.isEnabled() and why in panel.start_button.toolTip()
    assert not panel.epoch_button.isEnabled()
    if text == "abc":
        assert window.state.settings["lr"] == before                    # a word cannot reach the engine
    else:
        from engine.errors import SpecError
        with pytest.raises(SpecError) as engine_says:
            window.state.config().validate()
        assert str(engine_says.value) in reason.text()                  # the engine's own sentence
    type_and_tab(qtbot, lr_field(window), "0.01")
    assert reason.text() == "" and panel.start_button.isEnabled()


def test_zero_epochs_is_refused_with_the_reason_not_replaced(window, qtbot):
    panel = window.panel
    type_and_tab(qtbot, panel.epochs, "0")
    assert panel.epochs.value() == 0 and window.state.settings["epochs"] == 0
    assert "epochs" in panel.refusals["epochs"].text() and not panel.start_button.isEnabled()


def test_a_learning_rate_of_1000_reaches_the_engine_and_diverges_from_the_window(window, qtbot):
    window.state.set_dataset("tiny", tiny(200, 40))
    for name, value in (("optimizer", "minibatch"), ("schedule", "constant"), ("epochs", 3), ("augment", False),
                        ("val_fraction", 0.0), ("batch_size", 16)):
        window.state.set_setting(name, value)
    window.panel.sync()
    type_and_tab(qtbot, lr_field(window), "1000")
    lrs = []
    window.session.batchStats.connect(lambda b: lrs.append(b.lr))
    with qtbot.waitSignal(window.session.finished, timeout=30000) as fin:
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    assert fin.args[0].reason == "diverged", fin.args[0].message
    assert "learning rate (1000)" in fin.args[0].message
    assert all(lr == 1000 for lr in lrs)
    assert "diverged" in window.panel.result.text()


# ---- notices stay until the next run or until dismissed ----------------------------------------------------
def test_the_batch_notice_stays_until_dismissed(window, qtbot):
    window.state.set_dataset("tiny", tiny())
    for name, value in (("batch_size", 100_000), ("epochs", 1), ("augment", False), ("val_fraction", 0.0)):
        window.state.set_setting(name, value)
    with qtbot.waitSignal(window.session.finished, timeout=30000):
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: not window.session.is_running(), timeout=5000)
    settle()
    notice = window.findChild(QLabel, "noticeLabel")
    assert notice is not None and notice.isVisible()
    assert "larger than the 60 training samples" in notice.text()
    close = window.findChild(QWidget, "noticeCloseButton")
    qtbot.mouseClick(close, Qt.LeftButton)
    assert not notice.isVisible()


def test_a_note_from_the_model_stays_until_the_next_run(window, qtbot):
    window.state.set_dataset("tiny", tiny())
    for name, value in (("epochs", 1), ("augment", False), ("val_fraction", 0.0), ("batch_size", 16)):
        window.state.set_setting(name, value)
    out = window.editor.output_activation
    out.setCurrentIndex(out.findData("sigmoid"))                        # cross-entropy needs softmax: loss -> MSE
    notice = window.findChild(QLabel, "noticeLabel")
    assert notice.isVisible() and "MSE" in notice.text()
    settle()
    assert notice.isVisible()
    with qtbot.waitSignal(window.session.finished, timeout=30000):
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    assert not notice.isVisible()


# ---- chance level --------------------------------------------------------------------------------------------
def test_a_run_that_ends_at_chance_says_so_with_the_likely_cause(window, qtbot):
    window.state.set_dataset("noise", tiny(200, 200, k=10))             # random pixels: nothing to learn
    for name, value in (("epochs", 1), ("augment", False), ("val_fraction", 0.0), ("optimizer", "momentum"),
                        ("schedule", "constant"), ("batch_size", 64)):
        window.state.set_setting(name, value)
    type_and_tab(qtbot, lr_field(window), "10")
    with qtbot.waitSignal(window.state.resultsChanged, timeout=30000,
                          check_params_cb=lambda r: r is not None) as got:
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    assert got.args[0]["test_accuracy"] <= 0.15
    assert "Test accuracy" in window.panel.result.text()
    qtbot.waitUntil(lambda: any(h.key == "chance" for h in window.course_tools.coach.current_hints()))
    chance = next(h for h in window.course_tools.coach.current_hints() if h.key == "chance")
    assert "guessing among 10 classes" in chance.evidence and "learning rate of 10 is high" in chance.evidence


# ---- item 5 (panel half): Start is off while the network is invalid -----------------------------------------
def test_start_is_off_while_the_architecture_is_refused(window, qtbot):
    row = window.editor.rows[0]
    type_and_tab(qtbot, row.units, "0")
    assert not window.panel.start_button.isEnabled()
    assert "at least 1" in window.panel.start_button.toolTip()
    type_and_tab(qtbot, row.units, "64")
    assert window.panel.start_button.isEnabled()


# ---- item 6: one progress, one name per action, nothing cut off --------------------------------------------
def test_panel_and_status_bar_show_the_same_progress_at_the_same_moment(window, qtbot):
    window.state.set_dataset("tiny", tiny(1500, 20))          # a run far longer than the bar moves it takes
    for name, value in (("optimizer", "sgd"), ("epochs", 500), ("augment", False), ("val_fraction", 0.0)):
        window.state.set_setting(name, value)
    task = window.status_task
    seen, last_batch = [], []
    window.session.batchStats.connect(lambda b: last_batch.append(b.batch))
    # the bar moves in its own event-loop pass after a delivery; both bars follow that one signal
    window.panel.progressChanged.connect(lambda *_: seen.append((
        last_batch[-1] if last_batch else None, window.panel.progress.text(), task.bar.text(), task.bar.value(),
        window.panel.progress.value())))

    def running():
        return [s for s in seen if s[0] is not None and "batch" in s[1]]

    qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: len(running()) >= 3, timeout=60000)     # as many moves as we look at, however fast
    with qtbot.waitSignal(window.session.finished, timeout=60000):
        qtbot.mouseClick(window.panel.stop_button, Qt.LeftButton)
    moves = running()
    assert len(moves) >= 3
    for batch, panel_text, status_text, status_value, panel_value in moves:
        assert f"batch {batch}/" in panel_text          # the latest delivered batch, not an older one
        assert status_text == panel_text and status_value == panel_value


def test_stop_has_one_name_and_the_status_text_fits(window, qtbot):
    window.state.set_dataset("tiny", tiny(2000, 20))
    for name, value in (("optimizer", "sgd"), ("epochs", 500), ("augment", False), ("val_fraction", 0.0)):
        window.state.set_setting(name, value)
    task = window.status_task
    with qtbot.waitSignal(window.session.batchStats, timeout=30000):
        qtbot.mouseClick(window.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: "batch" in task.bar.text(), timeout=10000)
    assert task.cancel_button.text() == window.panel.stop_button.text() == "Stop"
    settle()
    text = task.bar.text()
    assert task.bar.fontMetrics().horizontalAdvance(text) < task.bar.contentsRect().width()
    with qtbot.waitSignal(window.session.finished, timeout=30000):
        qtbot.mouseClick(task.cancel_button, Qt.LeftButton)


# ---- item 10 (left panel): nothing moves when a hint shows -----------------------------------------------------
def test_the_start_button_does_not_move_when_hints_come_and_go(window, qtbot):
    start = window.panel.start_button

    def dismiss_notice():
        close = window.findChild(QWidget, "noticeCloseButton")
        if close is not None and close.isVisible():
            qtbot.mouseClick(close, Qt.LeftButton)

    settle()
    y0 = start.mapTo(window, QPoint(0, 0)).y()
    moves = []
    for act in (lambda: type_and_tab(qtbot, window.editor.rows[0].units, "0"),          # architecture refused
                lambda: type_and_tab(qtbot, window.editor.rows[0].units, "128"),
                lambda: type_and_tab(qtbot, lr_field(window), "-1"),                    # learning rate refused
                lambda: type_and_tab(qtbot, lr_field(window), "0.003"),
                lambda: window.editor.output_activation.setCurrentIndex(
                    window.editor.output_activation.findData("sigmoid")),              # a note
                lambda: window.editor.output_activation.setCurrentIndex(
                    window.editor.output_activation.findData("softmax")),              # another note
                dismiss_notice):
        act()
        settle()
        moves.append(start.mapTo(window, QPoint(0, 0)).y() - y0)
    assert moves == [0] * len(moves)


# ---- the result line ----------------------------------------------------------------------------------------
def test_the_result_line_has_its_names_and_renders_results(window):
    label = window.findChild(QLabel, "trainingResult")
    assert label is window.panel.result and label.accessibleName() == "trainingResult"
    window.panel.show_result({"test_accuracy": 0.9759, "n_test": 10000})
    assert "97.59%" in label.text() and "10,000" in label.text() and "chance" not in label.text()
    window.panel.show_result(None)
    assert "97.59" not in label.text()


# ---- lists come from the engine's registries ------------------------------------------------------------------
def _items(combo: QComboBox):
    return [combo.itemData(i) for i in range(combo.count())], [combo.itemText(i) for i in range(combo.count())]


def test_every_list_is_the_engine_registry_with_its_labels(window):
    from engine.activations import ACTIVATIONS
    from engine.losses import LOSSES
    from engine.optimizers import OPTIMIZERS
    from engine.schedules import SCHEDULE_LABELS, SCHEDULES
    panel, editor = window.panel, window.editor
    assert _items(panel.optimizer) == (list(OPTIMIZERS), [OPTIMIZERS[n].label for n in OPTIMIZERS])
    assert _items(panel.loss) == (list(LOSSES), [LOSSES[n].label for n in LOSSES])
    assert _items(panel.schedule) == (list(SCHEDULES), [SCHEDULE_LABELS[n] for n in SCHEDULES])
    hidden = [n for n, a in ACTIVATIONS.items() if a.hidden_ok]
    assert _items(editor.rows[0].activation) == (hidden, [ACTIVATIONS[n].label for n in hidden])
    assert _items(editor.output_activation) == (list(ACTIVATIONS), [ACTIVATIONS[n].label for n in ACTIVATIONS])


def test_numbers_are_shown_with_at_least_three_significant_digits_and_read_back_exactly():
    from app.widgets.number_field import format_number, parse_number
    shown = {3e-6: "3e-6", 1e-6: "1e-6", 0.003: "0.003", 0.0015: "0.0015", 1000.0: "1000", 1e3 + 0.5: "1000.5",
             0.00123456: "0.00123456", 2.5e7: "2.5e7", 10.0: "10"}
    for value, text in shown.items():
        assert format_number(value) == text and float(format_number(value)) == value
    assert parse_number(" 1e3 ") == (1000.0, "")
    for bad in ("", "abc", "0,003", "inf", "nan"):
        value, why = parse_number(bad)
        assert value is None and why.startswith("Type")


def test_training_checks_are_the_engines_sentences():
    from app.training_checks import field_problems, training_problem
    from engine.training import TrainConfig
    assert field_problems({"lr": 1000.0, "batch_size": 1, "epochs": 100_000}) == {}
    got = field_problems({"lr": 0.0, "batch_size": 0, "epochs": 100_001})
    assert set(got) == {"lr", "batch_size", "epochs"} and "100,000" in got["epochs"]
    spec = {"input_size": 784, "layers": [{"units": 4096, "activation": "relu"},
                                          {"units": 10, "activation": "softmax"}], "loss": "cross_entropy"}
    huge = TrainConfig(optimizer="adam", batch_size=200_000)
    assert "memory" in training_problem(huge, spec)
    assert training_problem(huge, spec, n_train=60) == ""                  # the trainer uses at most 60 per step
    assert training_problem(TrainConfig(optimizer="sgd", batch_size=200_000), spec) == ""


def test_the_start_shortcut_is_refused_while_a_field_is_red(window, qtbot):
    type_and_tab(qtbot, lr_field(window), "abc")
    started = []
    window.session.started.connect(lambda: started.append("running"))
    window.start_action.trigger()                    # Ctrl+Return: the same path as the keyboard shortcut
    settle()
    assert "running" not in started and not window.session.is_running() and window.state.activity.idle
    assert "number" in window.statusBar().currentMessage()   # says why, like the disabled Start button


def test_the_time_left_waits_for_a_fair_estimate(window):
    from engine.events import BatchStats
    panel = window.panel
    panel.begin(40)
    panel.progress.on_batch(BatchStats(1, 1, 70, 2.3, 0.1, 0.004, 0.4, 128))   # first batch, warm-up included
    panel.progress.flush()
    assert "estimating" in panel.progress.format() and "left" in panel.progress.format()
    panel.progress.on_batch(BatchStats(2, 10, 70, 0.3, 0.9, 0.004, 6.0, 128))  # 8/280 of the run in 6 s
    panel.progress.flush()
    assert panel.progress.format().endswith("3:24 left")                    # 6 s x (1 - f) / f, f = 8/280
