"""What the hidden layers learn (`layerMapView`): 2,000 fixed test digits as dots, one small map per layer.

Each map places the digits by the two directions along which that layer's outputs vary most (PCA,
engine.layer_map), one colour per digit; the pixels first, then each hidden layer, so the classes can be seen to
untangle. Under each map, its measured separation (nearest-centroid accuracy in the map). A click on a dot shows
that digit and rings it in every map. The maps are computed off the GUI thread (a forward pass and a PCA per
layer, ~30-60 ms), at most twice a second (every 2 s while a run trains) and only while the page is shown.
"""
from __future__ import annotations

import numpy as np
import pyqtgraph as pg
from PySide6.QtCore import QPointF, QRectF, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import QHBoxLayout, QLabel, QSizePolicy, QVBoxLayout, QWidget

from app.widgets.playground.throttle import Redraw
from engine.errors import EngineError
from engine.layer_map import MAP_SAMPLES, fixed_subsample, layer_maps

from ..digit_image import DigitImage
from ..named import named

# ten hues apart in both themes (Tableau 10): dots, not text
DIGIT_COLORS = [(31, 119, 180), (255, 127, 14), (44, 160, 44), (214, 39, 40), (148, 103, 189), (140, 86, 75),
                (227, 119, 194), (127, 127, 127), (188, 189, 34), (23, 190, 207)]
PLOTS_AHEAD = 2
INTRO = ("Each dot is one of {n:,} test digits, placed by the two directions along which a layer's outputs vary "
         "most (PCA). Left: the raw pixels; then each hidden layer. Train a few epochs at a time (One epoch) and the "
         "colours pull apart into groups; the maps follow a run as it trains. <i>Separation</i>: how often a dot's "
         "nearest digit-centre in that map is its own digit. "
         "Click a dot to see its digit.")


def _color(c: int) -> QColor:
    return QColor(*DIGIT_COLORS[c % len(DIGIT_COLORS)])


class ClassLegend(QWidget):
    """A dot of each class's colour and its name, in the theme's text colour."""

    def __init__(self, parent=None):
        super().__init__(parent)
        self.names: list[str] = [str(c) for c in range(10)]
        self.setSizePolicy(QSizePolicy.Expanding, QSizePolicy.Fixed)
        self.setFixedHeight(self.fontMetrics().height() + 6)

    def set_names(self, names) -> None:
        self.names = list(names)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(40 * len(self.names), self.fontMetrics().height() + 6)

    def minimumSizeHint(self) -> QSize:
        return QSize(28 * len(self.names), self.fontMetrics().height() + 6)

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.Antialiasing)
        step = max(28.0, min(56.0, self.width() / max(1, len(self.names))))
        r, mid = 5.0, self.height() / 2
        for c, name in enumerate(self.names):
            x = c * step + 4
            p.setPen(Qt.NoPen)
            p.setBrush(_color(c))
            p.drawEllipse(QPointF(x + r, mid), r, r)
            p.setPen(self.palette().color(QPalette.ColorRole.WindowText))
            p.drawText(QRectF(x + 2 * r + 4, 0, step - 2 * r - 4, self.height()), Qt.AlignLeft | Qt.AlignVCenter, name)
        p.end()


