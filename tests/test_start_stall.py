"""Start answers at once (issue 24): what the GUI thread does when a run starts is made ahead or spread out, and
the longest gap of a 5 ms GUI timer from Start through the default run's first epochs stays under 50 ms
wall-clock, as the student sees it (skipped, not failed, when another process held the CPU meanwhile)."""
import time

import pyqtgraph as pg
import pytest
from PySide6.QtCore import Qt

from app.widgets.curves.run import item_styles
from helpers_app import make_window
from helpers_stall import StallMeter

BOUND_MS = 50.0
ITEMS = len(item_styles((0, 0, 0)))      # a run's plot items


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.resize(1280, 800)
    return w


def plot_items(curves) -> int:
    return sum(len(p.getPlotItem().items) for p in (curves.loss_plot, curves.accuracy_plot))


def test_a_new_run_takes_plot_items_made_while_the_window_was_idle(qtbot, window):
    curves = window.curves
    qtbot.waitUntil(lambda: len(curves.spare._items) == ITEMS, timeout=5000)
    before = plot_items(curves)
    run = curves.begin_run("first", augment=True)
    assert plot_items(curves) == before                    # nothing made at Start: they were there already
    assert len(run.items) == ITEMS and run.raw.opts["pen"].color().getRgb()[:3] == run.color
    qtbot.waitUntil(lambda: len(curves.spare._items) == ITEMS, timeout=5000)       # the next run's, in its colour
    second = curves.begin_run("second")
    assert second.color != run.color and second.smoothed.opts["pen"].color().getRgb()[:3] == second.color
    curves.clear()                                         # a colour other than the one the spare was made in
    third = curves.begin_run("third")
    assert third.color == run.color and pg.mkBrush(third.train_acc.opts["symbolBrush"]).color().getRgb()[:3] == run.color


def test_a_resized_diagram_keeps_its_picture_until_the_new_one_is_rendered_in_slices(qtbot, window):
    view = window.diagram
    view.renderNow()
    old = view._cache
    view.resize(view.width(), view.height() - 14)          # e.g. the legend grew by a line at Start
    view.repaint()
    assert view._cache is old and view._job is not None    # no whole render inside the paint
    qtbot.waitUntil(lambda: view._job is None, timeout=5000)
    assert view._cache.size() == view.size() * view.devicePixelRatioF()


def test_the_progress_bar_moves_at_most_four_times_a_second(qtbot, window):
    from engine.events import BatchStats
    bar = window.panel.progress
    bar.begin(2)
    moves = []
    bar.changed.connect(lambda *args: moves.append(args))
    t0 = time.perf_counter()
    for k in range(1, 61):
        bar.on_batch(BatchStats(1, k, 60, 0.5, 0.9, 0.01, 0.01 * k, 128 * k))
        qtbot.wait(10)
    qtbot.wait(300)
    elapsed = time.perf_counter() - t0
    assert 1 <= len(moves) <= elapsed * 4 + 1


def test_the_gui_never_stops_for_50_ms_from_start_through_the_default_run(qtbot, window):
    w = window
    w.state.set_setting("epochs", 3)                       # the default run's start and first epochs
    qtbot.wait(1000)                                       # the freshly shown window settles (a student reads it)
    meter = StallMeter(5)
    meter.start()
    qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    assert not w.state.activity.idle                       # the run began (its data set loads first)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=120000)
    meter.stop()
    print(f"Start to the end of 3 epochs: longest gap {meter.worst:.0f} ms wall-clock ({meter.worst_clean:.0f} ms "
          f"among gaps no other process had a share in; {meter.at_worst()})")
    assert len(meter.gaps) > 100
    meter.skip_if_contended()
    assert meter.worst_clean < BOUND_MS, f"the window stopped for {meter.worst_clean:.0f} ms ({meter.at_worst()})"
