"""Look inside at the sizes students use (1280x800 and 1024x768): every page fits, and on Errors the probability
chart of a clicked digit is on screen without scrolling; before any choice the pages prompt, not "No digits"."""
import pytest
from PySide6.QtCore import QPoint, QRect, Qt

from helpers_app import inside_window

SIZES = [(1280, 800), (1024, 768)]


@pytest.fixture(params=SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def window(request, qtbot, tmp_path, monkeypatch, mnist_sample, digit_net):
    w, inside = inside_window(qtbot, tmp_path, monkeypatch, mnist_sample, digit_net, request.param)
    w.size_asked = request.param
    return w, inside


def _on_screen(widget, window) -> bool:
    """Wholly inside the window and not clipped by any parent (a scroll area's viewport, a splitter)."""
    rect = QRect(widget.mapTo(window, QPoint(0, 0)), widget.size())
    parent = widget.parentWidget()
    while parent is not None and parent is not window:
        if not QRect(parent.mapTo(window, QPoint(0, 0)), parent.size()).contains(rect):
            return False
        parent = parent.parentWidget()
    return window.rect().contains(rect) and widget.isVisible()


def test_clicking_a_mistake_shows_its_probabilities_without_scrolling(qtbot, window):
    w, inside = window
    assert w.height() == w.size_asked[1]           # (the width is the Draw tab's to keep within 1024)
    errors = inside.errors
    inside.pages.setCurrentWidget(errors)
    qtbot.waitUntil(lambda: errors.analysis is not None)
    assert "No digits" not in errors.cell_digits.placeholder()
    assert "click a cell" in errors.cell_digits.placeholder().lower()
    tile = errors.mistakes.tile_rect(0).center().toPoint()
    viewport = errors.mistakes.parentWidget()
    assert QRect(QPoint(0, 0), viewport.size()).contains(errors.mistakes.mapTo(viewport, tile))
    qtbot.mouseClick(errors.mistakes, Qt.LeftButton, pos=tile)
    index = int(errors.mistakes.indices[0])
    assert errors.bars.probabilities == pytest.approx(errors.analysis.probs[index])
    assert _on_screen(errors.bars, w), (errors.bars.mapTo(w, QPoint(0, 0)), errors.bars.size(), w.size())
    assert _on_screen(errors.digit_title, w)
    assert f"Test digit #{index}" in errors.digit_title.text()


def test_an_empty_cell_says_so_and_a_full_one_shows_its_digits(qtbot, window):
    w, inside = window
    errors = inside.errors
    inside.pages.setCurrentWidget(errors)
    qtbot.waitUntil(lambda: errors.analysis is not None)
    cm = errors.grid.cm
    empty = next((t, q) for t in range(10) for q in range(10) if cm[t, q] == 0)
    qtbot.mouseClick(errors.grid, Qt.LeftButton, pos=errors.grid.cell_rect(*empty).center().toPoint())
    assert errors.cell_digits.placeholder() and "click" not in errors.cell_digits.placeholder().lower()
    qtbot.mouseClick(errors.grid, Qt.LeftButton, pos=errors.grid.cell_rect(3, 3).center().toPoint())
    assert len(errors.cell_digits.indices) > 0 and errors.cell_digits.parentWidget().isVisible()


def test_every_page_fits(qtbot, window):
    w, inside = window
    for k in range(inside.pages.count()):
        inside.pages.setCurrentIndex(k)
        qtbot.wait(10)
        page = inside.pages.widget(k)
        need = page.minimumSizeHint()
        room_w = w.size_asked[0] - (w.width() - page.width())      # the page's width in a window of the asked size
        assert need.width() <= room_w and need.height() <= page.height(), (inside.pages.tabText(k), need, room_w,
                                                                           page.size())
        assert _on_screen(page, w), inside.pages.tabText(k)
