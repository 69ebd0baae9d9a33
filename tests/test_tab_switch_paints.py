"""A switch back to Build & train repaints the window once: each plot's scene, deactivated on hide and activated on
show, used to flush the whole window's paint at once, one more repaint per plot (40-50 ms of GUI time)."""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject

from helpers_app import make_window


class PaintCounter(QObject):
    def __init__(self):
        super().__init__()
        self.count = 0

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.Type.Paint:
            self.count += 1
        return False


def settle(qtbot, counter, quiet_ms: int = 150, limit_ms: int = 5000) -> None:
    """Let every paint a change caused happen: wait until none has come for quiet_ms (not a fixed wait, which a
    loaded machine outlasts and then counts one change's paints in the next's)."""
    waited, last, still = 0, counter.count, 0
    while still < quiet_ms and waited < limit_ms:
        qtbot.wait(25)
        waited += 25
        still = still + 25 if counter.count == last else 0
        last = counter.count


def test_switching_back_to_build_and_train_paints_it_once(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.resize(1280, 800)
    counter = PaintCounter()
    w.panel.start_button.installEventFilter(counter)
    settle(qtbot, counter)
    for _ in range(3):
        w.tabs.setCurrentIndex(2)
        settle(qtbot, counter)
        counter.count = 0
        w.tabs.setCurrentIndex(0)
        settle(qtbot, counter)
        # one window repaint paints the scroll area's contents twice (Qt's own doing); each plot's scene used to
        # add one more repaint of the whole window
        assert counter.count <= 2, f"the Start button was painted {counter.count} times by one tab switch"
    for plot in (w.curves.loss_plot, w.curves.accuracy_plot):
        assert plot.scene().isActive()                    # mouse and keyboard on the plot behave as before


def test_the_plots_still_zoom_with_the_wheel_after_tab_switches(qtbot, tmp_path, monkeypatch):
    from PySide6.QtCore import QPoint, QPointF, Qt
    from PySide6.QtGui import QWheelEvent
    from PySide6.QtWidgets import QApplication

    w = make_window(qtbot, tmp_path, monkeypatch)
    for i in (2, 0, 1, 0):
        w.tabs.setCurrentIndex(i)
        qtbot.wait(30)
    plot = w.curves.loss_plot
    view = plot.getPlotItem().getViewBox()
    before = view.viewRange()[0]
    centre = QPointF(plot.viewport().rect().center())
    wheel = QWheelEvent(centre, plot.viewport().mapToGlobal(centre), QPoint(0, 0), QPoint(0, 120), Qt.NoButton,
                        Qt.NoModifier, Qt.NoScrollPhase, False)
    QApplication.sendEvent(plot.viewport(), wheel)
    qtbot.wait(50)
    after = view.viewRange()[0]
    assert after[1] - after[0] < before[1] - before[0]
