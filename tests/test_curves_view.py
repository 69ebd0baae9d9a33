"""What the curves show: a legend beside the plots that lists every run, y ranges that follow the bulk of the data
(spikes and far-off runs off-scale, a log scale to see all), x ranges that keep every run, the augmentation note,
and readable text in both themes."""
import numpy as np
import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtWidgets import QApplication

from app.widgets.curves import Curves
from engine import BatchStats, EpochStats
from helpers_app import show_widget
from helpers_contrast import AA, contrast_ratio, plot_background, plot_texts, text_span_colors

N_BATCHES = 20


@pytest.fixture
def curves(qtbot):
    return show_widget(qtbot, Curves(), (900, 420))


def feed(curves, label, losses, accuracies, epochs=None, augment=False):
    """One run: the given batch losses, then each epoch's point (validation loss measured apart from the
    batches, so a batch spike is not in it); drawn at once."""
    run = curves.begin_run(label, augment=augment)
    run.key = len(curves.retired) + len(curves.runs)          # the model's run id, as the window gives it
    curves.set_epochs(epochs or len(accuracies))
    losses = np.asarray(losses, float).reshape(len(accuracies), -1)
    for e, (row, acc) in enumerate(zip(losses, accuracies), start=1):
        curves.add_batches([BatchStats(e, b + 1, len(row), float(v), acc, 0.01, 0.0, b + 1)
                            for b, v in enumerate(row)])
        curves.add_epoch(EpochStats(e, len(accuracies), float(row.mean()), acc, float(np.median(row)) * 1.1,
                                    acc - 0.01, 0.01, 0.1, 0.1 * e, False))
    curves.flush()
    return curves.current


def y_range(plot):
    return plot.getPlotItem().getViewBox().viewRange()[1]


def x_range(plot):
    return plot.getPlotItem().getViewBox().viewRange()[0]


def learning_run(curves, label="adam", epochs=10, **kw):
    losses = np.linspace(2.3, 0.1, epochs * N_BATCHES)
    return feed(curves, label, losses, np.linspace(0.85, 0.98, epochs), **kw)


def test_legend_sits_outside_the_plots_and_lists_every_shown_run(qtbot, curves):
    import pyqtgraph as pg
    for k in range(5):
        learning_run(curves, f"net {k}")
    for plot in (curves.loss_plot, curves.accuracy_plot):
        assert not any(isinstance(i, pg.LegendItem) for i in plot.scene().items())     # nothing drawn over curves
        legend_rect = QRect(curves.legend.mapTo(curves, QPoint(0, 0)), curves.legend.size())
        assert not legend_rect.intersects(plot.geometry())
    assert curves.legend.isVisible()
    assert [e.label for e in curves.legend.entries] == [r.label for r in curves.runs]
    for run in curves.runs:
        assert run.label in curves.legend.text()


def test_one_loss_spike_goes_off_scale(qtbot, curves):
    losses = np.linspace(2.3, 0.2, 10 * N_BATCHES)
    losses[57] = 900.0                                              # one SGD batch blows up, then training recovers
    feed(curves, "sgd", losses, np.linspace(0.8, 0.95, 10))
    low, high = y_range(curves.loss_plot)
    assert low <= 0.2 and 2.3 <= high < 5                            # the whole fall of the loss, not the spike
    assert curves.off_scale == [False]


def test_a_diverging_run_does_not_squash_the_others(qtbot, curves):
    learning_run(curves, "adam")
    learning_run(curves, "sigmoid sgd")
    feed(curves, "lr 10", np.full(10 * N_BATCHES, 80.0) + np.arange(10 * N_BATCHES), [0.1] * 10)
    low, high = y_range(curves.loss_plot)
    assert 2.3 <= high < 5                                            # the learning runs fill the plot
    acc_low, acc_high = y_range(curves.accuracy_plot)
    assert 75 < acc_low < 85 and acc_high <= 101
    assert curves.off_scale == [False, False, True]
    assert "lr 10 (off the loss and accuracy scales)" in curves.legend.text()

    qtbot.mouseClick(curves.log_scale, Qt.LeftButton)               # log scale: every run fits
    low, high = y_range(curves.loss_plot)
    assert low <= np.log10(0.11) and high >= np.log10(80 + 10 * N_BATCHES - 1)
    assert curves.off_scale == [False, False, True]                 # still off the accuracy plot
    assert "lr 10 (off the accuracy scale)" in curves.legend.text()
    qtbot.mouseClick(curves.log_scale, Qt.LeftButton)
    assert y_range(curves.loss_plot)[1] < 5


def test_a_short_run_keeps_the_x_axis_of_a_longer_one(qtbot, curves):
    learning_run(curves, "long", epochs=40)
    learning_run(curves, "short", epochs=5)
    for plot in (curves.loss_plot, curves.accuracy_plot):
        assert x_range(plot)[1] >= 40
    curves.clear()
    learning_run(curves, "alone", epochs=5)
    assert 5 <= x_range(curves.loss_plot)[1] < 6


