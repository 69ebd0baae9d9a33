"""LRFinderDialog (`lrFinderDialog`): the learning-rate range test (engine.lr_finder) run through the session from
the weights Start would train (app/runs.py): the smoothed loss against the learning rate on a log axis as it comes
in, the suggested rate marked, and "Use this rate" to make it the model's setting. The network is never touched.
"""
from __future__ import annotations

import html
import math

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QHBoxLayout, QLabel, QPushButton, QVBoxLayout

from app.activity import FINDING_LR
from app.widgets.curves.widget import text_colors
from app.widgets.field_messages import error_color
from engine.lr_finder import EXPLODE

INTRO = ("The range test trains your network from the weights Start begins with (fresh ones if it is already "
         "trained) for a few hundred steps while the learning rate grows from 1e-6 to 10. Where the loss falls "
         "fastest the rate works; where it shoots up the rate is too high. The suggestion, the rate to press Start "
         "with, is one decade below the rate with the lowest loss. Your network is not changed.")
BUSY = "A run is under way: stop it (or let it finish), then find a learning rate."


def offered(suggestion: float) -> float:
    """The rate the dialog shows and sets: the suggestion to 3 significant digits (what the button says is what
    the field gets, not 0.0091158883… behind "Use 0.00912")."""
    return float(f"{suggestion:.3g}")


def _name(widget, name: str):
    widget.setObjectName(name)
    widget.setAccessibleName(name)
    return widget


class LRFinderDialog(QDialog):
    def __init__(self, state, session, runs, controls, parent=None):
        super().__init__(parent)
        _name(self, "lrFinderDialog")
        self.setWindowTitle("Find a learning rate")
        self.state, self.session, self.runs = state, session, runs
        self.controls = controls
        self.result, self._mine = None, False
        self.lrs, self.losses = [], []
        layout = QVBoxLayout(self)
        intro = QLabel(INTRO)
        intro.setWordWrap(True)
        layout.addWidget(intro)
        self.plot = _name(pg.PlotWidget(), "lrFinderPlot")
        self.plot.setMinimumSize(480, 260)
        item = self.plot.getPlotItem()
        item.setLogMode(x=True, y=False)
        item.setLabel("bottom", "learning rate (log scale)")
        item.setLabel("left", "loss (smoothed)")
        self.curve = self.plot.plot(pen=pg.mkPen((33, 118, 210), width=2))
        self.marker = pg.InfiniteLine(angle=90, pen=pg.mkPen((46, 160, 67), width=2, style=Qt.DashLine),
                                      label="", labelOpts={"position": 0.9})
        self.marker.setVisible(False)
        self.plot.addItem(self.marker)
        layout.addWidget(self.plot, 1)
        self.message = _name(QLabel(""), "lrFinderMessage")
        self.message.setWordWrap(True)
        layout.addWidget(self.message)
        row = QHBoxLayout()
        self.run_button = _name(QPushButton("Run again"), "lrFinderRun")
        self.stop_button = _name(QPushButton("Stop"), "lrFinderStop")
        self.use_button = _name(QPushButton("Use this rate"), "lrFinderUse")
        self.use_button.setDefault(True)
        close = QPushButton("Close")
        for b in (self.run_button, self.stop_button):
            row.addWidget(b)
        row.addStretch(1)
        row.addWidget(self.use_button)
        row.addWidget(close)
        layout.addLayout(row)
        self.run_button.clicked.connect(self.start)
        self.stop_button.clicked.connect(runs.cancel)
        self.use_button.clicked.connect(self.use)
        close.clicked.connect(self.close)
        session.lrPoints.connect(self._points)
        session.lrFound.connect(self._found)
        runs.failed.connect(self._failed)
        state.activity.changed.connect(self._activity)
        controls.bind("find_lr", self.run_button)
        controls.bind("stop", self.stop_button)
        controls.bind("use_rate", self.use_button)
        controls.define("rate_found", lambda: self.result is not None and self.result.suggestion is not None)
        self._restyle()

    def start(self) -> bool:
        """Run the range test (the data set is loaded first if needed); False with a sentence if a run is busy."""
        self.lrs, self.losses, self.result = [], [], None
        self.curve.setData([], [])
        self.marker.setVisible(False)
        self._mine = self.controls.allowed("find_lr") and self.runs.find_lr()
        self._say(("Finding a learning rate…" if self._mine else BUSY), error=not self._mine)
        self.controls.refresh()
        return self._mine

    def _activity(self, kind: str) -> None:
        """The test is over however it ended (a result, Stop, an error): the dialog no longer waits for it."""
        if kind != FINDING_LR:
            self._mine = False

    def _points(self, points) -> None:
        if not self._mine:
            return
        self.lrs.extend(p.lr for p in points)
        self.losses.extend(p.smoothed for p in points)
        self._draw()
        last = points[-1]
        self._say(f"Step {last.step} of up to {last.steps}: learning rate {last.lr:.3g}, loss {last.smoothed:.3g}")

    def _draw(self) -> None:
        lrs, losses = np.asarray(self.lrs, float), np.asarray(self.losses, float)
        ok = np.isfinite(losses)
        self.curve.setData(lrs[ok], losses[ok])
        if ok.any():
            low = float(np.min(losses[ok]))       # the blow-up at the end would squash the interesting part
            self.plot.getPlotItem().setYRange(low * 0.9, min(float(np.max(losses[ok])), EXPLODE * low), padding=0.05)

    def _found(self, result) -> None:
        if not self._mine:
            return
        self._mine = False
        self.result = result
        self.lrs, self.losses = list(result.lrs), list(result.losses)
        self._draw()
        if result.suggestion is not None:
            rate = offered(result.suggestion)
            self.marker.setVisible(True)                         # first: a hidden line does not place its label
            self.marker.setPos(math.log10(rate))                 # the axis is log10 of the rate
            self.marker.label.setFormat(f"suggested {rate:g}")
            self.use_button.setText(f"Use {rate:g}")
        self._say(result.message, error=result.suggestion is None)
        self.controls.refresh()

    def use(self) -> None:
        """The suggested rate, as the button shows it, becomes the model's learning rate (and the schedule's floor
        stays below it)."""
        if self.result is None or self.result.suggestion is None:
            return
        lr = offered(self.result.suggestion)
        st = self.state
        st.set_config({**st.settings, "lr": lr, "min_lr": min(float(st.settings.get("min_lr", 0.0)), lr)})
        self._say(f"The learning rate is now {lr:g}. Press Start to train with it.")

    def _failed(self, message: str) -> None:
        if self._mine:
            self._mine = False
            self._say(message, error=True)

    def _say(self, text: str, error: bool = False) -> None:
        if error:
            text = f"<span style='color: {error_color(self.palette())}'>{html.escape(text)}</span>"
        else:
            text = html.escape(text)
        self.message.setText(text)

    def _restyle(self) -> None:
        bg, fg, good = text_colors(self.palette())
        self.plot.setBackground(bg)
        item = self.plot.getPlotItem()
        for side in ("left", "bottom"):
            item.getAxis(side).setPen(fg)
            item.getAxis(side).setTextPen(fg)
        self.marker.setPen(pg.mkPen(good, width=2, style=Qt.DashLine))
        self.marker.label.setColor(good)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (event.Type.PaletteChange, event.Type.ApplicationPaletteChange):
            self._restyle()
