"""The crash course dock: its place in the window, the course's order, formulas from the engine's registries,
the keyboard, progress kept between sessions, the first-start offer, and text that follows the theme."""
from __future__ import annotations

import re

from PySide6.QtCore import Qt
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QApplication, QDockWidget, QPushButton, QWidget

from app.widgets.guide.sections import BY_KEY, SECTIONS, formula_html
from engine.activations import ACTIVATIONS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS
from tests.helpers_app import make_window

ORDER = ["network", "perceptron", "mlp", "training", "backprop", "activations", "losses", "optimizer", "digits",
         "after_course"]          # past the course: the lessons that come after it


def plain(html_text: str) -> str:
    from PySide6.QtGui import QTextDocument
    doc = QTextDocument()
    doc.setHtml(html_text)
    return doc.toPlainText()


def test_sections_follow_the_course_and_each_has_show_me():
    assert [s.key for s in SECTIONS] == ORDER
    for s in SECTIONS:
        assert s.shows and s.text and s.formula


def test_formulas_come_from_the_registries():
    acts = plain(BY_KEY["activations"].formula)
    for cls in ACTIVATIONS.values():
        assert cls.range_text in acts
        assert plain(formula_html(cls.formula)) in acts
    losses = plain(BY_KEY["losses"].formula)
    for name in ("cross_entropy", "l1"):
        assert LOSSES[name].label in losses and plain(formula_html(LOSSES[name].formula)) in losses
    opts = plain(BY_KEY["optimizer"].formula)
    for name in ("sgd", "bgd"):
        assert plain(formula_html(OPTIMIZERS[name].formula)) in opts
    assert "δj · zi" in plain(BY_KEY["backprop"].formula).replace("\u2009", "")


def test_formula_html_makes_superscripts():
    assert formula_html("σ(z) = 1 / (1 + e^(−z))") == "σ(z) = 1 / (1 + e<sup>−z</sup>)"
    assert formula_html("a < b") == "a &lt; b"


def test_dock_is_docked_hidden_and_toggled_by_help_menu(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    dock = w.findChild(QDockWidget, "courseGuide")
    assert dock is w.guide and w.dockWidgetArea(dock) == Qt.RightDockWidgetArea
    assert not dock.isVisible()
    action = next(a for a in w.help_menu.actions() if a.text() == "&Crash course")
    action.trigger()
    assert dock.isVisible()
    action.trigger()
    assert not dock.isVisible()
    assert dock.features() & QDockWidget.DockWidgetClosable


def test_first_start_offers_the_course_once(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    offer = w.statusBar().findChild(QWidget, "guideOffer")
    assert offer is not None and offer.isVisible()
    qtbot.mouseClick(offer.findChild(QPushButton, "guideOfferOpen"), Qt.LeftButton)
    assert w.guide.isVisible()
    qtbot.waitUntil(lambda: w.statusBar().findChild(QWidget, "guideOffer") is None)
    again = make_window(qtbot, tmp_path, monkeypatch)     # same settings file: offered already
    assert again.statusBar().findChild(QWidget, "guideOffer") is None


def test_keyboard_walks_the_course(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.activateWindow()
    dock = w.guide
    dock.open_at("network")
    sections = dock.findChild(QWidget, "guideSections")
    assert QApplication.focusWidget() is sections or w.focusWidget() is sections
    qtbot.keyClick(sections, Qt.Key_Down)
    assert dock.key == "perceptron"
    qtbot.keyClick(sections, Qt.Key_Down)
    qtbot.keyClick(sections, Qt.Key_Up)
    assert dock.key == "perceptron"
    qtbot.keyClick(sections, Qt.Key_Space)                         # Space marks the section done
    assert "perceptron" in dock.progress["done"] and dock.done.isChecked()
    # Tab from the list reaches the text, then the first Show me; Enter there presses it
    chain, widget = [], sections
    for _ in range(3):
        widget = widget.nextInFocusChain()
        while not widget.focusPolicy() & Qt.TabFocus:
            widget = widget.nextInFocusChain()
        chain.append(widget.objectName())
    assert chain[:2] == ["guideText", "showMe_perceptron_xor_perceptron"]
    dock.open_at("network")
    qtbot.keyClick(sections, Qt.Key_Return)                        # Enter on a section: its first Show me
    assert w.tabs.currentIndex() == 0


def test_progress_is_remembered_between_sessions(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    dock = w.guide
    dock.open_at("backprop")
    qtbot.mouseClick(dock.findChild(QWidget, "guideDone"), Qt.LeftButton)
    qtbot.mouseClick(dock.findChild(QWidget, "guideNext"), Qt.LeftButton)
    assert dock.key == "activations"
    w.close()
    again = make_window(qtbot, tmp_path, monkeypatch)
    d2 = again.guide
    assert d2.key == "activations"
    assert d2.progress["done"] == ["backprop"]
    assert {"network", "backprop", "activations"} <= set(d2.progress["visited"])
    assert d2.list.item(ORDER.index("backprop")).checkState() == Qt.Checked
    assert d2.list.item(ORDER.index("network")).checkState() == Qt.Unchecked


def test_text_follows_the_theme(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.guide.open_at("activations")
    text = w.guide.findChild(QWidget, "guideText")
    for s in SECTIONS:                                      # no colour of our own: the palette's only
        assert not re.search(r"color|background|#[0-9a-f]{3}", s.text + s.formula, re.I), s.key
    for mode in ("dark", "light"):
        w.menus.set_theme(mode)
        QApplication.processEvents()                        # the palette change reaches the viewport
        pal = QApplication.palette()
        image = text.viewport().grab().toImage()
        background = image.pixelColor(image.width() - 3, image.height() - 3)
        assert background == pal.color(QPalette.Base), mode
        assert text.palette().color(QPalette.Text) == pal.color(QPalette.Text)
        # the darkest (light theme) or brightest (dark theme) pixel is text in the palette's text colour
        lum = [image.pixelColor(x, y).lightness() for x in range(0, image.width(), 2)
               for y in range(0, min(image.height(), 120), 2)]
        extreme = min(lum) if mode == "light" else max(lum)
        assert abs(extreme - pal.color(QPalette.Text).lightness()) < 40, mode


def test_dock_never_squashes_the_main_area(qtbot, tmp_path, monkeypatch):
    """Docked beside a wide window; floating when docking would push the window past its width."""
    for width, height, floats in ((1280, 800, False), (1024, 768, True)):
        w = make_window(qtbot, tmp_path / str(width), monkeypatch)
        w.resize(width, height)
        QApplication.processEvents()
        w.guide.open_at("backprop")
        QApplication.processEvents()
        assert w.guide.isVisible() and w.guide.isFloating() == floats, width
        assert w.width() == width
        assert w.centralWidget().width() >= w.centralWidget().minimumSizeHint().width()
        if floats:                 # on the screen whole, a window manager's title bar included: Done shows
            from app.widgets.guide.dock import TITLE_BAR
            screen = w.screen().availableGeometry()
            assert w.guide.frameGeometry().bottom() + TITLE_BAR <= max(screen.bottom(), w.guide.y() + 400 + TITLE_BAR)
            done = w.guide.done
            assert done.isVisible() and done.mapTo(w.guide, done.rect().bottomLeft()).y() <= w.guide.height()
        w.guide.close()
        assert not w.guide.isVisible()
