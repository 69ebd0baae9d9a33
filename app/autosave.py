"""Autosave: a bug or a crash never loses work. While the document has unsaved work it is saved, as a project, to
the user's data folder every few minutes and at once when a bug reaches the excepthook; saving it, discarding it
(New, Open, closing without saving) or closing cleanly removes that copy. The next start finds a copy left behind
and offers it back (the question does not block the window).

One file per launch (recovery/unsaved-<start time>-<pid>.mlpstudio, with a .json beside it naming the project it
belongs to), so two windows never overwrite each other's.
"""
from __future__ import annotations

import datetime
import json
import os
import weakref
from pathlib import Path

from PySide6.QtCore import QObject, QTimer, Signal

from app import excepthook
from app.project import SUFFIX, from_state, save_project
from engine.errors import EngineError

INTERVAL_MS = 3 * 60 * 1000           # while unsaved work waits: every three minutes


def recovery_dir() -> Path:
    from engine.data import user_data_dir
    return Path(user_data_dir()) / "recovery"


def left_behind() -> list[Path]:
    """Copies of unsaved work from earlier launches, newest first."""
    try:
        return sorted(recovery_dir().glob(f"unsaved-*{SUFFIX}"), key=lambda p: p.stat().st_mtime, reverse=True)
    except OSError:
        return []


def forget(path: Path) -> None:
    for p in (path, path.with_suffix(".json")):
        try:
            p.unlink()
        except OSError:
            pass


class Autosave(QObject):
    saved = Signal(object)                # the copy's path, each time one is written
    _bug = Signal()                       # a bug on any thread: the copy is written on the GUI thread

    def __init__(self, window, document, parent=None):
        super().__init__(parent or window)
        self.window, self.document, self.state = window, document, document.state
        stamp = datetime.datetime.now().strftime("%Y%m%d-%H%M%S")
        self.path = recovery_dir() / f"unsaved-{stamp}-{os.getpid()}{SUFFIX}"
        self.timer = QTimer(self, interval=INTERVAL_MS, timeout=self.save_now)
        self.timer.start()
        self._bug.connect(self.save_now)
        heard = weakref.WeakMethod(self._heard_bug)      # the hook never keeps a closed window alive
        self._listener = lambda exc, where: heard() and heard()(exc, where)
        excepthook.listeners.append(self._listener)
        document.dirtyChanged.connect(self._dirty)

    def _dirty(self, dirty: bool) -> None:
        if not dirty:
            forget(self.path)

    def _heard_bug(self, _exc, _where) -> None:
        self._bug.emit()                  # queued to the GUI thread when the bug was on a worker

    def _unhook(self) -> None:
        if self._listener in excepthook.listeners:
            excepthook.listeners.remove(self._listener)

    def save_now(self) -> Path | None:
        """Write the copy if there is unsaved work (never raises: a copy is a help, not a duty)."""
        if not self.document.dirty:
            return None
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            project = from_state(self.state)
            project.lesson = self.document.lesson
            save_project(self.path, project)
            about = {"project": str(self.document.path) if self.document.path else None,
                     "saved": datetime.datetime.now().isoformat(timespec="seconds")}
            self.path.with_suffix(".json").write_text(json.dumps(about), encoding="utf-8")
        except (EngineError, OSError, ValueError, TypeError):
            return None
        self.saved.emit(self.path)
        return self.path

    def closing(self) -> None:
        """A clean close: what was unsaved was saved or discarded on purpose."""
        self.timer.stop()
        forget(self.path)
        self._unhook()


def describe(path: Path) -> tuple[str | None, str]:
    """(the project the copy belongs to or None, when it was saved) from the copy's .json."""
    try:
        about = json.loads(path.with_suffix(".json").read_text(encoding="utf-8"))
        return about.get("project") or None, str(about.get("saved") or "")
    except (OSError, ValueError, AttributeError):
        return None, ""
