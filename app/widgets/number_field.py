"""NumberField: a number typed as text and kept as typed, from 1e-6 to 1e6 and beyond, shown with at least three
significant digits (3e-6, 0.003, 1000), so no spin box's fixed decimals or range can change it behind the user.

The field only reads the number; whether the engine accepts it is the owner's question (it calls set_refusal).
"""
from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QLineEdit

from app.widgets.field_messages import error_color


def format_number(value: float) -> str:
    """The shortest of 3..9 significant digits that reads back as `value`: 3e-6, 0.003, 0.0015, 1000, 2.5e+7."""
    for digits in range(3, 10):
        text = f"{value:.{digits}g}"
        if float(text) == value:
            break
    mantissa, _, exponent = text.partition("e")
    if not exponent:
        return text
    if -5 < int(exponent) < 6:
        return np.format_float_positional(float(text), trim="-")
    return f"{mantissa}e{int(exponent)}"


def parse_number(text: str) -> tuple[float | None, str]:
    """(the number, '') or (None, a sentence saying what to type)."""
    t = text.strip()
    if "," in t:
        return None, f"Type the number with a dot, like 0.003 (got {t!r})."
    try:
        value = float(t)
    except ValueError:
        return None, f"Type a number, like 0.003 or 1e-4 (got {t!r})." if t else "Type a number, like 0.003."
    if not math.isfinite(value):
        return None, f"Type a finite number, like 0.003 (got {t!r})."
    return value, ""


class NumberField(QLineEdit):
    """Emits valueEdited(float or None) when the user commits the text (Return or leaving the field)."""
    valueEdited = Signal(object)

    def __init__(self, tip: str = "", parent=None):
        super().__init__(parent)
        self._tip = tip
        self.setToolTip(tip)
        self._known = None          # the value the text stands for, as last set or committed
        self._problem = ""          # why the text is not a number ('' when it is)
        self._refused = False
        self.editingFinished.connect(self._commit)

    def value(self) -> float | None:
        return None if self._problem else self._known

    def problem(self) -> str:
        return self._problem

    def setValue(self, value: float) -> None:
        """Show a value from the model; the user's own spelling of that same value is kept."""
        if value == self._known:
            return
        self._known, self._problem = value, ""
        self.setText(format_number(value))
        self.setModified(False)

    def set_refusal(self, reason: str) -> None:
        """Mark the text as refused (red) with the reason as the tooltip; '' clears it."""
        refused = bool(reason)
        if refused != self._refused:
            self._refused = refused
            self.setStyleSheet(f"QLineEdit {{ color: {error_color(self.palette(), QPalette.Base)}; }}" if refused else "")
        self.setToolTip(f"{reason}\n\n{self._tip}" if refused else self._tip)

    def _commit(self) -> None:
        value, self._problem = parse_number(self.text())
        if value is not None:
            self._known = value
        self.setModified(False)
        self.valueEdited.emit(value)
