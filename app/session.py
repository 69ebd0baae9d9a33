"""TrainingSession: the app's only bridge to engine training. Runs a job (app/session_jobs.py: a training run, one
step, a gradient check, a comparison, the range test) on a worker thread and turns what it yields into Qt signals,
at most GUI_RATE deliveries a second; `over` follows the end of every job, however it ended. Control calls
(pause/resume/stop/set_lr/...) go straight to the thread-safe Trainer and take effect before its next batch.
"""
from __future__ import annotations

import dataclasses
import sys
import threading
from dataclasses import dataclass

import shiboken6
from PySide6.QtCore import QObject, QTimer, Signal
from superqt.utils import FunctionWorker, GeneratorWorker

from app import session_jobs
from app.excepthook import report_bug
from app.session_jobs import GUI_RATE, Update
from engine.errors import EngineError

SWITCH_INTERVAL = 0.001  # s: how long the training thread may hold the GIL while the GUI thread waits
HOLD_MS = 60             # a newly shown tab's first paint gets the machine: training waits this long


@dataclass
class Run:
    """What a training run is, for the views: its curve label, whether it continues the current curve (one more
    epoch) and from which epoch, and its kind ("train" | "fine-tune")."""
    label: str = ""
    continues: bool = False
    offset: int = 0
    kind: str = "train"            # "train" | "fine-tune" | "compare"
    spec: dict | None = None       # a compared run's own network and settings (else the model's)
    settings: dict | None = None


class _Control:
    """Commands for a Trainer that may not exist yet (it is built on the worker): applied once it does."""

    def __init__(self):
        self.lock = threading.Lock()
        self.trainer = None
        self.pending: list[tuple[str, tuple]] = []
        self.closing = False

    def call(self, name: str, *args) -> None:
        with self.lock:
            if self.trainer is None:
                self.pending.append((name, args))
            else:
                getattr(self.trainer, name)(*args)

    def attach(self, trainer) -> None:
        with self.lock:
            self.trainer = trainer
            for name, args in self.pending:
                getattr(trainer, name)(*args)
            self.pending.clear()


