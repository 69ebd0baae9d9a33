"""The command line's progress: a one-line bar on stderr and the per-epoch lines, fed by the training events."""
from __future__ import annotations

import sys
import time

from .events import BatchStats, EpochStats, Finished


def show_progress(events, cfg, bar):
    """Drive the training events onto the progress bar; returns (last EpochStats, Finished)."""
    last = finished = None
    run_loss = run_acc = 0.0
    for ev in events:
        if isinstance(ev, BatchStats):
            if ev.batch == 1:
                run_loss = run_acc = 0.0
            run_loss += (ev.loss - run_loss) / ev.batch             # this epoch's running means, not one batch
            acc = ""
            if ev.accuracy is not None:               # regression has no accuracy: its loss (MSE) says it all
                run_acc += (ev.accuracy - run_acc) / ev.batch
                acc = f" acc {run_acc:6.1%}"
            bar.update(ev.batch, ev.n_batches, f"epoch {ev.epoch}/{cfg.epochs} loss {run_loss:.4f}{acc}")
        elif isinstance(ev, EpochStats):
            last = ev
            val = f"  val loss {ev.val_loss:.4f}{_acc(ev.val_accuracy)}" if ev.val_loss is not None else ""
            bar.line(f"epoch {ev.epoch:>3}/{ev.epochs}  loss {ev.train_loss:.4f}{_acc(ev.train_accuracy)}"
                     f"{val}  lr {ev.lr:.3g}  {ev.seconds:.1f} s")
        elif isinstance(ev, Finished):
            finished = ev
    return last, finished


def _acc(value) -> str:
    return "" if value is None else f"  acc {value:6.2%}"


class Progress:
    """A one-line progress bar on stderr, redrawn at most 10 times a second; plain lines when not a terminal."""

    def __init__(self, enabled=True, stream=None, width=24):
        self.stream = stream or sys.stderr
        self.enabled = enabled
        self.tty = enabled and hasattr(self.stream, "isatty") and self.stream.isatty()
        self.width, self._last, self._drawn = width, 0.0, False

    def update(self, done, total, text=""):
        now = time.monotonic()
        if not self.tty or (now - self._last < 0.1 and done < total):
            return
        self._last = now
        filled = int(self.width * done / max(total, 1))
        self.stream.write(f"\r[{'#' * filled}{'.' * (self.width - filled)}] {done / max(total, 1):4.0%} {text}\x1b[K")
        self.stream.flush()
        self._drawn = True

    def line(self, text):
        if not self.enabled:
            return
        if self._drawn:
            self.stream.write("\r\x1b[K")
            self._drawn = False
        self.stream.write(text + "\n")
        self.stream.flush()
