"""Every plot's axes show numbers as they are: no automatic SI rescaling ("690 (x0.001)" for a loss of 0.69)."""
import pyqtgraph as pg
from PySide6.QtWidgets import QApplication

from helpers_app import make_window


def test_no_axis_rescales_its_numbers(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    qtbot.wait(50)
    axes = [item for view in w.findChildren(pg.GraphicsView) for item in view.scene().items()
            if isinstance(item, pg.AxisItem)]
    assert len(axes) > 10
    for axis in axes:
        axis.setRange(0.6, 0.8)
        QApplication.processEvents()
        assert axis.scale == 1 and "x0.001" not in axis.labelString()


def test_a_plot_made_later_gets_plain_numbers_too(qtbot, tmp_path, monkeypatch):
    """The learning-rate finder's dialog is made on first use: its rate axis read 0.001 ... 100 for 1e-6 ... 0.1."""
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.runs.find_lr = lambda: False                       # the dialog alone: no range test needed to see its axes
    w.course_tools.find_learning_rate()
    dialog = w.course_tools.lr_dialog
    qtbot.waitUntil(lambda: bool(dialog.plot.property("mlpPlotDefaults")), timeout=2000)
    for side in ("bottom", "left"):
        axis = dialog.plot.getPlotItem().getAxis(side)
        axis.setRange(0.0006, 0.0008)
        QApplication.processEvents()
        assert axis.scale == 1, side


def test_a_log_axis_first_seen_at_tiny_rates_keeps_reading_them_as_they_are(qtbot):
    """The range test's rate axis, walked while its first points (1e-6) were in, read 1 ... 10⁶ for 1e-6 ... 1."""
    from app.widgets.plot_defaults import plot_defaults
    view = pg.PlotWidget()
    qtbot.addWidget(view)
    view.getPlotItem().setLogMode(x=True)
    view.getPlotItem().setLabel("bottom", "learning rate (log scale)")
    axis = view.getPlotItem().getAxis("bottom")
    axis.setRange(-6.0, -5.9)                                  # the first rates of the test
    plot_defaults(view)
    axis.setRange(-6.0, 1.0)                                   # the whole test, 1e-6 to 10
    drawn = axis.tickStrings([-6.0, -1.0, 0.0], axis.scale * axis.autoSIPrefixScale, 1.0)   # as paint() does
    assert drawn == ["10⁻⁶", "0.1", "1"]
