"""The status bar's task indicator: what long task is running, how far it is, and a Cancel button.

Visible on every tab (the training panel's own progress bar is only on "Build & train"). Training is wired
by `install`: it mirrors the panel's `trainingProgress` bar and Cancel stops the run (weights are kept).
Other long tasks can call begin()/set_progress()/end() with their own cancel callable.
"""
from __future__ import annotations

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget


class TaskProgress(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setObjectName("statusTaskProgress")
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(260)
        self.bar.setTextVisible(True)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setObjectName("statusCancelButton")
        self.cancel_button.setAccessibleName("statusCancelButton")
        self.cancel_button.clicked.connect(self._cancel_clicked)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 4, 0)
        row.addWidget(self.label)
        row.addWidget(self.bar)
        row.addWidget(self.cancel_button)
        self._cancel = None
        self.hide()

    def begin(self, text: str, cancel=None, tip: str = "Cancel") -> None:
        """Show a task; maximum 0 makes the bar 'busy' until set_progress gives a fraction."""
        self.label.setText(text)
        self.bar.setRange(0, 0)
        self._cancel = cancel
        self.cancel_button.setVisible(cancel is not None)
        self.cancel_button.setToolTip(tip)
        self.show()

    def set_progress(self, value: int, maximum: int, text: str | None = None) -> None:
        if self.bar.maximum() != maximum or self.bar.minimum() != 0:   # setRange repaints even when unchanged
            self.bar.setRange(0, maximum)
        self.bar.setValue(value)
        if text is not None and text != self.bar.format():
            self.bar.setFormat(text)

    def end(self) -> None:
        self._cancel = None
        self.hide()

    def _cancel_clicked(self) -> None:
        if self._cancel is not None:
            self.cancel_button.setEnabled(False)  # one click is enough; the task ends at its next step
            self._cancel()


def install(window) -> TaskProgress:
    """Add the indicator to the window's status bar and follow its TrainingSession."""
    task = TaskProgress()
    window.statusBar().addPermanentWidget(task)
    session = getattr(window, "session", None)
    if session is None:
        return task
    source = window.findChild(QProgressBar, "trainingProgress")

    def on_state(state: str) -> None:
        if state == "idle":
            task.end()
            return
        if not task.isVisible():
            task.cancel_button.setEnabled(True)
            task.begin("Training", session.stop, "Stop training after this batch and keep the weights (Esc)")
        task.label.setText("Training (paused)" if state == "paused" else "Training")

    session.stateChanged.connect(on_state)
    if source is not None:
        def sync() -> None:
            if task.isVisible():
                task.set_progress(source.value(), source.maximum(), source.text())

        # The panel sets the value before the text: copy both once it is done.
        source.valueChanged.connect(lambda _: QTimer.singleShot(0, task, sync))
    window.status_task = task
    return task
