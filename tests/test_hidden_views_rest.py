"""While a run trains, a view the user cannot see does no work for it and is current once shown (hidden curves and
a hidden network diagram redrew every snapshot beside the trainer: part of what held the window over the GUI
bound); and while a run trains, full garbage collections leave the heap it found alone."""
from __future__ import annotations

import gc

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget

from helpers_app import active_window

WAIT = 60_000


def test_hidden_curves_and_diagram_wait_for_the_tab_and_are_current_when_shown(qtbot, tmp_path, monkeypatch):
    w = active_window(qtbot, tmp_path, monkeypatch)
    w.state.set_setting("epochs", 1000)
    build, inside = w.tabs.currentWidget(), w.findChild(QWidget, "insideTab")
    diagram = w.findChild(QWidget, "networkDiagram")
    qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.curves.current is not None and w.curves.current.bloss.n > 0, timeout=WAIT)
    run = w.curves.current
    drawn_points = lambda: 0 if run.raw.getData()[0] is None else len(run.raw.getData()[0])      # noqa: E731
    qtbot.waitUntil(lambda: drawn_points() > 0, timeout=WAIT)                 # drawn while shown
    w.tabs.setCurrentWidget(inside)
    qtbot.wait(100)
    drawn, renders = len(run.raw.getData()[0]), diagram._last_render
    buffered = run.bloss.n
    qtbot.waitUntil(lambda: run.bloss.n > buffered + 20, timeout=WAIT)          # the run went on, hidden
    qtbot.wait(300)
    assert len(run.raw.getData()[0]) == drawn                               # nothing drawn where no one looks
    assert diagram._last_render == renders and diagram._stale
    w.tabs.setCurrentWidget(build)
    qtbot.waitUntil(lambda: len(run.raw.getData()[0]) > buffered + 20, timeout=WAIT)   # caught up once shown
    qtbot.waitUntil(lambda: not diagram._stale and diagram._last_render > renders, timeout=WAIT)
    with qtbot.waitSignal(w.session.over, timeout=WAIT):
        w.session.stop()


def test_a_run_keeps_the_heap_out_of_full_collections_and_gives_it_back_after(qtbot, tmp_path, monkeypatch):
    """A full collection walks the window's objects holding the GIL: while a run trains, the heap it found is
    frozen out of them (app/session_jobs.freeze_heap), and given back when it ends (a closed window is freed)."""
    w = active_window(qtbot, tmp_path, monkeypatch)
    w.state.set_setting("epochs", 1000)
    qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.curves.current is not None and w.curves.current.bloss.n > 0, timeout=WAIT)
    assert gc.get_freeze_count() > 10_000                   # the window's objects, out of the collector's passes
    with qtbot.waitSignal(w.session.over, timeout=WAIT):
        w.session.stop()
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=WAIT)
    assert gc.get_freeze_count() == 0
