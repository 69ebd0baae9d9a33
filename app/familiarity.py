"""Familiarity: whether the pad's drawing looks like the digits the current network was trained on.

The threshold (engine.familiarity.calibrate_on: validation digits, at most 5 % of real digits flagged) is
computed off the GUI thread for a trained network once no run is under way (a run's weight snapshots are not
judged), and belongs to that network and generation: `judge` answers only for the network it was computed for,
so a new network, data set or mode never borrows an old threshold.
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Signal
from superqt.utils import FunctionWorker

from app.activity import IDLE
from app.excepthook import report_bug
from engine.errors import EngineError
from engine.familiarity import calibrate_on


class Familiarity(QObject):
    ready = Signal()                         # a threshold for the current network arrived

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state = state
        self.current = None                  # (network, generation, engine Familiarity)
        self._busy = None                    # the worker calibrating, if any
        self._pending = False
        state.networkChanged.connect(lambda _net: self.request())
        state.datasetChanged.connect(lambda _ds: self.request())
        state.activity.changed.connect(lambda _kind: self.request())

    def _usable(self):
        """(network, data set, val_fraction, seed) to calibrate on, or None."""
        st = self.state
        net, ds = st.network, st.dataset
        if net is None or ds is None or not st.trained or st.activity.kind != IDLE:
            return None
        if getattr(ds, "task", "") == "regression" or len(getattr(ds, "image_shape", ()) or ()) != 2 \
                or ds.x_train.shape[1] != net.input_size or len(net.layers) < 1:
            return None
        trained_with = getattr(getattr(net, "train_state", None), "settings", None) or {}
        settings = {**dict(st.settings or {}), **dict(trained_with)}       # its own run's split, if recorded
        return net, ds, float(settings.get("val_fraction", 0.1) or 0.0), int(settings.get("seed", 0) or 0)

    def judge(self, net, image):
        """True/False: the image (784 values) looks unlike the training digits; None: no threshold for `net`."""
        cur = self.current
        if cur is None or cur[0] is not net or cur[1] != self.state.generation or net is not self.state.network:
            return None
        return bool(cur[2].unfamiliar(net, image)[0])

    def request(self) -> None:
        """Calibrate for the current network if it has no threshold yet (one worker at a time, the latest wins)."""
        cur, st = self.current, self.state
        if cur is not None and (cur[0] is not st.network or cur[1] != st.generation):
            self.current = None
        if self.current is not None:
            return
        job = self._usable()
        if job is None:
            return
        if self._busy is not None:
            self._pending = True
            return
        net, ds, val_fraction, seed = job
        generation = st.generation
        worker = self._busy = FunctionWorker(lambda: calibrate_on(net, ds, val_fraction, seed))
        worker.returned.connect(lambda fam: self._done(net, generation, fam))
        worker.errored.connect(self._failed)
        worker.start()

    def _done(self, net, generation: int, fam) -> None:
        if not shiboken6.isValid(self):
            return                                  # the window closed while the threshold was computed
        self._busy = None
        if net is self.state.network and generation == self.state.generation:
            self.current = (net, generation, fam)
            self.ready.emit()
        self._again()

    def _failed(self, exc) -> None:
        if not shiboken6.isValid(self):
            return
        self._busy = None
        if not isinstance(exc, EngineError):        # a data set too small to split: the pad just says nothing
            report_bug(exc, "judging whether the drawing looks like a digit")
        self._again()

    def _again(self) -> None:
        if self._pending:
            self._pending = False
            self.request()
