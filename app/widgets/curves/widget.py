"""Curves: the live loss and accuracy plots (`lossPlot`, `accuracyPlot`) with several runs overlaid.

Batches and epochs are buffered as they arrive and drawn on a <= REDRAW_HZ timer, one kind per tick (batch lines
or epoch points, alternating when both wait) so each event-loop pass has at most one heavy repaint and neither
kind waits behind the other. The y axes follow the bulk of the shown runs (ranges.py); the x axis spans the
longest shown run; the legend sits under the plots (legend.py).
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QElapsedTimer, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import (QBoxLayout, QCheckBox, QFileDialog, QHBoxLayout, QMessageBox,
                               QPushButton, QVBoxLayout, QWidget)

from app.run_label import run_names
from app.widgets.curves import export, ranges
from app.widgets.curves.legend import Entry, LegendBox, RunLegend
from app.widgets.curves.run import AXES, EPOCH_FIELDS, Run
from app.widgets.curves.spare import SpareItems
from app.widgets.wheel_guard import ComboBox

RUN_COLORS = [(33, 118, 210), (230, 100, 20), (46, 160, 67), (156, 39, 176), (211, 47, 47), (0, 150, 136)]
REDRAW_HZ = 10            # curves are redrawn at most this often
EPOCH_GAP_MS = 400        # while batches keep coming, epoch points are redrawn at most this often
PLOT_MIN_HEIGHT = 200     # below this a plot's curves are too flat to read (the splitter must leave it)
MAX_SHOWN = 8             # overlaid runs; older ones leave the plots (each kept costs memory and paint time)
TITLES = {"lossPlot": "Loss", "accuracyPlot": "Accuracy"}


def text_colors(palette: QPalette) -> tuple[QColor, QColor, QColor]:
    """(plot background, text, best-epoch green) with text contrast >= 4.5:1 in light and dark themes."""
    bg, fg = palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)
    good = QColor("#5fd47a") if bg.lightness() < 128 else QColor("#1b7a35")
    return bg, fg, good


class Curves(QWidget):
    runsShown = Signal()               # a run began on the plots, or they were cleared

    def __init__(self, parent=None):
        super().__init__(parent)
        pg.setConfigOptions(antialias=True)
        self.runs: list[Run] = []
        self.retired: list[tuple[str, list[dict]]] = []     # (label, epoch rows) of runs taken off the plots
        self.off_scale: list[bool] = []                        # per run: off either plot's shown range
        self.off_plots: list[tuple[bool, bool]] = []           # per run: (off the loss plot, off the accuracy plot)
        self._epochs_turn = False
        self._since_epochs = QElapsedTimer()
        self._since_epochs.start()
        self._applied: dict[str, tuple] = {}
        self._manual: set[str] = set()                        # plots the user zoomed or panned: left alone
        self._history: dict = {}                               # the model's runs by id (follow_runs)
        self._named: tuple = (None, [])                        # (shown runs' keys, their legend labels)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.loss_plot = self._plot("lossPlot", "loss")
        self.accuracy_plot = self._plot("accuracyPlot", "accuracy (%)")
        self.accuracy_plot.getPlotItem().setLimits(yMin=-1, yMax=101)
        self.loss_plot.setToolTip("Loss per batch (faint), smoothed (line), per epoch: training (dots) and "
                                  "validation (dashed). Falling loss means the network is learning.")
        self.accuracy_plot.setToolTip("Share of digits classified correctly after each epoch: training (solid) "
                                      "and validation (dashed). A widening gap means overfitting.")
        self.plots_box = QBoxLayout(QBoxLayout.LeftToRight)
        self.plots_box.addWidget(self.loss_plot, 1)
        self.plots_box.addWidget(self.accuracy_plot, 1)
        layout.addLayout(self.plots_box, 1)
        self.legend = RunLegend()
        self.legend_box = LegendBox(self.legend)
        layout.addWidget(self.legend_box)
        layout.addLayout(self._buttons())
        self._redraw_timer = QTimer(self)
        self._redraw_timer.setSingleShot(True)
        self._redraw_timer.setInterval(int(1000 / REDRAW_HZ))
        self._redraw_timer.timeout.connect(self.redraw)
        self._restyle()
        self.spare = SpareItems(self, (self.loss_plot, self.accuracy_plot),
                                lambda: RUN_COLORS[(len(self.retired) + len(self.runs)) % len(RUN_COLORS)])

    def _buttons(self) -> QHBoxLayout:
        row = QHBoxLayout()
        self.log_scale = QCheckBox("Log scale")
        self.log_scale.setObjectName("lossLogScale")
        self.log_scale.setAccessibleName("lossLogScale")
        self.log_scale.setToolTip("Show the loss on a logarithmic axis: every run fits, however far apart.")
        self.clear_button = QPushButton("Clear runs")
        self.clear_button.setToolTip("Remove every run's curves from the plots.")
        self.png_button = QPushButton("Export PNG…")
        self.csv_button = QPushButton("Export CSV…")
        self.png_button.setToolTip("Save both plots as one PNG image.")
        self.csv_button.setToolTip("Save every run's per-epoch history as a CSV table.")
        self.x_axis = ComboBox()
        self.x_axis.setObjectName("curvesXAxis")
        self.x_axis.setAccessibleName("curvesXAxis")
        for key, text in (("epochs", "against epochs"), ("steps", "against optimizer steps"),
                          ("seconds", "against seconds")):
            self.x_axis.addItem(text, key)
        self.x_axis.setToolTip("What the x axis counts: epochs (passes through the data), optimizer steps (batch "
                               "GD takes one per epoch, stochastic GD one per sample) or seconds of training.")
        self.x_axis.currentIndexChanged.connect(lambda _: self.set_x_axis(self.x_axis.currentData()))
        row.addWidget(self.log_scale)
        row.addWidget(self.x_axis)
        row.addStretch(1)
        for b in (self.clear_button, self.png_button, self.csv_button):
            row.addWidget(b)
        self.log_scale.toggled.connect(self._set_log_scale)
        self.clear_button.clicked.connect(self.clear)
        self.png_button.clicked.connect(self._ask_png)
        self.csv_button.clicked.connect(self._ask_csv)
        return row

    def _plot(self, name: str, ylabel: str) -> pg.PlotWidget:
        w = pg.PlotWidget()
        w.setObjectName(name)
        w.setAccessibleName(name)
        item = w.getPlotItem()
        item.setLabel("left", ylabel)
        item.setLabel("bottom", "epoch")
        # No grid: grid lines triple the plot's paint time (GUI thread time while training).
        item.setDownsampling(auto=True, mode="peak")
        item.setClipToView(True)
        item.getViewBox().sigRangeChangedManually.connect(lambda *_: self._manual.add(name))
        w.setMinimumHeight(PLOT_MIN_HEIGHT)
        return w

    # ---- look ---------------------------------------------------------------------------------------
    def _restyle(self) -> None:
        """Background, titles, axes and mark labels in the palette's colours (also after a theme switch)."""
        bg, fg, good = text_colors(self.palette())
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.setBackground(bg)
            item = plot.getPlotItem()
            item.setTitle(TITLES[plot.objectName()], color=fg.name())
            for side in ("left", "bottom"):
                item.getAxis(side).setPen(fg)
                item.getAxis(side).setTextPen(fg)
        for run in self.runs:
            for _, line in run.marks:
                line.label.setColor(good if line in run.best_lines else fg)

    def changeEvent(self, event) -> None:
        super().changeEvent(event)
        if event.type() in (QEvent.PaletteChange, QEvent.ApplicationPaletteChange):
            self._restyle()

    def resizeEvent(self, event) -> None:
        """Side by side when the space is wide (each plot keeps its full height), stacked when it is tall."""
        super().resizeEvent(event)
        size = event.size()
        wide = size.width() >= size.height() or size.height() < 2 * PLOT_MIN_HEIGHT + self.legend_box.height() + 40
        direction = QBoxLayout.LeftToRight if wide else QBoxLayout.TopToBottom
        if self.plots_box.direction() != direction:
            self.plots_box.setDirection(direction)

    # ---- feeding ------------------------------------------------------------------------------------
    @property
    def current(self) -> Run | None:
        return self.runs[-1] if self.runs else None

    def begin_run(self, label: str, augment: bool = False) -> Run:
        self.flush()
        for run in self.runs:
            run.dim()
        while len(self.runs) >= MAX_SHOWN:       # 200 Start/Stop clicks must not mean 200 overlaid runs
            old = self.runs.pop(0)
            self._remove_from_plots(old)
            self.retired.append((old.label, old.rows))   # still in the CSV export
        n = len(self.retired) + len(self.runs)
        color = RUN_COLORS[n % len(RUN_COLORS)]
        # Numbered when the window gives it the model's run id (run.key), so the table's "#" and "Run N" agree.
        run = Run(self.loss_plot, self.accuracy_plot, label, color, augment, renamed=self._show_legend,
                  items=self.spare.take(color))
        run.axis = self.x_axis.currentData()
        self.runs.append(run)
        self._manual.clear()
        self._apply_ranges()
        self.runsShown.emit()
        return run

    def add_batches(self, batches) -> None:
        """Buffer at once; draw at most REDRAW_HZ times a second (each redraw repaints the plot)."""
        if self.current is not None and batches:
            self.current.add_batches(batches)
            self._schedule()

    def add_epoch(self, stats) -> None:
        """Buffer the epoch's point; drawn on a timer tick (tiny data sets finish dozens of epochs a second, and
        each symbol-curve setData costs ~2 ms of GUI time)."""
        if self.current is None:
            return
        self.current.add_epoch({**{k: getattr(stats, k, None) for k in EPOCH_FIELDS},
                                "elapsed": getattr(stats, "elapsed", None)}, draw=False)
        self._schedule()

    def _schedule(self) -> None:
        if not self._redraw_timer.isActive():
            self._redraw_timer.start()

    def redraw(self) -> None:
        """One tick: the batch lines or the epoch points, taking turns when both wait (epochs at most every
        EPOCH_GAP_MS then, so a tiny data set's dozens of epochs a second do not double the GUI's work)."""
        run = self.current
        if run is None or not self.isVisible():
            return                                # hidden (another tab or mode): drawn when shown, see showEvent
        epochs_due = self._epochs_turn and self._since_epochs.elapsed() >= EPOCH_GAP_MS
        if run.epochs_stale and (epochs_due or not run.stale):
            run.draw_epochs()
            self._epochs_turn = False
            self._since_epochs.restart()
        elif run.stale:
            run.draw_batches()
            self._epochs_turn = True
        else:
            return
        self._apply_ranges()
        if run.stale or run.epochs_stale:
            self._redraw_timer.start()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._schedule()                          # what a hidden run buffered, drawn on the next tick

    def flush(self) -> None:
        """Draw everything buffered now (a run ends or leaves the plots)."""
        run = self.current
        if run is not None and (run.stale or run.epochs_stale):
            if run.stale:
                run.draw_batches()
            if run.epochs_stale:
                run.draw_epochs()
            self._apply_ranges()

    def set_epochs(self, total: int) -> None:
        """Keep room on the x axis for `total` epochs of the current run (axes then stay put while curves grow)."""
        if self.current is not None:
            self.current.planned = total
        self._apply_ranges()

    # ---- axes and legend ----------------------------------------------------------------------------
    def _apply_ranges(self) -> None:
        spans = [run.span() for run in self.runs]
        if self.log_scale.isChecked():
            loss, off_loss = ranges.log_loss_range(spans), [False] * len(spans)
        else:
            loss, off_loss = ranges.loss_range(spans)
        accuracy, off_acc = ranges.accuracy_range(spans)
        x_top = max([run.x_extent() for run in self.runs] + [1.0])
        self._set_range(self.loss_plot, loss, x_top)
        self._set_range(self.accuracy_plot, accuracy, x_top)
        self.off_plots = list(zip(off_loss, off_acc))
        self.off_scale = [a or b for a, b in self.off_plots]
        self._show_legend()

    def follow_runs(self, runs: list[dict]) -> None:
        """The model's run history (AppState.runs): the legend names each shown run by what sets it apart from
        the others shown (app.run_label.run_names); a run the model does not know keeps its own label."""
        self._history = {run["id"]: run for run in runs}
        self._named = (None, [])
        self._show_legend()

    def legend_labels(self) -> list[str]:
        keys = tuple(run.key for run in self.runs)
        if self._named[0] != keys:                       # recomputed when the shown runs change, not per tick
            known = [self._history[k] for k in keys if k in self._history]
            names = dict(zip((run["id"] for run in known), run_names(known)))
            self._named = (keys, [f"Run {run.key}: {names[run.key]}" if run.key in names else run.label
                                  for run in self.runs])
        return self._named[1]

    def _show_legend(self) -> None:
        off = self.off_plots + [(False, False)] * (len(self.runs) - len(self.off_plots))
        entries = [Entry(label, run.color, run.augment, *o, penalty=run.has_penalty())
                   for label, run, o in zip(self.legend_labels(), self.runs, off)]
        if self.legend.show_entries(entries):
            self.legend_box.fit()             # a text layout (~0.4 ms): not on every redraw tick while training

    def _set_range(self, plot, y, x_top: float) -> None:
        name = plot.objectName()
        wanted = (y, x_top)
        if name in self._manual or self._applied.get(name) == wanted:
            return
        self._applied[name] = wanted
        item = plot.getPlotItem()
        item.setXRange(0, x_top, padding=0.02)
        if y is not None:
            item.setYRange(*y, padding=0)

    def set_x_axis(self, axis: str) -> None:
        """Plot every run against epochs, optimizer steps or seconds (marks stay in epochs: shown there only)."""
        if self.x_axis.currentData() != axis:
            self.x_axis.setCurrentIndex(self.x_axis.findData(axis))    # comes back here through the signal
            return
        for run in self.runs:
            run.set_axis(axis)
            for _, line in run.marks:
                line.setVisible(axis == "epochs" and not run.dimmed)
        for plot in (self.loss_plot, self.accuracy_plot):
            plot.getPlotItem().setLabel("bottom", AXES[axis])
        self._manual.clear()
        self._applied.clear()
        self._apply_ranges()

    def highlight(self, key) -> None:
        """The run whose `key` (the model's run id) matches drawn thicker, the others faded; None: all as usual."""
        found = any(run.key == key for run in self.runs)
        for run in self.runs:
            run.emphasize(None if key is None or not found else run.key == key)

    def _set_log_scale(self, on: bool) -> None:
        self.loss_plot.getPlotItem().setLogMode(y=on)
        self._manual.discard("lossPlot")
        self._applied.pop("lossPlot", None)
        self._apply_ranges()

    # ---- marks --------------------------------------------------------------------------------------
    def mark(self, text: str, x: float | None = None) -> None:
        """A vertical line with a label on both plots (a setting changed while training)."""
        run = self.current
        if run is None:
            return
        x = run.last_x() if x is None else x
        _, fg, _ = text_colors(self.palette())
        for plot in (self.loss_plot, self.accuracy_plot):
            line = pg.InfiniteLine(pos=x, angle=90, pen=pg.mkPen((120, 120, 120), width=1, style=Qt.DotLine),
                                   label=text, labelOpts={"position": 0.92, "color": fg})
            line.setVisible(self.x_axis.currentData() == "epochs")      # placed in epochs
            plot.addItem(line)
            run.marks.append((plot, line))

    def mark_best(self, epoch: int) -> None:
        run = self.current
        if run is None or not epoch:
            return
        _, _, good = text_colors(self.palette())
        for plot in (self.loss_plot, self.accuracy_plot):
            line = pg.InfiniteLine(pos=epoch, angle=90, pen=pg.mkPen(good, width=2),
                                   label=f"best epoch {epoch}", labelOpts={"position": 0.8, "color": good})
            line.setVisible(self.x_axis.currentData() == "epochs")
            plot.addItem(line)
            run.marks.append((plot, line))
            run.best_lines.append(line)

    # ---- history ------------------------------------------------------------------------------------
    def show_history(self, history: list[dict], label: str = "loaded model") -> None:
        """Draw a saved network's per-epoch history (e.g. after opening a project). Its rows are the epochs of its
        whole life, runs one after another (40, then 3 of fine-tuning), each run numbering its own from 1: the k-th
        row is drawn at epoch k, where One epoch then continues."""
        run = self.begin_run(label)
        for k, row in enumerate(history, 1):
            run.add_epoch({**{f: row.get(f) for f in EPOCH_FIELDS}, "epoch": k}, draw=False)
        run.draw_epochs()
        self._apply_ranges()

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
        self.runs.clear()
        self.retired.clear()
        self._manual.clear()
        self._applied.clear()
        self._apply_ranges()
        self.runsShown.emit()

    # ---- export -------------------------------------------------------------------------------------
    def export_png(self, path) -> None:
        """Both plots stacked in one image, written atomically."""
        export.write(path, export.png_bytes((self.loss_plot, self.accuracy_plot), self.palette().base().color()))

    def history_csv(self) -> str:
        return export.history_csv([*self.retired, *((run.label, run.rows) for run in self.runs)])

    def export_csv(self, path) -> None:
        export.write(path, self.history_csv())

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
