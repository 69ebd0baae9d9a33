"""File / View / Help menus on the real MainWindow, driven like a user (shortcuts, menu actions), offscreen."""
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import numpy as np
import pytest
import shiboken6
from PySide6.QtCore import Qt
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMessageBox

from app.dialogs import shortcut_rows
from app.settings import Settings
from engine.network import Network

ROOT = Path(__file__).resolve().parent.parent


KEYS = ("MLP_STUDIO_SETTINGS", "MLP_STUDIO_DATA_DIR")


@pytest.fixture
def env(tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    return tmp_path


def settle(window):
    # NetworkView renders in QTimer slices not tied to its lifetime: finish them before the window goes.
    diagram = getattr(window, "diagram", None)
    if diagram is not None and hasattr(diagram, "renderNow"):
        diagram.renderNow()


def build_window():
    from app.main_window import MainWindow
    from app.menus import install

    window = MainWindow()
    if not hasattr(window, "menus"):  # until MainWindow._build_menus calls install itself
        install(window)
    window.prompts.ask_unsaved = lambda what: "discard"  # never block a test on a question
    return window


def activate(qtbot, window):
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow, timeout=2000)  # shortcuts go to the active window


def open_window(qtbot):
    window = build_window()
    qtbot.addWidget(window, before_close_func=settle)
    activate(qtbot, window)
    return window


@pytest.fixture(scope="module")
def shared_window(qapp, tmp_path_factory):
    """One MainWindow for the tests that do not close it (building one costs ~0.5-2 s)."""
    folder = tmp_path_factory.mktemp("menus")
    saved = {k: os.environ.get(k) for k in KEYS}
    os.environ.update(MLP_STUDIO_SETTINGS=str(folder / "settings.ini"), MLP_STUDIO_DATA_DIR=str(folder / "data"))
    window = build_window()
    yield window
    settle(window)
    window.close()
    window.deleteLater()
    qapp.processEvents()
    for k, v in saved.items():
        if v is None:
            os.environ.pop(k, None)
        else:
            os.environ[k] = v


@pytest.fixture
def window(shared_window, qtbot):
    """The shared window, back to a new untitled project with the system theme, active."""
    w = shared_window
    w.document.new()
    w.menus.settings.clear_recent()
    activate(qtbot, w)
    yield w
    box = w.prompts.last_message
    if box is not None and shiboken6.isValid(box):  # closed boxes delete themselves
        box.close()
    w.menus.set_theme("system")


def trained_network(state, epochs=3):
    net = Network.from_spec(state.spec)
    rng = np.random.default_rng(5)
    for layer in net.layers:
        layer.b = rng.normal(size=layer.b.shape)
    net.history = [{"epoch": e, "epochs": epochs, "train_loss": 2.0 / e, "train_accuracy": 0.3 + 0.1 * e,
                    "val_loss": 2.1 / e, "val_accuracy": 0.25 + 0.1 * e, "lr": 0.002, "seconds": 0.1}
                   for e in range(1, epochs + 1)]
    state.set_network(net, trained=True)
    return net


def press(qtbot, window, keys: str):
    seq = QKeySequence(keys)[0]
    qtbot.keyClick(window, seq.key(), seq.keyboardModifiers())


def menu_texts(menu):
    return [a.text() for a in menu.actions() if not a.isSeparator()]


def test_file_and_help_menus_have_every_action_with_shortcuts_in_tooltips(window):
    m = window.menus
    assert menu_texts(window.file_menu) == ["&New", "&Open…", "Open &Recent", "&Save", "Save &As…",
                                           "&Lesson for students…", "&Export model (.npz)…",
                                           "Export to &PyTorch…", "Export to O&NNX…", "&Quit"]
    assert m.open_action.shortcut() == QKeySequence("Ctrl+O")
    assert m.save_action.shortcut() == QKeySequence("Ctrl+S")
    for action in (m.open_action, m.save_action, m.new_action, m.quit_action, m.save_as_action):
        keys = action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)
        assert keys and f"({keys})" in action.toolTip()
    bar_titles = [a.text() for a in window.menuBar().actions()]
    assert bar_titles == ["&File", "&Train", "&View", "&Help"]  # each built once, File first and Help last
    assert menu_texts(window.help_menu) == ["&Crash course", "&Keyboard shortcuts", "&About MLP Studio"]


def test_save_with_ctrl_s_new_then_reopen_from_recent_restores_everything(window, tmp_path, qtbot):
    st, m = window.state, window.menus
    st.set_setting("lr", 0.0125)
    net = trained_network(st)
    assert window.isWindowModified()
    target = tmp_path / "mine.mlpstudio"
    window.prompts.ask_save_path = lambda *a: str(tmp_path / "mine")  # the suffix is added
    press(qtbot, window, "Ctrl+S")
    assert target.is_file() and not window.isWindowModified()
    assert window.windowTitle().startswith("mine.mlpstudio")
    assert Settings().recent_files()[0] == str(target)

    m.new_action.trigger()
    assert st.network is None and st.settings["lr"] != 0.0125 and window.windowTitle().startswith("Untitled")

    m.recent_menu.aboutToShow.emit()
    entry = next(a for a in m.recent_menu.actions() if a.text().endswith("mine.mlpstudio"))
    entry.trigger()
    assert st.settings["lr"] == 0.0125 and st.trained
    for a, b in zip(st.network.layers, net.layers):
        np.testing.assert_array_equal(a.W, b.W)
        np.testing.assert_array_equal(a.b, b.b)
    assert len(window.curves.runs) == 1 and len(window.curves.current.rows) == 3  # the curves reappear
    assert not window.isWindowModified() and "Opened mine.mlpstudio" in window.statusBar().currentMessage()


