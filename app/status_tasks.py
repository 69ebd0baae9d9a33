"""The status bar's task indicator: what the app is busy with (the model's activity), how far a run is, and a button
that ends it.

Visible on every tab (the training panel's own progress bar is only on "Build & train"). `install` wires it: its
text is the activity's, a run's bar follows the panel's progressChanged, the very signal that draws the panel's
bar, so both show the same batch at the same moment, and its button is "Stop", as on the panel (the weights are
kept). Jobs that are not runs show a busy bar and no button.
"""
from __future__ import annotations

from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from app.activity import FINE_TUNING, IDLE, RUNS, TRAINING
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
        self.kind = ""                            # the activity shown
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
    """Add the indicator to the window's status bar: it shows the model's activity (its busy text, with Stop for a
    run) and a run's progress as the training panel draws it."""
    task = TaskProgress()
    window.statusBar().addPermanentWidget(task)
    window.status_task = task
    activity, panel = window.state.activity, window.panel

    def on_activity(kind: str) -> None:
        if kind == IDLE:
            task.end()
            return
        text = activity.text()
        if not task.isVisible() or task.kind != kind:
            stop = window.stop if kind in RUNS else None
            task.begin(text, stop, "Stop after this batch and keep the weights (Esc)", action="Stop")
            task.kind = kind
            if kind in (TRAINING, FINE_TUNING):
                task.set_progress(panel.progress.value(), panel.progress.maximum(), panel.progress.format())
        task.label.setText(text)

    def on_progress(value: int, maximum: int, text: str) -> None:
        if task.isVisible() and task.kind in (TRAINING, FINE_TUNING):
            task.set_progress(value, maximum, text)

    activity.changed.connect(on_activity)
    panel.progressChanged.connect(on_progress)
    return task
