"""Copy as image / Save as PNG… on every plot and view, for a teacher's slides.

`install_image_menu(widget, name)` gives one widget the two entries; `install_image_menus(root)` walks a window
and gives them to every pyqtgraph view and every named view (network diagrams, heat maps), once each.
A pyqtgraph view whose plots have their own menu gets the entries appended to it (its scene's context menu);
one without (menus switched off) and a plain widget open a small menu of their own on a right click or the
context-menu key.
"""
from __future__ import annotations

import weakref

from pathlib import Path

import pyqtgraph as pg
from PySide6.QtCore import QEvent, QObject, QPoint, Qt
from PySide6.QtGui import QAction, QImage
from PySide6.QtWidgets import QApplication, QFileDialog, QMenu, QWidget

from app.widgets.plot_defaults import plot_defaults

COPY_TEXT = "Copy as image"
SAVE_TEXT = "Save as PNG…"
# Views drawn by hand (not pyqtgraph): the diagrams and heat maps a slide may want
VIEW_NAMES = ("networkDiagram", "insideNetworkDiagram", "confusionMatrix", "firstLayerWeightsView",
              "neuronMaps", "perceptronView", "drawCanvas")
PROPERTY = "imageMenuName"
CLICK_SLOP = 4                       # a right press and release this close is a click, not a right-drag zoom


def image_of(widget: QWidget) -> QImage:
    """What the widget shows, as an image at the screen's resolution."""
    return widget.grab().toImage()


def copy_image(widget: QWidget) -> QImage:
    image = image_of(widget)
    QApplication.clipboard().setImage(image)
    return image


def ask_png_path(parent: QWidget, name: str) -> str:
    """The file to save to (empty: cancelled); tests replace this function."""
    start = str(Path.home() / f"{name}.png")
    return QFileDialog.getSaveFileName(parent, "Save as PNG", start, "PNG images (*.png)")[0]


def save_png(widget: QWidget, path: str | Path) -> Path | None:
    """Write the widget's image to path (.png added if missing); None and a status message when it fails."""
    path = Path(path)
    if path.suffix.lower() != ".png":
        path = path.with_name(path.name + ".png")
    if image_of(widget).save(str(path), "PNG"):
        _say(widget, f"Saved {path}.")
        return path
    _say(widget, f"Could not write {path}: check that the folder exists and that you may write there.")
    return None


def save_png_asking(widget: QWidget, name: str) -> Path | None:
    path = ask_png_path(widget.window(), name)
    return save_png(widget, path) if path else None


def _say(widget: QWidget, text: str) -> None:
    window = widget.window()
    if hasattr(window, "statusBar"):
        window.statusBar().showMessage(text, 8000)


def image_actions(widget: QWidget, name: str, parent: QObject) -> list[QAction]:
    copy = QAction(COPY_TEXT, parent)
    copy.setObjectName(f"{name}CopyImage")
    copy.triggered.connect(lambda _=False: copy_image(widget))
    save = QAction(SAVE_TEXT, parent)
    save.setObjectName(f"{name}SavePng")
    save.triggered.connect(lambda _=False: save_png_asking(widget, name))
    return [copy, save]


class _MenuFilter(QObject):
    """A right click (not a right-drag) or the context-menu key opens the widget's small image menu."""

    def __init__(self, widget: QWidget, actions: list[QAction], mouse_clicks: bool):
        super().__init__(widget)
        self.widget, self.actions, self.mouse_clicks = widget, actions, mouse_clicks
        self._pressed: QPoint | None = None

    def eventFilter(self, obj, event) -> bool:
        kind = event.type()
        if kind == QEvent.ContextMenu:
            # a pyqtgraph view answers the mouse's click itself (below); a plain widget answers every request
            if not self.mouse_clicks or event.reason() != event.Reason.Mouse:
                self.popup(event.globalPos())
                return True
        elif self.mouse_clicks and kind == QEvent.MouseButtonPress and event.button() == Qt.RightButton:
            self._pressed = event.position().toPoint()
        elif self.mouse_clicks and kind == QEvent.MouseButtonRelease and event.button() == Qt.RightButton:
            pressed, self._pressed = self._pressed, None
            if pressed is not None and (event.position().toPoint() - pressed).manhattanLength() <= CLICK_SLOP:
                self.popup(event.globalPosition().toPoint())
        return False

    def popup(self, where: QPoint) -> QMenu:
        menu = QMenu(self.widget)
        menu.setAttribute(Qt.WA_DeleteOnClose)
        menu.addActions(self.actions)
        menu.popup(where)
        return menu