def test_second_save_goes_to_the_same_file_without_asking(window, tmp_path, qtbot):
    trained_network(window.state)
    asked = []
    window.prompts.ask_save_path = lambda *a: asked.append(a) or str(tmp_path / "a.mlpstudio")
    window.menus.save_action.trigger()
    window.state.set_setting("epochs", 3)
    press(qtbot, window, "Ctrl+S")
    assert len(asked) == 1
    from app.project import load_project
    assert load_project(tmp_path / "a.mlpstudio").settings["epochs"] == 3


def test_open_a_damaged_file_shows_a_dialog_and_changes_nothing(window, tmp_path, qtbot):
    st = window.state
    net = trained_network(st)
    spec_before, settings_before = dict(st.spec), dict(st.settings)
    bad = tmp_path / "broken.mlpstudio"
    bad.write_bytes(b"PK\x03\x04 definitely not a whole zip")
    window.prompts.ask_open_path = lambda *a: str(bad)
    press(qtbot, window, "Ctrl+O")
    box = window.prompts.last_message
    assert isinstance(box, QMessageBox) and box.isVisible()
    assert "broken.mlpstudio" in box.text() and "Nothing was changed" in box.text()
    assert st.network is net and st.spec == spec_before and st.settings == settings_before
    box.close()


def test_foreign_zip_is_refused_too(window, tmp_path):
    foreign = tmp_path / "photos.mlpstudio"
    with zipfile.ZipFile(foreign, "w") as zf:
        zf.writestr("cat.jpg", b"\xff\xd8")
    assert not window.document.open_path(foreign, ask=False)
    assert "not an MLP Studio project" in window.prompts.last_message.text()
    window.prompts.last_message.close()


def test_missing_recent_file_is_dropped_from_the_list(window, tmp_path):
    gone = tmp_path / "gone.mlpstudio"
    window.menus.settings.add_recent(gone)
    assert not window.document.open_path(gone, ask=False)
    assert str(gone) not in Settings().recent_files()
    window.prompts.last_message.close()


def test_exports_need_a_network_then_write_npz_and_pytorch_files(window, tmp_path):
    e, p = window.exports, window.prompts
    p.ask_save_path = lambda *a: str(tmp_path / "model.npz")
    assert not e.export_npz()
    assert "Train a network" in p.last_message.text()
    p.last_message.close()
    net = trained_network(window.state)
    assert e.export_npz()
    loaded = Network.load(tmp_path / "model.npz")
    np.testing.assert_array_equal(loaded.layers[0].W, net.layers[0].W)
    p.ask_save_path = lambda *a: str(tmp_path / "my torch")
    assert e.export_torch()
    folder = tmp_path / "my torch"
    assert sorted(f.name for f in folder.iterdir()) == ["model.py", "requirements.txt", "train.py", "weights.pt"]
    assert f"nn.Linear(784, {net.layers[0].W.shape[1]})" in (folder / "model.py").read_text()
    # a network with no record of its training (this one was made by hand) takes the panel's settings
    assert repr(window.state.settings["lr"]) in (folder / "train.py").read_text()
    assert "the settings given at export" in (folder / "train.py").read_text()


def test_theme_choice_applies_and_persists(window, qapp):
    m = window.menus
    m.theme_actions["dark"].trigger()
    assert m.theme.is_dark() and Settings().theme() == "dark"
    m.theme_actions["system"].trigger()
    assert not m.theme.is_dark() and Settings().theme() == "system"


def test_closing_saves_geometry_and_settings_and_the_next_start_restores_them(env, qtbot):
    first = open_window(qtbot)
    default_height = first.height()
    first.resize(850, 750)  # the offscreen screen is 800x800: only the height can differ from the defaults
    first.state.set_setting("batch_size", 128)
    hidden = [{"units": 48, "activation": "tanh"}]
    first.state.set_hidden(hidden)
    first.close()
    second = open_window(qtbot)
    assert second.height() == 750 != default_height
    assert second.state.settings["batch_size"] == 128
    assert second.state.spec["layers"][0] == {"units": 48, "activation": "tanh"}


def test_closing_over_an_unsaved_trained_network_asks_first(env, qtbot):
    window = open_window(qtbot)
    trained_network(window.state)
    answers = iter(["cancel", "save"])
    window.prompts.ask_unsaved = lambda what: next(answers)
    window.prompts.ask_save_path = lambda *a: str(env / "kept.mlpstudio")
    window.close()
    assert window.isVisible()  # cancelled
    window.close()
    assert not window.isVisible() and (env / "kept.mlpstudio").is_file()


