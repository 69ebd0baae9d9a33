"""Every text of the network diagrams and the Look inside pages is readable in both themes: WCAG AA, a contrast
of at least 4.5:1 against what it is drawn on. Colours are read from what is drawn: the pyqtgraph items' text
HTML and pens, the labels' palettes and spans, and the pixels of the painted widgets."""
import numpy as np
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QRect
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QLabel

from engine import Network, TrainConfig, fit
from helpers_app import make_window
from helpers_contrast import AA, contrast_ratio, ink_contrast, plot_background, plot_texts, text_span_colors

SPEC = {"input_size": 784, "layers": [{"units": 24, "activation": "relu"}, {"units": 16, "activation": "leaky_relu"},
                                      {"units": 10, "activation": "softmax"}], "loss": "cross_entropy", "seed": 0}


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch, mnist_sample):
    w = make_window(qtbot, tmp_path, monkeypatch, show=False)
    w.resize(1280, 800)
    w.show()
    qtbot.waitExposed(w)
    net = Network.from_spec(SPEC)
    fit(net, TrainConfig(optimizer="adam", lr=3e-3, batch_size=64, epochs=1, val_fraction=0.0),
        mnist_sample.x_train[:1000], mnist_sample.y_train[:1000])
    w.state.set_dataset("sample", mnist_sample)
    w.state.set_network(net)
    yield w
    w.menus.set_theme("system")


def _settle(qtbot):
    for _ in range(3):
        QApplication.processEvents()
    qtbot.wait(20)


def _plot_problems(root, where):
    problems = []
    for plot in root.findChildren(pg.PlotWidget):
        if not plot.isVisible():
            continue
        bg = plot_background(plot)
        for what, color in plot_texts(plot).items():
            ratio = contrast_ratio(color, bg)
            if ratio < AA:
                problems.append(f"{where}: {what} {color.name()} on {bg.name()} = {ratio:.2f}")
    return problems


def _label_problems(root, where):
    problems = []
    for label in root.findChildren(QLabel):
        if not label.isVisible() or not label.text().strip():
            continue
        bg = label.palette().color(QPalette.Window)
        for color in [label.palette().color(label.foregroundRole())] + text_span_colors(label.text()):
            ratio = contrast_ratio(color, bg)
            if ratio < AA:
                problems.append(f"{where}: label {label.text()[:40]!r} {color.name()} on {bg.name()} = {ratio:.2f}")
    return problems


def _diagram_problems(view, where):
    """Titles and subtitles (top strip), '+ N more' (bottom strip), output unit numbers (right of the neurons)."""
    image = view.grab().toImage()                 # what is on screen now, not a fresh render
    bg = view.palette().color(QPalette.Base)
    cols, r = view._layout()
    (units, pos) = cols[-1]
    x_out = int(pos[0][0] + r + 4)
    rects = {"titles": QRect(0, 2, view.width(), 36), "hidden counts": QRect(0, view.height() - 28, view.width(), 18),
             "output numbers": QRect(x_out, int(pos[0][1]) - 6, 20, int(pos[-1][1] - pos[0][1]) + 12)}
    problems = []
    for what, rect in rects.items():
        ratio = ink_contrast(image, rect, bg)
        if ratio < AA:
            problems.append(f"{where}: diagram {what} = {ratio:.2f} on {bg.name()}")
    dpr = image.devicePixelRatio()
    centre = view.neuronPoint(len(cols) - 1, int(units[0]))
    fill = image.pixelColor(int(centre.x() * dpr), int(centre.y() * dpr))
    if view.acts is None and (fill.lightness() < 128) != (bg.lightness() < 128):
        problems.append(f"{where}: a silent neuron is {fill.name()} on the theme's {bg.name()} background")
    corner = image.pixelColor(2, 2)
    if contrast_ratio(corner, bg) > 1.05:
        problems.append(f"{where}: diagram background {corner.name()} is not the theme's {bg.name()}")
    return problems


def _confusion_problems(grid, where):
    problems = []
    k = len(grid.cm)
    for t in range(k):
        for q in range(k):
            fill, text = grid.cell_colors(t, q)
            if contrast_ratio(fill, text) < AA:
                problems.append(f"{where}: confusion cell {t},{q} {text.name()} on {fill.name()}")
    image = grid.grab().toImage()
    left, top, side = grid._geometry()
    ratio = ink_contrast(image, QRect(int(left), 2, int(k * side), int(top) - 4), grid.palette().color(QPalette.Base))
    if ratio < AA:
        problems.append(f"{where}: confusion column labels = {ratio:.2f}")
    return problems


@pytest.mark.parametrize("order", [("light", "dark"), ("dark", "light")])
def test_every_text_of_the_inside_pages_and_diagrams_meets_wcag_aa(qtbot, window, order):
    w = window
    inside = w.findChild(type(w.tabs.widget(1)), "insideTab")
    problems = []
    for mode in order:
        w.menus.set_theme(mode)
        w.tabs.setCurrentIndex(0)
        _settle(qtbot)
        problems += _diagram_problems(w.diagram, f"{mode} build")
        problems += _plot_problems(w.tabs.widget(0), f"{mode} build")
        w.tabs.setCurrentWidget(inside)
        for k in range(inside.pages.count()):
            inside.pages.setCurrentIndex(k)
            _settle(qtbot)
            where = f"{mode} {inside.pages.tabText(k)}"
            page = inside.pages.widget(k)
            problems += _plot_problems(page, where) + _label_problems(page, where)
        inside.pages.setCurrentWidget(inside.errors)
        _settle(qtbot)
        assert inside.errors.grid.cm is not None
        problems += _confusion_problems(inside.errors.grid, f"{mode} errors")
        inside.pages.setCurrentIndex(0)
        _settle(qtbot)
        problems += _diagram_problems(inside.diagram, f"{mode} inside")
    assert not problems, "\n".join(problems)
