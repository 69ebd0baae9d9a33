"""Copy as image / Save as PNG… on plots and views: the clipboard gets the widget's picture, the file loads."""
from __future__ import annotations

import pyqtgraph as pg
import pytest
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QContextMenuEvent, QImage
from PySide6.QtWidgets import QApplication, QMenu, QWidget

from app.widgets import export_image
from app.widgets.export_image import COPY_TEXT, SAVE_TEXT, install_image_menu
from helpers_app import show_widget


def _size(widget):
    dpr = widget.devicePixelRatioF()
    return round(widget.width() * dpr), round(widget.height() * dpr)


def _actions(widget):
    return {a.text(): a for a in install_image_menu(widget, widget.objectName() or "view")}


@pytest.fixture
def plot(qtbot):
    w = pg.PlotWidget()
    w.setObjectName("lossPlot")
    w.plot([0, 1, 2], [3, 1, 2])
    return show_widget(qtbot, w, (320, 210))


def test_copy_puts_the_plot_on_the_clipboard(plot):
    QApplication.clipboard().clear()
    _actions(plot)[COPY_TEXT].trigger()
    image = QApplication.clipboard().image()
    assert not image.isNull()
    assert (image.width(), image.height()) == _size(plot)


def test_save_writes_a_png_that_loads(plot, tmp_path, monkeypatch):
    target = tmp_path / "loss"                       # no suffix: .png is added
    monkeypatch.setattr(export_image, "ask_png_path", lambda parent, name: str(target))
    _actions(plot)[SAVE_TEXT].trigger()
    image = QImage(str(tmp_path / "loss.png"))
    assert not image.isNull()
    assert (image.width(), image.height()) == _size(plot)


def test_cancelled_save_writes_nothing(plot, tmp_path, monkeypatch):
    monkeypatch.setattr(export_image, "ask_png_path", lambda parent, name: "")
    _actions(plot)[SAVE_TEXT].trigger()
    assert list(tmp_path.iterdir()) == []


def test_unwritable_folder_is_a_sentence_not_a_traceback(plot, tmp_path):
    assert export_image.save_png(plot, tmp_path / "missing" / "x.png") is None


def test_pyqtgraph_menu_gets_the_entries(plot, qtbot, monkeypatch):
    """A right click opens the plot's own menu (pyqtgraph's), once, ending with the two entries."""
    install_image_menu(plot, "lossPlot")
    shown = _popups(monkeypatch)
    qtbot.mouseClick(plot.viewport(), Qt.RightButton, pos=QPoint(160, 100))
    assert len(shown) == 1 and shown[0][-2:] == [COPY_TEXT, SAVE_TEXT]


def test_installing_twice_adds_nothing(plot):
    first = install_image_menu(plot, "lossPlot")
    again = install_image_menu(plot, "lossPlot")
    assert {a.text() for a in again} == {COPY_TEXT, SAVE_TEXT}
    assert [a.text() for a in plot.scene().contextMenu].count(COPY_TEXT) == 1
    assert set(again) == set(first)


def _popups(monkeypatch):
    shown = []
    monkeypatch.setattr(QMenu, "popup", lambda self, *a: shown.append([x.text() for x in self.actions()]))
    return shown


def test_plot_without_menu_opens_one_on_right_click(qtbot, monkeypatch):
    w = pg.PlotWidget()
    w.setMenuEnabled(False)
    w.resize(300, 200)
    qtbot.addWidget(w)
    w.show()
    qtbot.waitExposed(w)
    install_image_menu(w, "histogram")
    shown = _popups(monkeypatch)
    qtbot.mouseClick(w.viewport(), Qt.RightButton, pos=QPoint(150, 100))
    assert shown == [[COPY_TEXT, SAVE_TEXT]]


def test_plain_view_opens_menu_on_context_menu_request(qtbot, monkeypatch):
    w = QWidget()
    w.setObjectName("networkDiagram")
    w.resize(200, 100)
    qtbot.addWidget(w)
    install_image_menu(w, "networkDiagram")
    shown = _popups(monkeypatch)
    QApplication.sendEvent(w, QContextMenuEvent(QContextMenuEvent.Reason.Keyboard, QPoint(10, 10), QPoint(10, 10)))
    assert shown == [[COPY_TEXT, SAVE_TEXT]]


def test_every_plot_and_view_of_the_window_has_the_entries(qtbot, tmp_path, monkeypatch):
    from tests.helpers_app import make_window
    w = make_window(qtbot, tmp_path, monkeypatch)              # the window installs them as it is built
    views = [v for v in w.findChildren(QWidget)
             if isinstance(v, pg.GraphicsView) or v.objectName() in export_image.VIEW_NAMES]
    names = {v.objectName() for v in views}
    assert {"lossPlot", "accuracyPlot", "networkDiagram", "insideNetworkDiagram", "confusionMatrix",
            "probabilityChart"} <= names
    assert all(v.property(export_image.PROPERTY) for v in views)
    diagram = w.findChild(QWidget, "networkDiagram")
    QApplication.clipboard().clear()
    {a.text(): a for a in install_image_menu(diagram, "x")}[COPY_TEXT].trigger()
    assert (QApplication.clipboard().image().width(), QApplication.clipboard().image().height()) == _size(diagram)


def test_plots_made_later_get_the_entries_when_their_page_is_shown(qtbot, tmp_path, monkeypatch):
    from engine.network import Network
    from tests.helpers_app import make_window
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.state.set_network(Network.from_spec(w.state.spec), trained=False)
    inside = w.findChild(QWidget, "insideTab")
    w.tabs.setCurrentWidget(inside)
    inside.pages.setCurrentWidget(inside.histograms)
    qtbot.waitUntil(lambda: len(inside.histograms.plots) == len(w.state.spec["layers"]))
    qtbot.waitUntil(lambda: all(p.property(export_image.PROPERTY) for p in inside.histograms.plots))
    from tests.test_guide_show_me import finish_loads
    finish_loads()


def test_a_dialog_made_later_gets_the_entries(qtbot, tmp_path, monkeypatch):
    from PySide6.QtWidgets import QDialog, QVBoxLayout
    from tests.helpers_app import make_window
    w = make_window(qtbot, tmp_path, monkeypatch)
    dialog = QDialog(w)
    plot = pg.PlotWidget()
    QVBoxLayout(dialog).addWidget(plot)
    qtbot.waitUntil(lambda: bool(plot.property(export_image.PROPERTY)))
