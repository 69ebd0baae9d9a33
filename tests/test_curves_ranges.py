"""ranges: which runs are in the bulk (and set the y axes), which go off-scale, on realistic runs."""
import numpy as np

from app.widgets.curves import ranges


def run_span(loss_start, loss_end, acc_start, acc_end, epochs=40, batches=50):
    losses = np.geomspace(loss_start, loss_end, epochs * batches)
    acc = np.linspace(acc_start, acc_end, epochs)
    return ranges.span(ranges.bin_medians(losses), losses[::batches], losses[::batches] * 1.1, [acc, acc])


ADAM = run_span(2.3, 0.05, 0.88, 0.975)
SIGMOID_SGD = run_span(2.3, 0.3, 0.80, 0.93)
SLOW = run_span(2.3, 0.9, 0.55, 0.75)
LR_10 = run_span(60, 90, 0.10, 0.10, epochs=5)


def test_a_chance_level_run_is_off_both_axes_and_the_learning_runs_fill_them():
    (lo, hi), off = ranges.loss_range([ADAM, SIGMOID_SGD, LR_10])
    assert off == [False, False, True] and lo == 0 and hi == 3
    (lo, hi), off = ranges.accuracy_range([ADAM, SIGMOID_SGD, LR_10])
    assert off == [False, False, True] and lo == 75 and hi == 100


def test_a_slow_learner_stays_on_the_plot():
    (lo, _), off = ranges.accuracy_range([ADAM, SIGMOID_SGD, SLOW])
    assert off == [False, False, False] and lo < 55


def test_with_one_run_nothing_is_off_scale():
    assert ranges.loss_range([LR_10])[1] == [False]
    assert ranges.accuracy_range([LR_10]) == ((5.0, 15.0), [False])


def test_a_spike_does_not_move_the_top_but_a_plateau_does():
    losses = np.full(400, 0.3)
    losses[100] = 500.0
    assert ranges.bin_medians(losses).max() == 0.3
    losses[:ranges.BIN] = 2.3                      # the first BIN batches are the real start of the curve
    assert ranges.bin_medians(losses).max() == 2.3


def test_log_range_spans_every_run():
    lo, hi = ranges.log_loss_range([ADAM, LR_10])
    assert lo <= np.log10(0.05) and hi >= np.log10(90 * 1.1 - 1e-9)


def test_runs_without_data_are_neither_in_range_nor_off_scale():
    empty = ranges.span(np.array([]), [], [], [])
    assert ranges.loss_range([empty]) == (None, [False])
    assert ranges.accuracy_range([empty, ADAM])[1] == [False, False]


def test_axis_ends_are_round_numbers():
    assert [ranges.nice_ceil(v) for v in (0.9, 1.0, 1.01, 2.31, 7.2, 0.031, 880)] == [1, 1, 1.2, 2.5, 8, 0.04, 1000]
    (_, hi), _ = ranges.loss_range([ADAM])
    assert hi == 3
