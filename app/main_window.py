"""MainWindow: menus, tabs and status bar; the "Build & train" tab wires the editor, diagram, panel and curves.

Other features add their tab in _build_tabs() and their menus in _build_menus(), one line each.
"""
from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (QLabel, QMainWindow, QMessageBox, QScrollArea, QSplitter, QTabWidget, QVBoxLayout,
                               QWidget)

from app.session import TrainingSession
from app.run_label import run_label
from app.state import AppState
from app.widgets.curves import Curves
from app.widgets.layer_editor import LayerEditor
from app.widgets.network_view import NetworkView
from app.widgets.training_panel import TrainingPanel


class MainWindow(QMainWindow):
    def __init__(self, parent=None):
        super().__init__(parent)
        self.setWindowTitle("MLP Studio")
        self.state = AppState(self)
        self.session = TrainingSession(self)
        self.tabs = QTabWidget()
        self.tabs.setDocumentMode(True)
        self.setCentralWidget(self.tabs)
        self._build_tabs()
        self._build_menus()
        self.statusBar().showMessage("Ready: press Start to train the network on the bundled sample of digits.")
        self.resize(1280, 800)

    # ---- tabs ---------------------------------------------------------------------------------------
    def _build_tabs(self) -> None:
        self.tabs.addTab(self._build_train_tab(), "Build && train")
        from app.widgets.inside.inside_tab import InsideTab
        self.tabs.addTab(InsideTab(self.state, self.session), "Look inside")
        from app.widgets.draw_tab import DrawTab
        self.tabs.addTab(DrawTab(self.state), "Draw")
        self.tabs.currentChanged.connect(lambda _: self.session.hold())   # the shown tab paints first

    def _build_train_tab(self) -> QWidget:
        st = self.state
        self.editor = LayerEditor(st)
        self.panel = TrainingPanel(st, self.session)
        self.diagram = NetworkView()
        self.diagram.setSpec(st.spec)
        self.curves = Curves()
        left = QWidget()
        column = QVBoxLayout(left)
        column.setContentsMargins(6, 6, 6, 6)
        column.addWidget(self.editor)
        column.addWidget(self.panel)
        column.addStretch(1)
        scroll = QScrollArea()
        scroll.setWidget(left)
        scroll.setWidgetResizable(True)
        scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarAlwaysOff)
        scroll.setMinimumWidth(420)
        right = QSplitter(Qt.Vertical)
        right.addWidget(self.diagram)
        right.addWidget(self.curves)
        right.setStretchFactor(0, 2)
        right.setStretchFactor(1, 3)
        split = QSplitter(Qt.Horizontal)
        split.addWidget(scroll)
        split.addWidget(right)
        split.setStretchFactor(1, 1)
        split.setSizes([440, 840])

        st.specChanged.connect(self.diagram.setSpec)
        st.networkChanged.connect(self.diagram.setNetwork)
        st.datasetChanged.connect(lambda ds: self.diagram.setImageShape(getattr(ds, "image_shape", None)))
        self.panel.startRequested.connect(self.start_training)
        self.panel.oneEpochRequested.connect(self.train_one_epoch)
        self.panel.pauseToggled.connect(self.toggle_pause)
        self.panel.stopRequested.connect(self.session.stop)
        self.panel.datasetRequested.connect(self.choose_dataset)
        s = self.session
        s.batchChunk.connect(self.curves.add_batches)
        s.batchStats.connect(self.panel.on_batch)
        s.epochStats.connect(self.curves.add_epoch)
        s.weightsUpdated.connect(lambda net: st.set_network(net, trained=True))
        s.datasetLoaded.connect(lambda ds: st.set_dataset(st.dataset_name, ds))
        s.testEvaluated.connect(self._on_test_accuracy)
        s.finished.connect(self._on_finished)
        s.failed.connect(self._on_failed)
        s.stateChanged.connect(self._on_state)
        s.controlChanged.connect(lambda name, v: self.curves.mark(f"{name.replace('_', ' ')} → {v:g}"))
        s.warning.connect(lambda text: self.statusBar().showMessage(text, 8000))
        st.noteChanged.connect(lambda text: self.statusBar().showMessage(text, 8000))
        return split

    # ---- menus --------------------------------------------------------------------------------------
    def _build_menus(self) -> None:
        bar = self.menuBar()
        self.file_menu = bar.addMenu("&File")
        quit_action = QAction("&Quit", self, shortcut=QKeySequence.Quit, triggered=self.close)
        self.file_menu.addAction(quit_action)
        self.train_menu = bar.addMenu("&Train")
        self.start_action = QAction("&Start / Pause", self, shortcut=QKeySequence("Ctrl+Return"),
                                    triggered=self._start_or_pause)
        self.stop_action = QAction("S&top", self, shortcut=QKeySequence("Esc"), triggered=self.session.stop)
        self.epoch_action = QAction("&One epoch", self, triggered=self.train_one_epoch)
        self.clear_runs_action = QAction("&Clear runs", self, triggered=self.curves.clear)
        for a in (self.start_action, self.stop_action, self.epoch_action, self.clear_runs_action):
            self.train_menu.addAction(a)
        self.help_menu = bar.addMenu("&Help")
        self.help_menu.addAction(QAction("&About MLP Studio", self, triggered=self._about))
        from app.menus import install
        install(self)  # fills File and Help, adds View > Theme; projects, recent files, settings (issue 8)

    def _about(self) -> None:
        QMessageBox.about(self, "About MLP Studio",
                          "<b>MLP Studio</b><br>Build a multi-layer perceptron, train it on handwritten digits, "
                          "look inside it and test it on digits you draw.<br>MNIST: Yann LeCun, Corinna Cortes "
                          "and Christopher J.C. Burges.")

    # ---- training -----------------------------------------------------------------------------------
    def _start_or_pause(self) -> None:
        if self.session.is_running():
            self.toggle_pause()
        else:
            self.start_training()

    def start_training(self) -> None:
        """A fresh network from the current architecture, trained with the current settings (a new run)."""
        self._train(None, self.state.config(), run_label(self.state.spec, self.state.settings))

    def train_one_epoch(self) -> None:
        """One more epoch for the current network (a fresh one if there is none)."""
        st = self.state
        net = st.network.copy() if st.network is not None and st.trained else None
        offset = len(net.history) if net is not None else 0
        self._train(net, st.config(epochs=1), run_label(st.spec, st.settings) + " · one epoch at a time",
                    continue_run=net is not None, offset=offset)

    def _train(self, net, cfg, label: str, continue_run: bool = False, offset: int = 0) -> None:
        from engine.errors import EngineError
        from engine.network import Network
        if self.session.is_running():
            return
        try:
            cfg.validate()
            if net is None:
                net = Network.from_spec(self.state.spec)
        except EngineError as e:
            self._on_failed(str(e))
            return
        if not (continue_run and self.curves.current is not None):
            self.curves.begin_run(label)
        self.curves.current.offset = offset
        self.curves.set_epochs(offset + cfg.epochs)
        self.panel.begin(cfg.epochs)
        dataset = self.state.dataset if self.state.dataset is not None else self.state.dataset_name
        self.statusBar().showMessage("Training…" if not isinstance(dataset, str) else "Loading the data set…")
        self.session.start(net, cfg, dataset)

    def toggle_pause(self) -> None:
        if self.session.is_paused():
            self.session.resume()
        else:
            self.session.pause()

    def choose_dataset(self, name: str) -> None:
        """Load a data set on a worker thread; the spec's input and output sizes follow it."""
        from superqt.utils import FunctionWorker

        from engine.data import load_dataset
        self.statusBar().showMessage(f"Loading {name}…")
        worker = FunctionWorker(load_dataset, name)
        worker.returned.connect(lambda ds: self._dataset_loaded(name, ds))
        worker.errored.connect(lambda e: (self.panel.show_dataset(self.state.dataset_name), self._on_failed(str(e))))
        self._loader = worker
        worker.start()

    def _dataset_loaded(self, name: str, ds) -> None:
        self.state.set_dataset(name, ds)
        self.panel.show_dataset(name)
        self.statusBar().showMessage(f"Loaded {ds.name}: {len(ds.x_train):,} training images.", 8000)

    def _on_state(self, state: str) -> None:
        self.state.set_training_state(state)
        self.panel.set_running_state(state)
        self.editor.setEnabled(state == "idle")
        if state == "paused":
            self.statusBar().showMessage("Paused. Resume to continue training from here.")
        elif state == "running":
            self.statusBar().showMessage("Training…")

    def _on_finished(self, fin) -> None:
        self.curves.redraw()
        self.panel.on_finished(fin)
        if fin.best_epoch and self.state.settings.get("patience"):
            self.curves.mark_best(fin.best_epoch + self.curves.current.offset)
        if fin.reason == "diverged":
            self.panel.result.setStyleSheet("color: #c62828;")
            self.panel.result.setText(fin.message + " Lower the learning rate and press Start again.")
        self.statusBar().showMessage(fin.message)

    def _on_test_accuracy(self, acc: float) -> None:
        ds = self.state.dataset
        n = len(ds.x_test) if ds is not None else 0
        self.panel.result.setStyleSheet("")
        self.panel.result.setText(f"<b>Test accuracy: {100 * acc:.2f}%</b> on {n:,} test digits it never saw.")

    def _on_failed(self, message: str) -> None:
        self.panel.result.setStyleSheet("color: #c62828;")
        self.panel.result.setText(message)
        self.statusBar().showMessage(message)

    # ---- closing ------------------------------------------------------------------------------------
    def closeEvent(self, event) -> None:
        if not self.session.shutdown(timeout_ms=10000):
            self.statusBar().showMessage("Waiting for training to stop…")
        super().closeEvent(event)