class LayerPlot(QWidget):
    """One layer's map: title, the dots (one scatter item per class, so each redraw is ten setData calls), the
    ring around the picked digit, and the separation below."""

    def __init__(self, on_click, parent=None):
        super().__init__(parent)
        self.title = QLabel()
        self.title.setAlignment(Qt.AlignCenter)
        self.plot = pg.PlotWidget()
        self.plot.hideAxis("left")
        self.plot.hideAxis("bottom")
        self.plot.setMenuEnabled(False)
        self.plot.setMouseEnabled(False, False)
        self.plot.hideButtons()
        self.plot.setMinimumSize(150, 150)
        self.items = []
        self.rows = [np.zeros(0, np.int64)] * len(DIGIT_COLORS)  # per class, the digit of each dot (a click's answer)
        for c in range(len(DIGIT_COLORS)):
            item = pg.ScatterPlotItem(size=5, pen=None, brush=pg.mkBrush(*DIGIT_COLORS[c], 190))
            item.sigClicked.connect(lambda _item, points, ev, c=c: on_click(int(self.rows[c][points[0].index()]))
                                    if len(points) else None)
            self.plot.addItem(item)
            self.items.append(item)
        self.ring = pg.ScatterPlotItem(size=14, brush=None, pen=pg.mkPen(width=2.5))
        self.plot.addItem(self.ring)
        self.separation = QLabel()
        self.separation.setAlignment(Qt.AlignCenter)
        self.shown = None                         # the LayerMap on screen (the pixels' map is the same object)
        v = QVBoxLayout(self)
        v.setContentsMargins(2, 0, 2, 0)
        v.addWidget(self.title)
        v.addWidget(self.plot, 1)
        v.addWidget(self.separation)

    def show_map(self, layer_map, y, picked) -> None:
        for _ in self.show_steps(layer_map, y, picked):
            pass

    def show_steps(self, layer_map, y, picked):
        """show_map in small steps, one class's dots each (a generator; the caller spreads them over event-loop
        passes): beside a training run the whole map in one pass held the window ~60 ms. The plot repaints once,
        at the end, so no mix of old and new dots is ever seen."""
        self.plot.setUpdatesEnabled(False)
        try:
            yield from self._show_steps(layer_map, y, picked)
        finally:
            self.plot.setUpdatesEnabled(True)

    def _show_steps(self, layer_map, y, picked):
        self.shown = layer_map
        xy = layer_map.projection.coords
        self.title.setText(f"<b>{layer_map.name}</b>")
        for c, item in enumerate(self.items):
            # no per-dot data: pyqtgraph then builds a record per dot on every update (10 ms a map, not 1)
            self.rows[c] = rows = np.flatnonzero(y == c)
            item.setData(x=xy[rows, 0], y=xy[rows, 1])
            yield
        self.separation.setText(f"separation {layer_map.separation:.0%}")
        self.separation.setToolTip(f"Nearest-centroid accuracy in this map: {layer_map.separation:.1%} of the dots "
                                   f"are nearer their own digit's centre than any other's. The map keeps "
                                   f"{layer_map.projection.explained.sum():.0%} of the layer's variance.")
        self.show_ring(xy, picked)
        self.plot.getPlotItem().getViewBox().autoRange(padding=0.04)

    def show_ring(self, xy, picked) -> None:
        self.ring.setPen(pg.mkPen(self.palette().color(QPalette.ColorRole.Text), width=2.5))
        self.ring.setData([] if picked is None else [xy[picked, 0]], [] if picked is None else [xy[picked, 1]])


