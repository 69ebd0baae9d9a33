"""Run: one training run's buffers and plot items, created once and fed with setData on growing buffers.

x is in epochs: batch b of epoch e sits at offset + e-1 + b/n_batches, epoch e's summary at offset + e.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.widgets.curves import ranges
from app.widgets.curves.series import Series

SMOOTH_WINDOW = 0.1       # the smoothed loss averages about this share of an epoch (exponential moving average)
EPOCH_FIELDS = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]


def pen(color, alpha=255, width=1.6, dash=False):
    p = pg.mkPen(color=(*color, alpha), width=width)
    if dash:
        p.setStyle(Qt.DashLine)
    return p


class Run:
    """One training run's buffers and plot items."""

    def __init__(self, loss_plot, accuracy_plot, label: str, color, augment: bool = False):
        self.label, self.color, self.augment = label, color, augment
        self.bx, self.bloss, self.smooth = Series(), Series(), Series()
        self.ex = Series(64)
        self.epoch = {k: Series(64) for k in EPOCH_FIELDS[1:]}
        self.ema = None
        self.stale = False            # batches buffered but not yet drawn
        self.epochs_stale = False     # epoch points buffered but not yet drawn
        self.offset = 0               # epochs already trained before this run's first event (one-epoch steps)
        self.planned = 0              # the x axis keeps room for this many epochs
        self.dimmed = False
        self.rows: list[dict] = []
        self._bins, self._binned = Series(256), 0
        self._span, self._span_key = ranges.RunSpan(), None
        lp, ap = loss_plot, accuracy_plot
        # Long curves use 1 px pens: antialiased wider strokes cost ~10x more to paint (GUI thread time).
        self.raw = lp.plot(pen=pen(color, 70, 1))
        self.smoothed = lp.plot(pen=pen(color, 230, 1))
        self.train_loss = lp.plot(pen=None, symbol="o", symbolSize=6, symbolBrush=(*color, 230), symbolPen=None)
        self.val_loss = lp.plot(pen=pen(color, 230, 2, dash=True), symbol="s", symbolSize=6,
                                symbolBrush=(*color, 120), symbolPen=None)
        self.train_acc = ap.plot(pen=pen(color, 230, 2), symbol="o", symbolSize=6, symbolBrush=(*color, 230),
                                 symbolPen=None)
        self.val_acc = ap.plot(pen=pen(color, 230, 2, dash=True), symbol="s", symbolSize=6,
                               symbolBrush=(*color, 120), symbolPen=None)
        self.items = [self.raw, self.smoothed, self.train_loss, self.val_loss, self.train_acc, self.val_acc]
        self.marks: list[tuple[object, pg.InfiniteLine]] = []
        self.best_lines: list[pg.InfiniteLine] = []

    def add_batches(self, batches) -> None:
        x = np.array([self.offset + b.epoch - 1 + b.batch / max(b.n_batches, 1) for b in batches])
        loss = np.array([b.loss for b in batches], np.float64)
        sm = np.empty_like(loss)
        ema = self.ema
        for k, (v, b) in enumerate(zip(loss, batches)):
            alpha = float(np.clip(1 / (SMOOTH_WINDOW * max(b.n_batches, 1)), 0.005, 0.2))
            ema = v if ema is None or not np.isfinite(ema) else ema + alpha * (v - ema)
            sm[k] = ema
        self.ema = ema
        self.bx.extend(x)
        self.bloss.extend(loss)
        self.smooth.extend(sm)
        self.stale = True

    def draw_batches(self) -> None:
        self.stale = False
        self.raw.setData(self.bx.view, self.bloss.view)
        self.smoothed.setData(self.bx.view, self.smooth.view)

    def add_epoch(self, row: dict, draw: bool = True) -> None:
        row = {**row, "epoch": row["epoch"] + self.offset}
        self.rows.append(row)
        self.ex.extend([row["epoch"]])
        for k, s in self.epoch.items():
            v = row.get(k)
            s.extend([np.nan if v is None else v])
        self.epochs_stale = True
        if draw:
            self.draw_epochs()

    def draw_epochs(self) -> None:
        self.epochs_stale = False
        x = self.ex.view
        self.train_loss.setData(x, self.epoch["train_loss"].view)
        self.train_acc.setData(x, 100 * self.epoch["train_accuracy"].view)
        if np.isfinite(self.epoch["val_loss"].view).any():
            self.val_loss.setData(x, self.epoch["val_loss"].view, connect="finite")
            self.val_acc.setData(x, 100 * self.epoch["val_accuracy"].view, connect="finite")

    def last_x(self) -> float:
        return float(self.bx.view[-1]) if self.bx.n else float(self.ex.view[-1]) if self.ex.n else 0.0

    def x_extent(self) -> float:
        """How far right this run reaches or is planned to reach, in epochs."""
        return max(float(self.planned), self.last_x())

    def span(self) -> ranges.RunSpan:
        """What this run needs on the y axes; recomputed only when new data arrived."""
        key = (self.bloss.n, self.ex.n)
        if key != self._span_key:
            full = self.bloss.n // ranges.BIN * ranges.BIN
            if full > self._binned:
                self._bins.extend(ranges.bin_medians(self.bloss.view[self._binned:full]))
                self._binned = full
            bins = np.concatenate([self._bins.view, ranges.bin_medians(self.bloss.view[full:])])
            e = self.epoch
            self._span = ranges.span(bins, e["train_loss"].view, e["val_loss"].view,
                                     [e["train_accuracy"].view, e["val_accuracy"].view])
            self._span_key = key
        return self._span

    def dim(self) -> None:
        """An earlier run: keep it visible, fainter, without the per-batch noise."""
        self.dimmed = True
        self.raw.setVisible(False)
        for item in self.items[1:]:
            item.setOpacity(0.55)
        for _, line in self.marks:
            line.setVisible(False)
