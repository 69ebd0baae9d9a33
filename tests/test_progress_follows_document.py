"""The progress bar tells the current network's story: after File > New a past run's full "Done" bar goes."""
from __future__ import annotations

from PySide6.QtCore import Qt

from helpers_tiny_run import tiny_window


def test_new_resets_the_finished_runs_progress(qtbot, tmp_path, monkeypatch):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    with qtbot.waitSignal(w.state.resultsChanged, timeout=30000, check_params_cb=lambda r: r is not None):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)
    assert w.panel.progress.value() == w.panel.progress.maximum() and w.panel.progress.format() != "Ready"
    w.document.new()
    qtbot.wait(50)
    assert w.panel.progress.value() == 0 and w.panel.progress.format() == "Ready"
    assert w.panel.result.text() == ""
