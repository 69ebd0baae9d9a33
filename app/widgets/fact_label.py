"""FactLabel: a label whose text is a fact about one generation of the model (AppState.generation): a result, a
summary, a note about the network shown. It clears itself as soon as the generation moves on, so no view can show
a sentence about a network, data set or setting that is no longer the model's.
"""
from __future__ import annotations

from PySide6.QtWidgets import QLabel


class FactLabel(QLabel):
    def __init__(self, state, parent=None):
        super().__init__("", parent)
        self.state = state
        self.generation = None             # the generation the text is about (None: no text)
        self.setWordWrap(True)
        state.generationChanged.connect(self._generation)

    def say(self, text: str, generation: int | None = None) -> None:
        """Show `text` as a fact of `generation` (default: the current one); nothing if that is already stale."""
        generation = self.state.generation if generation is None else generation
        if generation != self.state.generation:
            return
        self.generation = generation if text else None
        self.setText(text)

    def _generation(self, generation: int) -> None:
        if self.generation is not None and generation != self.generation:
            self.generation = None
            self.setText("")
