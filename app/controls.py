"""Controls: the actions table (app/actions.py) applied to the window's widgets and menu actions.

Each control is bound to one action; its enabled state is `allowed(action)`: the current activity permits the
action and the action's precondition holds. Preconditions are small functions registered by the part of the window
that knows the answer (`define`), which also calls `refresh()` when an input of theirs changes; the activity, the
model's signals and the generation refresh every control too. Entry points that do not go through a bound widget
(shortcuts, Show me, lessons, the step playback) ask `allowed` or `attempt` first, so none can act when its button
could not.
"""
from __future__ import annotations

from PySide6.QtCore import QObject, Signal

from app.actions import ACTIONS, PRECONDITIONS

NOT_NOW = "Not while the app is {busy}: wait for it to finish, or press Stop (Esc)."


class Controls(QObject):
    refused = Signal(str)              # a sentence: why an attempted action did nothing

    def __init__(self, state, parent=None):
        super().__init__(parent)
        self.state, self.activity = state, state.activity
        self.bound: dict[str, list] = {name: [] for name in ACTIONS}
        self._checks: dict = {}
        self._whys: dict = {}
        self.activity.changed.connect(self.refresh)
        for signal in (state.specChanged, state.configChanged, state.datasetChanged, state.networkChanged,
                       state.runsChanged, state.generationChanged, state.drawnDigitChanged, state.modeChanged):
            signal.connect(self.refresh)

    def bind(self, action: str, *controls) -> None:
        """Keep each control (a widget or a QAction) enabled exactly while `action` is allowed."""
        assert action in ACTIONS, action
        for control in controls:
            self.bound[action].append(control)
            control.setEnabled(self.allowed(action))
            control.destroyed.connect(lambda *_, c=control, a=action: self._forget(a, c))

    def define(self, precondition: str, check, why=None) -> None:
        """`check()` -> bool answers the precondition from now on (the part of the window that knows it); `why()`,
        if given, says in a sentence why it does not hold."""
        assert precondition in PRECONDITIONS, precondition
        self._checks[precondition] = check
        if why is not None:
            self._whys[precondition] = why
        self.refresh()

    def allowed(self, action: str) -> bool:
        rule = ACTIONS[action]
        return self.activity.kind in rule.activities and self.holds(rule.precondition)

    def holds(self, precondition: str) -> bool:
        if not precondition:
            return True
        check = self._checks.get(precondition)
        return bool(check()) if check is not None else False

    def why_not(self, action: str) -> str:
        """'' when allowed, else a sentence saying why not."""
        rule = ACTIONS[action]
        if self.activity.kind not in rule.activities:
            return NOT_NOW.format(busy=self.activity.text().rstrip("…. ").lower() or "busy")
        if not self.holds(rule.precondition):
            why = self._whys.get(rule.precondition)
            return (why() if why is not None else "") or f"It needs {PRECONDITIONS[rule.precondition]}."
        return ""

    def attempt(self, action: str) -> bool:
        """True if `action` may go ahead now; otherwise says why (`refused`) and returns False."""
        why = self.why_not(action)
        if why:
            self.refused.emit(why)
        return not why

    def refresh(self, *_) -> None:
        for action, controls in self.bound.items():
            if controls:
                on = self.allowed(action)
                for control in controls:
                    control.setEnabled(on)          # Qt does nothing when it already is

    def _forget(self, action: str, control) -> None:
        controls = self.bound.get(action, [])
        if control in controls:
            controls.remove(control)
