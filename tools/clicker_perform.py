"""The random clicker's actions done through Qt's input events: QTest clicks and keys, wheel, context-menu and
tooltip events, mouse strokes. `perform(action, ctx)` returns False when the action's widget is not there now
(a replay after a change of the app), True when it was done.
"""
from __future__ import annotations

import os

from PySide6.QtCore import QEvent, QPoint, QPointF, Qt
from PySide6.QtGui import QContextMenuEvent, QHelpEvent, QKeyEvent, QKeySequence, QMouseEvent, QWheelEvent
from PySide6.QtTest import QTest
from PySide6.QtWidgets import (QAbstractItemView, QAbstractScrollArea, QApplication, QComboBox, QFileDialog, QMenu,
                               QScrollArea, QWidget)

from clicker_actions import resolve

LEFT, RIGHT, NONE = Qt.MouseButton.LeftButton, Qt.MouseButton.RightButton, Qt.KeyboardModifier.NoModifier
MODS = {"": NONE, "ctrl": Qt.KeyboardModifier.ControlModifier, "shift": Qt.KeyboardModifier.ShiftModifier}


def key(name: str):
    return getattr(Qt.Key, "Key_" + name)


def _target(w: QWidget, at) -> tuple[QWidget, QPoint]:
    """The widget that gets the mouse (a scroll area's viewport) and the point `at` (fractions) inside it."""
    t = w.viewport() if isinstance(w, QAbstractScrollArea) else w
    return t, QPoint(int(at[0] * max(t.width() - 1, 0)), int(at[1] * max(t.height() - 1, 0)))


def _reveal(w: QWidget) -> None:
    """Scroll every scroll area around w so it is in sight, as a user would before clicking it."""
    parent = w.parentWidget()
    while parent is not None:
        if isinstance(parent, QScrollArea) and parent.widget() is not None and parent.widget().isAncestorOf(w):
            parent.ensureWidgetVisible(w)
        parent = parent.parentWidget()


def send_text(w: QWidget, text: str) -> None:
    """Type text into w key by key; characters QTest cannot name (full-width digits, emoji) as raw key events."""
    run = ""
    for ch in text + "\0":
        if " " <= ch <= "~":
            run += ch
            continue
        if run:
            QTest.keyClicks(w, run)
            run = ""
        if ch != "\0":
            for kind in (QEvent.Type.KeyPress, QEvent.Type.KeyRelease):
                QApplication.sendEvent(w, QKeyEvent(kind, Qt.Key.Key_unknown, NONE, ch))


def _move(t: QWidget, p: QPoint, buttons) -> None:
    QApplication.sendEvent(t, QMouseEvent(QEvent.Type.MouseMove, QPointF(p), QPointF(t.mapToGlobal(p)),
                                          Qt.MouseButton.NoButton, buttons, NONE))


# ---- one function an action ------------------------------------------------------------------------------------
def _click(w, a, ctx):
    t, p = _target(w, a["at"])
    QTest.mouseClick(t, LEFT, NONE, p)


def _dbl(w, a, ctx):
    t, p = _target(w, a["at"])
    QTest.mouseDClick(t, LEFT, NONE, p)


def _rclick(w, a, ctx):
    """Right press, the context-menu request the window system makes of it, right release."""
    t, p = _target(w, a["at"])
    QTest.mousePress(t, RIGHT, NONE, p)
    QApplication.sendEvent(t, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, p, t.mapToGlobal(p)))
    if t.isVisible():
        QTest.mouseRelease(t, RIGHT, NONE, p)


def _hover(w, a, ctx):
    t, p = _target(w, a["at"])
    _move(t, p, Qt.MouseButton.NoButton)


def _tip(w, a, ctx):
    t, p = _target(w, a["at"])
    QApplication.sendEvent(t, QHelpEvent(QEvent.Type.ToolTip, p, t.mapToGlobal(p)))


def _context(w, a, ctx):
    t, p = _target(w, a["at"])
    QApplication.sendEvent(t, QContextMenuEvent(QContextMenuEvent.Reason.Mouse, p, t.mapToGlobal(p)))


def _wheel(w, a, ctx):
    t, p = _target(w, a["at"])
    QApplication.sendEvent(t, QWheelEvent(QPointF(p), QPointF(t.mapToGlobal(p)), QPoint(), QPoint(0, 120 * a["dy"]),
                                          Qt.MouseButton.NoButton, NONE, Qt.ScrollPhase.NoScrollPhase, False))


def _stroke(w, a, ctx):
    """Press, moves with the button held, release: a pen stroke on the pad, a drag on a slider or a plot."""
    pts = [_target(w, at)[1] for at in a["pts"]]
    t = _target(w, a["pts"][0])[0]
    QTest.mousePress(t, LEFT, NONE, pts[0])
    for p in pts[1:]:
        if not t.isVisible():
            return
        _move(t, p, LEFT)
    if t.isVisible():
        QTest.mouseRelease(t, LEFT, NONE, pts[-1])


def _key(w, a, ctx):
    QTest.keyClick(w, key(a["key"]), MODS[a.get("mods", "")])