def test_about_box_names_version_and_the_code_and_data_licenses(window):
    box = window.menus.show_about()
    text = box.text().replace("&nbsp;", " ").replace("\u2011", "-")  # kept on one line in the dialog
    assert "MLP Studio 0.1.0" in text and "<b>Code:</b> MIT License" in text
    assert "Yann LeCun, Corinna Cortes and Christopher J.C. Burges" in text and "CC BY-SA 3.0</a>" in text
    assert "E. Alpaydin and F. Alimoglu" in text and "CC BY 4.0</a>" in text
    assert 'href="https://creativecommons.org/licenses/by/4.0/"' in text and "https://doi.org/10.24432/C5MG6K" in text
    assert box.isVisible() and not box.iconPixmap().isNull()
    box.close()


def test_shortcut_list_names_the_main_actions(window):
    keys = {k for _, k in shortcut_rows(window)}
    assert {"Ctrl+O", "Ctrl+S", "Ctrl+N", "Ctrl+Q"} <= keys
    window.menus.show_shortcuts().close()


def test_python_m_app_opens_the_window_and_reports_cold_start(tmp_path):
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", MLP_STUDIO_EXIT_AFTER_SHOW="1",
               MLP_STUDIO_SETTINGS=str(tmp_path / "s.ini"), MLP_STUDIO_DATA_DIR=str(tmp_path / "d"))
    result = subprocess.run([sys.executable, "-m", "app"], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=90)  # generous: the machine may be busy
    assert result.returncode == 0, result.stderr
    assert "MLP Studio window shown" in result.stdout


def test_a_project_named_on_the_command_line_opens_after_the_window_shows(env, qtbot, monkeypatch):
    from app.project import Project, save_project
    from app.state import DEFAULT_SETTINGS, DEFAULT_SPEC

    path = save_project(env / "from-file-manager.mlpstudio",
                        Project(spec=DEFAULT_SPEC, settings={**DEFAULT_SETTINGS, "epochs": 7}))
    monkeypatch.setattr("app.last_session.QApplication.arguments", lambda: ["mlp-studio", str(path)])
    window = open_window(qtbot)
    qtbot.waitUntil(lambda: window.document.path == path, timeout=3000)
    assert window.state.settings["epochs"] == 7
    assert window.windowTitle().startswith("from-file-manager.mlpstudio")


def test_training_shows_progress_in_the_status_bar_and_its_cancel_stops_it(window, qtbot):
    from engine.data.dataset import Dataset

    rng = np.random.default_rng(0)
    x = rng.random((400, 784), dtype=np.float32)
    y = rng.integers(0, 10, 400)
    window.state.set_dataset("tiny", Dataset("tiny", x, y, x[:50], y[:50]))
    window.state.set_setting("epochs", 500)  # far more than the test waits for
    window.state.set_setting("augment", False)
    task = window.status_task
    assert not task.isVisible()
    with qtbot.waitSignal(window.session.batchStats, timeout=30000):
        qtbot.keyClick(window, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Start
    assert task.isVisible() and task.cancel_button.isVisible() and "Training" in task.label.text()
    qtbot.waitUntil(lambda: task.bar.maximum() > 0 and task.bar.value() > 0, timeout=30000)
    assert "Epoch" in task.bar.format()
    with qtbot.waitSignal(window.session.finished, timeout=30000) as done:
        qtbot.mouseClick(task.cancel_button, Qt.MouseButton.LeftButton)
    assert done.args[0].reason == "stopped"
    qtbot.waitUntil(lambda: not task.isVisible(), timeout=5000)
    assert window.state.network is not None  # the weights so far are kept


@pytest.mark.export
def test_export_onnx_from_the_menu_writes_a_file_onnx_runtime_runs(window, tmp_path):
    ort = pytest.importorskip("onnxruntime")            # the export group installs it (.ci/run)
    net = trained_network(window.state)
    window.prompts.ask_save_path = lambda *a: str(tmp_path / "net")
    window.menus.export_onnx_action.trigger()
    x = np.random.default_rng(0).random((3, 784), dtype=np.float32)
    sess = ort.InferenceSession(str(tmp_path / "net.onnx"))
    out = sess.run(None, {sess.get_inputs()[0].name: x})[0]
    np.testing.assert_allclose(out, net.forward(x), atol=1e-5)


def test_export_onnx_without_the_package_says_how_to_get_it_before_asking_for_a_name(window, tmp_path,
                                                                                      monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)       # as on a machine without the optional package
    trained_network(window.state)
    asked = []
    window.prompts.ask_save_path = lambda *a: asked.append(a) or str(tmp_path / "net.onnx")
    assert not window.exports.export_onnx()
    assert asked == []                                   # no file name for a file that cannot be written
    said = window.prompts.last_message.text()
    assert "pip install onnx" in said and said.count(".") == 1            # one sentence
    window.prompts.last_message.close()
    assert not (tmp_path / "net.onnx").exists()
