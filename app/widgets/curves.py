"""Curves (`lossPlot`, `accuracyPlot`): live training curves with pyqtgraph, several runs overlaid.

Each run's curves are created once and fed with setData on growing NumPy buffers (peak downsampling and clip to
view keep 100k points smooth). x is in epochs: batch b of epoch e sits at e-1 + b/n_batches, epoch e's summary at e.
"""
from __future__ import annotations

import csv
import io

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QBuffer, QIODevice, Qt, QTimer
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QMessageBox, QPushButton, QVBoxLayout, QWidget

RUN_COLORS = [(33, 118, 210), (230, 100, 20), (46, 160, 67), (156, 39, 176), (211, 47, 47), (0, 150, 136)]
REDRAW_HZ = 10            # per-batch curves are redrawn at most this often
SMOOTH_WINDOW = 0.1       # the smoothed loss averages about this share of an epoch (exponential moving average)
EPOCH_FIELDS = ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "lr", "seconds"]
MAX_SHOWN = 8             # overlaid runs; older ones leave the plots (each kept costs memory and paint time)


class Series:
    """A float buffer that grows by doubling; .view is the filled part (no copy)."""

    def __init__(self, capacity: int = 1024):
        self.data = np.empty(capacity, np.float64)
        self.n = 0

    def extend(self, values) -> None:
        values = np.asarray(values, np.float64).reshape(-1)
        if self.n + values.size > self.data.size:
            bigger = np.empty(max(2 * self.data.size, self.n + values.size), np.float64)
            bigger[:self.n] = self.data[:self.n]
            self.data = bigger
        self.data[self.n:self.n + values.size] = values
        self.n += values.size

    @property
    def view(self) -> np.ndarray:
        return self.data[:self.n]


def _pen(color, alpha=255, width=1.6, dash=False):
    pen = pg.mkPen(color=(*color, alpha), width=width)
    if dash:
        pen.setStyle(Qt.DashLine)
    return pen


class Run:
    """One training run's buffers and plot items."""

    def __init__(self, curves: "Curves", label: str, color):
        self.label, self.color = label, color
        self.bx, self.bloss, self.smooth = Series(), Series(), Series()
        self.ex = Series(64)
        self.epoch = {k: Series(64) for k in EPOCH_FIELDS[1:]}
        self.ema = None
        self.stale = False            # batches buffered but not yet drawn
        self.epochs_stale = False     # epoch points buffered but not yet drawn
        self.offset = 0               # epochs already trained before this run's first event (one-epoch steps)
        self.rows: list[dict] = []
        lp, ap = curves.loss_plot, curves.accuracy_plot
        # Long curves use 1 px pens: antialiased wider strokes cost ~10x more to paint (GUI thread time).
        self.raw = lp.plot(pen=_pen(color, 70, 1))
        self.smoothed = lp.plot(pen=_pen(color, 230, 1), name=f"{label}")
        self.train_loss = lp.plot(pen=None, symbol="o", symbolSize=6, symbolBrush=(*color, 230), symbolPen=None)
        self.val_loss = lp.plot(pen=_pen(color, 230, 2, dash=True), symbol="s", symbolSize=6,
                                symbolBrush=(*color, 120), symbolPen=None)
        self.train_acc = ap.plot(pen=_pen(color, 230, 2), symbol="o", symbolSize=6, symbolBrush=(*color, 230),
                                 symbolPen=None, name=f"{label} (dashed: validation)")
        self.val_acc = ap.plot(pen=_pen(color, 230, 2, dash=True), symbol="s", symbolSize=6,
                               symbolBrush=(*color, 120), symbolPen=None)
        self.items = [self.raw, self.smoothed, self.train_loss, self.val_loss, self.train_acc, self.val_acc]
        self.marks: list[tuple[object, pg.InfiniteLine]] = []
        self.best_line = None

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

    def redraw(self, epochs: bool = True) -> None:
        if self.stale:
            self.raw.setData(self.bx.view, self.bloss.view)
            self.smoothed.setData(self.bx.view, self.smooth.view)
            self.stale = False
        if epochs and self.epochs_stale:
            self.draw_epochs()

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
        return float(self.bx.view[-1]) if self.bx.n else 0.0

    def dim(self) -> None:
        """An earlier run: keep it visible, fainter, without the per-batch noise."""
        self.raw.setVisible(False)
        for item in self.items[1:]:
            item.setOpacity(0.55)
        for _, line in self.marks:
            line.setVisible(False)


