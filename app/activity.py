"""Activity: the one thing the app is doing now (idle, training, stepping, ...), owned by the model (AppState).

Every job begins an activity and gets a token; every way out of it (done, refused, engine error, bug, cancel)
calls end(token), which is the one road back to idle. A token that is not current is ignored, so a late worker can
never end a newer job. Everything busy the window shows (the status bar's busy text, the step pane's "Taking a
step…", the buttons that are on) is a function of `kind` and `paused`: nothing else keeps a busy flag.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

IDLE = "idle"
LOADING = "loading"              # a data set asked for on its own (a choice, a slider, a mode switch, a project)
OPENING = "opening"              # a big project read on a worker
TRAINING = "training"            # Start or One epoch (the data set may still be loading: `detail` says so)
FINE_TUNING = "fine_tuning"      # training on the student's own handwriting
STEPPING = "stepping"            # one optimizer step on the worker
CHECKING = "checking"            # the gradient check of one connection, on a worker
COMPARING = "comparing"          # Compare…: its variants one after another
FINDING_LR = "finding_lr"        # the learning-rate range test

KINDS = (IDLE, LOADING, OPENING, TRAINING, FINE_TUNING, STEPPING, CHECKING, COMPARING, FINDING_LR)
RUNS = frozenset({TRAINING, FINE_TUNING, COMPARING, FINDING_LR})      # what Pause and Stop act on

BUSY_TEXT = {
    LOADING: "Loading the data set…",
    OPENING: "Opening the project…",
    TRAINING: "Training…",
    FINE_TUNING: "Fine-tuning on your handwriting…",
    STEPPING: "Taking a step…",
    CHECKING: "Checking the gradient…",
    COMPARING: "Comparing…",
    FINDING_LR: "Finding a learning rate…",
}


class Activity(QObject):
    changed = Signal(str)            # the new kind (also when only `paused` or `detail` changed)

    def __init__(self, parent=None):
        super().__init__(parent)
        self.kind = IDLE
        self.paused = False
        self.detail = ""             # a more precise busy text for now ("Loading the data set…" while a run waits)
        self._token = 0

    @property
    def idle(self) -> bool:
        return self.kind == IDLE

    def begin(self, kind: str, detail: str = "") -> int:
        """Enter `kind` (it replaces what was going on: a load a run now waits for becomes the run) and return the
        token that ends it."""
        assert kind in KINDS and kind != IDLE, kind
        self._token += 1
        self.kind, self.paused, self.detail = kind, False, detail
        self.changed.emit(kind)
        return self._token

    def current(self, token: int) -> bool:
        return token == self._token and self.kind != IDLE

    def end(self, token: int) -> None:
        """The one way back to idle; a stale token (a job already replaced) changes nothing."""
        if self.current(token):
            self.kind, self.paused, self.detail = IDLE, False, ""
            self.changed.emit(IDLE)

    def set_paused(self, paused: bool) -> None:
        if self.kind in RUNS and paused != self.paused:
            self.paused = paused
            self.changed.emit(self.kind)

    def set_detail(self, token: int, detail: str) -> None:
        """A more precise busy text for the job of `token` (and a fresh look at what it allows: `changed`)."""
        if self.current(token):
            self.detail = detail
            self.changed.emit(self.kind)

    def text(self) -> str:
        """What the app is busy with, in a few words ('' when idle)."""
        if self.kind == IDLE:
            return ""
        if self.paused:
            return "Paused: Resume to go on from here, or Stop."
        return self.detail or BUSY_TEXT[self.kind]

    def __repr__(self) -> str:
        return f"Activity({self.kind}{', paused' if self.paused else ''})"
