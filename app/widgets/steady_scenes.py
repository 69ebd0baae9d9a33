"""keep_active(root): every pyqtgraph view under root keeps its scene active once it has been shown.

Qt deactivates a view's scene when the view hides and activates it again when it shows; each plot item then
repaints, and each scene flushes the whole window's pending paint at once (QGraphicsScene dispatches the window's
update request immediately). A switch back to Build & train so painted the tab four times, once per plot and once
more, 40-50 ms of GUI time; with the scenes left active it paints once. Plot items look the same either way.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

PROPERTY = "mlpKeepsSceneActive"


class _KeepActive(QObject):
    def eventFilter(self, scene, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.WindowDeactivate:
            return True                                  # swallowed: the scene stays active
        if kind == QEvent.Type.WindowActivate:
            return scene.isActive()                      # the first activation passes, repeats are swallowed
        return False


def keep_active(root: QWidget) -> int:
    """Install the filter on each view's scene not yet holding it; returns how many got it now."""
    views = [w for w in root.findChildren(pg.GraphicsView) if not w.property(PROPERTY)]
    for view in views:
        view.setProperty(PROPERTY, True)
        view.scene().installEventFilter(_KeepActive(view))
    return len(views)
