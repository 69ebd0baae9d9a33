"""The app's own excepthook: an uncaught exception becomes a sentence for the user and a traceback in the log."""
import sys
import threading

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QMainWindow

from app import excepthook


@pytest.fixture
def hooked(qtbot, monkeypatch):
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)          # restored after the test
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(excepthook, "_window", None)
    w = QMainWindow()
    qtbot.addWidget(w)
    w.show()
    excepthook.install(w)
    return w


def raised(exc):
    try:
        raise exc
    except type(exc) as caught:
        return caught


@pytest.mark.bug_expected
def test_an_uncaught_exception_is_logged_and_told_in_a_sentence(qtbot, hooked, no_bug_reports):
    exc = raised(IndexError("index 76923 is out of bounds for axis 0 with size 10"))
    sys.excepthook(type(exc), exc, exc.__traceback__)
    path = excepthook.log_path()
    text = path.read_text()
    assert "Traceback" in text and "IndexError: index 76923" in text and "uncaught" in text
    sentence = f"Something went wrong inside MLP Studio (details saved to {path})."
    assert hooked.statusBar().currentMessage() == sentence
    box = hooked.last_bug_message
    assert box.text() == sentence and box.isVisible()
    assert box.windowModality() != Qt.ApplicationModal                      # open(): the event loop goes on
    assert no_bug_reports == ["uncaught: IndexError: index 76923 is out of bounds for axis 0 with size 10"]
    box.close()


@pytest.mark.bug_expected
def test_an_exception_on_another_thread_is_logged(qtbot, hooked, no_bug_reports):
    def work():
        raise ValueError("a worker thread broke")
    t = threading.Thread(target=work, name="worker-7")
    t.start()
    t.join()
    assert "ValueError: a worker thread broke" in excepthook.log_path().read_text()
    assert no_bug_reports == ["thread worker-7: ValueError: a worker thread broke"]


def test_a_log_that_cannot_be_written_still_gives_a_sentence(monkeypatch, tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("")
    monkeypatch.setattr(excepthook, "log_path", lambda: blocker / "log" / "mlp-studio.log")   # under a file
    assert excepthook.write_log(raised(RuntimeError("x"))) is None
    assert excepthook.sentence(None) == "Something went wrong inside MLP Studio (the details could not be saved)."


def test_the_app_installs_it(qtbot, monkeypatch, tmp_path):
    from PySide6.QtWidgets import QApplication

    import app.__main__ as entry
    monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setattr(sys, "excepthook", sys.excepthook)
    monkeypatch.setattr(threading, "excepthook", threading.excepthook)
    monkeypatch.setattr(QApplication, "exec", lambda self: 0)
    assert entry.main([]) == 0
    assert sys.excepthook is excepthook.hook and threading.excepthook is excepthook.thread_hook
    window = excepthook._window
    window.session.shutdown(5000)
    window.close()
    monkeypatch.setattr(excepthook, "_window", None)
