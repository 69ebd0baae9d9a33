"""Driving the playground like a user: switch to it, pick a set or a lesson, press Start, wait for the end."""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton


def switch_to_playground(qtbot, w):
    """Click the Playground side of the switch and wait for its data set and preset."""
    with qtbot.waitSignal(w.state.datasetChanged, timeout=10000):
        w.playground.mode.setCurrentIndex(1)
    qtbot.waitUntil(lambda: w.state.spec["input_size"] == 2, timeout=5000)


def click_lesson(qtbot, w, key: str):
    """Click the lesson's button and wait until its points are in and its network and settings applied (the
    switch to the playground announces its workspace's data set first, which may be none yet)."""
    from app.widgets.playground.lessons import BY_KEY
    qtbot.mouseClick(w.findChild(QPushButton, f"lesson_{key}"), Qt.LeftButton)
    qtbot.waitUntil(lambda: getattr(w.state.dataset, "key", None) == BY_KEY[key].dataset
                    and w.playground._pending is None, timeout=10000)


def click_then(qtbot, w):
    qtbot.mouseClick(w.findChild(QPushButton, "lessonThen"), Qt.LeftButton)


def train(qtbot, w, timeout=60000):
    """Press Start and wait until the run has finished and its result is in the model."""
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=timeout)      # Start is on once nothing runs
    with qtbot.waitSignal(w.session.finished, timeout=timeout):
        qtbot.mouseClick(w.findChild(QPushButton, "startButton"), Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.results is not None and w.state.activity.idle, timeout=5000)
    return w.state.results


def playground_window(qtbot, tmp_path, monkeypatch):
    """A shown main window at 1280x800, the size the playground's views are laid out for."""
    from helpers_app import make_window
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.resize(1280, 800)
    return w
