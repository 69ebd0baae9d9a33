"""The mouse wheel over the left panel scrolls the panel: a combo box or spin box the pointer passes over keeps its
value (no "throws away the trained weights" question), unless the user clicked into it first; fields made later
(a new layer's row) are guarded too, and the wheel gives no field the focus."""
from __future__ import annotations

import pytest
from PySide6.QtCore import QPoint, QPointF, Qt
from PySide6.QtGui import QWheelEvent
from PySide6.QtWidgets import QApplication, QScrollArea

from helpers_app import active_window


def wheel(widget, notches: int = -1) -> None:
    """A real wheel turn over the middle of `widget` (negative: towards the user, which scrolls down)."""
    pos = QPointF(widget.width() / 2, widget.height() / 2)
    event = QWheelEvent(pos, QPointF(widget.mapToGlobal(pos.toPoint())), QPoint(), QPoint(0, 120 * notches),
                        Qt.MouseButton.NoButton, Qt.KeyboardModifier.NoModifier, Qt.ScrollPhase.NoScrollPhase, False)
    QApplication.sendEvent(widget, event)


def scroll_area_of(widget) -> QScrollArea:
    while not isinstance(widget, QScrollArea):
        widget = widget.parentWidget()
    return widget


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    w = active_window(qtbot, tmp_path, monkeypatch)
    w.resize(1024, 600)                                      # the left panel is taller than the window: it scrolls
    qtbot.wait(50)
    w.tabs.setFocus()                                       # no field has the focus
    return w


def fields(w):
    row = w.editor.rows[0]
    return {"activation combo box": (row.activation, row.activation.currentIndex),
            "units spin box": (row.units, row.units.value), "epochs spin box": (w.panel.epochs, w.panel.epochs.value)}


@pytest.mark.parametrize("name", ["activation combo box", "units spin box", "epochs spin box"])
def test_the_wheel_over_an_unfocused_field_scrolls_the_panel_and_keeps_the_value(window, qtbot, name):
    field, value = fields(window)[name]
    bar = scroll_area_of(field).verticalScrollBar()
    assert bar.maximum() > 0 and bar.value() == 0
    before, spec = value(), window.state.spec
    wheel(field)
    assert value() == before and window.state.spec == spec
    assert bar.value() > 0                                  # the panel scrolled instead
    assert not field.hasFocus()                              # and the wheel did not take the focus
    assert field.focusPolicy() == Qt.FocusPolicy.StrongFocus


@pytest.mark.parametrize("name", ["activation combo box", "units spin box"])
def test_a_field_the_user_chose_takes_the_wheel(window, qtbot, name):
    field, value = fields(window)[name]
    qtbot.mouseClick(field, Qt.LeftButton) if name.endswith("spin box") else field.setFocus()
    qtbot.waitUntil(field.hasFocus, timeout=2000)
    before = value()
    wheel(field, notches=-1 if name.endswith("combo box") else 1)
    assert value() != before


def test_a_layer_row_added_later_is_guarded_too(window, qtbot):
    qtbot.mouseClick(window.editor.add_button, Qt.LeftButton)
    row = window.editor.rows[-1]
    qtbot.waitUntil(row.units.isVisible, timeout=2000)
    window.tabs.setFocus()
    before = row.activation.currentIndex()
    wheel(row.activation)
    assert row.activation.currentIndex() == before
    assert row.units.focusPolicy() == Qt.FocusPolicy.StrongFocus


def test_every_field_of_the_window_guards_itself(window, qtbot):
    """Search, not a list: every combo box, spin box and slider of the window, in both modes, on every tab, page and
    dock, and in the Compare dialog, is a guarded field (each field guards itself: an application-wide filter in
    Python made every event of the window wait for the GIL beside a training thread)."""
    from app.widgets.compare.dialog import CompareDialog
    from app.widgets.wheel_guard import unguarded
    assert unguarded(window) == []
    assert unguarded(CompareDialog(window.state, window)) == []
    window.state.switch_mode("playground")
    qtbot.wait(50)
    assert unguarded(window) == []
    assert window.findChildren(QScrollArea)                 # the search did look at a filled window
