"""A real MainWindow for the hardening tests: temporary settings and data folders, and no modal question ever
blocks a test (unsaved-work prompts answer "discard"; error boxes are recorded and shown in the status bar)."""
from __future__ import annotations

from PySide6.QtCore import Qt


def make_window(qtbot, tmp_path, monkeypatch, show: bool = True):
    monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    from app.main_window import MainWindow
    w = MainWindow()
    quiet(w)
    qtbot.addWidget(w, before_close_func=settle)
    if show:
        w.show()
        qtbot.waitExposed(w)
    return w


def quiet(w):
    """Answer every would-be modal box of the window's menus without blocking."""
    if not hasattr(w, "menus"):
        from app.menus import install
        install(w)
    w.errors = []
    w.prompts.ask_unsaved = lambda what: "discard"
    w.prompts.ask_discard_trained = lambda why: True      # a lesson or defaults replacing trained work: go on

    def show_error(title, text):
        w.errors.append(text)
        w.statusBar().showMessage(text)
    w.prompts.show_error = show_error
    return w


def settle(w):
    """Stop training and finish the diagram's pending render slices before the window goes."""
    w.session.shutdown(10000)
    diagram = getattr(w, "diagram", None)
    if diagram is not None and hasattr(diagram, "renderNow"):
        diagram.renderNow()


def sample_window(qtbot, tmp_path, monkeypatch, dataset):
    """A shown main window holding `dataset` whose close never asks about unsaved work; unlike make_window its
    error boxes stay real, for the tests that answer them."""
    monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(tmp_path / "data"))
    from app.main_window import MainWindow
    w = MainWindow()
    w.prompts.ask_unsaved = lambda what: "discard"
    w.prompts.ask_discard_trained = lambda why: True
    qtbot.addWidget(w, before_close_func=settle)
    w.state.set_dataset("sample", dataset)
    w.show()
    qtbot.waitExposed(w)
    return w


def active_window(qtbot, tmp_path, monkeypatch):
    """A shown main window that has the keyboard focus, for tests that type into it."""
    w = make_window(qtbot, tmp_path, monkeypatch)
    w.activateWindow()
    qtbot.waitActive(w)
    return w


def inside_window(qtbot, tmp_path, monkeypatch, dataset, net, size=(1280, 800)):
    """A main window shown at `size` on the Look inside tab, holding `dataset` and `net`: (window, tab)."""
    from app.widgets.inside.inside_tab import InsideTab
    w = make_window(qtbot, tmp_path, monkeypatch, show=False)
    w.resize(*size)
    w.show()
    qtbot.waitExposed(w)
    w.state.set_dataset("sample", dataset)
    w.state.set_network(net)
    tab = w.findChild(InsideTab)
    w.tabs.setCurrentWidget(tab)
    return w, tab


def type_into(qtbot, field, text, then=Qt.Key_Return):
    """Type over a field's text like a user, then press Return (or `then`: Tab leaves the field instead)."""
    field.setFocus()
    field.selectAll()
    qtbot.keyClicks(field, text)
    qtbot.keyClick(field, then)


def type_and_tab(qtbot, field, text):
    type_into(qtbot, field, text, Qt.Key_Tab)


def show_widget(qtbot, widget, size):
    """Hand `widget` to qtbot, resize it to `size` and return it once it is on screen."""
    qtbot.addWidget(widget)
    widget.resize(*size)
    widget.show()
    qtbot.waitExposed(widget)
    return widget