class Curves(QWidget):
    def __init__(self, parent=None):
        super().__init__(parent)
        pg.setConfigOptions(antialias=True)
        self.runs: list[Run] = []
        self.retired: list[tuple[str, list[dict]]] = []     # (label, epoch rows) of runs taken off the plots
        self._loss_top = 0.0
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = self._plot("lossPlot", "Loss", "loss")
        self.accuracy_plot = self._plot("accuracyPlot", "Accuracy", "accuracy (%)", legend_offset=(-10, -10))
        self.accuracy_plot.getPlotItem().setLimits(yMin=-1, yMax=101)
        self.loss_plot.setToolTip("Loss per batch (faint), smoothed (line), per epoch: training (dots) and "
                                  "validation (dashed). Falling loss means the network is learning.")
        self.accuracy_plot.setToolTip("Share of digits classified correctly after each epoch: training (solid) "
                                      "and validation (dashed). A widening gap means overfitting.")
        layout.addWidget(self.loss_plot, 3)
        layout.addWidget(self.accuracy_plot, 2)
        buttons = QHBoxLayout()
        self.clear_button = QPushButton("Clear runs")
        self.clear_button.setToolTip("Remove every run's curves from the plots.")
        self.png_button = QPushButton("Export PNG…")
        self.csv_button = QPushButton("Export CSV…")
        self.png_button.setToolTip("Save both plots as one PNG image.")
        self.csv_button.setToolTip("Save every run's per-epoch history as a CSV table.")
        buttons.addStretch(1)
        for b in (self.clear_button, self.png_button, self.csv_button):
            buttons.addWidget(b)
        layout.addLayout(buttons)
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(int(1000 / REDRAW_HZ))
        self._redraw_timer.timeout.connect(self.redraw)
        self.clear_button.clicked.connect(self.clear)
        self.png_button.clicked.connect(self._ask_png)
        self.csv_button.clicked.connect(self._ask_csv)

    def _plot(self, name: str, title: str, ylabel: str, legend_offset=(-10, 10)) -> pg.PlotWidget:
        w = pg.PlotWidget()
        w.setObjectName(name)
        w.setAccessibleName(name)
        w.setBackground(self.palette().base().color())
        item = w.getPlotItem()
        item.setTitle(title)
        item.setLabel("left", ylabel)
        item.setLabel("bottom", "epoch")
        # No grid: grid lines triple the plot's paint time (GUI thread time while training).
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.addLegend(offset=legend_offset, labelTextSize="8pt")   # negative offsets anchor right / bottom
        w.setMinimumHeight(150)
        return w

    # ---- feeding ------------------------------------------------------------------------------------
    @property
    def current(self) -> Run | None:
        return self.runs[-1] if self.runs else None

    def begin_run(self, label: str) -> Run:
        self.redraw()
        for run in self.runs:
            run.dim()
        while len(self.runs) >= MAX_SHOWN:       # 200 Start/Stop clicks must not mean 200 overlaid runs
            old = self.runs.pop(0)
            self._remove_from_plots(old)
            self.retired.append((old.label, old.rows))   # still in the CSV export
        n = len(self.retired) + len(self.runs)
        run = Run(self, f"Run {n + 1}: {label}", RUN_COLORS[n % len(RUN_COLORS)])
        self.runs.append(run)
        return run

    def add_batches(self, batches) -> None:
        """Buffer at once; draw at most REDRAW_HZ times a second (each redraw repaints the plot)."""
        if self.current is not None and batches:
            self.current.add_batches(batches)
            if not self._redraw_timer.isActive():
                self._redraw_timer.start()

    def redraw(self) -> None:
        run = self.current
        if run is None:
            return
        if run.stale:
            run.redraw(epochs=False)
            self._grow_loss_range()
            if run.epochs_stale:
                self._redraw_timer.start()   # epoch points next tick: one heavy repaint per event-loop pass
        elif run.epochs_stale:
            run.draw_epochs()

    def set_epochs(self, total: int) -> None:
        """Fix the x axis to the whole run: axes then stay put while curves grow (cheaper repaints, no jumps)."""
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.getPlotItem().setXRange(0, max(total, 1), padding=0.02)
        self.accuracy_plot.getPlotItem().enableAutoRange(axis="y")

    def _grow_loss_range(self) -> None:
        """y from 0 to the largest loss seen (finite), widened only when exceeded."""
        run = self.current
        if run is None or not run.bloss.n:
            return
        finite = run.bloss.view[np.isfinite(run.bloss.view)]
        top = float(finite.max()) if finite.size else 0.0
        if top > self._loss_top:
            self._loss_top = top * 1.05
            self.loss_plot.getPlotItem().setYRange(0, self._loss_top, padding=0)

    def add_epoch(self, stats) -> None:
        """Buffer the epoch's point; drawn with the batches at most REDRAW_HZ times a second (tiny data sets
        finish dozens of epochs a second, and each symbol-curve setData costs ~2 ms of GUI time)."""
        if self.current is None:
            return
        row = {k: getattr(stats, k, None) for k in EPOCH_FIELDS}
        self.current.add_epoch(row, draw=False)  # the next tick draws the batch lines, the one after the point
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def mark(self, text: str, x: float | None = None) -> None:
        """A vertical line with a label on both plots (a setting changed while training)."""
        run = self.current
        if run is None:
            return
        x = run.last_x() if x is None else x
        for plot in (self.loss_plot, self.accuracy_plot):
            line = pg.InfiniteLine(pos=x, angle=90, pen=pg.mkPen((120, 120, 120), width=1, style=Qt.DotLine),
                                   label=text, labelOpts={"position": 0.92, "color": (90, 90, 90)})
            plot.addItem(line)
            run.marks.append((plot, line))

    def mark_best(self, epoch: int) -> None:
        run = self.current
        if run is None or not epoch:
            return
        for plot in (self.loss_plot, self.accuracy_plot):
            line = pg.InfiniteLine(pos=epoch, angle=90, pen=pg.mkPen((46, 160, 67), width=2),
                                   label=f"best epoch {epoch}", labelOpts={"position": 0.8, "color": (46, 160, 67)})
            plot.addItem(line)
            run.marks.append((plot, line))

    def show_history(self, history: list[dict], label: str = "loaded model") -> None:
        """Draw a saved run's per-epoch history (e.g. after opening a project)."""
        run = self.begin_run(label)
        for row in history:
            run.add_epoch({k: row.get(k) for k in EPOCH_FIELDS})

    def _remove_from_plots(self, run: Run) -> None:
        for item in run.items:
            for plot in (self.loss_plot, self.accuracy_plot):
                if item in plot.getPlotItem().items:
                    plot.removeItem(item)
        for plot, line in run.marks:
            plot.removeItem(line)

    def clear(self) -> None:
        for run in self.runs:
            self._remove_from_plots(run)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.getPlotItem().legend.clear()
            plot.getPlotItem().enableAutoRange()
        self.runs.clear()
        self.retired.clear()
        self._loss_top = 0.0

    # ---- export -------------------------------------------------------------------------------------
    def export_png(self, path) -> None:
        """Both plots stacked in one image, written atomically."""
        from engine.atomic import atomic_write
        from PySide6.QtGui import QImage, QPainter
        import pyqtgraph.exporters
        images = [pyqtgraph.exporters.ImageExporter(p.getPlotItem()).export(toBytes=True)
                  for p in (self.loss_plot, self.accuracy_plot)]
        width = max(i.width() for i in images)
        out = QImage(width, sum(i.height() for i in images), QImage.Format_ARGB32)
        out.fill(self.palette().base().color())
        painter = QPainter(out)
        y = 0
        for img in images:
            painter.drawImage(0, y, img)
            y += img.height()
        painter.end()
        buf = QBuffer()
        buf.open(QIODevice.WriteOnly)
        out.save(buf, "PNG")
        with atomic_write(path, "wb") as f:
            f.write(bytes(buf.data()))

    def history_csv(self) -> str:
        text = io.StringIO()
        writer = csv.writer(text, lineterminator="\n")
        writer.writerow(["run", *EPOCH_FIELDS])
        for label, rows in [*self.retired, *((run.label, run.rows) for run in self.runs)]:
            for row in rows:
                writer.writerow([label, *("" if row.get(k) is None else row[k] for k in EPOCH_FIELDS)])
        return text.getvalue()

    def export_csv(self, path) -> None:
        from engine.atomic import atomic_write
        with atomic_write(path, "w") as f:
            f.write(self.history_csv())

    def _ask_png(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export curves as PNG", "training-curves.png", "PNG image (*.png)")
        if path:
            self._save(self.export_png, path)

    def _ask_csv(self) -> None:
        path, _ = QFileDialog.getSaveFileName(self, "Export history as CSV", "training-history.csv", "CSV (*.csv)")
        if path:
            self._save(self.export_csv, path)

    def _save(self, write, path) -> None:
        from engine.errors import SaveError
        try:
            write(path)
        except SaveError as e:
            QMessageBox.warning(self, "Could not export", str(e))
