"""MainWindow: tabs, the Train menu and the status bar; the "Build & train" tab wires the editor, diagram, panel
and curves to the app's model (AppState) and its TrainingSession.

Every job starts through `runs` (app/runs.py), which begins the model's activity; what may be done now is the
actions table's answer (app/actions.py, applied by `controls`), never a widget's own flag. Whoever starts a run
(Start, One epoch, the Draw tab's fine-tuning) first makes its starting network the model's, so every view shows
the network being trained, and `_on_started` prepares the curves and the progress bar from the session's Run.
Each mode (Digits, Playground) has its own curves, shown with its workspace. The File, View and Help menus are
app/menus.py's.
"""
from __future__ import annotations

from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import QMainWindow, QScrollArea, QSplitter, QStackedWidget, QTabWidget, QVBoxLayout, QWidget

from app.controls import Controls
from app.run_label import run_label
from app.runs import Runs
from app.session import Run, TrainingSession
from app.state import AppState
from app.status_line import StatusLine
from app.workspace import MODES
from app.widgets.compare.install import install as install_course_tools
from app.widgets.curves import Curves
from app.widgets.draw_tab import DrawTab
from app.widgets.inside.inside_tab import InsideTab
from app.widgets.layer_editor import LayerEditor
from app.widgets.network_view import NetworkView
from app.widgets.playground.install import install as install_playground
from app.widgets.step_controls import StepControls, step_batch_stats
from app.widgets.training_panel import TrainingPanel
from app.activity import LOADING
from engine.errors import EngineError
from engine.network import Network

READ_AHEAD_MS = 300      # after the window first shows (its first paints come first)


