"""Runs: how every training run (Start, One epoch, fine-tuning on the student's handwriting) reaches the model.

Starting: it waits for the model's data set if it is not loaded yet (the model loads it), makes the starting
network the model's current one (so every view shows the network being trained and no results of the one it
replaces), then hands the run to the one TrainingSession, where hold, pause, stop and shutdown apply to it.
While it runs: each weight snapshot becomes the model's network, the test accuracy its results, and the
session's state the model's training state. Views follow the model, never the session's weights.
"""
from __future__ import annotations

import copy

from PySide6.QtCore import QObject, Signal

from app.session import Run
from engine.compare import SETTINGS, Comparison, variants
from engine.errors import EngineError
from engine.lr_finder import LRFinder
from engine.network import Network
from engine.step import continue_optimizer, order_key

STEP_REFUSED = "A step cannot be taken while training runs: stop the run first, then press Step."
STEP_WAITING = "The data set is still loading; the step starts as soon as it is in."


class Runs(QObject):
    failed = Signal(str)                   # the engine's sentence when a run cannot start (bad settings, no data)
    stepped = Signal(object)               # session.Stepped, once the model holds the stepped network
    refused = Signal(str)                  # a sentence: why Step did nothing

    def __init__(self, state, session, parent=None):
        super().__init__(parent)
        self.state, self.session = state, session
        self._pending = None               # (net, cfg, run, data, trained) waiting for the data set
        self._pending_step = None          # the sample to show of a Step waiting for the data set
        state.datasetChanged.connect(self._dataset_ready)
        state.datasetFailed.connect(self._dataset_failed)
        session.weightsUpdated.connect(lambda net: state.set_network(net, trained=True))
        session.evaluated.connect(self._evaluated)
        session.evaluatedMse.connect(self._evaluated_mse)
        session.optimizerKept.connect(lambda net, opt: state.keep_optimizer(opt, network=net))
        session.stepped.connect(self._stepped)
        session.stateChanged.connect(state.set_training_state)
        session.recorded.connect(state.record_run)
        self._pending_job = None           # a comparison or range test waiting for the data set

    def busy(self) -> bool:
        return (self.session.is_running() or self._pending is not None or self._pending_step is not None
                or self._pending_job is not None)

    def start(self, net, cfg, run: Run, data=None, trained: bool = False) -> bool:
        """Train `net` with `cfg` on the model's data set, or on `data(dataset)` if given (e.g. a mix with the
        student's digits). `trained`: the starting weights are already trained. False if a run is under way."""
        if self.busy():
            return False
        self._pending = (net, cfg, run, data, trained)
        self._with_dataset(self._begin)
        return True

    def _begin(self) -> None:
        net, cfg, run, data, trained = self._pending
        self._pending = None
        try:
            cfg.validate()
            dataset = self.state.dataset if data is None else data(self.state.dataset)
            # a continued run (One epoch) goes on with the optimizer's memory; a new one starts fresh
            opt = continue_optimizer(self.state.optimizer, net, cfg) if run.continues else None
        except EngineError as exc:
            self.failed.emit(str(exc))
            return
        self.state.set_network(net.copy(), trained=trained)
        self.session.start(net, cfg, dataset, run, optimizer=opt)

    # ---- one step ---------------------------------------------------------------------------------------
    def step(self, sample: int = 0) -> bool:
        """One optimizer step on the model's network (a fresh one if there is none) with the next batch of the
        seeded order and the saved optimizer memory. Refused with a sentence while a run is under way."""
        if self.busy():
            self.refused.emit(STEP_REFUSED if self.session.is_running() or self._pending else STEP_WAITING)
            return False
        self._pending_step = int(sample)
        self._with_dataset(self._begin_step)
        return True

    def _with_dataset(self, begin) -> None:
        """begin() now if the data set is loaded; otherwise load it, unless the one being loaded will do (its
        arrival calls the pending begin)."""
        if self.state.dataset is not None:
            begin()
        elif self.state.loading_dataset() is None:
            self.state.load_dataset(self.state.dataset_name)

    def _begin_step(self) -> None:
        sample, self._pending_step = self._pending_step, None
        st = self.state
        try:
            cfg = st.config().validate()
            net = st.network.copy() if st.network is not None else Network.from_spec(st.spec)
            opt = continue_optimizer(st.optimizer, net, cfg)
        except EngineError as exc:
            self.failed.emit(str(exc))
            return
        order = st.step_order
        if order is not None and order.key != order_key(cfg, len(st.dataset.y_train)):
            order = None                   # other settings: the seeded order starts again
        self.session.step(net, opt, copy.deepcopy(order), cfg, st.dataset, sample)

    def _stepped(self, result) -> None:
        self.state.set_network(result.network, trained=True, optimizer=result.optimizer, step_order=result.order)
        self.stepped.emit(result)

    # ---- a fair comparison and the learning-rate range test -------------------------------------------
    def compare(self, setting: str, values, **overrides) -> bool:
        """Train 2-4 variants of the model's network and settings (`overrides` applied to all) that differ only
        in `setting`, one after another from the same start. False (and `failed`) if it cannot start."""
        def begin(ds):
            vs = variants(self.state.spec, self.state.config(**overrides), setting, values)
            labels = [f"{SETTINGS[setting]}: {v.label}" for v in vs]
            self.session.compare(Comparison(vs, ds.x_train, ds.y_train, ds.x_test, ds.y_test, setting), labels)
        return self._job(begin)

    def find_lr(self) -> bool:
        """The range test with the model's settings from the weights Start would train: the model's untrained
        network, else a fresh one from the spec (a trained network's loss is already low, or it diverged, and
        the rate found for it would not be the rate to start with). The model's network is never touched."""
        def begin(ds):
            st = self.state
            fresh = st.network is None or st.trained
            net = Network.from_spec(st.spec) if fresh else st.network
            self.session.find_lr(LRFinder(net, st.config(), ds.x_train, ds.y_train))
        return self._job(begin)

    def _job(self, begin) -> bool:
        if self.busy():
            return False
        self._pending_job = begin
        self._with_dataset(self._begin_job)
        return True

    def _begin_job(self) -> None:
        begin, self._pending_job = self._pending_job, None
        try:
            begin(self.state.dataset)
        except EngineError as exc:
            self.failed.emit(str(exc))

    def _dataset_ready(self, dataset) -> None:
        if self._pending_job is not None and dataset is not None:
            self._begin_job()
        elif self._pending is not None and dataset is not None:
            self._begin()
        elif self._pending_step is not None and dataset is not None:
            self._begin_step()

    def _dataset_failed(self, _message: str) -> None:
        self._pending = self._pending_step = self._pending_job = None   # the model said why; nothing to train on

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
