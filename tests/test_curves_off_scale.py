"""'Off scale' in the legend is true of what is drawn: a run far from the others whose curves still lie inside both
plots' ranges is not called off scale, and a run off one plot only says which one."""
from __future__ import annotations

import numpy as np
import pytest

from app.widgets.curves import Curves
from engine import BatchStats, EpochStats
from helpers_app import show_widget

EPOCHS, N_BATCHES = 10, 20


@pytest.fixture
def curves(qtbot):
    return show_widget(qtbot, Curves(), (900, 420))


def feed(curves, label, losses, accuracies):
    """One run as the window feeds it: numbered, its batches, then each epoch's point (validation a point lower)."""
    run = curves.begin_run(label)
    run.key = len(curves.retired) + len(curves.runs)
    curves.set_epochs(EPOCHS)
    losses = np.asarray(losses, float).reshape(EPOCHS, -1)
    for e, (row, acc) in enumerate(zip(losses, accuracies), start=1):
        curves.add_batches([BatchStats(e, b + 1, len(row), float(v), acc, 0.01, 0.0, b + 1)
                            for b, v in enumerate(row)])
        curves.add_epoch(EpochStats(e, EPOCHS, float(row.mean()), acc, float(row[-1]), acc - 0.01, 0.01, 0.1,
                                    0.1 * e, False))
    curves.flush()
    return run


def fast_learner(curves, label):
    """Loss from 2.3 (its first 8 batches) to 0.02 within the first epoch, 99 % accuracy from the third epoch on."""
    losses = 0.02 + 2.28 * np.exp(-np.maximum(np.arange(EPOCHS * N_BATCHES) - 8, 0) / 10)
    return feed(curves, label, losses, [0.45, 0.9] + [0.99] * (EPOCHS - 2))


def y_range(plot):
    return plot.getPlotItem().getViewBox().viewRange()[1]


def inside(values, shown) -> bool:
    return shown[0] <= np.nanmin(values) and np.nanmax(values) <= shown[1]


def test_a_slow_run_drawn_inside_both_plots_is_not_called_off_scale(qtbot, curves):
    fast_learner(curves, "ReLU")
    slow = feed(curves, "sigmoid", np.linspace(0.72, 0.66, EPOCHS * N_BATCHES), np.linspace(0.50, 0.60, EPOCHS))
    loss_shown, acc_shown = y_range(curves.loss_plot), y_range(curves.accuracy_plot)
    assert inside(slow.bloss.view, loss_shown) and inside(slow.smooth.view, loss_shown)
    assert inside(100 * slow.epoch["train_accuracy"].view, acc_shown)
    assert inside(100 * slow.epoch["val_accuracy"].view, acc_shown)
    assert curves.off_scale == [False, False]
    assert "off" not in curves.legend.text()


def test_a_run_off_the_accuracy_plot_only_says_so(qtbot, curves):
    for label in ("stochastic GD", "mini-batch GD"):
        fast_learner(curves, label)
    batch = feed(curves, "batch GD", np.linspace(2.3, 2.0, EPOCHS * N_BATCHES), np.linspace(0.10, 0.30, EPOCHS))
    assert inside(batch.bloss.view, y_range(curves.loss_plot))               # the whole loss curve is drawn ...
    assert np.nanmax(100 * batch.epoch["train_accuracy"].view) < y_range(curves.accuracy_plot)[0]   # ... not these
    assert curves.off_scale == [False, False, True]
    text = curves.legend.text()
    assert "Run 3: batch GD (off the accuracy scale)</span>" in text
    assert "loss scale" not in text and "Run 1: stochastic GD</span>" in text
