"""The status bar's task indicator: what long task is running, how far it is, and a button that ends it.

Visible on every tab (the training panel's own progress bar is only on "Build & train"). Training is wired by
`install`: the indicator follows the panel's progressChanged, the very signal that draws the panel's bar, so both
show the same batch at the same moment, and its button is "Stop", as on the panel (the weights are kept).
Other long tasks can call begin()/set_progress()/end() with their own callable and the name of their action.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from app.widgets.named import named

BAR_WIDTH = 160          # the bar's narrowest; it widens to fit its text, never cutting it
TEXT_MARGIN = 24


class TaskProgress(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("statusTaskProgress")
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMinimumWidth(BAR_WIDTH)
        self.bar.setTextVisible(True)
        self.cancel_button = named(QToolButton(), "statusCancelButton")
        self.cancel_button.setText("Cancel")
        self.cancel_button.clicked.connect(self._cancel_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 4, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self._cancel = None
        self.hide()

    def begin(self, text: str, cancel=None, tip: str = "", action: str = "Cancel") -> None:
        """Show a task; the bar is 'busy' until set_progress gives a value. `action` names the button."""
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self.bar.setMinimumWidth(BAR_WIDTH)
        self._cancel = cancel
        self.cancel_button.setText(action)
        self.cancel_button.setEnabled(True)
        self.cancel_button.setVisible(cancel is not None)
        self.cancel_button.setToolTip(tip or action)
        self.show()

    def set_progress(self, value: int, maximum: int, text: str | None = None) -> None:
        if self.bar.maximum() != maximum or self.bar.minimum() != 0:   # setRange repaints even when unchanged
            self.bar.setRange(0, maximum)
        self.bar.setValue(value)
        if text is not None and text != self.bar.format():
            self.bar.setFormat(text)
            self._fit(text)

    def _fit(self, text: str) -> None:
        """Widen the bar (never narrow it during a task, so it does not jitter) until its text fits."""
        need = self.bar.fontMetrics().horizontalAdvance(text) + TEXT_MARGIN
        if need > self.bar.minimumWidth():
            self.bar.setMinimumWidth(need)
        self.bar.setToolTip(text)

    def end(self) -> None:
        self._cancel = None
        self.hide()

    def _cancel_clicked(self) -> None:
        if self._cancel is not None:
            self.cancel_button.setEnabled(False)  # one click is enough; the task ends at its next step
            self._cancel()


def install(window) -> TaskProgress:
    """Add the indicator to the window's status bar and follow its TrainingSession and training panel."""
    task = TaskProgress()
    window.statusBar().addPermanentWidget(task)
    window.status_task = task
    session, panel = getattr(window, "session", None), getattr(window, "panel", None)
    if session is None:
        return task

    def on_state(state: str) -> None:
        if state == "idle":
            task.end()
            return
        if not task.isVisible():
            task.begin("Training", session.stop, "Stop training after this batch and keep the weights (Esc)",
                       action=panel.stop_button.text() if panel is not None else "Stop")
            if panel is not None:
                task.set_progress(panel.progress.value(), panel.progress.maximum(), panel.progress.format())
        task.label.setText("Training (paused)" if state == "paused" else "Training")

    session.stateChanged.connect(on_state)
    def on_progress(value: int, maximum: int, text: str) -> None:
        if task.isVisible():
            task.set_progress(value, maximum, text)

    if panel is not None:
        panel.progressChanged.connect(on_progress)
    return task