def _type(w, a, ctx):
    t, p = _target(w, [0.3, 0.5])
    QTest.mouseClick(t, LEFT, NONE, p)                         # the click that puts the cursor in the field
    if not w.isVisible():
        return
    QTest.keyClick(w, Qt.Key.Key_A, MODS["ctrl"]) if a.get("select") else QTest.keyClick(w, Qt.Key.Key_End)
    send_text(w, a["text"])
    if a.get("end", "none") != "none" and w.isVisible():
        QTest.keyClick(w, key(a["end"]))


def _choose_in_popup(combo: QComboBox, index: int, leave: bool = False) -> bool:
    """The item under the pointer in the open list, then Return (a disabled item cannot be chosen)."""
    view = combo.view()
    model = combo.model()
    idx = model.index(index, combo.modelColumn(), combo.rootModelIndex())
    if not idx.isValid() or not (model.flags(idx) & Qt.ItemFlag.ItemIsEnabled):
        return False
    view.setCurrentIndex(idx)
    if not leave:
        QTest.keyClick(view, Qt.Key.Key_Return)
    return True


def _combo(w, a, ctx):
    QTest.mouseClick(w, LEFT, NONE, QPoint(w.width() // 2, w.height() // 2))
    if w.view().isVisible():
        chosen = _choose_in_popup(w, a["index"], a.get("leave", False))
        if not chosen or (w.view().isVisible() and not a.get("leave")):
            w.hidePopup()


def _tab(w, a, ctx):
    rect = w.tabRect(a["index"])
    if rect.isEmpty():
        return False
    QTest.mouseClick(w, LEFT, NONE, rect.center())


def _item(w: QAbstractItemView, a, ctx):
    model = w.model()
    idx = model.index(a["row"], a["col"], w.rootIndex()) if model is not None else None
    if idx is None or not idx.isValid():
        return False
    w.scrollTo(idx)
    rect = w.visualRect(idx)
    if rect.isEmpty():
        return False
    p = QPoint(rect.left() + 10, rect.center().y()) if a["how"] == "check" else rect.center()
    if a["how"] == "dbl":
        QTest.mouseDClick(w.viewport(), LEFT, NONE, p)
        return
    QTest.mouseClick(w.viewport(), LEFT, NONE, p)
    if a["how"] == "space" and w.isVisible():
        QTest.keyClick(w, Qt.Key.Key_Space)


def _menubar(w, a, ctx):
    act = next((x for x in w.actions() if x.text() == a["title"]), None)
    if act is None or not act.isEnabled():
        return False
    QTest.mouseClick(w, LEFT, NONE, w.actionGeometry(act).center())


def _close(w, a, ctx):
    if a.get("how") == "escape":
        QTest.keyClick(w, Qt.Key.Key_Escape)
    else:
        w.close()


def _filedialog(w: QFileDialog, a, ctx):
    if a.get("path") is None:
        w.reject()
        return
    path = a["path"].replace("{tmp}", ctx.tmp)
    if w.fileMode() == QFileDialog.FileMode.Directory:
        w.setDirectory(path)
    else:
        w.selectFile(path)
    chosen = w.selectedFiles() or [w.directory().absolutePath()]
    if all(os.path.realpath(f).startswith(os.path.realpath(ctx.tmp) + os.sep) for f in chosen):
        w.accept()
    else:                         # the dialog kept a name of its own (a missing folder): never write outside the run
        w.reject()


HANDLERS = {"click": _click, "dbl": _dbl, "rclick": _rclick, "hover": _hover, "tip": _tip, "context": _context,
            "wheel": _wheel, "stroke": _stroke, "key": _key, "type": _type, "combo": _combo, "tab": _tab,
            "item": _item, "menubar": _menubar, "close": _close, "filedialog": _filedialog}


# ---- actions on whatever is open, not on one widget ------------------------------------------------------------
def _menuitem(a, ctx):
    menu = QApplication.activePopupWidget()
    if not isinstance(menu, QMenu):
        return False
    act = next((x for x in menu.actions() if x.text() == a["text"] and x.isVisible()), None)
    if act is None or not act.isEnabled():
        return False
    QTest.mouseClick(menu, LEFT, NONE, menu.actionGeometry(act).center())


def _pick(a, ctx):
    popup = QApplication.activePopupWidget()
    combo = popup.parentWidget() if popup is not None else None
    if not isinstance(combo, QComboBox):
        return False
    if not _choose_in_popup(combo, a["index"]):
        return False


def _keyseq(a, ctx):
    target = QApplication.focusWidget() or ctx.main
    QTest.keySequence(target, QKeySequence(a["seq"]))


def _resize(a, ctx):
    ctx.main.resize(*a["size"])


GLOBAL = {"wait": lambda a, ctx: None, "menuitem": _menuitem, "pick": _pick, "keyseq": _keyseq, "resize": _resize}


def perform(a: dict, ctx) -> bool:
    """Do the action; False when its widget is gone, hidden or disabled now."""
    do = a["do"]
    if do in GLOBAL:
        return GLOBAL[do](a, ctx) is not False
    w = resolve(a.get("w"))
    if w is None or not w.isVisible() or (not w.isEnabled() and do != "close"):
        return False
    _reveal(w)
    return HANDLERS[do](w, a, ctx) is not False
