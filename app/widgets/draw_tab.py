"""The "Draw" tab: draw a digit, see what the network sees and thinks, teach it your handwriting."""
from __future__ import annotations

import numpy as np
from PySide6.QtCore import Qt, QTimer
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (QCheckBox, QFileDialog, QFrame, QGridLayout, QHBoxLayout, QLabel, QMessageBox,
                               QPushButton, QTabWidget, QVBoxLayout, QWidget)

from app.familiarity import Familiarity
from app.handwriting import PersonalDigits
from engine.errors import EngineError
from engine.network import Network
from engine.preprocess import FIELD, preprocess_digit

from .digit_image import DigitImage
from .fact_label import FactLabel
from .draw_canvas import DrawCanvas, rasterize
from .guess_panel import GuessPanel
from .prediction_bars import PredictionBars
from .teach_panel import TeachPanel

PREDICT_EVERY_MS = 40          # live prediction at most 25 times a second, never queued behind the pen


def _caption(text: str) -> QLabel:
    label = QLabel(text)
    label.setAlignment(Qt.AlignCenter)
    return label


class DrawTab(QWidget):
    """Follows the app's model: `state.network` / `state.trained` and `networkChanged`; the drawing goes to the
    model as `state.drawn_digit`; a loaded model goes back through `state.set_network`. Teaching and fine-tuning
    are the TeachPanel's (a run of the one TrainingSession, started by `runs`); `digits` defaults to the user's
    own handwriting set."""

    def __init__(self, state, runs, controls, parent=None, digits: PersonalDigits | None = None):
        super().__init__(parent)
        self.state, self.runs = state, runs
        self.network = None
        self.image = None                       # the current 28x28 network input, or None
        self.probabilities = None
        self._strokes_changed = True            # redo the preprocessing only when the drawing changed
        self._stale = False                     # a network arrived while the tab was hidden
        self.familiarity = Familiarity(state, self)
        self._build(TeachPanel(state, runs, controls, digits))
        self.familiarity.ready.connect(self._familiarity_ready)
        state.networkChanged.connect(self.set_network)
        self.set_network(state.network)

    # ---- layout ----
    def _build(self, teacher) -> None:
        middle = QHBoxLayout()
        middle.addLayout(self._build_pad(), 3)
        middle.addLayout(self._build_guess(), 2)
        layout = QVBoxLayout(self)
        layout.addWidget(self._build_banner())
        layout.addLayout(middle, 1)
        self.teacher = teacher
        layout.addWidget(teacher)
        self.status = FactLabel(self.state)     # about the network shown: it goes when another comes
        self.status.setObjectName("drawStatus")
        layout.addWidget(self.status)
        teacher.message.connect(self.status.say)
        teacher.taught.connect(self._taught)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREDICT_EVERY_MS)
        self._timer.timeout.connect(self.update_prediction)

    def _build_banner(self) -> QFrame:
        self.banner = QFrame()
        self.banner.setObjectName("drawModelBanner")
        self.banner.setFrameShape(QFrame.StyledPanel)
        self.banner_text = QLabel()
        self.banner_text.setWordWrap(True)
        self.train_button = QPushButton("Train a network…")
        self.train_button.clicked.connect(self.go_to_training)
        self.load_button = QPushButton("Load a model…")
        self.load_button.clicked.connect(self.load_model)
        b = QHBoxLayout(self.banner)
        b.addWidget(self.banner_text, 1)
        b.addWidget(self.train_button)
        b.addWidget(self.load_button)
        return self.banner

    def _build_pad(self) -> QVBoxLayout:
        self.canvas = DrawCanvas()
        self.canvas.strokesChanged.connect(self._on_strokes_changed)
        self.clear_button = QPushButton("Clear")
        self.clear_button.setObjectName("clearCanvasButton")
        self.clear_button.setAccessibleName("clearCanvasButton")
        self.clear_button.setToolTip("Clear the pad (Delete)")
        self.clear_button.clicked.connect(self.canvas.clear)
        self.undo_button = QPushButton("Undo stroke")
        self.undo_button.setToolTip("Remove the last stroke (Ctrl+Z)")
        self.undo_button.clicked.connect(self.canvas.undo)
        self.steps_box = QCheckBox("Show steps")
        self.steps_box.setToolTip("Show how the drawing becomes the network's 28x28 input")
        self.steps_box.toggled.connect(self._show_steps)
        for keys, slot, what in ((QKeySequence.StandardKey.Undo, self.canvas.undo, "Undo the last stroke"),
                                 (Qt.Key_Delete, self.canvas.clear, "Clear the drawing pad")):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.WidgetWithChildrenShortcut)
            shortcut.setWhatsThis(what)
            shortcut.activated.connect(slot)
        tools = QHBoxLayout()
        tools.addWidget(self.clear_button)
        tools.addWidget(self.undo_button)
        tools.addStretch(1)
        tools.addWidget(self.steps_box)
        left = QVBoxLayout()
        left.addWidget(self.canvas, 1)
        left.addLayout(tools)
        return left

    def _build_guess(self) -> QVBoxLayout:
        self.guess = GuessPanel()
        self.input_view = DigitImage("networkInputView", min_side=112)
        self.input_view.setToolTip("The 28x28 image the network receives")
        seen = QVBoxLayout()
        seen.addWidget(_caption("What it sees (28x28)"))
        seen.addWidget(self.input_view, 1)
        top_right = QHBoxLayout()
        top_right.addWidget(self.guess, 1)
        top_right.addLayout(seen, 1)

        self.chart = PredictionBars()
        self.steps_panel = QWidget()
        steps = QGridLayout(self.steps_panel)
        steps.setContentsMargins(0, 0, 0, 0)
        self.step_views = {}
        for col, (key, text) in enumerate((("crop", "1. crop to the ink"), ("scaled", "2. longer side → 20 px"),
                                            ("centred", "3. centre of mass → (14, 14)"))):
            view = DigitImage(f"step_{key}", min_side=72)
            self.step_views[key] = view
            steps.addWidget(view, 0, col)
            steps.addWidget(_caption(text), 1, col)
        self.steps_panel.setVisible(False)

        right = QVBoxLayout()
        right.addLayout(top_right, 2)
        right.addWidget(self.guess.caution)
        right.addWidget(self.chart, 2)
        right.addWidget(self.steps_panel, 1)
        return right

    # ---- the model ----
    def set_network(self, net) -> None:
        self.network = net
        problem = self._model_problem(net)
        self.banner_text.setText(problem or "")
        self.banner.setVisible(bool(problem))
        if not self.isVisible():                 # while training, weights arrive several times a second
            self._stale = True
        elif self.image is not None or self.probabilities is not None:
            self._timer.start()                  # its own event-loop pass, not the session update's

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._stale:
            self._stale = False
            self.update_prediction()

    def _model_problem(self, net) -> str | None:
        if net is None:
            return ("No trained network yet, so there is nothing to ask. Train one in the Build & train tab, "
                    "or load a saved model.")
        if net.input_size != FIELD * FIELD:
            return (f"This network takes {net.input_size} inputs, but a drawing becomes a 28x28 = 784-pixel "
                    "image. Build or load a network for 28x28 digits.")
        if not getattr(self.state, "trained", True):
            return "This network has not been trained yet: its guesses are random. Train it first."
        return None

    def _usable(self) -> bool:
        net = self.network
        return net is not None and net.input_size == FIELD * FIELD

    def go_to_training(self) -> None:
        """Switch the main window to the Build & train tab."""
        w = self.parentWidget()
        while w is not None and not isinstance(w, QTabWidget):
            w = w.parentWidget()
        if w is None:
            return
        for i in range(w.count()):
            if "train" in w.tabText(i).lower():
                w.setCurrentIndex(i)
                return

    def load_model(self) -> None:
        path, _ = QFileDialog.getOpenFileName(self, "Load a model", "", "MLP Studio models (*.npz);;All files (*)")
        if not path:
            return
        try:
            net = Network.load(path)
        except EngineError as exc:
            QMessageBox.warning(self, "Could not load the model", str(exc))
            return
        self.state.set_network(net, trained=True)
        self.status.say(f"Loaded {path}.")

    # ---- prediction ----
    def _on_strokes_changed(self) -> None:
        self._strokes_changed = True
        if not self._timer.isActive():         # fire 40 ms after the first change, not after the last
            self._timer.start()

    def update_prediction(self) -> None:
        self._timer.stop()
        if self._strokes_changed:
            self._strokes_changed = False
            gray = rasterize(self.canvas.strokes())
            image, steps = preprocess_digit(gray, return_steps=True) if gray is not None else (None, None)
            self.image = image
            self.state.set_drawn_digit(image)
            self.input_view.set_array(image)
            for key, view in self.step_views.items():
                view.set_array(None if steps is None else getattr(steps, key))
        image = self.image
        self.probabilities = self.unfamiliar = None
        if image is not None and self._usable():
            self.probabilities = self.network.predict_proba(image.reshape(1, -1))[0]
            self.unfamiliar = self.familiarity.judge(self.network, image.reshape(1, -1))
        self.guess.show_probabilities(self.probabilities, bool(self.unfamiliar))
        finite = self.probabilities is not None and np.all(np.isfinite(self.probabilities))
        self.chart.set_probabilities(self.probabilities if finite else None)     # the panel says why not

    def _familiarity_ready(self) -> None:
        """A threshold for the current network arrived: judge the drawing on the pad now."""
        if self.image is not None and self.isVisible():
            self.update_prediction()
        elif self.image is not None:
            self._stale = True

    def _show_steps(self, on: bool) -> None:
        self.steps_panel.setVisible(on)

    def _taught(self) -> None:
        """A digit went into the handwriting set: a clean pad for the next one."""
        self.canvas.clear()
        self._strokes_changed = True
        self.update_prediction()
