"""What MLP Studio remembers between runs (QSettings): window geometry, last settings, theme, recent files,
the crash course's progress.

The file is the platform's usual place (registry / plist / ~/.config/MLP Studio/MLP Studio.conf), or the ini
file named by the MLP_STUDIO_SETTINGS environment variable (tests use a temporary one).
Lists and dicts are stored as JSON strings: QSettings' own list handling differs between backends.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from PySide6.QtCore import QByteArray, QSettings

ORGANIZATION = "MLP Studio"
APPLICATION = "MLP Studio"
ENV_VAR = "MLP_STUDIO_SETTINGS"
MAX_RECENT = 8
THEMES = ("system", "light", "dark")


class Settings:
    def __init__(self, qsettings: QSettings | None = None):
        if qsettings is None:
            path = os.environ.get(ENV_VAR)
            qsettings = (QSettings(path, QSettings.Format.IniFormat) if path
                         else QSettings(QSettings.Format.NativeFormat, QSettings.Scope.UserScope,
                                        ORGANIZATION, APPLICATION))
        self.q = qsettings

    def sync(self) -> None:
        self.q.sync()

    # ---- JSON values --------------------------------------------------------------------------------
    def _get_json(self, key: str, default):
        raw = self.q.value(key)
        if raw is None:
            return default
        try:
            return json.loads(str(raw))
        except json.JSONDecodeError:
            return default  # hand-edited or from an older version: forget it rather than fail to start

    def _set_json(self, key: str, value) -> None:
        self.q.setValue(key, json.dumps(value))

    # ---- recent files -------------------------------------------------------------------------------
    def recent_files(self) -> list[str]:
        files = self._get_json("recentFiles", [])
        return [str(f) for f in files if isinstance(f, str)][:MAX_RECENT] if isinstance(files, list) else []

    def add_recent(self, path: str | os.PathLike) -> list[str]:
        """Put path first (once), keep the newest MAX_RECENT."""
        path = str(Path(path).resolve())
        files = [path] + [f for f in self.recent_files() if f != path]
        self._set_json("recentFiles", files[:MAX_RECENT])
        return self.recent_files()

    def remove_recent(self, path: str | os.PathLike) -> list[str]:
        path = str(Path(path).resolve())
        self._set_json("recentFiles", [f for f in self.recent_files() if f != path])
        return self.recent_files()

    def clear_recent(self) -> None:
        self._set_json("recentFiles", [])

    # ---- theme --------------------------------------------------------------------------------------
    def theme(self) -> str:
        value = str(self.q.value("theme", "system"))
        return value if value in THEMES else "system"

    def set_theme(self, theme: str) -> None:
        if theme not in THEMES:
            raise ValueError(f"Unknown theme {theme!r}; choose one of {', '.join(THEMES)}.")
        self.q.setValue("theme", theme)

    # ---- the Draw pad's "not sure" threshold (percent) ------------------------------------------------
    def doubt_threshold(self, default: int = 60) -> int:
        try:
            value = int(self.q.value("draw/doubtThreshold", default))
        except (TypeError, ValueError):
            return default
        return value if 0 <= value <= 100 else default

    def set_doubt_threshold(self, value: int) -> None:
        self.q.setValue("draw/doubtThreshold", int(value))

    # ---- the crash course: sections visited and done, the one shown, whether it was offered ----------
    def guide_progress(self) -> dict:
        """{"visited": [keys], "done": [keys], "current": key or None} (anything else in the file is dropped)."""
        raw = self._get_json("guide/progress", {})
        raw = raw if isinstance(raw, dict) else {}
        keys = lambda v: [k for k in v if isinstance(k, str)] if isinstance(v, list) else []  # noqa: E731
        current = raw.get("current")
        return {"visited": keys(raw.get("visited")), "done": keys(raw.get("done")),
                "current": current if isinstance(current, str) else None}

    def set_guide_progress(self, progress: dict) -> None:
        self._set_json("guide/progress", {"visited": list(progress.get("visited", [])),
                                          "done": list(progress.get("done", [])),
                                          "current": progress.get("current")})

    def guide_offered(self) -> bool:
        return str(self.q.value("guide/offered", "false")).lower() == "true"

    def set_guide_offered(self) -> None:
        self.q.setValue("guide/offered", "true")

    # ---- last network and training settings ----------------------------------------------------------
    def last_session(self) -> tuple[dict | None, dict | None]:
        """(spec, training settings) the user had when they last quit, or None for each never saved."""
        spec = self._get_json("lastSpec", None)
        settings = self._get_json("lastSettings", None)
        return (spec if isinstance(spec, dict) else None, settings if isinstance(settings, dict) else None)

    def set_last_session(self, spec: dict, settings: dict) -> None:
        self._set_json("lastSpec", spec)
        self._set_json("lastSettings", settings)

    def last_folder(self) -> str:
        return str(self.q.value("lastFolder", str(Path.home())))

    def set_last_folder(self, folder: str | os.PathLike) -> None:
        self.q.setValue("lastFolder", str(folder))

    # ---- window -------------------------------------------------------------------------------------
    def save_window(self, window) -> None:
        self.q.setValue("window/geometry", window.saveGeometry())
        if hasattr(window, "saveState"):
            self.q.setValue("window/state", window.saveState())

    def restore_window(self, window) -> bool:
        """Restore size, position and dock/toolbar layout; False when there is nothing (first run)."""
        geometry = self.q.value("window/geometry")
        if not isinstance(geometry, QByteArray) or geometry.isEmpty():
            return False
        ok = window.restoreGeometry(geometry)
        state = self.q.value("window/state")
        if isinstance(state, QByteArray) and hasattr(window, "restoreState"):
            window.restoreState(state)
        return bool(ok)
