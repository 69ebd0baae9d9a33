"""The mouse wheel scrolls; it changes a field only when the user chose that field.

One application-wide event filter (install(app), once): a wheel event over a combo box, spin box or slider that
does not have the keyboard focus goes to the scroll area around the field (or nowhere), never to the field, so
scrolling the left panel cannot turn tanh into ReLU on the way. A field the user clicked or tabbed into takes the
wheel as usual. Every such field, also one made later (a new layer's row, a dialog), gets Qt.StrongFocus as it is
polished: the wheel itself gives no field the focus.
"""
from __future__ import annotations

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import (QAbstractScrollArea, QAbstractSpinBox, QApplication, QComboBox, QSlider,
                               QWidget)

GUARDED = (QComboBox, QAbstractSpinBox, QSlider)
WHEEL, POLISH = QEvent.Type.Wheel, QEvent.Type.Polish


def field_under(widget: QWidget) -> QWidget | None:
    """The guarded field `widget` is or is part of (a spin box's line edit), within its window; else None."""
    while widget is not None:
        if isinstance(widget, GUARDED):
            return widget
        if widget.isWindow():
            return None
        widget = widget.parentWidget()
    return None


def scroll_area_around(widget: QWidget) -> QAbstractScrollArea | None:
    parent = widget.parentWidget()
    while parent is not None and not isinstance(parent, QAbstractScrollArea):
        parent = None if parent.isWindow() else parent.parentWidget()
    return parent


def calm(widget: QWidget) -> None:
    """Focus by click or Tab only (Qt's default for these fields also takes the focus on a wheel turn)."""
    if widget.focusPolicy() == Qt.FocusPolicy.WheelFocus:
        widget.setFocusPolicy(Qt.FocusPolicy.StrongFocus)


class WheelGuard(QObject):
    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == POLISH:
            if isinstance(obj, GUARDED):
                calm(obj)
            return False
        if kind != WHEEL or not isinstance(obj, QWidget):
            return False
        field = field_under(obj)
        if field is None or field.hasFocus():
            return False
        area = scroll_area_around(field)
        if area is not None:
            QApplication.sendEvent(area.viewport(), event)     # the wheel scrolls what holds the field
            event.accept()
        else:
            event.ignore()                                     # Qt passes a real wheel on to the parents
        return True


def install(app: QApplication | None = None) -> WheelGuard:
    """Guard every field of the application (once; later calls return the same guard)."""
    app = app or QApplication.instance()
    guard = app.findChild(WheelGuard, "wheelGuard")
    if guard is None:
        guard = WheelGuard(app)
        guard.setObjectName("wheelGuard")
        app.installEventFilter(guard)
        for widget in app.allWidgets():                        # the fields polished before the guard came
            if isinstance(widget, GUARDED):
                calm(widget)
    return guard
