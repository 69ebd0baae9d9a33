"""Confidence is not certainty: the reliability diagram (`reliabilityDiagram`) of the current network on the test set.

Test digits are grouped by the network's top probability (ten bins); each bar is the share it got right in that
bin, with the bin's count above it, beside the diagonal where "90 % sure" would come true 90 % of the time, and
the expected calibration error (engine.calibration). One forward pass over the test set off the GUI thread, while
the page is shown, at most once a second while training.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QEvent, Qt
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QLabel, QVBoxLayout, QWidget

from app.widgets.playground.throttle import Redraw
from engine.calibration import reliability
from engine.errors import EngineError

from ..named import named

BINS = 10
BATCH = 4096
BAR, GAP_FILL = QColor(33, 118, 210), QColor(210, 60, 60)
SUM_TO_ONE = ("A network's probabilities always add up to 1, whatever it is shown: even a scribble gets a top "
              "guess, often with a high percentage. A percentage is the network's claim, not a certainty.")
INTRO = (SUM_TO_ONE + " This diagram checks the claim on the test set: the digits are grouped by how sure the "
         "network was (its top probability), and each bar shows how often it was right in that group. On the "
         "dashed diagonal, \u201c90 % sure\u201d comes true 90 % of the time.")


def probabilities_of(net, X) -> np.ndarray:
    return np.concatenate([net.predict_proba(X[s:s + BATCH]) for s in range(0, len(X), BATCH)])


class ReliabilityView(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        named(self, "reliabilityView")
        self.net = self.dataset = None
        self.result = None                        # the engine's Reliability shown, or None
        self.redraw = Redraw(self, compute=self._job, show=self._show, hz=1)
        self.waiting = False                      # a run's snapshot came: shown when the run is over
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        self.plot = named(pg.PlotWidget(), "reliabilityDiagram")
        self.plot.setLabel("bottom", "how sure the network was (its top probability)")
        self.plot.setLabel("left", "share it got right")
        self.plot.setXRange(0, 1, padding=0.02)
        self.plot.setYRange(0, 1.08, padding=0.02)
        self.plot.setMouseEnabled(False, False)
        self.plot.setMenuEnabled(False)
        self.plot.hideButtons()
        self.plot.showGrid(x=True, y=True, alpha=0.2)
        self.bars = pg.BarGraphItem(x=[], height=[], width=0.09, brush=BAR, pen=None)
        self.plot.addItem(self.bars)
        self.diagonal = pg.PlotDataItem([0, 1], [0, 1])
        self.plot.addItem(self.diagonal)
        self.means = pg.ScatterPlotItem(size=9, symbol="d", pen=None, brush=GAP_FILL)
        self.plot.addItem(self.means)
        self.counts = [pg.TextItem("", anchor=(0.5, 1.0)) for _ in range(BINS)]
        for item in self.counts:
            self.plot.addItem(item)
        self.summary = QLabel()
        self.summary.setObjectName("reliabilitySummary")
        self.summary.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.addWidget(intro)
        layout.addWidget(self.plot, 1)
        layout.addWidget(self.summary)
        self._show(None)

    def set_network(self, net, live: bool = False) -> None:
        self.net = net
        self.waiting = live                        # a run's snapshot: measured when the run ends (see catch_up)
        if not live:
            self.redraw.request()

    def catch_up(self) -> None:
        """The run is over: measure the network it left (a mid-run snapshot's calibration says little, and
        measuring it beside the trainer held the window over the GUI bound)."""
        if self.waiting:
            self.waiting = False
            self.redraw.request()

    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self.redraw.request()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self.redraw.pending:
            self.redraw.now()

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() == QEvent.Type.PaletteChange and self.result is not None:
            self._draw(self.result)                # the counts and the diagonal in the new theme's ink

    def problem(self) -> str:
        ds, net = self.dataset, self.net
        if net is None:
            return "Train or load a network to check how far its confidence can be trusted."
        if ds is None or getattr(ds, "x_test", None) is None or not len(ds.x_test):
            return "Load a data set with test digits to check the network's confidence."
        if getattr(ds, "task", "") == "regression" or net.n_outputs < 2:
            return "Confidence is a classifier's top probability: this network gives numbers, not classes."
        if ds.x_test.shape[1] != net.input_size or net.n_outputs != ds.n_classes:
            return "The data set's test samples do not fit this network's inputs and outputs."
        return ""

    def _job(self):
        if self.problem():
            return None
        net, X, y = self.net, self.dataset.x_test, self.dataset.y_test

        def job():
            try:
                return reliability(probabilities_of(net, X), y, BINS)
            except EngineError as exc:
                return str(exc)
        return job

    def _show(self, result) -> None:
        if self.waiting and result is not None:
            return                                 # asked for before a run began: its end measures anew (catch_up)
        problem = self.problem() or (result if isinstance(result, str) else "")
        if problem or result is None:
            self.result = None
            self.bars.setOpts(x=[], height=[])
            self.means.setData([], [])
            self._set_counts([])
            self.summary.setText(problem)
            return
        self.result = result
        self._draw(result)
        r = result
        gap = r.mean_confidence - r.overall_accuracy
        lean = ("about as sure as it is right" if abs(gap) < 0.005 else
                "overconfident" if gap > 0 else "underconfident")
        self.summary.setText(
            f"<b>Expected calibration error: {r.ece:.1%}</b> (the gap between the bars and the diagonal, weighted by "
            f"how many digits each bar holds). On average the network is {r.mean_confidence:.1%} sure and "
            f"{r.overall_accuracy:.1%} right: {lean}. Diamonds: how sure it was on average in each bin (a "
            f"trustworthy bar reaches its diamond); the number above a bar: its digits.")

    def _draw(self, r) -> None:
        ink = self.palette().color(QPalette.ColorRole.Text)
        self.diagonal.setPen(pg.mkPen(ink, width=1.5, style=Qt.DashLine))
        full = r.counts > 0
        centres = (r.edges[:-1] + r.edges[1:]) / 2
        self.bars.setOpts(x=centres[full], height=r.accuracy[full], width=0.09)
        self.means.setData(centres[full], r.confidence[full])
        self._set_counts([(c, a, n) for c, a, n in zip(centres[full], r.accuracy[full], r.counts[full])], ink)

    def _set_counts(self, rows, ink=None) -> None:
        """One count above each bar; the BINS text items are made once and reused (making them is slow)."""
        for k, item in enumerate(self.counts):
            item.setVisible(k < len(rows))
        for item, (x, acc, n) in zip(self.counts, rows):
            item.setText(f"{int(n):,}", color=ink)
            item.setPos(float(x), float(acc) + 0.01)
