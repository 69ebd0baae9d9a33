"""A real MainWindow for the hardening tests: temporary settings and data folders, and no modal question ever
blocks a test (unsaved-work prompts answer "discard"; error boxes are recorded and shown in the status bar)."""
from __future__ import annotations


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
    w.prompts.ask_unsaved = lambda: "discard"

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
