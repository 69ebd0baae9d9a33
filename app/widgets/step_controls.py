"""StepControls: take one training step and walk through it in the course's three phases on the network diagram.

Step (`stepButton`) asks Runs for one optimizer step on the model's network (on the session's worker; refused with
a sentence while training runs). The step is then shown phase by phase (`stepPhaseLabel`): Next phase
(`stepNextButton`) by hand, or Play (`stepPlayButton`) through its stages at the chosen speed (0 ms: instant),
taking the next step when one ends until Play is switched off. A clicked connection shows the optimizer's rule in
this step's numbers and offers a gradient check (`gradientCheckButton`) on a float64 copy, on a worker.
Step is placed beside Start (Start | One epoch | Step); the widget itself is the explanation beside the diagram, its
phase label in one row with Next phase, Play, the speed and the sample shown.
"""
from __future__ import annotations

import html

import numpy as np
from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QSpinBox, QVBoxLayout, QWidget
from superqt.utils import FunctionWorker

from app import step_text
from app.excepthook import report_bug
from app.widgets.named import named
from app.widgets.step_overlay import StepOverlay
from engine.errors import EngineError
from engine.events import BatchStats
from engine.gradcheck import gradient_check
from engine.step import sample_loss, update_in_numbers

DEFAULT_SPEED_MS = 600      # the diagram repaints at most twice a second: each stage gets its picture
IDLE_TEXT = "Step: one optimizer step on the current network, shown in the course's three phases."


def _label(name: str) -> QLabel:
    label = named(QLabel(""), name)
    label.setWordWrap(True)
    label.setTextFormat(Qt.RichText)
    label.setTextInteractionFlags(Qt.TextSelectableByMouse)
    return label


