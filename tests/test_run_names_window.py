"""Runs that can be told apart in the real window: the results table's Run column, as the table paints it (elided
to its column), reads differently for batch GD and mini-batch GD at 1280x800 and 1024x768; the Varied column
says the setting and its values; the legend names two runs that differ only in their output activation apart."""
from __future__ import annotations

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QStyle, QStyleOptionViewItem

from app import choices
from helpers_tiny_run import tiny_window


def shown_text(table, row: int, column: int) -> str:
    """A cell's text as the table paints it: elided (the table's elide mode) to its text rectangle."""
    index = table.model().index(row, column)
    option = QStyleOptionViewItem()
    option.initFrom(table)
    option.rect = table.visualRect(index)
    option.text = index.data()
    option.font = table.font()
    option.features = QStyleOptionViewItem.ViewItemFeature.HasDisplay
    style = table.style()
    rect = style.subElementRect(QStyle.SubElement.SE_ItemViewItemText, option, table)
    margin = style.pixelMetric(QStyle.PixelMetric.PM_FocusFrameHMargin, None, table) + 1
    return table.fontMetrics().elidedText(option.text, table.textElideMode(), rect.width() - 2 * margin)


def compare(qtbot, w, setting, values):
    dialog = w.course_tools.show_compare(setting, values, 2)
    with qtbot.waitSignal(w.session.compared, timeout=60000):
        qtbot.mouseClick(dialog.run_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)
    qtbot.waitUntil(w.course_tools.dock.isVisible, timeout=5000)
    qtbot.wait(50)                                           # the columns' deferred fitting


@pytest.mark.parametrize("size", [(1280, 800), (1024, 768)])
def test_batch_gd_and_mini_batch_gd_rows_read_apart(qtbot, tmp_path, monkeypatch, size):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    w.resize(*size)
    qtbot.wait(100)
    compare(qtbot, w, "optimizer", ["sgd", "bgd", "minibatch"])
    table = w.course_tools.results.table
    shown = {w.state.runs[r]["settings"]["optimizer"]: shown_text(table, r, 1) for r in range(table.rowCount())}
    assert shown["bgd"] != shown["minibatch"], shown
    assert len(set(shown.values())) == 3
    assert shown["minibatch"] == choices.optimizer_label("minibatch")          # the whole name in sight
    said = f"optimizer ({', '.join(choices.optimizer_label(o) for o in ('sgd', 'bgd', 'minibatch'))})"
    assert [table.item(r, 2).text() for r in range(3)] == [said] * 3
    assert table.item(0, 2).toolTip() == said                                  # in full, however narrow
    assert table.item(1, 1).toolTip().split(" · ")[1:] == ["batch GD lr 0.1", "full batch"]


def start(qtbot, w):
    with qtbot.waitSignal(w.state.resultsChanged, timeout=60000, check_params_cb=lambda r: r is not None):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)


def test_runs_that_differ_in_the_output_activation_have_different_legend_names(qtbot, tmp_path, monkeypatch):
    w = tiny_window(qtbot, tmp_path, monkeypatch)
    w.state.set_loss("mse")
    start(qtbot, w)
    w.state.set_output_activation("sigmoid")
    start(qtbot, w)
    labels = [e.label for e in w.curves.legend.entries]
    sig, soft = (choices.activation_label(a) for a in ("sigmoid", "softmax"))
    assert labels == [f"Run 1: 784-8-3, {soft} output", f"Run 2: 784-8-3, {sig} output"]
    table = w.course_tools.results.table
    assert [table.item(r, 1).text() for r in range(2)] == [label.split(": ", 1)[1] for label in labels]
    w.curves.clear()
    start(qtbot, w)                                              # alone on the plots: its whole line
    assert [e.label for e in w.curves.legend.entries] == [f"Run 3: {w.state.runs[-1]['label']}"]


def test_a_legend_entry_wider_than_the_legend_wraps_instead_of_running_off(qtbot):
    import html
    import re

    from app.widgets.curves import Curves
    from helpers_app import show_widget
    curves = show_widget(qtbot, Curves(), (560, 420))
    for key, label in enumerate(("784-256-128-64-10 ReLU, Softmax output · Adam lr 0.004 · batch 128 · Cosine "
                                 "decay · augmented", "SGD"), start=1):
        curves.begin_run(label).key = key
    qtbot.wait(20)
    legend = curves.legend
    assert legend.fontMetrics().horizontalAdvance(curves.runs[0].label) > legend.width()
    unbreakable = ["■ " + html.unescape(chunk).replace("\xa0", " ").strip()
                   for chunk in re.findall(r"white-space:nowrap'><span[^>]*>■</span>(.*?)</span>", legend.text())]
    assert unbreakable == ["■ Run 2: SGD"]                      # a short entry stays whole ...
    assert all(legend.fontMetrics().horizontalAdvance(t) <= legend.width() for t in unbreakable)   # ... none runs off
