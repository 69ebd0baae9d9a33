"""A data set that arrives while Look inside is hidden never meets the tab's older network (it raised
"The network expects 784 inputs per sample but the data has 2" from the gradient probe)."""
from __future__ import annotations

from PySide6.QtCore import Qt

from app.widgets.inside.inside_tab import InsideTab
from helpers_playground import click_lesson, playground_window, train


def test_playground_lessons_after_looking_inside_a_digits_network(qtbot, tmp_path, monkeypatch, mnist_sample):
    w = playground_window(qtbot, tmp_path, monkeypatch)
    w.state.set_dataset("sample", mnist_sample)
    w.state.set_setting("epochs", 1)
    w.state.set_setting("augment", False)
    with qtbot.waitSignal(w.session.finished, timeout=60000):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    inside = w.findChild(InsideTab)
    w.tabs.setCurrentWidget(inside)                     # the tab takes the digits network
    qtbot.waitUntil(lambda: inside.net is w.state.network, timeout=5000)
    w.tabs.setCurrentIndex(0)
    for key in ("perceptron_xor", "sigmoid_relu"):      # XOR, then the spiral: new data, the tab hidden
        click_lesson(qtbot, w, key)
        w.state.set_setting("epochs", 2)
        train(qtbot, w)
    w.tabs.setCurrentWidget(inside)                     # and shown again: it follows the model
    qtbot.waitUntil(lambda: inside.net is w.state.network, timeout=5000)
    assert inside.net.input_size == 2 and inside.dataset is w.state.dataset
