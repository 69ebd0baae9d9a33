"""named(): give a widget the object name tests and screen readers find it by, and an optional tooltip; compact()
and pair(): small layout helpers for the side panel."""
from __future__ import annotations


def named(widget, name: str, tip: str = ""):
    """Set the object name and accessible name to `name` (and the tooltip to `tip`); return the widget."""
    widget.setObjectName(name)
    widget.setAccessibleName(name)
    if tip:
        widget.setToolTip(tip)
    return widget


def compact(combo, chars: int = 10):
    """A combo box that may be narrower than its longest item (the item is elided, the list shows it whole), so
    the side panel fits its column at 1024x768."""
    from PySide6.QtWidgets import QComboBox
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(chars)
    return combo


def pair(first, label: str, second):
    """Two short fields in one row, the second with its label (a row less to scroll past at 800 px)."""
    from PySide6.QtWidgets import QHBoxLayout, QLabel, QWidget
    box, row, text = QWidget(), QHBoxLayout(), QLabel(label)
    box.setLayout(row)
    row.setContentsMargins(0, 0, 0, 0)
    text.setBuddy(second)
    for w in (first, text, second):
        row.addWidget(w)
    row.addStretch(1)
    return box
