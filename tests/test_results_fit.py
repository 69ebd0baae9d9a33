"""The floating results table fits what it shows: every column in sight at 1280x800 (no sideways scrolling, long
run labels elided with the full label as tooltip), and the dock as tall as its rows (3 to 6, then it scrolls),
over the diagram and not over the curves."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QRect, Qt

from app.run_label import run_titles
from helpers_tiny_run import tiny_window


def global_rect(widget) -> QRect:
    return QRect(widget.mapToGlobal(widget.rect().topLeft()), widget.size())


def compare(qtbot, w, setting, values):
    dialog = w.course_tools.show_compare(setting, values, 2)
    with qtbot.waitSignal(w.session.compared, timeout=60000):
        qtbot.mouseClick(dialog.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)
    qtbot.waitUntil(w.course_tools.dock.isVisible, timeout=5000)
    qtbot.wait(50)                                           # the columns' and the dock's deferred fitting


def assert_every_column_in_sight(table) -> None:
    header, bar = table.horizontalHeader(), table.horizontalScrollBar()
    assert bar.maximum() == 0 or not bar.isVisible()
    for c in range(table.columnCount()):
        text = table.horizontalHeaderItem(c).text()
        left = header.sectionViewportPosition(c)
        assert 0 <= left and left + header.sectionSize(c) <= table.viewport().width(), text
        assert header.sectionSize(c) >= header.fontMetrics().size(0, text).width(), text    # not cut short


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    w.resize(1280, 800)
    qtbot.wait(100)
    return w


def test_every_column_is_in_sight_and_three_rows_leave_no_empty_rows(qtbot, window):
    compare(qtbot, window, "optimizer", ["sgd", "bgd", "minibatch"])
    table = window.course_tools.results.table
    assert table.rowCount() == 3
    assert_every_column_in_sight(table)
    row = table.rowHeight(0)
    assert table.verticalScrollBar().maximum() == 0                          # all three rows in sight ...
    assert table.viewport().height() - 3 * row <= row                       # ... and at most a row's room to spare
    label = table.item(2, 1)
    assert label.toolTip() == run_titles(window.state.runs)[label.row()]    # an elided name: its whole line
    dock = window.course_tools.dock
    assert not dock.frameGeometry().intersects(global_rect(window.curves.loss_plot))
    assert global_rect(window.diagram).contains(dock.frameGeometry().center())

    header = table.horizontalHeader()
    col = [table.horizontalHeaderItem(c).text() for c in range(table.columnCount())].index("Outcome")
    header.setSortIndicator(col, Qt.DescendingOrder)                       # the sort arrow moves to a wide column
    qtbot.wait(50)
    assert_every_column_in_sight(table)


def test_the_dock_grows_to_six_rows_then_scrolls_and_keeps_off_the_curves(qtbot, window):
    compare(qtbot, window, "optimizer", ["sgd", "bgd", "minibatch"])
    dock, table = window.course_tools.dock, window.course_tools.results.table
    three = dock.height()
    compare(qtbot, window, "lr", [0.01, 0.03, 0.1, 0.3])
    assert table.rowCount() == 7
    row = table.rowHeight(0)
    assert dock.height() > three
    assert 6 * row <= table.viewport().height() < 7 * row                   # six rows in sight ...
    assert table.verticalScrollBar().maximum() > 0                           # ... the seventh a scroll away
    for plot in (window.curves.loss_plot, window.curves.accuracy_plot):
        assert not dock.frameGeometry().intersects(global_rect(plot))


def test_a_dock_the_user_resized_keeps_its_size(qtbot, window):
    compare(qtbot, window, "optimizer", ["sgd", "bgd"])
    dock = window.course_tools.dock
    dock.resize(dock.width() - 40, dock.height() + 37)                       # the student drags its corner
    size = dock.size()
    compare(qtbot, window, "optimizer", ["sgd", "minibatch"])
    assert dock.size() == size