def test_training_curve_label_says_augmented_digits_are_distorted(qtbot, curves):
    learning_run(curves, "plain")
    assert "augmentation" not in curves.legend.text()
    learning_run(curves, "distorted", augment=True)
    text = curves.legend.text()
    assert "distorted by augmentation" in text and "below validation" in text
    assert "Run 1: plain</span>" in text and "Run 2: distorted · augmented</span>" in text
    learning_run(curves, "Run 3: augmented", augment=True)             # named by it (runs differing only there)
    assert "Run 3: augmented</span>" in curves.legend.text()            # once, not "augmented · augmented"


@pytest.fixture(params=["light", "dark"])
def themed(request, qtbot):
    from app.theme import dark_palette, light_palette
    app = QApplication.instance()
    old = app.palette()
    app.setPalette(dark_palette() if request.param == "dark" else light_palette())
    qtbot.wait(10)                                                       # the palette change events are posted
    yield request.param
    app.setPalette(old)


def test_text_on_the_curves_is_readable_in_both_themes(qtbot, curves, themed):
    run = learning_run(curves, "themed", augment=True)
    curves.mark("lr → 0.01", 3)
    curves.mark_best(5)
    for plot in (curves.loss_plot, curves.accuracy_plot):
        bg = plot_background(plot)
        texts = plot_texts(plot)
        assert any(k.startswith("title") for k in texts) and any("label" in k for k in texts)
        for what, color in texts.items():
            assert contrast_ratio(color, bg) >= AA, (themed, plot.objectName(), what, color.name(), bg.name())
        for _, line in run.marks:
            assert contrast_ratio(line.label.color, bg) >= AA, (themed, line.label.toPlainText())
    pal = curves.legend.palette()
    legend_bg = pal.color(curves.legend.backgroundRole())
    for color in [pal.color(curves.legend.foregroundRole()), *text_span_colors(curves.legend.text())]:
        assert contrast_ratio(color, legend_bg) >= AA, (themed, color.name(), legend_bg.name())


def test_switching_theme_recolours_titles_axes_and_existing_marks(qtbot, curves):
    from app.theme import dark_palette, light_palette
    app = QApplication.instance()
    old = app.palette()
    try:
        app.setPalette(light_palette())
        run = learning_run(curves, "before the switch")
        curves.mark("lr → 0.01", 3)
        curves.mark_best(5)
        app.setPalette(dark_palette())                                   # the change events are posted
        qtbot.waitUntil(lambda: plot_background(curves.accuracy_plot).lightness() < 128, timeout=1000)
        for plot in (curves.loss_plot, curves.accuracy_plot):
            bg = plot_background(plot)
            for what, color in plot_texts(plot).items():
                assert contrast_ratio(color, bg) >= AA, (what, color.name(), bg.name())
            for _, line in run.marks:
                assert contrast_ratio(line.label.color, bg) >= AA, line.label.toPlainText()
    finally:
        app.setPalette(old)


def test_a_plot_the_user_zoomed_is_left_alone_until_the_next_run(qtbot, curves):
    from PySide6.QtCore import QPoint, QPointF
    from PySide6.QtGui import QWheelEvent
    learning_run(curves, "first")
    plot = curves.loss_plot
    before = y_range(plot)
    centre = QPointF(plot.viewport().rect().center())
    wheel = QWheelEvent(centre, QPointF(plot.viewport().mapToGlobal(centre.toPoint())), QPoint(0, 0), QPoint(0, 240),
                        Qt.NoButton, Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(plot.viewport(), wheel)                       # the user zooms in with the wheel
    zoomed = y_range(plot)
    assert zoomed[1] - zoomed[0] < before[1] - before[0]
    curves.add_batches([BatchStats(11, 1, N_BATCHES, 50.0, 0.9, 0.01, 0.0, 1)] * 10)
    curves.flush()
    assert y_range(plot) == zoomed                                        # new data does not undo the zoom
    learning_run(curves, "second")
    assert y_range(plot)[1] - y_range(plot)[0] > zoomed[1] - zoomed[0]   # a new run: the axes follow again


def test_the_penalty_key_shows_only_beside_a_run_with_weight_decay(qtbot, curves):
    """The key once said 'dotted: L2 penalty' under runs that had none (weight decay 0): a key for no curve."""
    learning_run(curves, "no decay")
    assert "penalty" not in curves.legend.text()
    run = curves.begin_run("decay", augment=False)
    run.key = 2
    curves.add_epoch(EpochStats(1, 1, 0.5, 0.9, 0.6, 0.88, 0.01, 0.1, 0.1, False, penalty=0.02))
    curves.flush()
    assert "dotted: L2 penalty" in curves.legend.text()