class TrainingSession(QObject):
    started = Signal()
    batchStats = Signal(object)        # BatchStats: the latest of each update (and any probe it would hide)
    batchChunk = Signal(object)        # list[BatchStats]: every batch since the previous update, for curves
    epochStats = Signal(object)        # EpochStats, each one
    weightsUpdated = Signal(object)    # a Network copy, a few times a second and at the end
    testEvaluated = Signal(float)      # test-set accuracy after training
    evaluated = Signal(object, float)  # (the final weights as sent by weightsUpdated, their test accuracy)
    evaluatedMse = Signal(object, float)  # regression: (the final weights, their test mean squared error)
    finished = Signal(object)          # engine Finished
    failed = Signal(str)               # a sentence for the user
    pausedChanged = Signal(bool)       # the user paused (True) or resumed (False) the run
    over = Signal()                    # a job's worker has ended, however it ended (done, stopped, error, bug)
    controlChanged = Signal(str, float)  # "lr" | "momentum" | "batch_size" changed while running
    warning = Signal(str)              # a control change the trainer refused, as a sentence
    optimizerKept = Signal(object, object)  # (the final weights as sent by weightsUpdated, the optimizer at the end)
    stepped = Signal(object)           # Stepped: one Step's record, network and memory
    recorded = Signal(object)          # a finished run's results row (engine.compare.run_record, labelled)
    compared = Signal(object)          # a comparison is over: the rows of the runs it finished
    lrPoints = Signal(object)          # the range test's LRPoints since the previous update
    lrFound = Signal(object)           # the range test's LRFinderResult

    def __init__(self, parent=None):
        super().__init__(parent)
        self._jobs = 0                     # the current job's number (we keep no reference to its worker: see _launch)
        self._ended = True                 # `over` was said for the last job
        self._ending = False               # a run's end is being delivered, a pass at a time (see _end_step)
        self._over_waits = False           # its worker is gone meanwhile: `over` follows the end
        self._control = _Control()
        self._done = threading.Event()
        self._done.set()
        self._paused = False
        self._holds = 0
        self.run, self.config = Run(), None
        # name -> fn(network copy) -> anything: run on the training thread with every weight snapshot; the result
        # rides along as snapshot.derived[name] (fn must be quick, touch no Qt object, and not change the copy)
        self.snapshot_hooks: dict = {}
        self.job = None                   # the comparison or range test running or last run
        self._variants, self._labels, self._rows = [], [], []

    # ---- lifecycle ----------------------------------------------------------------------------------
    def start(self, net, cfg, dataset, run: Run | None = None, optimizer=None) -> None:
        """Train `net` (modified in place on the worker) with `cfg` on `dataset` (a loaded Dataset); `run` says what
        the run is, for the views that begin a curve or a progress bar when `started` is emitted."""
        if self.is_running():
            raise RuntimeError("A training run is already in progress.")
        cfg.validate()
        self.run, self.config = run or Run(), cfg
        # The GUI thread waits up to one switch interval for the GIL after each Qt call: keep it short.
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self._control, self._done, self._paused = _Control(), threading.Event(), False
        worker = GeneratorWorker(session_jobs.train, net, cfg, dataset, self._control, self._done, optimizer,
                                 tuple(self.snapshot_hooks.items()))
        worker.yielded.connect(self._on_update)
        self._launch(worker)
        self.started.emit()

    def step(self, net, opt, order, cfg, dataset, sample: int = 0) -> None:
        """One optimizer step of `opt` on `net` (both modified on the worker) with the next batch of `order` (None:
        the seeded order from its start); `stepped` delivers the outcome. Refused while anything runs."""
        if self.is_running():
            raise RuntimeError("A training run is already in progress.")
        cfg.validate()
        self.config, self._done, self._control = cfg, threading.Event(), _Control()
        worker = FunctionWorker(session_jobs.one_step, net, opt, order, cfg, dataset, int(sample), self._done)
        worker.returned.connect(self._stepped)
        self._launch(worker)

    def check(self, net, X, y, layer: int, i: int, j: int, returned, failed, masks=None) -> None:
        """The gradient check of one connection (engine.gradcheck) on the worker: returned(GradientCheck), or
        failed(sentence). masks: the step's dropout masks (None without dropout)."""
        if self.is_running():
            raise RuntimeError("A training run is already in progress.")
        self._done, self._control = threading.Event(), _Control()
        worker = FunctionWorker(session_jobs.check, net, X, y, layer, i, j, self._done, masks)
        worker.returned.connect(lambda res: self._deliver(returned, res))
        self._launch(worker, lambda exc: self._deliver(failed, str(exc) if isinstance(exc, EngineError)
                                                       else report_bug(exc, "gradient check")))

    def _launch(self, worker, on_error=None) -> None:
        """Start a job's worker. `over` comes once, with the job's last delivery (its end, its result, its error),
        or when its worker ends without one (a closing window): superqt's finished always comes."""
        self._ended = False
        self._ending = self._over_waits = False
        worker.errored.connect(on_error or self._on_error)
        # the job's number, not its worker: a lambda holding the worker, connected to its own signal, is a cycle
        # through C++ that Python's collector cannot see (each closed window leaked its run's arrays)
        self._jobs += 1
        worker.finished.connect(lambda job=self._jobs: self._worker_done(job))
        worker.start()

    def _worker_done(self, job: int) -> None:
        # an older job's worker winding down is no news; nor is any worker's after its closed window deleted us
        if job == self._jobs and shiboken6.isValid(self):
            if self._ending:
                self._over_waits = True    # the run's end is still being delivered: `over` comes after it
            else:
                self._job_over()

    def _job_over(self) -> None:
        if not self._ended:
            self._ended = True
            self._paused = False
            self.over.emit()

    def _stepped(self, result) -> None:
        self._deliver(self.stepped.emit, result)

    def _deliver(self, slot, value) -> None:
        """A job's last delivery: its result (or its error's sentence), then `over`."""
        slot(value)
        self._job_over()

    def compare(self, comparison, labels: list[str]) -> None:
        """Run an engine.compare.Comparison's variants one after another; each is a run of its own for the views
        (`started` with session.run a Run(kind="compare"), its events, `recorded`, `finished`), then `compared`."""
        if self.is_running():
            raise RuntimeError("A training run is already in progress.")
        self._variants, self._labels, self._rows = comparison.variants, list(labels), []
        self._job(session_jobs.Steer(comparison, lambda: comparison.trainer), session_jobs.compare, comparison)

    def find_lr(self, finder) -> None:
        """Run an engine.lr_finder.LRFinder (it trains its own copy of the network): `lrPoints` as it goes,
        `lrFound` at the end."""
        self._job(session_jobs.Steer(finder, lambda: finder._trainer), session_jobs.find_lr, finder)

    def _job(self, steer, work, job) -> None:
        if self.is_running():
            raise RuntimeError("A training run is already in progress.")
        sys.setswitchinterval(min(sys.getswitchinterval(), SWITCH_INTERVAL))
        self._control, self._done, self._paused = _Control(), threading.Event(), False
        self._control.attach(steer)
        self.job = job
        args = (job, self._control, self._done) if work is session_jobs.compare else (job, self._done)
        worker = GeneratorWorker(work, *args, Update, GUI_RATE)
        worker.yielded.connect(self._on_job_update)
        self._launch(worker)

    def is_running(self) -> bool:
        return not self._done.is_set()

    def is_paused(self) -> bool:
        return self._paused

    def wait(self, timeout_ms: int = 5000) -> bool:
        """Block until the worker has finished (True) or the timeout passed (False)."""
        return self._done.wait(timeout_ms / 1000)

    def shutdown(self, timeout_ms: int = 5000) -> bool:
        """Stop without evaluating or reporting (window closing) and wait for the worker to end."""
        if not self.is_running():
            return True
        self._control.closing = True
        self._control.call("stop")
        self._control.call("resume")
        return self.wait(timeout_ms)

    # ---- control (thread-safe on the trainer; effective before its next batch) -----------------------
    def pause(self) -> None:
        if self.is_running() and not self._paused:
            self._control.call("pause")
            self._paused = True
            self.pausedChanged.emit(True)

    def resume(self) -> None:
        if self.is_running() and self._paused:
            self._control.call("resume")
            self._paused = False
            self.pausedChanged.emit(False)

    def stop(self) -> None:
        if self.is_running():
            self._control.call("stop")

    def hold(self, ms: int = HOLD_MS) -> None:
        """Give the GUI thread the machine for a moment (a tab shown while training repaints everything on it:
        ~20 ms alone, twice that beside a training thread sharing the memory and the GIL). The trainer waits
        before its next batch and goes on after `ms`, unless the user paused in between."""
        if not self.is_running() or self._paused:
            return
        self._control.call("pause")
        self._holds += 1
        QTimer.singleShot(ms, self._release)

    def _release(self) -> None:
        self._holds -= 1
        if self._holds == 0 and not self._paused and self.is_running():
            self._control.call("resume")

    def set_lr(self, lr: float) -> None:
        self._set("set_lr", "lr", float(lr))

    def set_momentum(self, m: float) -> None:
        self._set("set_momentum", "momentum", float(m))

    def set_batch_size(self, n: int) -> None:
        self._set("set_batch_size", "batch_size", int(n))

    def _set(self, method: str, name: str, value) -> None:
        if not self.is_running():
            return
        try:
            self._control.call(method, value)
        except EngineError as e:          # e.g. a batch size too big for memory: training goes on unchanged
            self.warning.emit(str(e))
            return
        self.controlChanged.emit(name, float(value))

    # ---- delivery on the GUI thread -----------------------------------------------------------------
    def _on_update(self, up: Update) -> None:
        if self._control.closing:
            return
        if up.notice:
            self.warning.emit(up.notice)
        if up.batches:
            self.batchChunk.emit(up.batches)
            probed = [b for b in up.batches if b.grad_norms is not None]
            if probed and probed[-1] is not up.batches[-1]:
                self.batchStats.emit(probed[-1])
            self.batchStats.emit(up.batches[-1])
        for e in up.epochs:
            self.epochStats.emit(e)
        if up.weights is not None:
            self.weightsUpdated.emit(up.weights)
        if up.optimizer is not None:
            self.optimizerKept.emit(up.weights, up.optimizer)
        if up.test_accuracy is not None:
            self.testEvaluated.emit(up.test_accuracy)
            self.evaluated.emit(up.weights, up.test_accuracy)
        if up.test_mse is not None:
            self.evaluatedMse.emit(up.weights, up.test_mse)
        ends = []                              # the run's end, a pass each: in the pass of the last weights and
        if up.record is not None:              # the test accuracy, the views' answers held the window 50-65 ms
            ends.append(lambda: self.recorded.emit({**up.record, "label": self.run.label}))
        if up.finished is not None:
            ends.append(lambda: (self.finished.emit(up.finished),
                                 self._job_over()))     # is_running() is already False: a new job may begin
        if ends:
            self._ending = True
            QTimer.singleShot(0, self, lambda: self._end_step(ends))

    def _end_step(self, ends: list) -> None:
        if not self._control.closing:
            ends.pop(0)()
            if ends:
                QTimer.singleShot(0, self, lambda: self._end_step(ends))
                return
        self._ending = False
        if self._over_waits:
            self._over_waits = False
            self._job_over()

    def _on_job_update(self, up: Update) -> None:
        """A comparison's or a range test's delivery: each compared run begins, reports and ends like a run."""
        if self._control.closing:
            return
        if up.begins is not None:
            v = self._variants[up.begins]
            self.run = Run(self._labels[up.begins], kind="compare", spec=v.spec, settings=dataclasses.asdict(v.cfg))
            self.config = v.cfg
            self.started.emit()
        if up.batches:
            self.batchChunk.emit(up.batches)
            self.batchStats.emit(up.batches[-1])
        for e in up.epochs:
            self.epochStats.emit(e)
        if up.points:
            self.lrPoints.emit(up.points)
        if up.record is not None:
            self._rows.append({**up.record, "label": self.run.label})
            self.recorded.emit(self._rows[-1])
        if up.finished is not None:
            self.finished.emit(up.finished)
        if up.all_done:
            if up.lr_result is not None:
                self.lrFound.emit(up.lr_result)
            else:
                self.compared.emit(list(self._rows))
            self._job_over()

    def _on_error(self, exc: Exception) -> None:
        """An engine error is the user's sentence; anything else is a bug: logged, and a sentence saying so."""
        message = str(exc) if isinstance(exc, EngineError) else report_bug(exc, "training")
        self.failed.emit(message)
        self._job_over()
