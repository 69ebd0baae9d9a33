"""Run: one training run's buffers and plot items, created once and fed with setData on growing buffers.

x is in epochs: batch b of epoch e sits at offset + e-1 + b/n_batches, epoch e's summary at offset + e; the same
points are also kept against optimizer steps (the batches counted) and seconds (the trainer's clock), and `axis`
says which of the three the plot items show.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import Qt

from app.widgets.curves import ranges
from app.widgets.curves.series import Series

SMOOTH_WINDOW = 0.1       # the smoothed loss averages about this share of an epoch (exponential moving average)
EPOCH_FIELDS = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds", "penalty"]
AXES = {"epochs": "epoch", "steps": "optimizer step", "seconds": "seconds"}


def pen(color, alpha=255, width=1.6, dash=False):
    p = pg.mkPen(color=(*color, alpha), width=width)
    if dash:
        p.setStyle(Qt.DashLine)
    return p


def item_styles(color) -> list[tuple[int, dict]]:
    """The items of a run in this colour: (0 the loss plot | 1 the accuracy plot, PlotDataItem keywords) for the
    batch losses, their smoothed line, the epochs' training and validation loss, training and validation accuracy,
    and weight decay's penalty wd/2·Σw² beside the data loss (the losses above are the data's alone)."""
    dots = dict(symbolSize=6, symbolPen=None)
    # Long curves use 1 px pens: antialiased wider strokes cost ~10x more to paint (GUI thread time).
    return [(0, dict(pen=pen(color, 70, 1))), (0, dict(pen=pen(color, 230, 1))),
            (0, dict(pen=None, symbol="o", symbolBrush=(*color, 230), **dots)),
            (0, dict(pen=pen(color, 230, 2, dash=True), symbol="s", symbolBrush=(*color, 120), **dots)),
            (1, dict(pen=pen(color, 230, 2), symbol="o", symbolBrush=(*color, 230), **dots)),
            (1, dict(pen=pen(color, 230, 2, dash=True), symbol="s", symbolBrush=(*color, 120), **dots)),
            (0, dict(pen=pg.mkPen(color=(*color, 230), width=2, style=Qt.DotLine), symbol="t",
                     symbolBrush=(*color, 120), **dots))]


def make_item(plots, color, k: int):
    """The k-th item of a run in `color`, on its plot (plots = (loss plot, accuracy plot)), empty."""
    where, kw = item_styles(color)[k]
    return plots[where].plot(**kw)


def make_items(plots, color) -> list:
    return [make_item(plots, color, k) for k in range(len(item_styles(color)))]


def restyle(items, color) -> list:
    """Items made beforehand for another colour, in this one (pens and brushes only: cheap on empty items)."""
    for item, (_, kw) in zip(items, item_styles(color)):
        item.setPen(kw["pen"])
        if "symbolBrush" in kw:
            item.setSymbolBrush(kw["symbolBrush"])
    return items


class Run:
    """One training run's buffers and plot items."""

    def __init__(self, loss_plot, accuracy_plot, name: str, color, augment: bool = False, renamed=None,
                 items=None):
        self.name, self.color, self.augment = name, color, augment
        self._renamed = renamed       # called when the label changes (the legend shows it)
        self.bx, self.bloss, self.smooth = Series(), Series(), Series()
        self.ex = Series(64)
        self.epoch = {k: Series(64) for k in EPOCH_FIELDS[1:]}
        self.ema = None
        self._key = None
        self.axis = "epochs"
        self.bsteps, self.bsecs, self.esteps, self.esecs = Series(), Series(), Series(64), Series(64)
        self._steps, self._per_epoch, self._t_base, self._t_raw = 0, 0, 0.0, 0.0
        self._ends: dict[int, tuple[int, float]] = {}
        self.stale = False            # batches buffered but not yet drawn
        self.epochs_stale = False     # epoch points buffered but not yet drawn
        self.offset = 0               # epochs already trained before this run's first event (one-epoch steps)
        self.planned = 0              # the x axis keeps room for this many epochs
        self.dimmed = False
        self.rows: list[dict] = []
        self._bins, self._binned = Series(256), 0
        self._span, self._span_key = ranges.RunSpan(), None
        # the plot items, made beforehand when the caller has them ready (making them costs the GUI ~35 ms)
        self.items = items if items is not None else make_items((loss_plot, accuracy_plot), color)
        (self.raw, self.smoothed, self.train_loss, self.val_loss, self.train_acc, self.val_acc,
         self.penalty) = self.items
        self.marks: list[tuple[object, pg.InfiniteLine]] = []
        self.best_lines: list[pg.InfiniteLine] = []

    @property
    def key(self):
        """The model's run id (AppState.begin_run) this curve shows; None for a saved history, in no table."""
        return self._key

    @key.setter
    def key(self, key) -> None:
        self._key = key
        if self._renamed is not None:
            self._renamed()

    @property
    def label(self) -> str:
        """"Run N: name", N the results table's "#" for this run (one number names one run everywhere)."""
        return self.name if self._key is None else f"Run {self._key}: {self.name}"

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
        if self._steps == 0:                 # a run that continues a trained network counts its earlier steps
            self._steps = self.offset * max(batches[0].n_batches, 1)
        self.bsteps.extend(self._steps + np.arange(1, len(batches) + 1))
        self._per_epoch = max(batches[-1].n_batches, 1)
        self.bsecs.extend([self._clock(b.elapsed) for b in batches])
        for k, b in enumerate(batches, self._steps + 1):   # where each epoch ends: its point's steps and clock
            self._ends[self.offset + b.epoch] = (k, self._t_base)
        self._steps += len(batches)
        self.bx.extend(x)
        self.bloss.extend(loss)
        self.smooth.extend(sm)
        self.stale = True

    def _clock(self, elapsed) -> float:
        """Seconds since the run began; a continued run's own clock starts again at 0."""
        if elapsed is None:
            return np.nan
        if elapsed < self._t_raw:
            self._t_base += self._t_raw
        self._t_raw = float(elapsed)
        return self._t_base + self._t_raw

    def _x(self, batches: bool) -> np.ndarray:
        series = (self.bx, self.bsteps, self.bsecs) if batches else (self.ex, self.esteps, self.esecs)
        return series[list(AXES).index(self.axis)].view

    def set_axis(self, axis: str) -> None:
        """Show the run against epochs, optimizer steps or seconds."""
        self.axis = axis
        self.draw_batches()
        self.draw_epochs()

    def draw_batches(self) -> None:
        self.stale = False
        x = self._x(True)
        self.raw.setData(x, self.bloss.view)
        self.smoothed.setData(x, self.smooth.view)

    def add_epoch(self, row: dict, draw: bool = True) -> None:
        row = {**row, "epoch": row["epoch"] + self.offset}
        self.rows.append(row)
        self.ex.extend([row["epoch"]])
        steps, base = self._ends.get(row["epoch"], (np.nan, self._t_base))   # a loaded history has no batches
        self.esteps.extend([steps])
        self.esecs.extend([np.nan if row.get("elapsed") is None else base + row["elapsed"]])
        for k, s in self.epoch.items():
            v = row.get(k)
            s.extend([np.nan if v is None else v])
        self.epochs_stale = True
        if draw:
            self.draw_epochs()

    def has_penalty(self) -> bool:
        """Trained with weight decay: some epoch has a penalty wd/2·Σw² above 0."""
        return bool(np.nanmax(self.epoch["penalty"].view, initial=0.0) > 0)

    def draw_epochs(self) -> None:
        self.epochs_stale = False
        x = self._x(False)
        _plot(self.train_loss, x, self.epoch["train_loss"].view)
        _plot(self.train_acc, x, 100 * self.epoch["train_accuracy"].view)      # none for a regression
        if np.isfinite(self.epoch["val_loss"].view).any():
            _plot(self.val_loss, x, self.epoch["val_loss"].view, connect="finite")
            _plot(self.val_acc, x, 100 * self.epoch["val_accuracy"].view, connect="finite")
        if self.has_penalty():                                           # drawn only with weight decay
            _plot(self.penalty, x, self.epoch["penalty"].view, connect="finite")

    def last_x(self, axis: str = "epochs") -> float:
        keep, self.axis = self.axis, axis
        ends = [x[-1] for x in (self._x(True), self._x(False)) if x.size and np.isfinite(x[-1])]
        self.axis = keep
        return float(ends[0]) if ends else 0.0

    def x_extent(self) -> float:
        """How far right this run reaches or is planned to reach, on its axis."""
        planned = {"epochs": self.planned, "steps": self.planned * self._per_epoch}.get(self.axis, 0)
        return max(float(planned), self.last_x(self.axis))

    def emphasize(self, on: bool | None) -> None:
        """A results-table row was picked: this run's lines thicker (True) or faded (False); None: as they were."""
        width = 3 if on else None
        self.smoothed.setPen(pen(self.color, 255 if on else 230, width or 1))
        self.train_acc.setPen(pen(self.color, 255 if on else 230, width or 2))
        self.val_acc.setPen(pen(self.color, 255 if on else 230, width or 2, dash=True))
        self.val_loss.setPen(pen(self.color, 255 if on else 230, width or 2, dash=True))
        opacity = 1.0 if on else 0.15 if on is False else 0.55 if self.dimmed else 1.0
        for item in self.items[1:]:
            item.setOpacity(opacity)
            item.setZValue(10 if on else 0)

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


def _plot(item, x, y, **kw) -> None:
    """A series with no finite value is drawn as nothing (pyqtgraph's bounds of an all-NaN series warn on stderr)."""
    if np.isfinite(y).any():
        item.setData(x, y, **kw)
    else:
        item.setData([], [])
