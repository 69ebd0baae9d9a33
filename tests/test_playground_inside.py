"""Look inside and Draw with two-input data: the pages that apply work, the image-only ones say they are for images."""
import numpy as np
import pytest
from PySide6.QtWidgets import QLabel, QTabWidget, QWidget

from helpers_app import make_window
from helpers_playground import switch_to_playground, train


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    yield w
    w.session.shutdown(5000)


def visible_text(widget) -> str:
    return " ".join(l.text() for l in widget.findChildren(QLabel) if l.isVisibleTo(widget))


def test_every_look_inside_page_with_xor(qtbot, window):
    w = window
    switch_to_playground(qtbot, w)
    w.state.set_setting("epochs", 30)
    train(qtbot, w)
    w.tabs.setCurrentIndex(1)
    inside = w.tabs.currentWidget()
    pages = inside.findChild(QTabWidget, "insidePages")
    for i in range(pages.count()):
        pages.setCurrentIndex(i)
        qtbot.wait(150)
    # the forward pass runs on a test point: two inputs, the network's answer
    assert inside.forward.trace is not None and inside.forward.trace.a_in.size == 2
    assert "network says" in inside.forward.result.text()
    # the image-only pages say so in a sentence
    for page in (inside.first_layer, inside.errors):
        assert "is for images" in visible_text(page) and "two-input points" in visible_text(page)
    w.tabs.setCurrentIndex(2)
    qtbot.wait(100)
    assert "digits network" in visible_text(w.tabs.currentWidget())


def test_back_to_digits_the_image_pages_return(qtbot, window):
    w = window
    inside = w.tabs.widget(1)
    switch_to_playground(qtbot, w)
    notice = inside.first_layer.findChild(QLabel, "imagesOnlyNotice")
    assert notice.isVisibleTo(inside.first_layer)
    with qtbot.waitSignal(w.state.datasetChanged, timeout=30000):
        w.playground.mode.setCurrentIndex(0)
    assert not notice.isVisibleTo(inside.first_layer)
    assert "is for images" not in visible_text(inside.first_layer)
