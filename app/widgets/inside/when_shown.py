"""RefreshWhenShown: a Look inside view does no work for new inputs while hidden, and catches up when shown."""
from __future__ import annotations


class RefreshWhenShown:
    """Mixin (before the Qt class) for a view with refresh(), which sets self._dirty = False."""
    _dirty = False

    def refresh_when_shown(self) -> None:
        """Refresh now if visible; otherwise once the view is shown."""
        if self.isVisible():
            self.refresh()
        else:
            self._dirty = True

    def showEvent(self, event) -> None:
        super().showEvent(event)
        if self._dirty:
            self.refresh()
