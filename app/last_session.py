"""What carries over between runs: the last network and settings, the window's geometry, a project named on the
command line (the window's closeEvent asks before closing over unsaved work, then calls save()). Also the cold-start measurement
(MLP_STUDIO_EXIT_AFTER_SHOW=1 prints how long the window took to show, then quits).
"""
from __future__ import annotations

import os
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication

from app.autosave import describe, forget, left_behind
from app.project import SUFFIX
from engine.errors import EngineError
from engine.spec import validate_spec


def seconds_since_process_start() -> float | None:
    """Wall time since this process started (Linux /proc), for the cold-start measurement."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


def report_start_and_quit() -> None:
    QApplication.processEvents()  # let the first paint happen
    since = seconds_since_process_start()
    print(f"MLP Studio window shown {since * 1000:.0f} ms after process start" if since is not None
          else "MLP Studio window shown", flush=True)
    QApplication.quit()


class LastSession(QObject):
    """Restores the last session into the model now, the window on its first show; saves both on close."""

    def __init__(self, window, document, theme, parent=None):
        super().__init__(parent)
        self.window, self.document, self.theme = window, document, theme
        self.settings, self.state = document.settings, document.state
        self._shown = False
        self.restore()
        window.installEventFilter(self)

    def restore(self) -> None:
        spec, settings = self.settings.last_session()
        try:
            if settings:
                self.state.set_config(settings)
            if spec:
                self.state.set_spec(validate_spec(spec))
        except (EngineError, TypeError, ValueError, KeyError):
            pass  # a stale or hand-edited entry: the defaults are a fine start

    def save(self) -> None:
        self.settings.save_window(self.window)
        self.settings.set_last_session(self.state.spec, self.state.settings)
        self.settings.set_theme(self.theme.mode)
        self.settings.sync()

    def _first_show(self) -> None:
        self.settings.restore_window(self.window)
        files = [a for a in QApplication.arguments()[1:] if a.endswith(SUFFIX)]
        if files:  # `mlp-studio project.mlpstudio`, e.g. a double-click in the file manager
            QTimer.singleShot(0, lambda: self.document.open_path(files[0], ask=False))
        else:                 # a timer of ours, not a bare singleShot: a window closed at once is not kept alive
            self._offer = QTimer(self, singleShot=True, interval=0, timeout=self.offer_recovery)
            self._offer.start()
        if os.environ.get("MLP_STUDIO_EXIT_AFTER_SHOW"):
            QTimer.singleShot(0, report_start_and_quit)

    def offer_recovery(self) -> None:
        """Unsaved work an earlier launch left behind (a crash, a bug): offer it back, without blocking."""
        copies = left_behind()
        if not copies:
            return
        copy = copies[0]
        original, when = describe(copy)
        name = Path(original).name if original else "an untitled project"
        text = (f"MLP Studio closed with unsaved work in {name}" + (f" (saved {when.replace('T', ' at ')})" if when
                                                                   else "") + ". Restore it?")

        def restore():
            if self.document.recover(copy, original):
                for c in copies:
                    forget(c)

        self.document.prompts.offer_recovery(text, restore, lambda: [forget(c) for c in copies])

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window:
            if event.type() == QEvent.Type.Show and not self._shown:
                self._shown = True
                self._first_show()
        return False
