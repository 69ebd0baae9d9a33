"""off_thread(fn, *args): run fn on a worker thread while the window keeps painting; its result, or its exception.

For work that cannot be split and may take a second (opening an 80 MB project reads for 0.7-1.1 s): the GUI
thread runs a local event loop that leaves the user's input waiting, so nothing else starts meanwhile, and shows
the busy cursor. Small work is not worth the thread: callers decide (see document.py).
"""
from __future__ import annotations

import threading

from PySide6.QtCore import QEventLoop, Qt, QTimer
from PySide6.QtWidgets import QApplication

POLL_MS = 10


def off_thread(fn, *args):
    outcome: dict = {}

    def work():
        try:
            outcome["value"] = fn(*args)
        except BaseException as exc:          # handed back to the caller, raised on the GUI thread
            outcome["error"] = exc
    worker = threading.Thread(target=work, name=f"off-thread {getattr(fn, '__name__', 'work')}", daemon=True)
    loop = QEventLoop()
    poll = QTimer(interval=POLL_MS)
    poll.timeout.connect(lambda: worker.is_alive() or loop.quit())
    QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
    try:
        worker.start()
        poll.start()
        loop.exec(QEventLoop.ProcessEventsFlag.ExcludeUserInputEvents)
        worker.join()
    finally:
        poll.stop()
        QApplication.restoreOverrideCursor()
    if "error" in outcome:
        raise outcome["error"]
    return outcome["value"]
