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
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from app import step_text
from app.activity import IDLE, RUNS, STEPPING
from app.widgets.named import named
from app.widgets.step_overlay import StepOverlay
from app.widgets.wheel_guard import SpinBox
from engine.events import BatchStats
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

    def __init__(self, state, runs, diagram, controls, parent=None):
        super().__init__(parent)
        self.state, self.runs, self.diagram, self.controls = state, runs, diagram, controls
        self.result = None                 # session_jobs.Stepped being shown
        self.overlay: StepOverlay | None = None
        self.generation = None             # the model's generation the step shown belongs to
        self.selected = None               # (layer, i, j) of the clicked connection
        self._target = 0                   # the stage the playback runs to (the phase's end, or the step's)
        self._timer = QTimer(self, singleShot=True, timeout=self._advance)
        self._build()
        runs.stepped.connect(self._stepped)
        runs.failed.connect(lambda _: self._stop_playing())
        runs.session.failed.connect(lambda _: self._stop_playing())
        runs.checked.connect(self._checked)
        runs.checkFailed.connect(self._check_failed)
        state.generationChanged.connect(self._generation)
        state.activity.changed.connect(self._activity)
        diagram.connectionClicked.connect(self.select_connection)
        controls.bind("step", self.step_button)
        controls.bind("play", self.play_button)
        controls.bind("next_phase", self.next_button)
        controls.bind("step_sample", self.sample)
        controls.bind("gradient_check", self.check_button)
        controls.define("step_shown", lambda: self.overlay is not None)
        controls.define("phase_left", lambda: self.overlay is not None and self.overlay.phase < 2)
        controls.define("connection_picked", lambda: self.overlay is not None and self.selected is not None)

    # ---- building -----------------------------------------------------------------------------------
    def _build(self) -> None:
        self.step_button = named(QPushButton("Step"), "stepButton", "Take one optimizer step on the next batch "
                                  "and show its forward pass, error estimation and backward pass.")
        self.next_button = named(QPushButton("Next phase"), "stepNextButton", "Show the step's next phase.")
        self.play_button = named(QPushButton("Play"), "stepPlayButton", "Play the phases at the chosen speed, "
                                  "then take the next step, until switched off.")
        self.play_button.setCheckable(True)
        self.speed = named(SpinBox(), "stepSpeed", "Time per stage of the playback; 0 shows each step at once.")
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
        self.sample = named(SpinBox(), "stepSampleSpin", "Which sample of the batch the diagram shows.")
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

    def _update_buttons(self) -> None:
        self.controls.refresh()

    # ---- taking a step ------------------------------------------------------------------------------
    def take_step(self) -> None:
        if not (self.controls.attempt("step") and self.runs.step(self.sample.value() - 1)):
            self._stop_playing()

    def _activity(self, kind: str) -> None:
        """The pane says a step is being taken while one is (its only busy text; the activity owns it); any run
        (a comparison too: the curves are now its) ends the step shown; Play goes on once a step's job is over."""
        if kind in RUNS and self.result is not None:
            self._clear()
        if kind == STEPPING:
            self.phase_label.setText(self.state.activity.text())
        elif self.overlay is None:
            self.phase_label.setText(IDLE_TEXT)
        else:
            self._show_title()
        if (kind == IDLE and self.play_button.isChecked() and self.overlay is not None and self.overlay.done
                and not self._timer.isActive()):
            self._timer.start(self.speed.value())

    def _stepped(self, result) -> None:
        self.result = result
        self.generation = self.state.generation
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

    def _generation(self, generation: int) -> None:
        """Another network, data set, spec, setting or mode: the step shown, and a connection picked on the old
        network, are no longer the model's."""
        if self.result is not None and generation != self.generation:
            self._clear()
        elif self.result is None:
            self.selected = None

    def _clear(self) -> None:
        if self.state.activity.kind != STEPPING:      # not the next step arriving: Play stops, the pick goes
            self._stop_playing()
            self.selected = None
        self._timer.stop()
        self.result, self.overlay = None, None
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
            if self.state.activity.kind == STEPPING:
                return                         # the step's job is ending: _activity goes on when it has
            self.take_step()

    def _stop_playing(self) -> None:
        self._timer.stop()
        if self.play_button.isChecked():
            self.play_button.setChecked(False)

    # ---- what is shown ------------------------------------------------------------------------------
    def _show_title(self) -> None:
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

    def _show(self) -> None:
        ov, rec = self.overlay, self.overlay.rec
        kind = ov.stages[ov.stage][0]
        self._show_title()
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
        rule = update_in_numbers(rec, after, layer, i, j)      # with the decay the step was taken with
        self.connection.setText(step_text.connection_gradient(rec, layer, i, j, after)
                                + "<br>The optimizer's step in numbers: " + html.escape(rule))

    # ---- the gradient check -------------------------------------------------------------------------
    def check_gradient(self) -> None:
        """dL/dW of the clicked connection by central differences next to backprop, on the session's worker."""
        if self.overlay is None or self.selected is None or not self.controls.attempt("gradient_check"):
            return
        if self.runs.check_gradient(self.overlay.rec, self.overlay.before, *self.selected):
            self.check_result.setText("Checking…")

    def _checked(self, record, res) -> None:
        if self.overlay is None or record is not self.overlay.rec:
            return                                    # a check of a step no longer shown
        verdict = "agrees" if res.relative_error < 1e-6 else "differs"
        self.check_result.setText(f"Gradient check on a float64 copy, same batch: {html.escape(str(res))}. "
                                  f"Backpropagation {verdict} with finite differences.")
        self.gradientChecked.emit(res)

    def _check_failed(self, record, sentence: str) -> None:
        if self.overlay is not None and record is self.overlay.rec:
            self.check_result.setText(html.escape(sentence))


def step_batch_stats(rec):
    """A Step's batch as training reports one (its loss before the update, its accuracy), for the curves."""
    out, Y = rec.activations[-1], rec.targets
    if out.shape[1] == 1:
        hits = np.count_nonzero((out[:, 0] > 0.5) == (Y[:, 0] > 0.5))
    else:
        hits = np.count_nonzero(out.argmax(axis=1) == Y.argmax(axis=1))
    return BatchStats(rec.epoch, rec.batch, rec.n_batches, rec.loss_before, hits / rec.batch_size, rec.lr, 0.0,
                      rec.batch_size)