def _has_own_menu(view: pg.GraphicsView) -> bool:
    return any(isinstance(item, pg.ViewBox) and item.menuEnabled() for item in view.scene().items())


def install_image_menu(widget: QWidget, name: str) -> list[QAction]:
    """Give widget the two entries (once); returns its actions (Copy as image, Save as PNG…)."""
    if widget.property(PROPERTY):
        return [a for a in widget.findChildren(QAction) if a.text() in (COPY_TEXT, SAVE_TEXT)]
    actions = image_actions(widget, name, widget)
    widget.setProperty(PROPERTY, name)
    if isinstance(widget, pg.GraphicsView):
        if _has_own_menu(widget):
            widget.scene().contextMenu.extend(actions)       # pyqtgraph appends these to every menu it opens
        else:
            widget.viewport().installEventFilter(_MenuFilter(widget, actions, mouse_clicks=True))
    else:
        widget.installEventFilter(_MenuFilter(widget, actions, mouse_clicks=False))
    return actions


def _name_of(widget: QWidget) -> str:
    """The widget's objectName, else its nearest named ancestor's and its class ('weightHistograms-PlotWidget')."""
    if widget.objectName():
        return widget.objectName()
    parent = widget.parentWidget()
    while parent is not None and not parent.objectName():
        parent = parent.parentWidget()
    prefix = parent.objectName() + "-" if parent is not None else ""
    return prefix + type(widget).__name__


def install_image_menus(root: QWidget) -> list[QWidget]:
    """Every plot and named view under root gets the entries; returns the widgets that got them now."""
    found = [w for w in root.findChildren(QWidget)
             if isinstance(w, pg.GraphicsView) or w.objectName() in VIEW_NAMES]
    new = [w for w in found if not w.property(PROPERTY)]
    for widget in new:
        install_image_menu(widget, _name_of(widget))
    return new


class _NewWindows(QObject):
    """A dialog or dock made later (the learning-rate finder's plot) is walked once it is built."""

    def __init__(self, window, walk):
        super().__init__(window)
        self.walk = walk

    def eventFilter(self, obj, event) -> bool:
        if event.type() == QEvent.ChildAdded and event.child().isWidgetType():
            self.walk()
        return False


def _visit(window) -> None:
    install_image_menus(window)
    plot_defaults(window)                 # and each plot's defaults: plain axis numbers, a scene kept active


def follow_window(window) -> None:
    """The entries on every plot and view of the window, now and for views made later (a new layer's histogram,
    a page shown for the first time, a dialog): the walk is repeated, deferred, when a tab, a page or the spec
    changes or the window gets a new child window."""
    from PySide6.QtCore import QTimer

    # one deferred walk at a time, holding the window weakly: a closed window must be freed at once
    later, ref = QTimer(window, singleShot=True, interval=0), weakref.ref(window)
    later.timeout.connect(lambda: ref() is not None and _visit(ref()))

    def walk(*_):
        later.start()
    _visit(window)
    window.tabs.currentChanged.connect(walk)
    window.findChild(QWidget, "insideTab").pages.currentChanged.connect(walk)
    window.state.specChanged.connect(walk)
    window.installEventFilter(_NewWindows(window, walk))