class LayerMapView(QWidget):
    """set_dataset(ds) picks the fixed digits (MAP_SAMPLES of the test set, seed 0); set_network(net) maps them."""
    REFRESH_HZ = 2              # weight snapshots of small networks come 20 times a second: maps follow at most 2
    LIVE_HZ = 0.5               # while a run trains: each map costs a forward pass and a PCA beside the trainer

    def __init__(self, parent=None):
        super().__init__(parent)
        named(self, "layerMapView")
        self.net = self.dataset = None
        self.X = self.y = self.rows = None        # the fixed digits (features, labels, rows of the test set)
        self.maps: list = []                      # the maps on screen (their axes orient the next ones)
        self.shown_net = None                     # the network they were computed from
        self.picked: int | None = None            # index into the fixed digits
        self.cost_ms: list[float] = []            # each map computation's time, for the benchmark and the report
        self.plots: list[LayerPlot] = []
        self._queue: list[int] = []               # layers whose new map is still to be put up
        self._steps = None                        # the map being put up, a step per event-loop pass
        self.n_plots = 0                          # the first n_plots of self.plots are shown
        self.redraw = Redraw(self, compute=self._job, show=self._show, hz=self.REFRESH_HZ)

        self.intro = QLabel(INTRO.format(n=MAP_SAMPLES))
        self.intro.setWordWrap(True)
        self.legend = ClassLegend()
        self.message = QLabel()
        self.message.setObjectName("layerMapMessage")
        self.message.setWordWrap(True)
        self.row = QHBoxLayout()
        self.row.setContentsMargins(0, 0, 0, 0)
        self.digit = DigitImage("layerMapDigit", min_side=96)
        self.digit.setToolTip("The digit you clicked, as the network sees it")
        self.digit_text = QLabel("Click a dot to see its digit here.")
        self.digit_text.setObjectName("layerMapDigitText")
        self.digit_text.setWordWrap(True)
        self.digit_text.setAlignment(Qt.AlignHCenter | Qt.AlignTop)
        side = QVBoxLayout()
        side.addWidget(self.digit)
        side.addWidget(self.digit_text, 1)
        side_box = QWidget()
        side_box.setLayout(side)
        side_box.setFixedWidth(150)
        middle = QHBoxLayout()
        middle.addLayout(self.row, 1)
        middle.addWidget(side_box)
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addWidget(self.legend)
        layout.addWidget(self.message)
        layout.addLayout(middle, 1)
        self._set_plots(PLOTS_AHEAD)              # made with the window: pixels and one hidden layer are the usual
        self._show(None)

    # ---- inputs ----------------------------------------------------------------------------------------
    def set_dataset(self, dataset) -> None:
        self.dataset = dataset
        self.X = self.y = self.rows = None
        self.maps, self.picked = [], None
        if dataset is not None and getattr(dataset, "x_test", None) is not None and len(dataset.x_test):
            self.rows = fixed_subsample(len(dataset.x_test), MAP_SAMPLES, seed=0)
            self.X, self.y = dataset.x_test[self.rows], np.asarray(dataset.y_test)[self.rows]
            self.legend.set_names(getattr(dataset, "class_names", None) or [str(c) for c in range(10)])
        self._show_digit()
        self.redraw.request()

    def set_network(self, net, live: bool = False) -> None:
        if net is None or self.net is None or net.to_spec() != self.net.to_spec():
            self.maps = []                         # another architecture: no axes to follow
        self.net = net
        self.redraw.hz = self.LIVE_HZ if live else self.REFRESH_HZ    # a run's snapshots: a map every 2 s
        self.redraw.request()

    def catch_up(self) -> None:
        """The run is over: map the network it left now, not at the next live tick."""
        self.redraw.hz = self.REFRESH_HZ
        self.redraw.request()

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self._make_plots()
        if self.redraw.pending:
            self.redraw.now()

    def _make_plots(self) -> None:
        """Make the plots the network will need, hidden, one per event-loop pass, as soon as the page shows: made
        when a run's first maps arrive, two took ~80 ms in one pass."""
        needed = len(self.net.layers) if self.net is not None else 2       # the pixels and each hidden layer
        if len(self.plots) < needed and self.isVisible():
            self._new_plot().setVisible(False)
            QTimer.singleShot(0, self, self._make_plots)

    def _new_plot(self) -> LayerPlot:
        self.plots.append(LayerPlot(self.pick))
        self.row.addWidget(self.plots[-1], 1)
        return self.plots[-1]

    # ---- work ------------------------------------------------------------------------------------------
    def problem(self) -> str:
        ds, net = self.dataset, self.net
        if ds is not None and (getattr(ds, "task", "") == "regression" or
                               len(getattr(ds, "image_shape", ()) or ()) != 2):
            return ("This page maps digits: each layer's outputs for 2,000 test digits, drawn in 2-D. The "
                    "playground's points are in 2-D already: its neuron maps (Build & train) show what each hidden "
                    "neuron computes. Switch to Digits to see this page.")
        if net is None:
            return "Train or load a network to see what its layers learn."
        if self.X is None:
            return "Load a data set with test digits to see what the network's layers learn."
        if self.X.shape[1] != net.input_size:
            return "The data set's digits do not fit this network's inputs."
        return ""

    def _job(self):
        """A map computation for the current network (off the GUI thread), or None with a problem to show."""
        if self.problem():
            return None
        net, X, y = self.net, self.X, self.y
        previous = self.maps if self.maps and len(self.maps[0].projection.coords) == len(X) else None

        def job():
            import time
            start = time.perf_counter()
            try:
                maps = layer_maps(net, X, y, previous)
            except EngineError as exc:
                return net, X, str(exc), 0.0
            return net, X, maps, (time.perf_counter() - start) * 1000
        return job

    def _show(self, frame) -> None:
        problem = self.problem()
        if problem or frame is None:
            self.maps, self.shown_net, self._queue = [], None, []
            self._finish_steps()
            self._set_plots(0)
            self.message.setText(problem)
            self.message.setVisible(bool(problem))
            self._show_digit()
            return
        net, X, maps, ms = frame
        if X is not self.X:
            return                                # made from digits another data set has replaced (a redraw waits)
        if isinstance(maps, str):                 # refused by the engine: say why, keep the last maps
            self.message.setText(maps)
            self.message.setVisible(True)
            return
        self.cost_ms.append(ms)
        self.message.setVisible(False)
        self.maps, self.shown_net = maps, net
        self._set_plots(min(self.n_plots, len(maps)))
        self._finish_steps()                      # a map half put up is finished at once: the new frame follows
        self._queue = [l for l, m in enumerate(maps) if l >= self.n_plots or self.plots[l].shown is not m]
        self._next_plot()

    def _finish_steps(self) -> None:
        if self._steps is not None:
            for _ in self._steps:
                pass
            self._steps = None

    def settled(self) -> bool:
        """Every map of the last frame is on screen."""
        return not self._queue and self._steps is None and self.n_plots == len(self.maps)

    def _next_plot(self) -> None:
        """Put up one layer's map per event-loop pass (each costs ~5 ms, a new plot ~40 ms): no long stall."""
        if self._steps is None:
            if not self._queue:
                return
            l = self._queue.pop(0)
            if l < len(self.maps):
                self._set_plots(max(self.n_plots, l + 1))
                self._steps = self.plots[l].show_steps(self.maps[l], self.y, self.picked)
        if self._steps is not None and next(self._steps, StopIteration) is StopIteration:
            self._steps = None
        if self._queue or self._steps is not None:
            QTimer.singleShot(0, self, self._next_plot)

    def _set_plots(self, n: int) -> None:
        """Show n plots; plots are kept hidden rather than deleted (making one costs a long event-loop pass)."""
        while len(self.plots) < n:
            self._new_plot()
        for k, plot in enumerate(self.plots):
            plot.setVisible(k < n)
            if k >= n:
                plot.shown = None
        self.n_plots = n

    def shown_plots(self) -> list:
        return self.plots[:self.n_plots]

    # ---- the picked digit ------------------------------------------------------------------------------
    def pick(self, index: int) -> None:
        """Show the fixed digit `index` (a dot of any map) and ring it in every map."""
        if self.X is None or not 0 <= index < len(self.X):
            return
        self.picked = index
        for plot, layer_map in zip(self.shown_plots(), self.maps):
            plot.show_ring(layer_map.projection.coords, index)
        self._show_digit()

    def _show_digit(self) -> None:
        i = self.picked
        if i is None or self.X is None:
            self.digit.set_array(None)
            self.digit_text.setText("Click a dot to see its digit here.")
            return
        names = getattr(self.dataset, "class_names", None) or [str(c) for c in range(10)]
        shape = tuple(getattr(self.dataset, "image_shape", None) or (28, 28))
        self.digit.set_array(self.X[i].reshape(shape))
        said = ""
        if self.net is not None and self.net.input_size == self.X.shape[1]:
            said = f"; the network says {names[int(self.net.predict(self.X[i:i + 1])[0])]}"
        self.digit_text.setText(f"Test digit #{int(self.rows[i])}: a {names[int(self.y[i])]}{said}.")
