"""The document model and View > Restore default settings, on the real MainWindow driven like a user."""
import copy
import dataclasses

import numpy as np
import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QPushButton, QWidget

from app.document import Document, default_spec
from engine.network import Network
from engine.presets import PRESETS, digit_spec

DEFAULT_SETTINGS = dataclasses.asdict(PRESETS["app_digits"])
DEFAULT_SPEC = digit_spec()
from helpers_app import make_window, type_into


@pytest.fixture
def window(qtbot, tmp_path, monkeypatch):
    return make_window(qtbot, tmp_path, monkeypatch)


def named(parent, name: str) -> QWidget:
    """The widget a user (or a screen reader) knows by this name: its objectName or accessible name."""
    found = [w for w in parent.findChildren(QWidget) if name in (w.objectName(), w.accessibleName())]
    assert len(found) == 1, (name, found)
    return found[0]


def shown(field) -> float:
    return field.value() if hasattr(field, "value") else float(field.text())


def lr_field(window):
    inputs = [w for w in window.panel.findChildren(QWidget) if w.objectName() == "learningRateInput"]
    return inputs[0] if inputs else named(window.panel, "learningRate")


def change_everything(qtbot, window):
    """lr 0.01, 7 epochs, two hidden layers (48 and 24 neurons), all typed into the real widgets."""
    type_into(qtbot, lr_field(window), "0.01")
    type_into(qtbot, named(window.panel, "epochs"), "7")
    type_into(qtbot, named(window.editor, "hiddenUnits1"), "48")
    qtbot.mouseClick(window.findChild(QPushButton, "addLayerButton"), Qt.MouseButton.LeftButton)
    st = window.state
    assert st.settings["lr"] == pytest.approx(0.01) and st.settings["epochs"] == 7
    assert [l["units"] for l in st.hidden] == [48, 24]


def test_restore_default_settings_puts_settings_and_architecture_back(window, qtbot):
    change_everything(qtbot, window)
    window.state.set_setting("augment", False)
    window.menus.restore_defaults_action.trigger()
    st = window.state
    assert st.settings == DEFAULT_SETTINGS and st.spec == default_spec(st)
    assert shown(lr_field(window)) == pytest.approx(DEFAULT_SETTINGS["lr"])
    assert shown(named(window.panel, "epochs")) == DEFAULT_SETTINGS["epochs"]
    assert len(window.editor.rows) == 1 and window.editor.rows[0].units.value() == DEFAULT_SPEC["layers"][0]["units"]


def test_restore_default_settings_asks_before_discarding_a_trained_network(window, qtbot):
    change_everything(qtbot, window)
    st = window.state
    net = Network.from_spec(st.spec)
    st.set_network(net, trained=True)
    spec, settings = copy.deepcopy(st.spec), dict(st.settings)
    asked = []
    window.prompts.ask_discard_trained = lambda why: asked.append(why) or False
    window.menus.restore_defaults_action.trigger()
    assert len(asked) == 1
    assert st.network is net and st.trained and st.spec == spec and st.settings == settings
    assert shown(named(window.panel, "epochs")) == 7 and len(window.editor.rows) == 2
    window.prompts.ask_discard_trained = lambda why: True
    window.menus.restore_defaults_action.trigger()
    assert st.network is None and st.settings == DEFAULT_SETTINGS and st.spec == default_spec(st)


def test_restoring_settings_only_keeps_the_trained_network_without_asking(window, qtbot):
    st = window.state
    net = Network.from_spec(st.spec)
    st.set_network(net, trained=True)
    type_into(qtbot, named(window.panel, "epochs"), "3")
    window.prompts.ask_discard_trained = lambda why: pytest.fail("nothing is discarded: no question")
    window.menus.restore_defaults_action.trigger()
    assert st.network is net and st.settings["epochs"] == DEFAULT_SETTINGS["epochs"]


def test_document_signals_follow_edits_saves_and_new(window, qtbot, tmp_path):
    doc: Document = window.document
    assert doc.title == "Untitled" and not doc.dirty
    type_into(qtbot, named(window.panel, "epochs"), "5")       # settings are remembered anyway: nothing unsaved
    assert window.state.settings["epochs"] == 5 and not doc.dirty and not window.isWindowModified()
    with qtbot.waitSignal(doc.dirtyChanged) as dirty:          # trained weights are work to keep
        window.state.set_network(Network.from_spec(window.state.spec), trained=True)
    assert dirty.args == [True] and window.isWindowModified()
    window.prompts.ask_save_path = lambda *a: str(tmp_path / "work")
    with qtbot.waitSignals([doc.pathChanged, doc.titleChanged, doc.dirtyChanged]):
        assert doc.save()
    assert doc.path == tmp_path / "work.mlpstudio" and doc.title == "work.mlpstudio" and not doc.dirty
    assert window.windowTitle().startswith("work.mlpstudio") and not window.isWindowModified()
    with qtbot.waitSignal(doc.titleChanged) as title:
        window.menus.new_action.trigger()
    assert title.args == ["Untitled"] and doc.path is None


def test_new_and_open_replace_the_network_and_its_results_in_the_model(window, qtbot, tmp_path):
    st = window.state
    net = Network.from_spec(st.spec)
    net.params[...] = 0.25
    st.set_network(net, trained=True)
    window.prompts.ask_save_path = lambda *a: str(tmp_path / "kept.mlpstudio")
    assert window.document.save()
    st.set_network(Network.from_spec(st.spec), trained=True, results={"test_accuracy": 0.2298})
    assert window.document.open_path(tmp_path / "kept.mlpstudio", ask=False)
    assert st.results is None and np.all(st.network.params == 0.25)
    st.set_results({"test_accuracy": 0.9759})
    window.menus.new_action.trigger()
    assert st.network is None and st.results is None and st.runs == []


def test_busy_document_refuses_to_change_while_training(window):
    token = window.state.activity.begin("training")
    try:
        assert not window.document.new() and not window.document.restore_defaults()
        assert "Stop training first" in window.errors[-1]
    finally:
        window.state.activity.end(token)
