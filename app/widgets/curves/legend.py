"""RunLegend (`curvesLegend`): the key and every shown run, in a row under the plots, so no curve is covered;
LegendBox holds it at most MAX_LINES lines tall (more scroll), so eight long run names at 1024 px wide cannot push
the window past a 768 px screen.

Its text is the palette's window text on the window colour (readable in both themes); each run's colour is a
swatch beside its label.
"""
from __future__ import annotations

from dataclasses import dataclass
from html import escape

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QFrame, QLabel, QScrollArea, QSizePolicy

KEY = ("<b>—</b> smoothed loss (faint: each batch) &nbsp; <b>●</b> solid: training &nbsp; "
       "<b>■</b> dashed: validation")
PENALTY_KEY = " &nbsp; <b>▲</b> dotted: L2 penalty"       # only while a shown run has one (weight decay)
MAX_LINES = 3
AUGMENT_NOTE = ("Training inputs are distorted by augmentation, so training accuracy (solid) sits below "
                "validation (dashed).")


OFF_NOTES = {(True, False): " (off the loss scale)", (False, True): " (off the accuracy scale)",
             (True, True): " (off the loss and accuracy scales)"}


@dataclass
class Entry:
    label: str
    color: tuple
    augment: bool = False
    off_loss: bool = False          # part of its curve lies outside the loss plot's shown range
    off_accuracy: bool = False
    penalty: bool = False           # trained with weight decay: its penalty curve is drawn


class RunLegend(QLabel):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("curvesLegend")
        self.setAccessibleName("curvesLegend")
        self.setTextFormat(Qt.RichText)
        self.setWordWrap(True)
        self.setSizePolicy(QSizePolicy.Preferred, QSizePolicy.Minimum)
        self.entries: list[Entry] = []
        self._width = 0                        # the width its text wraps to (LegendBox.fit)
        self.show_entries([])

    def show_entries(self, entries: list[Entry]) -> bool:
        """Show the runs (and the key); True if the text changed (then its box must refit)."""
        self.entries = list(entries)
        return self._render()

    def wrap_to(self, width: int) -> bool:
        """The width the text will have; True if the text changed (an entry wider than that wraps)."""
        if width == self._width:
            return False
        self._width = width
        return self._render()

    def _render(self) -> bool:
        entries = self.entries
        key = KEY + (PENALTY_KEY if any(e.penalty for e in entries) else "")
        if any(e.augment for e in entries):
            key += "<br>" + AUGMENT_NOTE
        runs = " &nbsp; ".join(self._entry_html(e) for e in entries)
        text = (runs + "<br>" if runs else "") + key     # the runs first: they name the colours, the key is fixed
        if text == self.text():
            return False
        self.setText(text)
        self.setToolTip("Every run on the plots. The plots' ranges follow the bulk of the runs: a run marked "
                        "‘off the loss scale’ or ‘off the accuracy scale’ reaches outside that plot. Tick "
                        "‘Log scale’ to see every run's loss at once.")
        return True

    def _entry_html(self, e: Entry) -> str:
        """One run: on one line (kept whole onto the next) unless it is wider than the legend, then wrapped."""
        r, g, b = e.color
        said = "augmented" in e.label                   # a run named by its augmentation says it once
        notes = (" · augmented" if e.augment and not said else "") + OFF_NOTES.get((e.off_loss, e.off_accuracy), "")
        text = f"{e.label}{notes}"
        wide = self._width and self.fontMetrics().horizontalAdvance(f"■ {text}") > self._width
        return (f"<span style='white-space:{'normal' if wide else 'nowrap'}'><span style='color:rgb({r},{g},{b})'>"
                f"■</span>&nbsp;{escape(e.label)}{escape(notes)}</span>")


class LegendBox(QScrollArea):
    """The legend's frame: exactly as tall as its text up to MAX_LINES lines; call fit() after the text changes."""

    def __init__(self, legend: RunLegend, parent=None):
        super().__init__(parent)
        self.setWidget(legend)                  # sized by fit(): a wrapped label's own size hint is far too tall
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Fixed)
        self.fit()

    def fit(self) -> None:
        legend = self.widget()
        cap = MAX_LINES * legend.fontMetrics().lineSpacing() + 1     # whole lines: no half line peeking in
        width = max(self.width(), 100)
        legend.wrap_to(width)
        text_height = legend.heightForWidth(width)
        if text_height > cap:                   # a scroll bar will take part of the width: wrap for what is left
            width -= self.verticalScrollBar().sizeHint().width()
            legend.wrap_to(width)
            text_height = legend.heightForWidth(width)
        legend.resize(width, text_height)
        if min(text_height, cap) != self.height():
            self.setFixedHeight(min(text_height, cap))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        if event.size().width() != event.oldSize().width():
            self.fit()
