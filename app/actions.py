"""What the student can do, and when: each action with the activities that allow it and its own precondition.

This table is the one answer to "is this button on?": app/controls.py applies it to every bound widget and
menu action whenever the activity or a precondition's inputs change, the entry points (shortcuts, Show me, lessons)
ask it before acting, docs/ARCHITECTURE.md holds the same table (a test compares them), and the stateful test
checks every bound control against it after each step. No widget keeps a busy flag of its own.
"""
from __future__ import annotations

from dataclasses import dataclass

from app.activity import CHECKING, FINE_TUNING, IDLE, KINDS, LOADING, RUNS, STEPPING, TRAINING

CALM = frozenset({IDLE, LOADING})        # nothing runs: a data set may be loading, which any of these supersedes


@dataclass(frozen=True)
class Rule:
    activities: frozenset
    precondition: str = ""               # a name in PRECONDITIONS ('' : none)


PRECONDITIONS = {
    "settings_valid": "no field is refused (red) and the network can be built",
    "run_started": "the run has its data and is training (not still loading it)",
    "step_shown": "a step is shown on the diagram",
    "phase_left": "the step shown has a phase after the one shown",
    "connection_picked": "a step is shown and a connection of it is picked",
    "has_runs": "there are runs on the curves",
    "has_network": "there is a network",
    "can_fine_tune": "a trained digits network and at least one digit of your handwriting",
    "rate_found": "the range test suggested a rate",
    "digit_drawn": "a digit is drawn on the pad",
    "has_handwriting": "your handwriting set has digits and is not being measured",
    "uses_momentum": "the optimizer has a momentum (momentum, Nesterov)",
    "uses_batches": "the optimizer takes batches of a chosen size (not stochastic or batch GD)",
}

ACTIONS = {
    "start": Rule(CALM, "settings_valid"),
    "one_epoch": Rule(CALM, "settings_valid"),
    "pause": Rule(RUNS, "run_started"),
    "stop": Rule(RUNS),
    "step": Rule(CALM, "settings_valid"),
    "play": Rule(CALM | {STEPPING}, "settings_valid"),
    "next_phase": Rule(frozenset({IDLE, LOADING}), "phase_left"),
    "step_sample": Rule(frozenset({IDLE, LOADING}), "step_shown"),
    "gradient_check": Rule(CALM, "connection_picked"),
    "clear_runs": Rule(CALM, "has_runs"),
    "new": Rule(CALM),
    "open": Rule(CALM),
    "save": Rule(CALM),
    "export": Rule(CALM, "has_network"),
    "switch_mode": Rule(frozenset({IDLE})),    # a data set still loading belongs to the mode that asked for it
    "lesson": Rule(CALM),
    "show_me": Rule(CALM),                   # a Show me that changes the model (a lesson, a step, a network)
    "show_place": Rule(frozenset(KINDS)),      # a Show me that only leads to a tab, a page or a field
    "compare": Rule(CALM, "settings_valid"),
    "find_lr": Rule(CALM, "settings_valid"),
    "use_rate": Rule(CALM, "rate_found"),
    "coach_fix": Rule(CALM),
    "fine_tune": Rule(CALM, "can_fine_tune"),
    "teach_digit": Rule(CALM | RUNS | {STEPPING, CHECKING}, "digit_drawn"),
    "edit_handwriting": Rule(CALM, "has_handwriting"),
    "edit_network": Rule(CALM),
    "edit_settings": Rule(CALM),
    "edit_live": Rule(CALM | {TRAINING, FINE_TUNING}),     # the learning rate: live while training
    "edit_momentum": Rule(CALM | {TRAINING, FINE_TUNING}, "uses_momentum"),
    "edit_batch_size": Rule(CALM | {TRAINING, FINE_TUNING}, "uses_batches"),
    "choose_data": Rule(CALM),
    "restore_defaults": Rule(CALM),
    "edit_lesson": Rule(CALM),
}
assert all(r.precondition in PRECONDITIONS or not r.precondition for r in ACTIONS.values())
assert all(set(r.activities) <= set(KINDS) for r in ACTIONS.values())


def permits(action: str, activity: str) -> bool:
    return activity in ACTIONS[action].activities


def table_markdown() -> str:
    """The table as docs/ARCHITECTURE.md shows it (a test checks the two are the same)."""
    rows = ["| action | allowed while | precondition |", "|---|---|---|"]
    for name, rule in ACTIONS.items():
        kinds = ", ".join(k for k in KINDS if k in rule.activities)
        rows.append(f"| {name} | {kinds} | {PRECONDITIONS.get(rule.precondition, '—')} |")
    return "\n".join(rows)
