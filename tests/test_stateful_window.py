"""A machine that clicks: Hypothesis drives the real MainWindow through random sequences of what a student does
(Start, One epoch, Pause/Resume, Stop, Step, Next phase, Play, the gradient check, Clear runs, New, Save, Open, the
mode switch, playground lessons, Show me, Compare, Find learning rate, tab switches, architecture edits, valid and
invalid values typed into the fields) and checks after every step what must always hold:
- no bug reached the exception hook;
- every control bound to an action is on exactly when the actions table allows it for the activity and the
  action's precondition (docs/ARCHITECTURE.md), and the activity agrees with the session's worker;
- no view shows a fact of another generation (the step shown, its gradient check, coach hints, the Draw tab's
  status, a finished run's "Done");
- within a bounded time after Stop the activity is idle;
- nothing the user made (trained weights, runs, step progress) was discarded without a question, except by the
  actions whose purpose is to replace the network (Start, One epoch, Step, Play).
Each rule waits until the app is idle or its run has visibly started, so a failing sequence replays as it ran
and shrinks. Derandomized under CI (tests/conftest.py); the budget keeps it within a few minutes.
"""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule
from PySide6.QtCore import QElapsedTimer, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton, QWidget

from app import excepthook
from app.activity import RUNS
from app.widgets.guide import show_me
from app.widgets.playground.lessons import LESSONS
from helpers_tiny_run import SETTINGS, tiny

STOP_BOUND_MS = 10000              # Stop ends any job within this (tiny data: a batch is a millisecond)
HOSTILE = ["", "abc", "0", "-5", "1e309", "nan", "１２", "2147483647", "0.5", "3", "0.01", "64"]
REPLACING = {"start", "one_epoch", "step", "play", "show_me:step"}   # their purpose: a new or changed network


def pump(ms: int = 0) -> None:
    """Let the window run for `ms` milliseconds (at least one pass of the event loop)."""
    timer = QElapsedTimer()
    timer.start()
    QApplication.processEvents()
    while timer.elapsed() < ms:
        QApplication.processEvents()
        QTest.qWait(5)


