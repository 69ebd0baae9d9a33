"""What happens to a bug: the traceback goes to a log file in the user's data folder, the user gets one sentence.

`install(window)` (called by app/__main__.py) makes this the handler of every uncaught exception, on the GUI
thread (sys.excepthook) and on any other thread (threading.excepthook). The session's and the data-set loader's
error paths call `report_bug` for anything that is not an EngineError (an engine error is already a sentence).
`listeners` are told of every bug reported (the test suite fails a test on one).
"""
from __future__ import annotations

import datetime
import sys
import threading
import traceback
from pathlib import Path

LOG_NAME = "mlp-studio.log"
MAX_LOG_BYTES = 2**20            # past this the log starts again: only recent bugs matter
listeners: list = []             # callables (exc, where) told of every bug reported
_window = None


def log_path() -> Path:
    from engine.data import user_data_dir
    return Path(user_data_dir()) / "log" / LOG_NAME


def sentence(path: Path | None) -> str:
    where = f"details saved to {path}" if path is not None else "the details could not be saved"
    return f"Something went wrong inside MLP Studio ({where})."


def write_log(exc: BaseException, where: str = "") -> Path | None:
    """Append the traceback, with the time and where it was caught, to the log; None if it cannot be written."""
    try:
        path = log_path()
        path.parent.mkdir(parents=True, exist_ok=True)
        mode = "w" if path.exists() and path.stat().st_size > MAX_LOG_BYTES else "a"
        text = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        stamp = datetime.datetime.now().isoformat(timespec="seconds")
        with open(path, mode, encoding="utf-8") as f:
            f.write(f"--- {stamp} {where}\n{text}\n")
        return path
    except OSError:
        return None


def report_bug(exc: BaseException, where: str = "") -> str:
    """Log a bug and return the sentence the user sees; listeners hear of it."""
    path = write_log(exc, where)
    traceback.print_exception(type(exc), exc, exc.__traceback__, file=sys.stderr)
    for listener in list(listeners):
        listener(exc, where)
    return sentence(path)


def _show(text: str) -> None:
    """Status bar plus a message that does not block the event loop (on the GUI thread only)."""
    from PySide6.QtCore import QThread, Qt
    from PySide6.QtWidgets import QApplication, QMessageBox

    window = _window
    app = QApplication.instance()
    if window is None or app is None or QThread.currentThread() is not app.thread():
        return
    window.statusBar().showMessage(text, 30000)    # and it goes when the next action begins
    box = QMessageBox(QMessageBox.Icon.Warning, "Something went wrong", text, QMessageBox.StandardButton.Ok,
                      window)
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    window.last_bug_message = box


def hook(exc_type, exc, tb) -> None:
    """sys.excepthook: an uncaught exception on the GUI thread (e.g. in a Qt slot) is logged and told."""
    if issubclass(exc_type, KeyboardInterrupt):
        sys.__excepthook__(exc_type, exc, tb)
        return
    if exc.__traceback__ is None:
        exc = exc.with_traceback(tb)
    _show(report_bug(exc, "uncaught"))


def thread_hook(args) -> None:
    """threading.excepthook: the same for a worker thread (told on the GUI thread's next status update)."""
    if args.exc_value is not None and not issubclass(args.exc_type, SystemExit):
        report_bug(args.exc_value, f"thread {getattr(args.thread, 'name', '?')}")


def install(window=None) -> None:
    global _window
    _window = window
    sys.excepthook = hook
    threading.excepthook = thread_hook
