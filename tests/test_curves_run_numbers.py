"""One number names one run: the legend's "Run N" is the results table's "#" for that run, after File > New, a
data-set change or Clear runs as before them (both read the model's run id, AppState.begin_run)."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from helpers_tiny_run import SETTINGS, tiny, tiny_window


def start_run(qtbot, w) -> None:
    """Click Start and wait until the run has its results row."""
    with qtbot.waitSignal(w.session.finished, timeout=60000):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle and w.state.runs[-1]["record"] is not None,
                    timeout=10000)
    QApplication.processEvents()


def table_numbers(w) -> dict[int, str]:
    """The results table's rows as {run id the row picks: its '#'}."""
    t = w.course_tools.results.table
    return {t.item(r, 1).data(Qt.UserRole): t.item(r, 0).text() for r in range(t.rowCount())}


def tiny_settings(w) -> None:
    w.state.set_hidden([{"units": 8, "activation": "relu"}])
    for name, value in SETTINGS.items():
        w.state.set_setting(name, value)


def test_after_new_the_legend_and_the_table_give_a_run_the_same_number(qtbot, tmp_path, monkeypatch):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    start_run(qtbot, w)
    start_run(qtbot, w)
    assert [r.label.split(":")[0] for r in w.curves.runs] == ["Run 1", "Run 2"]
    assert w.document.new()                                  # the prompts answer "discard"
    assert w.curves.runs == [] and w.state.runs == []        # a new document: its runs count from 1 again
    tiny_settings(w)
    start_run(qtbot, w)
    run = w.curves.current
    assert run.label.startswith("Run 1: ") and "Run 2" not in w.curves.legend.text()
    assert f"{run.label}</span>" in w.curves.legend.text()
    assert table_numbers(w) == {run.key: "1"}                # the row that picks this curve is # 1


def test_a_data_set_change_or_clear_runs_keeps_the_numbers(qtbot, tmp_path, monkeypatch):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    start_run(qtbot, w)
    w.state.set_dataset("tiny again", tiny())                # another data set: the plots are cleared
    assert w.curves.runs == []
    start_run(qtbot, w)
    qtbot.mouseClick(w.curves.clear_button, Qt.LeftButton)
    start_run(qtbot, w)
    assert w.curves.current.label.startswith("Run 3: ")
    assert table_numbers(w) == {1: "1", 2: "2", 3: "3"}
    assert table_numbers(w)[w.curves.current.key] == "3"


def test_a_saved_history_shown_on_the_plots_claims_no_run_number(qtbot, tmp_path, monkeypatch):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    w.curves.show_history([{"epoch": 1, "train_loss": 1.0, "train_accuracy": 0.5}], "digits (saved)")
    assert w.curves.current.label == "digits (saved)"       # not in the results table: no "#" to repeat
    start_run(qtbot, w)
    assert w.curves.current.label.startswith("Run 1: ")