class Student(RuleBasedStateMachine):
    def __init__(self):
        super().__init__()
        self.tmp = Path(tempfile.mkdtemp(prefix="mlp-stateful-"))
        from app.main_window import MainWindow
        w = self.w = MainWindow()
        self.bugs, self.questions, self.saved = [], [], None
        excepthook.listeners.append(self._bug)
        answers = iter(["discard", "cancel", "save", "discard"] * 1000)
        w.prompts.ask_unsaved = lambda what: self._ask(what, next(answers))
        w.prompts.ask_discard_trained = lambda why: self._ask(why, True)
        w.prompts.ask_save_path = lambda *a: str(self.tmp / "work.mlpstudio")
        w.prompts.ask_open_path = lambda *_: str(self.saved or self.tmp / "none.mlpstudio")
        w.prompts.show_error = lambda title, text: w.say(text)
        w.prompts.offer_recovery = lambda *a: None
        w.editor.confirm_discard = lambda: self._ask("architecture", True)
        w.state.set_dataset("tiny", tiny())
        w.state.set_hidden([{"units": 8, "activation": "relu"}])
        for name, value in SETTINGS.items():
            w.state.set_setting(name, value)
        w.steps.speed.setValue(0)
        w.resize(1280, 800)
        w.show()
        pump(50)

    def _bug(self, exc, where) -> None:
        self.bugs.append(f"{where}: {type(exc).__name__}: {exc}")

    def _ask(self, what, answer):
        self.questions.append(what)
        return answer

    def teardown(self) -> None:
        w = self.w
        try:
            self.stop()
            w.prompts.ask_unsaved = lambda what: "discard"
            w.close()
            w.session.shutdown(10000)
            w.deleteLater()
            pump(20)
        finally:
            if self._bug in excepthook.listeners:
                excepthook.listeners.remove(self._bug)

    # ---- waiting ----------------------------------------------------------------------------------------------
    def settle(self, limit_ms: int = 20000) -> None:
        """Until the app is idle, or a run it began is training (it then goes on under the next rules)."""
        timer = QElapsedTimer()
        timer.start()
        a = self.w.state.activity
        pump(0)
        while not (a.idle or (a.kind in RUNS and self.w.session.is_running())) and timer.elapsed() < limit_ms:
            pump(10)

    def click(self, button: QWidget) -> None:
        if button.isEnabled() and button.isVisible():
            QTest.mouseClick(button, Qt.LeftButton)
        self.settle()

    def work(self) -> dict:
        return {m: (id(ws.network) if ws.network is not None and ws.trained else None, len(ws.runs),
                    id(ws.step_order) if ws.step_order is not None else None)
                for m, ws in self.w.state.workspaces.items()}

    def act(self, name: str, do) -> None:
        """Do one user action and check that it discarded nothing unsaved without asking."""
        running = not self.w.state.activity.idle          # a run's snapshots replace its network: not a loss
        before, dirty, asked = self.work(), self.w.document.dirty, len(self.questions)
        do()
        self.settle()
        running = running or not self.w.state.activity.idle
        if name in REPLACING or running or not dirty or len(self.questions) > asked:
            return
        after = self.work()
        for mode, (net, runs, order) in before.items():
            now = after[mode]
            lost = (net is not None and now[0] != net) or now[1] < runs or (order is not None and now[2] != order)
            assert not lost, f"{name} discarded unsaved work in {mode} without a question"

    # ---- the student's actions ------------------------------------------------------------------------------
    @rule()
    def start(self):
        self.act("start", lambda: self.click(self.w.panel.start_button))

    @rule()
    def one_epoch(self):
        self.act("one_epoch", lambda: self.click(self.w.panel.epoch_button))

    @rule()
    def pause_or_resume(self):
        self.act("pause", lambda: self.click(self.w.panel.pause_button))

    @rule()
    def stop(self):
        w = self.w
        if w.controls.allowed("stop"):
            QTest.mouseClick(w.panel.stop_button, Qt.LeftButton)
        timer = QElapsedTimer()
        timer.start()
        while not w.state.activity.idle and timer.elapsed() < STOP_BOUND_MS:
            if w.state.activity.paused:
                pump(1)
            pump(10)
        assert w.state.activity.idle, f"{w.state.activity} {STOP_BOUND_MS} ms after Stop"

    @rule()
    def step(self):
        self.act("step", lambda: self.click(self.w.steps.step_button))

    @rule()
    def next_phase(self):
        self.act("next_phase", lambda: self.click(self.w.steps.next_button))

    @rule(ms=st.sampled_from([0, 50, 300]))
    def play_for_a_while(self, ms):
        def play():
            self.click(self.w.steps.play_button)
            pump(ms)
            if self.w.steps.play_button.isChecked():
                self.click(self.w.steps.play_button)
        self.act("play", play)

    @rule(layer=st.integers(0, 3), i=st.integers(0, 10), j=st.integers(0, 10))
    def check_a_connection(self, layer, i, j):
        def check():
            net = self.w.state.network
            if net is not None and layer < len(net.layers):
                L = net.layers[layer]
                self.w.diagram.connectionClicked.emit(layer, i % L.fan_in, j % L.units)
            self.click(self.w.steps.check_button)
        self.act("gradient_check", check)

    @rule()
    def clear_runs(self):
        self.act("clear_runs", self.w.clear_runs_action.trigger)

    @rule()
    def new(self):
        self.act("new", self.w.menus.new_action.trigger)

    @rule()
    def save(self):
        def save():
            self.w.menus.save_action.trigger()
            if self.w.document.path is not None:
                self.saved = self.w.document.path
        self.act("save", save)

    @rule()
    def open_saved(self):
        self.act("open", self.w.menus.open_action.trigger)

    @rule()
    def switch_mode(self):
        mode = self.w.playground.mode
        self.act("switch_mode", lambda: mode.setCurrentIndex(1 - mode.currentIndex()) if mode.isEnabled() else None)

    @rule(key=st.sampled_from([lesson.key for lesson in LESSONS]))
    def lesson(self, key):
        button = self.w.playground.findChild(QPushButton, f"lesson_{key}")
        self.act("lesson", lambda: button.click() if button.isEnabled() else None)

    @rule(action=st.sampled_from(sorted(show_me.ACTIONS)))
    def show_me(self, action):
        self.act(f"show_me:{action}", lambda: show_me.run(self.w, action))

    @rule()
    def compare(self):
        def compare():
            dialog = self.w.course_tools.show_compare("lr", [0.01, 0.1], 1)
            self.click(dialog.run_button)
            dialog.close()
        self.act("compare", compare)

    @rule()
    def find_learning_rate(self):
        def find():
            self.click(self.w.panel.lr_button)
            if self.w.course_tools.lr_dialog is not None:
                self.w.course_tools.lr_dialog.close()
        self.act("find_lr", find)

    @rule(tab=st.integers(0, 2), page=st.integers(0, 5))
    def look_at(self, tab, page):
        self.w.tabs.setCurrentIndex(tab)
        self.w.findChild(QWidget, "insideTab").pages.setCurrentIndex(page)
        pump(20)

    @rule(units=st.sampled_from([[], [4], [8], [6, 3]]), act=st.sampled_from(["relu", "tanh", "sigmoid"]))
    def edit_architecture(self, units, act):
        def edit():
            if self.w.controls.allowed("edit_network") and self.w.editor._may_discard():
                self.w.state.set_hidden([{"units": u, "activation": act} for u in units])
        self.act("edit_network", edit)

    @rule(field=st.sampled_from(["learningRateInput", "batchSize", "epochs", "seed"]), text=st.sampled_from(HOSTILE))
    def type_a_value(self, field, text):
        widget = self.w.panel.findChild(QWidget, field)
        if widget.isEnabled():
            editor = widget.lineEdit() if hasattr(widget, "lineEdit") else widget
            editor.selectAll()
            if text.isascii():
                QTest.keyClicks(editor, text)
            else:                                         # QTest types ASCII only: the rest as the keyboard inserts it
                editor.insert(text)
            QTest.keyClick(editor, Qt.Key_Return)
        self.settle()

    @rule(ms=st.sampled_from([10, 100, 400]))
    def wait(self, ms):
        pump(ms)

    # ---- what must always hold --------------------------------------------------------------------------------
    @invariant()
    def no_bug_reached_the_hook(self):
        assert self.bugs == [], self.bugs

    @invariant()
    def every_control_follows_the_table(self):
        w = self.w
        for action, controls in w.controls.bound.items():
            allowed = w.controls.allowed(action)
            for control in controls:
                assert control.isEnabled() == allowed, (action, control.objectName() or control.text(),
                                                        repr(w.state.activity))
        a = w.state.activity
        if w.session.is_running() and a.kind != "idle":
            assert a.kind in RUNS | {"stepping", "checking"}, repr(a)

    @invariant()
    def no_fact_of_another_generation_is_shown(self):
        w, gen = self.w, self.w.state.generation
        if w.steps.result is not None:
            assert w.steps.generation == gen
        status = w.findChild(QWidget, "drawStatus")
        assert status.generation in (None, gen)
        coach = w.course_tools.coach
        assert not coach.rows or coach.generation == gen
        assert w.panel.progress._idle_generation in (None, gen)


Student.TestCase.settings = settings(max_examples=int(__import__("os").environ.get("STATEFUL_EXAMPLES", 12)),
                                     stateful_step_count=25, deadline=None,
                                     suppress_health_check=list(HealthCheck))


@pytest.mark.usefixtures("qapp")
class TestStudent(Student.TestCase):
    pass
