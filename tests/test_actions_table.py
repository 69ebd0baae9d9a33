"""The actions table (app/actions.py) is the one answer to "is this control on?": docs/ARCHITECTURE.md shows the
same table, every action has a control bound to it in the real window, and what a control shows is the table's
answer for the activity and precondition of the moment (the stateful test checks this after every step too)."""
from __future__ import annotations

import re
from pathlib import Path

from app.actions import ACTIONS, table_markdown
from helpers_app import make_window

DOC = Path(__file__).resolve().parents[1] / "docs" / "ARCHITECTURE.md"
LAZY = {"use_rate", "coach_fix", "show_me"}   # bound once the range test, a hint or such a Show me is shown


def test_the_architecture_document_holds_the_codes_table():
    text = DOC.read_text(encoding="utf-8")
    table = "\n".join(line for line in text.splitlines() if line.startswith("| ") or line.startswith("|---"))
    start = table.index("| action | allowed while | precondition |")
    shown = "\n".join(table[start:].splitlines()[:len(ACTIONS) + 2])
    assert shown == table_markdown(), "docs/ARCHITECTURE.md's actions table differs from app/actions.py"


def test_every_action_has_a_control_and_every_control_follows_the_table(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.guide.show()
    unbound = [name for name, controls in w.controls.bound.items() if not controls and name not in LAZY]
    assert unbound == []
    for kind in ("training", "stepping", "loading"):
        token = w.state.activity.begin(kind)
        for name, controls in w.controls.bound.items():
            for control in controls:
                assert control.isEnabled() == w.controls.allowed(name), (kind, name, control.objectName())
        w.state.activity.end(token)
    assert w.state.activity.idle and w.panel.start_button.isEnabled()


def test_a_refused_action_says_why_in_a_sentence(qtbot, tmp_path, monkeypatch):
    w = make_window(qtbot, tmp_path, monkeypatch)
    token = w.state.activity.begin("training")
    said = []
    w.controls.refused.connect(said.append)
    assert not w.controls.attempt("new")
    assert re.fullmatch(r"Not while the app is training: wait for it to finish, or press Stop \(Esc\)\.", said[-1])
    w.state.activity.end(token)
    assert w.controls.attempt("new")