class MainWindow(QMainWindow):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("MLP Studio")
        self.state = AppState(self)
        self.session = TrainingSession(self)
        self.runs = Runs(self.state, self.session, self)
        self.controls = Controls(self.state, self)
        self.status = StatusLine(self)
        self._curves_data: dict = {}           # per mode: the data set its curves were drawn on
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self._build_tabs()
        install_playground(self)           # Digits | Playground: two-input data on the same builder and session
        self._build_menus()
        install_course_tools(self)         # Compare…, the results table, the coach, Find learning rate…
        self.status.say("Ready: press Start to train the network on the bundled sample of digits.", 0)
        self.resize(1280, 800)
        # once shown, the digits are read while the student looks at the window: the first Start trains at once
        self._read_ahead = QTimer(self, singleShot=True, interval=READ_AHEAD_MS, timeout=self.state.read_dataset_ahead)

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._read_ahead is not None:
            self._read_ahead.start()
            self._read_ahead = None

    @property
    def curves(self) -> Curves:
        """The current mode's curves."""
        return self.curves_by_mode[self.state.mode]

    def say(self, text: str, ms: int = 10000) -> None:
        self.status.say(text, ms)

    # ---- tabs ---------------------------------------------------------------------------------------
    def _build_tabs(self) -> None:
        self.tabs.addTab(self._build_train_tab(), "Build && train")
        self.tabs.addTab(InsideTab(self.state, self.session), "Look inside")
        self.tabs.addTab(DrawTab(self.state, self.runs, self.controls), "Draw")
        self.tabs.currentChanged.connect(lambda _: self.session.hold())   # the shown tab paints first
        self._wire_model()
        self._wire_session()

    def _build_train_tab(self) -> QWidget:
        self.editor = LayerEditor(self.state)
        self.controls.bind("edit_network", self.editor)
        self.panel = TrainingPanel(self.state, self.session, self.controls)
        self.diagram = NetworkView()
        self.diagram.setSpec(self.state.spec)
        self.curves_by_mode = {mode: Curves() for mode in MODES}
        self.curves_box = QStackedWidget()
        for curves in self.curves_by_mode.values():
            self.curves_box.addWidget(curves)
            curves.runsShown.connect(self.controls.refresh)        # Clear runs needs runs on the plots
        self.state.modeChanged.connect(lambda mode: self.curves_box.setCurrentWidget(self.curves_by_mode[mode]))
        self.steps = StepControls(self.state, self.runs, self.diagram, self.controls)
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.editor)
        column.addWidget(self.panel)
        self.panel.add_beside_start(self.steps.step_button)     # Start | One epoch | Step; its playback is right
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(420)
        right = QSplitter(Qt.Vertical)
        right.addWidget(self.diagram)
        right.addWidget(self._scrolled(self.steps))
        right.addWidget(self.curves_box)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(2, 3)
        right.setSizes([300, 190, 290])            # the step's explanation: room for its formulas
        split = QSplitter(Qt.Horizontal)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([440, 840])
        self.panel.startRequested.connect(self.start_training)
        self.panel.oneEpochRequested.connect(self.train_one_epoch)
        self.panel.pauseToggled.connect(self.toggle_pause)
        self.panel.stopRequested.connect(self.stop)
        self.panel.datasetRequested.connect(self.choose_dataset)
        return split

    @staticmethod
    def _scrolled(widget) -> QScrollArea:
        scroll = QScrollArea()
        scroll.setWidget(widget)
        scroll.setWidgetResizable(True)
        scroll.setFrameShape(QScrollArea.NoFrame)
        return scroll

    def _wire_model(self) -> None:
        st = self.state
        st.specChanged.connect(self.diagram.setSpec)
        st.networkChanged.connect(self.diagram.setNetwork)
        st.resultsChanged.connect(self.panel.show_result)
        st.datasetChanged.connect(self._on_dataset)
        st.datasetFailed.connect(self._dataset_failed)
        st.noteChanged.connect(lambda text: self.say(text, 8000))
        self.runs.failed.connect(self._on_failed)
        self.runs.stepped.connect(self._on_stepped)
        self.controls.refused.connect(self.status.refuse)

    def _wire_session(self) -> None:
        s = self.session
        s.started.connect(self._on_started)
        s.batchChunk.connect(lambda batches: self.curves.add_batches(batches))
        s.batchStats.connect(self.panel.progress.on_batch)
        s.epochStats.connect(lambda stats: self.curves.add_epoch(stats))
        s.finished.connect(self._on_finished)
        s.failed.connect(self._on_failed)
        s.controlChanged.connect(lambda name, v: self.curves.mark(f"{name.replace('_', ' ')} → {v:g}"))
        s.warning.connect(lambda text: self.say(text, 8000))

    # ---- menus --------------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        self.train_menu = self.menuBar().addMenu("&Train")
        self.start_action = QAction("&Start / Pause", self, shortcut=QKeySequence("Ctrl+Return"),
                                    triggered=self._start_or_pause)
        self.stop_action = QAction("S&top", self, shortcut=QKeySequence("Esc"), triggered=self.stop)
        self.epoch_action = QAction("&One epoch", self, triggered=self.train_one_epoch)
        self.clear_runs_action = QAction("&Clear runs", self, triggered=self.clear_runs)
        for a in (self.start_action, self.stop_action, self.epoch_action, self.clear_runs_action):
            self.train_menu.addAction(a)
        self.controls.bind("stop", self.stop_action)
        self.controls.bind("one_epoch", self.epoch_action)
        self.controls.bind("clear_runs", self.clear_runs_action)
        self.controls.define("has_runs", lambda: bool(self.curves.runs))
        self.controls.define("run_started", self.runs.handed)
        from app.menus import install    # File (before Train), View and Help: the document, exports, dialogs
        install(self)

    # ---- training -----------------------------------------------------------------------------------
    def _start_or_pause(self) -> None:
        if self.controls.allowed("pause"):
            self.toggle_pause()
        else:
            self.start_training()

    def start_training(self) -> None:
        """A fresh network from the current architecture, trained with the current settings (a new run)."""
        if self.controls.attempt("start"):
            self.train(None, self.state.config(), Run(run_label(self.state.spec, self.state.settings)))

    def train_one_epoch(self) -> None:
        """One more epoch for the current network (a fresh one if there is none)."""
        if not self.controls.attempt("one_epoch"):
            return
        st = self.state
        net = st.network.copy() if st.network is not None and st.trained else None
        label = run_label(st.spec, st.settings) + " · one epoch at a time"
        offset = len(net.history) if net is not None else 0
        self.train(net, st.config(epochs=1), Run(label, continues=net is not None, offset=offset))

    def train(self, net, cfg, run: Run) -> None:
        """Train `net` (None: a fresh one from the spec) on the model's data set, loading it first if needed."""
        try:
            cfg.validate()                     # before loading anything: bad settings are said at once
            net = net if net is not None else Network.from_spec(self.state.spec)
        except EngineError as e:
            self._on_failed(str(e))
            return
        self.runs.start(net, cfg, run, trained=run.continues)

    def stop(self) -> None:
        if self.controls.allowed("stop"):
            self.runs.cancel()

    def clear_runs(self) -> None:
        """Take every run off the current mode's curves (the results table keeps them)."""
        if self.controls.attempt("clear_runs"):
            self.curves.clear()
            self.controls.refresh()

    def _on_started(self) -> None:
        run, cfg = self.session.run, self.session.config
        if not (run.continues and self.curves.current is not None):
            self.curves.begin_run(run.label, augment=cfg.augment)
            self.curves.current.key = self.state.begin_run(run.label, run.spec, run.settings, run.kind)["id"]
        self.curves.current.offset = run.offset
        self.curves.set_epochs(run.offset + cfg.epochs)
        self.panel.begin(cfg.epochs)

    def _on_stepped(self, result) -> None:
        """A Step adds its batch's loss to the curves, like training; a new sequence of steps is a new run."""
        rec = result.record
        if not (result.continued and self.curves.current is not None):
            label = run_label(self.state.spec, self.state.settings) + " · one step at a time"
            self.curves.begin_run(label)
            self.curves.current.key = self.state.begin_run(label, kind="step")["id"]
            self.curves.current.offset = len(result.network.history)
        self.curves.add_batches([step_batch_stats(rec)])
        self.controls.refresh()

    def toggle_pause(self) -> None:
        if not self.controls.allowed("pause"):
            return
        if self.session.is_paused():
            self.session.resume()
        else:
            self.session.pause()

    # ---- data sets ----------------------------------------------------------------------------------
    def choose_dataset(self, name: str) -> None:
        """Load a data set on a worker thread; the spec's input and output sizes follow it."""
        if self.controls.attempt("choose_data"):
            self.state.load_dataset(name)
        else:
            self.panel.show_dataset(self.state.dataset_name)

    def _on_dataset(self, ds) -> None:
        self.diagram.setImageShape(getattr(ds, "image_shape", None))
        shown = (self.state.dataset_name, repr(getattr(ds, "params", None)))
        seen = self._curves_data.setdefault(self.state.mode, shown)
        if ds is not None and seen != shown:
            self.curves.clear()        # runs on other data are not comparable; the results table keeps them all
        if ds is not None:
            self._curves_data[self.state.mode] = shown
        self.panel.show_dataset(self.state.dataset_name)
        if ds is not None and self.state.activity.kind == LOADING:
            what = "images" if len(getattr(ds, "image_shape", (28, 28))) == 2 else "points"
            self.say(f"Loaded {ds.name}: {len(ds.x_train):,} training {what}.", 8000)

    def _dataset_failed(self, message: str) -> None:
        self.panel.show_dataset(self.state.dataset_name)
        self._on_failed(message)

    # ---- what the session reports -------------------------------------------------------------------
    def _on_finished(self, fin) -> None:
        self.curves.redraw()
        self.panel.progress.on_finished(fin)
        self.state.settle()
        run = self.curves.current
        if fin.best_epoch and self.state.settings.get("patience") and run is not None:
            self.curves.mark_best(fin.best_epoch + run.offset)
        if fin.reason == "diverged":
            self.panel.show_error(fin.message + " Lower the learning rate and press Start again.")
        self.say(fin.message, 0)

    def _on_failed(self, message: str) -> None:
        self.panel.show_error(message)
        self.say(message, 0)

    # ---- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if not self.document.may_discard():         # unsaved work: the user saves, discards or stays
            event.ignore()
            return
        self.last_session.save()
        self.autosave.closing()
        if not self.session.shutdown(timeout_ms=10000):
            self.say("Waiting for training to stop…", 0)
        super().closeEvent(event)
