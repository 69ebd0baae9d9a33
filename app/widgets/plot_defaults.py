"""plot_defaults(root): what every pyqtgraph view of the app gets, once, including views made later (a dialog's
plot, a new layer's histogram): walked with the image menus by export_image.follow_window.

- Numbers as they are on every axis: pyqtgraph's automatic SI prefix turned a loss of 0.69 into "690 (x0.001)"
  and the learning-rate finder's 1e-6 ... 0.1 into 0.001 ... 100.
- The scene stays active once shown. Qt deactivates a view's scene when the view hides and activates it again when
  it shows; each plot item then repaints, and each scene flushes the whole window's pending paint at once
  (QGraphicsScene dispatches the window's update request immediately). A switch back to Build & train so painted
  the tab four times, once per plot and once more, 40-50 ms of GUI time; with the scenes left active it paints
  once. Plot items look the same either way.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject
from PySide6.QtWidgets import QWidget

PROPERTY = "mlpPlotDefaults"


class _KeepActive(QObject):
    def eventFilter(self, scene, event) -> bool:
        kind = event.type()
        if kind == QEvent.Type.WindowDeactivate:
            return True                                  # swallowed: the scene stays active
        if kind == QEvent.Type.WindowActivate:
            return scene.isActive()                      # the first activation passes, repeats are swallowed
        return False


def plot_defaults(root: QWidget) -> int:
    """Give each view under root (root included) not yet seen its defaults; returns how many got them now."""
    views = [w for w in [root, *root.findChildren(pg.GraphicsView)]
             if isinstance(w, pg.GraphicsView) and not w.property(PROPERTY)]
    for view in views:
        view.setProperty(PROPERTY, True)
        view.scene().installEventFilter(_KeepActive(view))
        for item in view.scene().items():
            if isinstance(item, pg.AxisItem):
                item.enableAutoSIPrefix(False)
                # pyqtgraph (0.13-0.14) computes one last prefix while disabling it and keeps it: a log axis first
                # seen at 1e-6 then showed every rate a million times too large
                item.autoSIPrefixScale, item.labelUnitPrefix = 1.0, ""
                item.picture = None
    return len(views)
