"""The layer editor driven like a user: a size is kept as typed, a refused one says why with the engine's sentence,
and the refusal goes away as soon as a good size is typed."""
from __future__ import annotations

import pytest

from engine.errors import SpecError
from engine.spec import validate_spec
from helpers_app import active_window, type_and_tab


@pytest.fixture
def window(tmp_path, monkeypatch, qtbot):
    return active_window(qtbot, tmp_path, monkeypatch)


def test_zero_neurons_is_refused_with_the_reason_not_replaced(window, qtbot):
    editor = window.editor
    type_and_tab(qtbot, editor.rows[0].units, "0")
    assert editor.rows[0].units.value() == 0 and editor.rows[0].units.text() == "0"
    assert window.state.spec["layers"][0]["units"] == 0                 # what the user typed, not 32
    with pytest.raises(SpecError) as engine_says:
        validate_spec(window.state.spec)
    assert editor.error.isVisible() and editor.error.text() == str(engine_says.value)
    assert "at least 1" in editor.error.text()
    assert not window.panel.start_button.isEnabled()


def test_a_size_past_the_limit_is_kept_and_refused(window, qtbot):
    editor = window.editor
    type_and_tab(qtbot, editor.rows[0].units, "99999999")
    assert editor.rows[0].units.value() == 99_999_999
    assert editor.error.isVisible() and "99,999,999" in editor.error.text() and "limit" in editor.error.text()
    assert not window.panel.start_button.isEnabled()


def test_the_red_message_goes_when_a_good_size_is_typed(window, qtbot):
    editor, start = window.editor, window.panel.start_button
    type_and_tab(qtbot, editor.rows[0].units, "99999999")
    assert editor.error.isVisible() and editor.error.text()
    assert not start.isEnabled() and editor.error.text() in start.toolTip()
    type_and_tab(qtbot, editor.rows[0].units, "128")
    assert window.state.spec["layers"][0]["units"] == 128
    assert not editor.error.isVisible() and editor.error.text() == ""
    assert "128" not in editor.summary.text() or "parameters" in editor.summary.text()
    assert "101,770 parameters" in editor.summary.text()
    assert start.isEnabled()
