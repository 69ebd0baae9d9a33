"""Runs: how every job on the session's worker (Start, One epoch, fine-tuning, Step, the gradient check, Compare…,
the learning-rate range test) begins, reaches the model, and ends.

Each job begins the model's activity (app/activity.py) first, so the window shows it at once; then it waits for
the data set if it is not loaded (the model loads it), makes its starting network the model's where it trains the
model's network (so every view shows the network being trained), and hands the work to the one TrainingSession.
Every way out (done, refused by the engine, a bug, Stop, the data set failing) ends the activity in `_end`, the
only place that does: the session reports `over` after any job's worker has ended, whatever happened in it.
While a run goes: each weight snapshot becomes the model's network, the test accuracy its results. Views follow
the model, never the session's weights.
"""
from __future__ import annotations

import copy

from PySide6.QtCore import QObject, QTimer, Signal

from app.activity import CHECKING, COMPARING, FINDING_LR, FINE_TUNING, STEPPING, TRAINING
from app.session import Run
from engine.compare import SETTINGS, Comparison, variants
from engine.errors import EngineError
from engine.lr_finder import LRFinder
from engine.network import Network
from engine.step import continue_optimizer, order_key

WAITING = "Loading the data set first…"


class Runs(QObject):
    failed = Signal(str)                   # the engine's sentence when a job cannot start (bad settings, no data)
    stepped = Signal(object)               # session_jobs.Stepped, once the model holds the stepped network
    checked = Signal(object, object)       # (the step record checked, engine GradientCheck)
    checkFailed = Signal(object, str)      # (the step record, a sentence)

    def __init__(self, state, session, parent=None):
        super().__init__(parent)
        self.state, self.session = state, session
        self.activity = state.activity
        self._token = None                 # the activity token of the job under way (waiting or on the worker)
        self._waiting = None               # the job's begin(dataset), until the data set is in
        state.datasetChanged.connect(self._dataset_ready)
        state.datasetFailed.connect(lambda _message: self._end())       # the model said why; nothing to train on
        session.weightsUpdated.connect(lambda net: state.set_network(net, trained=True, snapshot=True))
        session.evaluated.connect(self._evaluated)
        session.evaluatedMse.connect(self._evaluated_mse)
        session.optimizerKept.connect(lambda net, opt: state.keep_optimizer(opt, network=net))
        session.stepped.connect(self._stepped)
        session.recorded.connect(state.record_run)
        session.pausedChanged.connect(self.activity.set_paused)
        session.over.connect(self._end)

    def busy(self) -> bool:
        return self._token is not None

    def handed(self) -> bool:
        """The job has its data and is the session's now (what Pause needs: not a job still waiting for data)."""
        return self._token is not None and self._waiting is None

    # ---- one place in, one place out --------------------------------------------------------------
    def _begin(self, kind: str, begin) -> bool:
        """Begin `kind` now and call begin(dataset) once the data set is in. False if a job is under way."""
        if self.busy():
            return False
        loading = self.state.dataset is None
        self._token = self.activity.begin(kind, WAITING if loading else "")
        self._waiting = begin
        if not loading:
            self._go()
        elif self.state.loading_dataset() is None:
            self.state.load_dataset(self.state.dataset_name, **self.state.ws.dataset_params)
        return True

    def _go(self) -> None:
        begin, self._waiting = self._waiting, None
        try:
            begin(self.state.dataset)
        except EngineError as exc:
            self.failed.emit(str(exc))
            self._end()
            return
        self.activity.set_detail(self._token, "")       # handed to the session: what it allows now (Pause)

    def _end(self) -> None:
        """The job is over (however it ended): back to idle."""
        token, self._token, self._waiting = self._token, None, None
        if token is not None:
            self.activity.end(token)

    def _dataset_ready(self, dataset) -> None:
        if self._waiting is not None and dataset is not None:
            # the job begins in the next event-loop pass: every view taking the new data set and the run's start
            # in one pass held the window 50-65 ms
            QTimer.singleShot(0, self, self._go_if_waiting)

    def _go_if_waiting(self) -> None:
        if self._waiting is not None and self.state.dataset is not None:
            self._go()

    def cancel(self) -> None:
        """Stop: the run ends after its batch; a job still waiting for its data never starts."""
        if self.session.is_running():
            self.session.stop()
        elif self._waiting is not None:
            self._end()

    # ---- training runs ------------------------------------------------------------------------------
    def start(self, net, cfg, run: Run, data=None, trained: bool = False) -> bool:
        """Train `net` with `cfg` on the model's data set, or on `data(dataset)` if given (e.g. a mix with the
        student's digits). `trained`: the starting weights are already trained. False if a job is under way."""
        kind = FINE_TUNING if run.kind == "fine-tune" else TRAINING

        def begin(ds):
            cfg.validate()
            dataset = ds if data is None else data(ds)
            # a continued run (One epoch) goes on with the optimizer's memory; a new one starts fresh
            opt = continue_optimizer(self.state.optimizer, net, cfg) if run.continues else None
            self.state.set_network(net.copy(), trained=trained)
            self.session.start(net, cfg, dataset, run, optimizer=opt)
        return self._begin(kind, begin)

    # ---- one step and its gradient check ----------------------------------------------------------------
    def step(self, sample: int = 0) -> bool:
        """One optimizer step on the model's network (a fresh one if there is none) with the next batch of the
        seeded order and the saved optimizer memory. False if a job is under way."""
        def begin(ds):
            st = self.state
            cfg = st.config().validate()
            net = st.network.copy() if st.network is not None else Network.from_spec(st.spec)
            opt = continue_optimizer(st.optimizer, net, cfg)
            order = st.step_order
            if order is not None and order.key != order_key(cfg, len(ds.y_train)):
                order = None                   # other settings: the seeded order starts again
            self.session.step(net, opt, copy.deepcopy(order), cfg, ds, int(sample))
        return self._begin(STEPPING, begin)

    def _stepped(self, result) -> None:
        self.state.set_network(result.network, trained=True, optimizer=result.optimizer, step_order=result.order)
        self.stepped.emit(result)

    def check_gradient(self, record, before, layer: int, i: int, j: int) -> bool:
        """dL/dW of one connection by central differences beside backprop, for the step `record` (on the
        network `before` it, with its dropout masks), on the worker: `checked` or `checkFailed`."""
        def begin(ds):
            X, y = ds.x_train[record.indices], ds.y_train[record.indices]
            self.session.check(before, X, y, layer, i, j, lambda res: self.checked.emit(record, res),
                               lambda text: self.checkFailed.emit(record, text), record.masks)
        return self._begin(CHECKING, begin)

    # ---- a fair comparison and the learning-rate range test -------------------------------------------
    def compare(self, setting: str, values, **overrides) -> bool:
        """Train 2-4 variants of the model's network and settings (`overrides` applied to all) that differ only
        in `setting`, one after another from the same start. False (and `failed`) if it cannot start."""
        def begin(ds):
            vs = variants(self.state.spec, self.state.config(**overrides), setting, values)
            labels = [f"{SETTINGS[setting]}: {v.label}" for v in vs]
            self.session.compare(Comparison(vs, ds.x_train, ds.y_train, ds.x_test, ds.y_test, setting), labels)
        return self._begin(COMPARING, begin)

    def find_lr(self) -> bool:
        """The range test with the model's settings from the weights Start would train: the model's untrained
        network, else a fresh one from the spec (a trained network's loss is already low, or it diverged, and
        the rate found for it would not be the rate to start with). The model's network is never touched."""
        def begin(ds):
            st = self.state
            fresh = st.network is None or st.trained
            net = Network.from_spec(st.spec) if fresh else st.network
            self.session.find_lr(LRFinder(net, st.config(), ds.x_train, ds.y_train))
        return self._begin(FINDING_LR, begin)

    # ---- results ------------------------------------------------------------------------------------
    def _evaluated_mse(self, net, mse: float) -> None:
        """A regression's result: its test MSE (an accuracy means nothing for numbers)."""
        ds = self.state.dataset
        results = {"test_accuracy": None, "test_mse": mse, "n_test": len(ds.x_test) if ds is not None else 0,
                   "dataset": self.state.dataset_name}
        self.state.set_results(results, network=net)

    def _evaluated(self, net, accuracy: float) -> None:
        ds = self.state.dataset
        results = {"test_accuracy": accuracy, "n_test": len(ds.x_test) if ds is not None else 0,
                   "dataset": self.state.dataset_name}
        self.state.set_results(results, network=net)
