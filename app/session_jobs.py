"""What the session runs on its worker: a training run (_train), one step (_step), a gradient check (_check), a fair
comparison (its variants one after another) and the learning-rate range test. The generators yield Update objects
(what one GUI delivery carries) at <= GUI_RATE a second, whatever the batch size: every BatchStats still arrives
(as a chunk, for the curves), every EpochStats and the end always arrive, and a weights snapshot (a Network copy)
comes twice a second (20 times a second for a small network, whose playground maps follow its weights); an
Update never mixes two compared runs (a run's first events start a new one that carries `begins`).

Steer is what the session's controls reach while such a job runs: pause carries over from one compared run's
trainer to the next, stop ends the whole job, and settings stay as the comparison fixed them.
"""
from __future__ import annotations

import gc
import threading
import time
from dataclasses import dataclass, field

import numpy as np

from engine.compare import VariantDone, run_record, scores
from engine.errors import SpecError
from engine.gradcheck import gradient_check
from engine.step import BatchOrder, next_step
from engine.threads import default_threads, set_blas_threads
from engine.train_state import after_step
from engine.training import Trainer

GUI_RATE = 30            # max updates/s delivered to the GUI thread
SNAPSHOT_EVERY = 0.5     # s between weight snapshots for the diagram and the views (2 a second)
SNAPSHOT_FAST = 0.05     # s between snapshots of a small network: the playground's maps move with its weights
SMALL_NETWORK = 20_000   # parameters: a copy and a 150x150 forward pass of such a network take about a millisecond
BURST, REST = 0.008, 0.002   # s: a small network trains in bursts and rests between them, the GIL the GUI's then

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


def held_out_scores(net, dataset, stop=None) -> tuple[float | None, float | None]:
    """(test loss, test accuracy) of a trained network; a regression's loss is its mean squared error. stop():
    give up between chunks (None, None)."""
    if dataset.x_test is None or not len(dataset.x_test):
        return None, None
    if getattr(dataset, "task", "") == "regression":
        return float(np.mean((net.forward(dataset.x_test) - dataset.y_test) ** 2)), None
    return scores(net, dataset.x_test, dataset.y_test, stop=stop)


def limit_blas() -> None:
    """Leave the GUI a core: training uses the engine's BLAS thread count for the app (1 on 2 cores)."""
    set_blas_threads(default_threads("app"))


@dataclass
class Stepped:
    """One Step's outcome: the record of its numbers, the network after it, and the memory to continue with."""
    record: object
    network: object
    optimizer: object
    order: object
    continued: bool = False        # the step went on from the previous Step's batch order


def one_step(net, opt, order, cfg, dataset, sample: int, done: threading.Event) -> Stepped:
    """Worker function: one optimizer step on the next batch of the seeded order (made here if None)."""
    try:
        limit_blas()
        continued = order is not None
        if order is None:
            order = BatchOrder(cfg, net, dataset.y_train)
        rec = next_step(net, opt, order, dataset.x_train, dataset.y_train, cfg.lr, cfg.weight_decay, sample)
        net.train_state = after_step(net.train_state, cfg, opt)
        return Stepped(rec, net, opt, order, continued)
    finally:
        done.set()


def check(net, X, y, layer: int, i: int, j: int, done: threading.Event, masks=None):
    """Worker function: the gradient check of one connection on a float64 copy (with the step's dropout masks)."""
    try:
        return gradient_check(net, X, y, layer, i, j, masks=masks)
    finally:
        done.set()


def snapshot(net, hooks):
    """A copy of the weights for the views, with what each hook derives from them (`derived`, by hook name): made
    here on the training thread, so a view redrawn with every snapshot never waits for a core of its own."""
    snap = net.copy()
    snap.derived = {name: hook(snap) for name, hook in hooks}
    return snap


def train(net, cfg, dataset, control, done: threading.Event, optimizer=None, hooks=()):
    """Worker generator: run the trainer, yield Updates at <= GUI_RATE per second."""
    try:
        limit_blas()
        freeze_heap()
        pending = Update()
        trainer = Trainer(net, cfg, dataset.x_train, dataset.y_train,    # cfg.augment: its own augmenter
                          optimizer=optimizer)
        control.attach(trainer)
        pending.notice = getattr(trainer, "notice", "")
        last, last_snapshot = time.perf_counter(), -np.inf
        small = net.n_params <= SMALL_NETWORK
        every = SNAPSHOT_FAST if small else SNAPSHOT_EVERY
        finished, steps, burst = None, 0, time.perf_counter()
        for event in trainer.run():
            kind = type(event).__name__
            if kind == "BatchStats":
                steps += 1
                pending.batches.append(event)
                if small and time.perf_counter() - burst >= BURST:
                    time.sleep(REST)            # a small net's steps are pure Python: the GUI thread's turn
                    burst = time.perf_counter()
            elif kind == "EpochStats":
                pending.epochs.append(event)
            else:
                finished = event
                break
            now = time.perf_counter()
            # weights: in the first update, then every SNAPSHOT_EVERY (each one costs every view some work)
            if now - last_snapshot >= every:
                pending.weights, last_snapshot = snapshot(net, hooks), now
            if now - last >= 1.0 / GUI_RATE:
                yield pending
                pending, last = Update(), now
        if not control.closing and finished is not None:
            # a window closing meanwhile does not wait for it (a 20M-weight network's test set took 15 s)
            test_loss, test_accuracy = held_out_scores(net, dataset, stop=lambda: control.closing)
            if getattr(dataset, "task", "") == "regression":
                pending.test_mse = test_loss
            else:
                pending.test_accuracy = test_accuracy
            pending.record = run_record(finished.history, cfg, trainer.n_train, test_loss=test_loss,
                                        test_accuracy=test_accuracy, finished=finished, steps=steps)
        pending.weights, pending.finished = snapshot(net, hooks), finished
        if finished is not None and finished.reason != "diverged":
            pending.optimizer = trainer.opt
        time.sleep(max(0.0, 1.0 / GUI_RATE - (time.perf_counter() - last)))   # keep the rate even at the end
        run_over(done)     # training is over: is_running() is False when `finished` arrives
        yield pending
    finally:
        run_over(done)
