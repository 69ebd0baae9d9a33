"""The results table of a comparison opens beside the curves its rows pick, not over them, at both window sizes."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt

from helpers_tiny_run import tiny_window


def global_rect(widget) -> QRect:
    return QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_the_results_table_leaves_the_curves_in_sight(qtbot, tmp_path, monkeypatch, size):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    w.resize(*size)
    qtbot.wait(100)
    qtbot.mouseClick(w.panel.compare_button, Qt.LeftButton)
    dialog = w.course_tools.compare_dialog
    dialog.configure("lr", [0.01, 0.1], 2)
    with qtbot.waitSignal(w.session.compared, timeout=60000):
        qtbot.mouseClick(dialog.run_button, Qt.LeftButton)
    dock = w.course_tools.dock
    qtbot.waitUntil(dock.isVisible, timeout=5000)
    table = w.course_tools.results.table
    assert table.rowCount() == 2
    assert not dock.frameGeometry().intersects(global_rect(w.curves.loss_plot))
    assert not dock.frameGeometry().intersects(global_rect(w.curves.accuracy_plot))
    assert global_rect(w).contains(dock.frameGeometry().center())          # on the window, not off screen
    assert table.viewport().height() >= 2 * table.rowHeight(0)            # both rows readable
