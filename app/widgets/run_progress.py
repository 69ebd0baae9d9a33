"""RunProgress (`trainingProgress`): the run's progress bar and its words: "Epoch 3/40 · batch 12/71 · 0:21 left"
while a run trains, then the run's end ("Done", "Stopped", ...). That end is a fact of the generation the run
finished in: another network, data set, setting or mode makes the bar "Ready" again. `changed` carries
(value, maximum, text), the one source the status bar's indicator follows too.
"""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QProgressBar

from app.widgets.named import named

PROGRESS_MAX = 1000
FINISHED = {"completed": "Done", "early_stopped": "Stopped early (best epoch restored)", "stopped": "Stopped",
            "diverged": "Diverged"}
READY = "Ready"
UPDATE_HZ = 4            # the bar and its words move at most this often while a run trains


class RunProgress(QProgressBar):
    changed = Signal(int, int, str)        # value, maximum, text

    def __init__(self, state, parent=None):
        super().__init__(parent)
        named(self, "trainingProgress")
        self.state = state
        self.setRange(0, PROGRESS_MAX)
        self.setValue(0)
        self.setTextVisible(True)
        self._epochs_total, self._t0 = 1, time.perf_counter()
        self.idle_text = READY
        self._idle_generation = None       # the generation a finished run's text belongs to
        self.blocked = ""                  # what Start waits for (a field in red), shown while idle
        # a progress bar repaints the whole window at once when its value moves (with the status bar's, ~2 ms each):
        # at most UPDATE_HZ times a second, in its own event-loop pass, not inside the session's delivery
        self._pending = None
        self._later = QTimer(self, singleShot=True, interval=1000 // UPDATE_HZ, timeout=self.flush)
        state.generationChanged.connect(self._generation)
        self.show_idle()

    def _generation(self, generation: int) -> None:
        """A finished run's 'Done' is about the network it finished with: another one is 'Ready' to train."""
        if self._idle_generation is not None and generation != self._idle_generation:
            self._idle_generation, self.idle_text = None, READY
            if self.state.activity.idle:
                self.set_progress(0, self.blocked or self.idle_text)

    def show_idle(self) -> None:
        """While nothing runs: the last run's end, or what Start waits for."""
        self.set_progress(self.value(), self.blocked or self.idle_text)

    def begin(self, epochs: int) -> None:
        self._epochs_total, self._t0 = max(int(epochs), 1), time.perf_counter()
        self.idle_text, self._idle_generation = READY, None
        self.set_progress(0, "Starting…")

    def on_batch(self, b) -> None:
        frac = (b.epoch - 1 + b.batch / max(b.n_batches, 1)) / self._epochs_total
        frac = min(max(frac, 0.0), 1.0)
        left = round(b.elapsed * (1 - frac) / frac) if frac > 0 else 0
        # the first batches include warm-up (threads, caches): a time left from them reads like "88:10"
        eta = f"{left // 60}:{left % 60:02d} left" if frac >= 0.02 and b.elapsed >= 1.0 else "estimating time left…"
        self._pending = (min(int(frac * PROGRESS_MAX), PROGRESS_MAX - 1),      # the maximum means done
                         f"Epoch {b.epoch}/{self._epochs_total} · batch {b.batch}/{b.n_batches} · {eta}")
        if not self._later.isActive():     # (re)starting would put it off again with every delivery
            self._later.start()

    def flush(self) -> None:
        if self._pending is not None:
            self.set_progress(*self._pending)

    def on_finished(self, fin) -> None:
        done = fin.reason in ("completed", "early_stopped")
        self.idle_text = FINISHED.get(fin.reason, fin.reason)
        self._idle_generation = self.state.generation
        self.set_progress(PROGRESS_MAX if done else self.value(), self.idle_text)

    def set_progress(self, value: int, text: str) -> None:
        self._pending = None               # a later value (the end of a run) wins over one still waiting
        if value != self.value():
            self.setValue(value)
        if text != self.format():
            self.setFormat(text)
        self.changed.emit(value, PROGRESS_MAX, text)
