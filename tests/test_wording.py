"""Wording a student reads: counts agree with their nouns ("1 value", "1 neuron")."""
from __future__ import annotations

from helpers_playground import click_lesson, playground_window, switch_to_playground


def test_one_input_and_one_output_are_singular(qtbot, tmp_path, monkeypatch):
    w = playground_window(qtbot, tmp_path, monkeypatch)
    assert w.editor.input_label.text() == "Input: 784 values (one per pixel)"
    assert w.editor.output_label.text() == "Output: 10 neurons (one per class)"
    switch_to_playground(qtbot, w)
    assert w.editor.input_label.text() == "Input: 2 values (one per coordinate)"
    click_lesson(qtbot, w, "output_range")                    # sin x: one number in, one number out
    qtbot.waitUntil(lambda: w.state.spec["input_size"] == 1, timeout=5000)
    assert w.editor.input_label.text() == "Input: 1 value (the coordinate x)"
    assert w.editor.output_label.text() == "Output: 1 neuron (the fitted value)"


def test_one_fine_tuning_epoch_is_singular(qtbot, tmp_path):
    from app.handwriting import PersonalDigits
    from app.widgets.teach_panel import TeachPanel
    from app.runs import Runs
    from app.session import TrainingSession
    from app.controls import Controls
    from app.state import AppState
    state, session = AppState(), TrainingSession()
    panel = TeachPanel(state, Runs(state, session), Controls(state), PersonalDigits(tmp_path / "hw"))
    qtbot.addWidget(panel, before_close_func=lambda _: session.shutdown(10000))
    assert panel.epochs.text() == "3 epochs"
    panel.epochs.setValue(1)
    assert panel.epochs.text() == "1 epoch"
    panel.epochs.setValue(2)
    assert panel.epochs.text() == "2 epochs"
