"""The session's other runs, as worker generators beside session._train: a fair comparison (its variants one after
another) and the learning-rate range test. Each yields Update objects (what one GUI delivery carries; _train's
too) at <= GUI_RATE a second; an Update never mixes two compared runs (a run's first events start a new one that
carries `begins`).

Steer is what the session's controls reach while such a job runs: pause carries over from one compared run's
trainer to the next, stop ends the whole job, and settings stay as the comparison fixed them.
"""
from __future__ import annotations

import gc
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from engine.compare import VariantDone, scores
from engine.errors import SpecError

FIXED = "A comparison keeps every setting fixed while it runs, so its runs stay comparable."


def freeze_heap() -> None:
    """Leave the objects that exist before a run out of the cyclic collector's full passes while it trains: such a
    pass over the window's objects ran on the training thread holding the GIL for ~60 ms, a stall of the GUI."""
    gc.freeze()


def run_over(done: threading.Event) -> None:
    """The run is over: the heap goes back to the collector before anyone is told (a closed window is then freed)."""
    gc.unfreeze()
    done.set()


@dataclass
class Update:
    """What one GUI delivery carries: everything that happened since the previous one."""
    batches: list = field(default_factory=list)
    epochs: list = field(default_factory=list)
    weights: object = None
    test_accuracy: float | None = None
    test_mse: float | None = None  # regression: the test set's mean squared error instead of an accuracy
    finished: object = None
    optimizer: object = None       # the trainer's optimizer at the end, its memory for the next run or Step
    notice: str = ""               # a setting the trainer adjusted (e.g. a batch larger than the data set)
    record: dict | None = None     # the run's results row (engine.compare.run_record), with its end
    begins: int | None = None      # a comparison: the index of the compared run these events start
    points: list = field(default_factory=list)   # the learning-rate finder's LRPoints
    lr_result: object = None       # the learning-rate finder's LRFinderResult
    all_done: bool = False         # a comparison or range test: the job is over

    def empty(self) -> bool:
        return not (self.batches or self.epochs or self.weights is not None or self.test_accuracy is not None
                    or self.test_mse is not None or self.finished is not None or self.notice
                    or self.record is not None or self.begins is not None or self.points or self.all_done)


class Steer:
    """Controls for a job whose trainer changes as it goes (thread-safe; the trainer is looked up at each call)."""

    def __init__(self, job, trainer_of):
        self.job, self.trainer_of = job, trainer_of
        self.lock = threading.Lock()
        self.paused = False
        self._bound = None

    def pause(self) -> None:
        with self.lock:
            self.paused = True
            self._each(lambda t: t.pause())

    def resume(self) -> None:
        with self.lock:
            self.paused = False
            self._each(lambda t: t.resume())

    def stop(self) -> None:
        self.job.stop()
        self._each(lambda t: t.stop())

    def follow(self) -> None:
        """On the worker, at a new run's first event: its trainer inherits a pause in force."""
        with self.lock:
            trainer = self.trainer_of()
            if trainer is not self._bound:
                self._bound = trainer
                if self.paused and trainer is not None:
                    trainer.pause()

    def _each(self, act) -> None:
        trainer = self.trainer_of()
        if trainer is not None:
            act(trainer)

    def set_lr(self, _value) -> None:
        raise SpecError(FIXED)

    set_momentum = set_batch_size = set_lr


def compare(comparison, control, done: threading.Event, make_update, gui_rate: float):
    """Worker generator: each compared run's events, its results row and its end, none held back longer than
    1 / gui_rate."""
    try:
        freeze_heap()
        pending, last, current = make_update(), time.perf_counter(), None
        for index, event in comparison.run():
            control.trainer.follow()
            if index != current:
                if not pending.empty():
                    yield pending
                pending, current = make_update(), index
                pending.begins = index
            if isinstance(event, VariantDone):
                pending.record = event.record
                yield pending
                pending, last = make_update(), time.perf_counter()
                continue
            kind = type(event).__name__
            if kind == "BatchStats":
                pending.batches.append(event)
            elif kind == "EpochStats":
                pending.epochs.append(event)
            else:
                pending.finished = event
            now = time.perf_counter()
            if now - last >= 1.0 / gui_rate and pending.finished is None:
                yield pending
                pending, last = make_update(), now
        run_over(done)
        pending.all_done = True
        yield pending
    finally:
        run_over(done)


def find_lr(finder, done: threading.Event, make_update, gui_rate: float):
    """Worker generator: the range test's points in chunks, then its result."""
    try:
        freeze_heap()
        pending, last = make_update(), time.perf_counter()
        for point in finder.run():
            pending.points.append(point)
            now = time.perf_counter()
            if now - last >= 1.0 / gui_rate:
                yield pending
                pending, last = make_update(), now
        pending.lr_result = finder.result()
        run_over(done)
        pending.all_done = True
        yield pending
    finally:
        run_over(done)


def held_out_scores(net, dataset) -> tuple[float | None, float | None]:
    """(test loss, test accuracy) of a trained network; a regression's loss is its mean squared error."""
    if dataset.x_test is None or not len(dataset.x_test):
        return None, None
    if getattr(dataset, "task", "") == "regression":
        return float(np.mean((net.forward(dataset.x_test) - dataset.y_test) ** 2)), None
    return scores(net, dataset.x_test, dataset.y_test)
