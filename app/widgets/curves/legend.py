"""RunLegend (`curvesLegend`): the key and every shown run, in a row under the plots, so no curve is covered.

Its text is the palette's window text on the window colour (readable in both themes); each run's colour is a
swatch beside its label.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QSizePolicy

KEY = ("<b>—</b> smoothed loss (faint: each batch) &nbsp; <b>●</b> solid: training &nbsp; "
       "<b>■</b> dashed: validation")
AUGMENT_NOTE = ("Training digits are distorted by augmentation, so training accuracy (solid) sits below "
                "validation (dashed).")


@dataclass
class Entry:
    label: str
    color: tuple
    augment: bool = False
    off_scale: bool = False


class RunLegend(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("curvesLegend")
        self.setAccessibleName("curvesLegend")
        self.setTextFormat(Qt.RichText)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
        self.entries: list[Entry] = []
        self.show_entries([])

    def show_entries(self, entries: list[Entry]) -> None:
        self.entries = list(entries)
        key = KEY
        if any(e.augment for e in entries):
            key += "<br>" + AUGMENT_NOTE
        runs = " &nbsp; ".join(self._entry_html(e) for e in entries)
        text = key + ("<br>" + runs if runs else "")
        if text != self.text():
            self.setText(text)
            self.setToolTip("Every run on the plots. A run marked ‘off scale’ lies far from the others: tick "
                            "‘Log scale’ to see every run at once.")

    @staticmethod
    def _entry_html(e: Entry) -> str:
        r, g, b = e.color
        notes = (" · augmented" if e.augment else "") + (" (off scale)" if e.off_scale else "")
        return (f"<span style='white-space:nowrap'><span style='color:rgb({r},{g},{b})'>■</span>&nbsp;"
                f"{escape(e.label)}{escape(notes)}</span>")