class StepControls(QWidget):
    phaseShown = Signal(int, str)          # phase (0, 1, 2) and its stage kind, each time the diagram changes
    gradientChecked = Signal(object)       # engine GradientCheck of the clicked connection

    def __init__(self, state, runs, diagram, parent=None):
        super().__init__(parent)
        self.state, self.runs, self.diagram = state, runs, diagram
        self.result = None                 # session.Stepped being shown
        self.overlay: StepOverlay | None = None
        self.selected = None               # (layer, i, j) of the clicked connection
        self._check_worker = None
        self._target = 0                   # the stage the playback runs to (the phase's end, or the step's)
        self._stepping = False
        self._timer = QTimer(self, singleShot=True, timeout=self._advance)
        self._build()
        runs.stepped.connect(self._stepped)
        runs.refused.connect(self._refused)
        runs.failed.connect(self._failed)
        runs.session.failed.connect(self._failed)
        state.networkChanged.connect(self._network_changed)
        runs.session.stateChanged.connect(self._session_state)
        diagram.connectionClicked.connect(self.select_connection)

    # ---- building -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.step_button = named(QPushButton("Step"), "stepButton", "Take one optimizer step on the next batch "
                                  "and show its forward pass, error estimation and backward pass.")
        self.next_button = named(QPushButton("Next phase"), "stepNextButton", "Show the step's next phase.")
        self.play_button = named(QPushButton("Play"), "stepPlayButton", "Play the phases at the chosen speed, "
                                  "then take the next step, until switched off.")
        self.play_button.setCheckable(True)
        self.speed = named(QSpinBox(), "stepSpeed", "Time per stage of the playback; 0 shows each step at once.")
        self.speed.setRange(0, 5000)
        self.speed.setSingleStep(100)
        self.speed.setSuffix(" ms")
        self.speed.setValue(DEFAULT_SPEED_MS)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(6, 2, 6, 2)
        self.phase_label = named(QLabel(IDLE_TEXT), "stepPhaseLabel")
        self.phase_label.setWordWrap(True)
        bold = self.phase_label.font()
        bold.setBold(True)
        self.phase_label.setFont(bold)
        self.sample = named(QSpinBox(), "stepSampleSpin", "Which sample of the batch the diagram shows.")
        self.sample.setRange(1, 1)
        self.sample.setPrefix("sample ")
        self.sample.setKeyboardTracking(False)
        head = QHBoxLayout()                   # the phase beside its playback; Step itself is beside Start
        head.addWidget(self.phase_label, 1)
        for w in (self.next_button, self.play_button, self.speed, self.sample):
            head.addWidget(w, 0, Qt.AlignTop)
        outer.addLayout(head)
        self.details = _label("stepDetails")
        outer.addWidget(self.details)
        self.connection = _label("stepConnection")
        outer.addWidget(self.connection)
        self.check_button = named(QPushButton("Check the gradient"), "gradientCheckButton", "Compute dL/dW of the "
                                   "clicked connection by finite differences on a float64 copy (same batch).")
        self.check_result = _label("gradientCheckResult")
        check_row = QHBoxLayout()
        check_row.addWidget(self.check_button)
        check_row.addWidget(self.check_result, 1)
        outer.addLayout(check_row)
        outer.addStretch(1)
        self.step_button.clicked.connect(self.take_step)
        self.next_button.clicked.connect(self.next_phase)
        self.play_button.toggled.connect(self._play_toggled)
        self.check_button.clicked.connect(self.check_gradient)
        self.sample.valueChanged.connect(self._sample_chosen)
        self._update_buttons()

    def _update_buttons(self) -> None:
        self.next_button.setEnabled(self.overlay is not None and self.overlay.phase < 2)
        self.check_button.setEnabled(self.overlay is not None and self.selected is not None
                                     and self._check_worker is None)

    # ---- taking a step ------------------------------------------------------------------------------
    def take_step(self) -> None:
        if self.runs.step(self.sample.value() - 1):
            self._stepping = True          # the network that arrives next is this step's
            self.step_button.setEnabled(False)
            self.phase_label.setText("Taking a step…")

    def _refused(self, sentence: str) -> None:
        self._stop_playing()
        self.phase_label.setText(sentence)

    def _stepped(self, result) -> None:
        self._stepping = False
        self.step_button.setEnabled(True)
        self.result = result
        before = result.network.copy()
        before.params[...] = result.record.params_before
        self.overlay = StepOverlay(result.record, before, result.network, result.network.loss_name)
        self.sample.blockSignals(True)
        self.sample.setRange(1, result.record.batch_size)
        self.sample.setValue(result.record.sample + 1)
        self.sample.blockSignals(False)
        playing = self.play_button.isChecked()
        self._target = len(self.overlay.stages) - 1 if playing else self.overlay.last_stage_of(0)
        self.diagram.setOverlay(self.overlay)
        self._play_from(0)

    def _network_changed(self, net) -> None:
        """Another network (a run, a new architecture, a file): the step shown is no longer the diagram's."""
        if self.result is not None and net is not self.result.network and not self._stepping:
            self._clear()

    def _session_state(self, state: str) -> None:
        """Any run begins (Start, One epoch, a comparison, the range test): the step's playback ends with it."""
        if state == "running" and self.result is not None and not self._stepping:
            self._clear()

    def _clear(self) -> None:
        self._stop_playing()
        self.result, self.overlay, self.selected = None, None, None
        self.diagram.setOverlay(None)
        self.phase_label.setText(IDLE_TEXT)
        for label in (self.details, self.connection, self.check_result):
            label.setText("")
        self._update_buttons()

    def _sample_chosen(self, value: int) -> None:
        """Show another sample of the same batch (its own numbers; the update is the batch's)."""
        if self.overlay is None:
            return
        rec, s = self.overlay.rec, value - 1
        rec.sample = s
        rec.sample_loss = sample_loss(self.overlay.before, rec.zs[-1][s], rec.activations[-1][s], rec.targets[s])
        self._show()

    # ---- playback -----------------------------------------------------------------------------------
    def _play_from(self, stage: int) -> None:
        """Show `stage` (at speed 0: the target at once) and go on towards the target on the timer."""
        self.overlay.stage = stage if self.speed.value() > 0 else max(self._target, stage)
        self._show()
        if self.overlay.stage < self._target or self.play_button.isChecked():
            self._timer.start(self.speed.value())

    def next_phase(self) -> None:
        """The next phase, played stage by stage (δ flows back layer by layer, then the update)."""
        if self.overlay is None or self.overlay.phase >= 2:
            return
        self._timer.stop()
        phase = self.overlay.phase + 1
        if not self.play_button.isChecked():
            self._target = self.overlay.last_stage_of(phase)
        self._play_from(self.overlay.first_stage_of(phase))

    def _play_toggled(self, on: bool) -> None:
        if not on:
            self._timer.stop()
            if self.overlay is not None:
                self._target = self.overlay.stage
            return
        if self.overlay is None or self.overlay.done:
            self.take_step()
        else:
            self._target = len(self.overlay.stages) - 1
            self._timer.start(self.speed.value())

    def _advance(self) -> None:
        """One playback tick: the next stage, or the next step once this one is shown to its end."""
        if self.overlay is None:
            return
        if self.overlay.stage < self._target:
            self._play_from(self.overlay.stage + 1)
        elif self.play_button.isChecked() and self.overlay.done:
            self.take_step()

    def _failed(self, sentence: str) -> None:
        if not self.step_button.isEnabled():          # it was our step: say why here too
            self.phase_label.setText(sentence)
        self._stop_playing()

    def _stop_playing(self) -> None:
        self._timer.stop()
        self._stepping = False
        self.step_button.setEnabled(True)
        if self.play_button.isChecked():
            self.play_button.setChecked(False)

    # ---- what is shown ------------------------------------------------------------------------------
    def _show(self) -> None:
        ov, rec = self.overlay, self.overlay.rec
        kind, k = ov.stages[ov.stage]
        where = ""
        if kind == "forward":
            where = f" · layer {k} of {len(rec.zs)}" if k else " · the inputs enter"
        elif kind == "backward":
            where = f" · δ back to layer {k}"
        elif kind == "update":
            where = " · the update is applied"
        self.phase_label.setText(step_text.PHASE_TITLES[ov.phase] + where)
        parts = [step_text.batch_note(rec)]
        if ov.phase == 0:
            parts.append("Hover a neuron: z = Σ w·x + b and a = f(z) with this sample's numbers.")
        elif ov.phase == 1:
            parts.append(step_text.error_text(rec, ov.loss))
        else:
            parts.append(step_text.optimizer_line(rec))
            if kind == "update":
                parts.append(step_text.loss_change(rec))
        self.details.setText("<br>".join(parts))
        self._show_connection()
        self.diagram.refresh()
        self._update_buttons()
        self.phaseShown.emit(ov.phase, kind)

    def select_connection(self, layer: int, i: int, j: int) -> None:
        self.selected = (layer, i, j)
        self.check_result.setText("")
        self._show_connection()
        self._update_buttons()

    def _show_connection(self) -> None:
        if self.overlay is None or self.selected is None:
            self.connection.setText("")
            return
        layer, i, j = self.selected
        if self.overlay.kind != "update":
            self.connection.setText(f"Connection {i}→{j} of layer {layer + 1}: its update appears in phase 3.")
            return
        rec, after = self.overlay.rec, self.overlay.after
        rule = update_in_numbers(rec, after, layer, i, j, self.state.settings.get("weight_decay", 0.0))
        self.connection.setText(step_text.connection_gradient(rec, layer, i, j, after)
                                + "<br>The optimizer's step in numbers: " + html.escape(rule))

    # ---- the gradient check -------------------------------------------------------------------------
    def check_gradient(self) -> None:
        """dL/dW of the clicked connection by central differences next to backprop, on a worker thread."""
        if self.overlay is None or self.selected is None or self.state.dataset is None:
            return
        rec, ds = self.overlay.rec, self.state.dataset
        X, y = ds.x_train[rec.indices], ds.y_train[rec.indices]
        worker = FunctionWorker(gradient_check, self.overlay.before, X, y, *self.selected)
        worker.returned.connect(lambda res, w=worker: self._checked(w, res))
        worker.errored.connect(lambda exc, w=worker: self._check_failed(w, exc))
        self._check_worker = worker
        self.check_result.setText("Checking…")
        self._update_buttons()
        worker.start()

    def _checked(self, worker, res) -> None:
        if worker is not self._check_worker:
            return
        self._check_worker = None
        verdict = "agrees" if res.relative_error < 1e-6 else "differs"
        self.check_result.setText(f"Gradient check on a float64 copy, same batch: {html.escape(str(res))}. "
                                  f"Backpropagation {verdict} with finite differences.")
        self._update_buttons()
        self.gradientChecked.emit(res)

    def _check_failed(self, worker, exc) -> None:
        if worker is not self._check_worker:
            return
        self._check_worker = None
        self.check_result.setText(str(exc) if isinstance(exc, EngineError) else report_bug(exc, "gradient check"))
        self._update_buttons()


def step_batch_stats(rec):
    """A Step's batch as training reports one (its loss before the update, its accuracy), for the curves."""
    out, Y = rec.activations[-1], rec.targets
    if out.shape[1] == 1:
        hits = np.count_nonzero((out[:, 0] > 0.5) == (Y[:, 0] > 0.5))
    else:
        hits = np.count_nonzero(out.argmax(axis=1) == Y.argmax(axis=1))
    return BatchStats(rec.epoch, rec.batch, rec.n_batches, rec.loss_before, hits / rec.batch_size, rec.lr, 0.0,
                      rec.batch_size)
