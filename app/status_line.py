"""StatusLine: the status bar's words. What the app is busy with comes from the activity (the task indicator on
the right, app/status_tasks.py); a message about something done or refused (`say`) stays until it times out or
until the next action begins, and a refusal (`refuse`) also goes as soon as the model changes (the value that
was refused has been fixed, another network came), so no sentence outlives the moment it was about.
"""
from __future__ import annotations

from PySide6.QtCore import QObject

from app.activity import IDLE


class StatusLine(QObject):
    def __init__(self, window):
        super().__init__(window)
        self.bar = window.statusBar()
        self._kind = IDLE
        self._refusal = ""
        window.state.activity.changed.connect(self._activity)
        window.state.generationChanged.connect(self._generation)

    def say(self, text: str, ms: int = 10000) -> None:
        """Show `text` for `ms` milliseconds (0: until the next action begins or another message replaces it)."""
        self._refusal = ""
        self.bar.showMessage(text, ms)

    def refuse(self, text: str, ms: int = 10000) -> None:
        """Why an action did nothing: shown until the model changes, the next action begins or `ms` pass."""
        self.bar.showMessage(text, ms)
        self._refusal = text

    def _activity(self, kind: str) -> None:
        if kind != self._kind and kind != IDLE:      # a new action begins: the last one's message is history
            self.bar.clearMessage()
        self._kind = kind

    def _generation(self, _generation: int) -> None:
        if self._refusal and self.bar.currentMessage() == self._refusal:
            self.bar.clearMessage()
        self._refusal = ""
