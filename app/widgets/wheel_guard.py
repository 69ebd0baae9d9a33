"""The mouse wheel scrolls; it changes a field only when the user chose that field.

The window's combo boxes, spin boxes and sliders are the guarded kinds below: a wheel turn over one that does not
have the keyboard focus goes to the scroll area around it (or on to its parents), never to the field, so scrolling
the left panel cannot turn tanh into ReLU on the way. A field the user clicked or tabbed into takes the wheel as
usual, and the wheel itself gives no field the focus (Qt.StrongFocus). Each field guards itself: an application-
wide event filter in Python took the GIL for every event of the window, and waited for it beside a training thread
(the GUI stalls the suite measured). tests/test_wheel_guard.py finds any unguarded field in the window.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QDoubleSpinBox,
                               QSlider, QSpinBox, QWidget)

GUARDED = (QComboBox, QAbstractSpinBox, QSlider)


def scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = None if parent.isWindow() else parent.parentWidget()
    return parent


class Guarded:
    """Mixed into a Qt field class: the wheel reaches the field only once the user chose it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)     # Qt's default for these also focuses on a wheel turn

    def wheelEvent(self, event) -> None:
        if self.hasFocus():
            super().wheelEvent(event)
            return
        area = scroll_area_around(self)
        if area is not None:
            QApplication.sendEvent(area.viewport(), event)      # the wheel scrolls what holds the field
            event.accept()
        else:
            event.ignore()                                      # Qt passes a real wheel on to the parents


class ComboBox(Guarded, QComboBox):
    pass


class SpinBox(Guarded, QSpinBox):
    pass


class DoubleSpinBox(Guarded, QDoubleSpinBox):
    pass


class Slider(Guarded, QSlider):
    pass


def unguarded(root: QWidget) -> list[QWidget]:
    """The fields under `root` a wheel turn could change without the user choosing them (Qt's own inner ones
    excluded: a spin box inside a date editor is not a field of ours)."""
    return [w for w in root.findChildren(QWidget) if isinstance(w, GUARDED) and not isinstance(w, Guarded)]
