"""CoachHints (`coachHints`): engine.coach's hints on the run being trained or just finished, each with the evidence
in numbers and a one-click fix applied to the model's spec and settings (through AppState, so every view follows).

It only listens: the session's events are gathered as they come and judged on a timer (at most JUDGE_MS apart) and
when the run ends, so it never holds training up. Fixes wait for the run to end (they change the next run: the
actions table's `coach_fix`). Hints are facts about the model's generation they were judged in: another network,
data set, spec, setting or mode takes them away (during a run they are judged again from the run's events).
"""
from __future__ import annotations

import html

from PySide6.QtCore import QTimer, Signal
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from engine.coach import apply, hints, probe_units
from engine.errors import EngineError

JUDGE_MS = 300
PROBE_ROWS = 256
QUIET = "The coach reads the curves while you train and names anything that looks wrong, with a fix."
HEALTHY = "The coach sees nothing wrong with this run."


class _HintRow(QWidget):
    def __init__(self, hint, on_fix, parent=None):
        super().__init__(parent)
        self.hint = hint
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 2, 0, 2)
        self.text = QLabel()
        self.text.setWordWrap(True)
        self.button = QPushButton()
        self.button.setObjectName(f"coachFix_{hint.key}")
        self.button.setAccessibleName(f"coachFix_{hint.key}")
        self.button.clicked.connect(lambda: on_fix(self))
        row.addWidget(self.text, 1)
        row.addWidget(self.button)
        self.show_hint(hint)

    def show_hint(self, hint) -> None:
        self.hint = hint
        self.text.setText(f"<b>{html.escape(hint.title)}</b><br>{html.escape(hint.evidence)}")
        self.button.setText(hint.button)


class CoachHints(QFrame):
    findLrRequested = Signal()             # a hint's fix is "find a learning rate"
    judged = Signal(object)                # the hints shown after each judgement (engine.coach.Hint)

    def __init__(self, state, session, controls, parent=None):
        super().__init__(parent)
        self.setObjectName("coachHints")
        self.setAccessibleName("coachHints")
        self.setFrameShape(QFrame.StyledPanel)
        self.state, self.session, self.controls = state, session, controls
        self.history, self.probes, self.units, self.finished, self.record = [], [], [], None, None
        self.generation = state.generation
        self.spec = None
        self.rows: list[_HintRow] = []
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 4, 6, 4)
        layout.addWidget(QLabel("<b>Coach</b>"))
        self.status = QLabel(QUIET)
        self.status.setWordWrap(True)
        layout.addWidget(self.status)
        self.list = QVBoxLayout()
        layout.addLayout(self.list)
        self._timer = QTimer(self, singleShot=True, interval=JUDGE_MS, timeout=self.judge)
        session.started.connect(self._started)
        session.batchChunk.connect(self._batches)
        session.epochStats.connect(self._epoch)
        session.recorded.connect(self._recorded)
        session.finished.connect(self._finished)
        state.resultsChanged.connect(lambda _: self._timer.start() if self.finished is not None else None)
        state.generationChanged.connect(self._generation)
        state.activity.changed.connect(lambda _: self._enable())

    # ---- gathering --------------------------------------------------------------------------------------
    def _generation(self, generation: int) -> None:
        """What the hints were judged on changed: they go; a run in progress is judged again from its events."""
        if generation == self.generation:
            return
        self.generation = generation
        self._show([])
        if self.session.is_running():
            self._timer.start()
        else:
            self.history, self.probes, self.units, self.finished, self.record = [], [], [], None, None
            self.status.setText(QUIET)

    def _started(self) -> None:
        run = self.session.run
        self.generation = self.state.generation
        if not run.continues:
            self.history, self.probes, self.units = [], [], []
        self.spec = run.spec if run.spec is not None else self.state.spec   # the run's, whatever a fix does later
        self.finished = self.record = None
        self.judge()

    def _batches(self, batches) -> None:
        for b in batches:
            if b.grad_norms is not None or (b.epoch == 1 and b.batch == 1) or b.n_batches == 1:
                self.probes.append(b)
        if len(self.probes) > 200:             # the rules read the first batch and the last probed epoch
            self.probes = self.probes[:1] + self.probes[-150:]

    def _epoch(self, stats) -> None:
        self.history.append(stats)
        if not self._timer.isActive():
            self._timer.start()

    def _probe(self) -> None:
        """Dead and saturated units of the model's network (the latest weights) on a few training rows."""
        net, ds, last = self.state.network, self.state.dataset, self.history[-1].epoch if self.history else None
        if (self.session.run.kind == "compare" or net is None or ds is None or not len(ds.x_train)
                or net.input_size != ds.x_train.shape[1]):
            return                             # a compared run's network is not the model's
        if not self.units or self.units[-1].epoch != last or self.finished is not None:
            self.units = [probe_units(net, ds.x_train[:PROBE_ROWS], last)]   # one forward pass

    def _recorded(self, record) -> None:
        self.record = record

    def _finished(self, fin) -> None:
        self.finished = fin
        self.judge()

    # ---- judging and showing ------------------------------------------------------------------------------
    def current_hints(self) -> list:
        ds, run = self.state.dataset, self.session.run
        if not self.history and self.finished is None:
            return []
        spec = self.spec if self.spec is not None else self.state.spec
        acc = (self.record or {}).get("test_accuracy")
        if acc is None and run.kind != "compare" and self.finished is not None:
            acc = (self.state.results or {}).get("test_accuracy")
        k = getattr(ds, "n_classes", None)
        if getattr(ds, "task", "") == "regression":
            k = None                                          # chance level means nothing for numbers
        return hints(self.history, [*self.probes, *self.units], self.session.config, k, self.finished is None,
                     spec=spec, finished=self.finished, test_accuracy=acc)

    def judge(self) -> None:
        if self.history:
            self._probe()
        found = self.current_hints()
        self._show(found)
        self.status.setText(QUIET if not self.history else HEALTHY if not found else "")
        self.status.setVisible(not found)
        self.judged.emit(found)

    def _show(self, found: list) -> None:
        if [r.hint.key for r in self.rows] != [h.key for h in found]:
            for r in self.rows:
                r.deleteLater()
            self.rows = [_HintRow(h, self._fix, self) for h in found]
            for r in self.rows:
                self.list.addWidget(r)
                self.controls.bind("coach_fix", r.button)
        else:
            for r, h in zip(self.rows, found):
                if r.hint.evidence != h.evidence:
                    r.show_hint(h)
        self.status.setVisible(not found)
        self._enable()

    def _enable(self) -> None:
        calm = self.controls.allowed("coach_fix")
        for r in self.rows:
            r.button.setToolTip("Change the setting for the next run." if calm else
                                "The fix changes the next run: press it once this run has ended.")

    def _fix(self, row: _HintRow) -> None:
        h = row.hint
        if not self.controls.attempt("coach_fix"):
            return
        if h.action == "find_lr":
            self.findLrRequested.emit()
            return
        st = self.state
        try:
            spec, cfg = apply(h, st.spec, st.config())
        except EngineError as e:
            self.status.setText(str(e))
            self.status.setVisible(True)
            return
        if spec != st.spec:
            st.set_spec(spec)
        st.set_config(cfg)                      # a new generation: the hints it answered go
        self.status.setText(f"Applied: {html.escape(h.button)}. Press Start to train with it.")
        self.status.setVisible(True)
