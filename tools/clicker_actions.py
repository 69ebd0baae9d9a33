"""The random clicker's hands (tools/random_clicker.py): which widgets a user could use right now, a seeded random
action on one of them, and performing an action, fresh or read back from a log (one JSON object a line).

Widgets are found at run time by their Qt class: buttons, check boxes, combo boxes, spin boxes, fields, sliders,
tab bars, item views, the menu bar and its menus, pyqtgraph plots, and the app's own views that take the mouse.
Object names serve only the special cases: the drawing pad (`drawCanvas`: strokes), the network diagrams (names
ending in `Diagram`: clicks aimed at connections through their `itemAt`) and the course's `showMe_*` buttons
(chosen more often). While a popup or a modal dialog is open only its widgets are offered, as for a user; a file
dialog only ever gets Cancel or a path in the run's temporary folder. A widget is named in the log by its path of
`Class#objectName` or `Class:index` segments from its window, and by its text.
"""
from __future__ import annotations

import pyqtgraph as pg
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QAction, QKeySequence, QShortcut
from PySide6.QtWidgets import (QAbstractButton, QAbstractItemView, QAbstractSlider, QAbstractSpinBox, QApplication,
                               QCheckBox, QComboBox, QDialog, QDockWidget, QFileDialog, QHeaderView, QLineEdit, QMenu,
                               QMenuBar, QPlainTextEdit, QRadioButton, QScrollBar, QTabBar, QTextEdit, QWidget)

# Typed into every field and spin box: what a student (or a cat) may type, and the numbers at the edges.
HOSTILE = ("", "abc", "0", "-1", "-0", "1e309", "-1e309", "nan", "NaN", "inf", "-inf", "１２８", "０.５", "2147483647",
           "-2147483648", "4294967296", "99999999999999999999", "1e-400", "1e-45", " 7 ", "1,5", "3.", ".", "-", "+",
           "e5", "0x10", "1_000", "٣", "½", "🙂", "9" * 40, "1e6", "0.5", "32", "1", "2")
# Chosen first by kind, then a widget of that kind: many buttons must not drown the few spin boxes.
KIND_WEIGHTS = {"button": 14, "showme": 8, "check": 5, "combo": 8, "spin": 8, "field": 6, "slider": 2,
                "scrollbar": 0.5, "tabbar": 8, "itemview": 4, "diagram": 4, "pad": 4, "view": 2, "plot": 1.5,
                "menubar": 8, "wait": 7, "key": 2, "shortcut": 2, "context": 1, "tooltip": 1, "resize": 0.4,
                "closewin": 1, "close": 4}
KEYS = ("Escape", "Return", "Space", "Tab", "Backtab", "Delete", "Backspace", "Up", "Down", "Left", "Right", "PageUp",
        "PageDown", "Home", "End", "F4")
QUIT_WORDS = ("quit", "exit")
CLOSE_ONLY = ("QPrintDialog", "QPageSetupDialog", "QPrintPreviewDialog", "QColorDialog", "QFontDialog")
PAUSES = (0, 0, 10, 30, 60, 120)             # ms after an ordinary action: a fast hand, sometimes faster than Qt
WAITS = (300, 800, 1500, 3000, 6000)         # ms of a "wait" action: runs progress, timers fire


# ---- naming widgets in the log --------------------------------------------------------------------------------
def _segment(w: QWidget) -> str:
    cls, name, parent = type(w).__name__, w.objectName(), w.parentWidget()
    if parent is None:              # a window: its title changes (the document's name), its class does not
        return f"{cls}#{name}" if name else cls
    same = [c for c in parent.children() if type(c) is type(w) and c.objectName() == name]
    index = same.index(w) if w in same else 0
    if name and not name.startswith("qt_"):
        return f"{cls}#{name}" + (f":{index}" if index else "")
    return f"{cls}:{index}"


def label(w: QWidget) -> str:
    if isinstance(w, QAbstractButton):
        return w.text()
    return w.windowTitle() if w.isWindow() else ""


def locate(w: QWidget) -> dict:
    chain, x = [], w
    while x is not None:
        chain.append(_segment(x))
        x = x.parentWidget()
    return {"path": "/".join(reversed(chain)), "text": label(w)}


def resolve(loc: dict | None) -> QWidget | None:
    """The widget a locator names now: its path walked from its window, else one of its class, name and text."""
    if not loc:
        return None
    segs = loc["path"].split("/")
    found = [r for r in QApplication.topLevelWidgets() if r.parentWidget() is None and _segment(r) == segs[0]]
    found.sort(key=lambda r: not r.isVisible())
    node = found[0] if found else None
    for seg in segs[1:]:
        if node is None:
            break
        node = next((c for c in node.children() if isinstance(c, QWidget) and _segment(c) == seg), None)
    if node is not None and label(node) == loc.get("text", ""):
        return node
    leaf = segs[-1].split(":")[0]
    alike = [w for w in QApplication.allWidgets() if w.isVisible() and _segment(w).split(":")[0] == leaf
             and label(w) == loc.get("text", "")]
    return alike[0] if alike else None


# ---- what a user can reach now ---------------------------------------------------------------------------------
def scope() -> tuple[str, QWidget | None]:
    popup = QApplication.activePopupWidget()
    if popup is not None:
        return "popup", popup
    modal = QApplication.activeModalWidget()
    return ("modal", modal) if modal is not None else ("all", None)


def only_closed(w: QWidget) -> bool:
    """Qt's own file, print and colour dialogs: a run must not write outside its folder nor print, so they are
    only ever answered (file dialogs) or closed."""
    return isinstance(w, QFileDialog) or type(w).__name__ in CLOSE_ONLY


def _in_closed_only(w: QWidget) -> bool:
    while w is not None:
        if only_closed(w):
            return True
        w = w.parentWidget()
    return False


def _usable(w: QWidget) -> bool:
    win = w.window()
    if win.windowType() in (Qt.WindowType.ToolTip, Qt.WindowType.Popup) or not win.isVisible():
        return False
    return w.isVisible() and w.isEnabled() and not _in_closed_only(w)


def _handles_mouse(cls) -> bool:
    hooks = ("mousePressEvent", "mouseReleaseEvent", "mouseDoubleClickEvent", "mouseMoveEvent", "wheelEvent")
    return any(c.__module__.startswith("app.") and any(h in c.__dict__ for h in hooks) for c in cls.__mro__)


def kind_of(w: QWidget) -> str | None:
    name, parent = w.objectName(), w.parentWidget()
    if isinstance(w, QAbstractButton):
        if name.startswith("showMe_"):
            return "showme"
        return "check" if isinstance(w, (QCheckBox, QRadioButton)) else "button"
    if isinstance(w, QComboBox):
        return "combo"
    if isinstance(w, QAbstractSpinBox):
        return "spin"
    if isinstance(w, QLineEdit):
        return None if w.isReadOnly() or isinstance(parent, (QAbstractSpinBox, QComboBox)) else "field"
    if isinstance(w, (QPlainTextEdit, QTextEdit)):
        return None if w.isReadOnly() else "field"
    if isinstance(w, QAbstractSlider):
        return "scrollbar" if isinstance(w, QScrollBar) else "slider"
    if isinstance(w, QTabBar):
        return "tabbar" if w.count() > 1 else None
    if isinstance(w, QHeaderView):
        return "view"
    if isinstance(w, QAbstractItemView):
        return None if isinstance(parent, QComboBox) or "Container" in type(parent).__name__ else "itemview"
    if isinstance(w, QMenuBar):
        return "menubar"
    if name == "drawCanvas":
        return "pad"
    if name.endswith("Diagram") and hasattr(w, "itemAt"):
        return "diagram"
    if isinstance(w, pg.GraphicsView):
        return "plot"
    return "view" if type(w).__module__.startswith("app.") and _handles_mouse(type(w)) else None


def reachable(root: QWidget | None) -> dict[str, list[QWidget]]:
    """The widgets a user can use now, by kind (under `root` when a modal dialog is open)."""
    ws = [root, *root.findChildren(QWidget)] if root is not None else QApplication.allWidgets()
    kinds: dict[str, list[QWidget]] = {}
    for w in ws:
        if _usable(w):
            k = kind_of(w)
            if k is not None:
                kinds.setdefault(k, []).append(w)
    return kinds


def _other_windows(main: QWidget) -> list[QWidget]:
    """Windows besides the main one a user may close with the title bar's X (dialogs, floating docks, pyqtgraph's)."""
    wins = [w for w in QApplication.topLevelWidgets() if w is not main and w.isVisible()]
    return [w for w in wins if w.windowType() not in (Qt.WindowType.ToolTip, Qt.WindowType.Popup)
            and (isinstance(w, (QDialog, QDockWidget)) or type(w).__module__.startswith("pyqtgraph"))]


def _is_quit(action: QAction) -> bool:
    text = action.text().replace("&", "").strip().lower()
    return action.menuRole() == QAction.MenuRole.QuitRole or text.startswith(QUIT_WORDS) or \
        action.shortcut() == QKeySequence(QKeySequence.StandardKey.Quit)


# ---- proposing an action ---------------------------------------------------------------------------------------
def propose(rng, main: QWidget, depth: int) -> dict:
    """One seeded random action on what a user can reach now (a popup's items, a modal's widgets, or the windows)."""
    where, root = scope()
    if where == "popup":
        return _popup_action(rng, root)
    if where == "modal" and isinstance(root, QFileDialog):
        return _file_dialog_action(rng, root)
    if where == "modal" and only_closed(root):
        return {"do": "close", "w": locate(root), "how": "x", "then": rng.choice(PAUSES)}
    if depth >= 6 and root is not None:
        return {"do": "close", "w": locate(root), "how": "x"}
    kinds = reachable(root)
    kinds["wait"] = kinds["key"] = kinds["context"] = kinds["tooltip"] = [None]
    if root is not None:
        kinds["close"] = [root]
    else:
        kinds["shortcut"] = kinds["resize"] = [None]
        others = _other_windows(main)
        if others:
            kinds["closewin"] = others
    names = sorted(kinds)
    kind = rng.choices(names, weights=[KIND_WEIGHTS.get(k, 1) for k in names])[0]
    pool = kinds[kind]
    if kind in ("context", "tooltip"):
        pool = [w for ws in kinds.values() for w in ws if isinstance(w, QWidget)] or [main]
    if len(pool) > 1:               # Qt lists widgets in no fixed order: sorted, a seed picks the same one
        pool = sorted(pool, key=lambda w: locate(w)["path"])
    widget = rng.choice(pool)
    action = MAKERS[kind](rng, widget, main)
    action.setdefault("then", rng.choice(PAUSES))
    return action


def _frac(rng) -> list[float]:
    return [round(rng.uniform(0.02, 0.98), 3), round(rng.uniform(0.02, 0.98), 3)]


def _click(rng, w, main=None) -> dict:
    if isinstance(w, QCheckBox):      # the indicator: a stretched check box is not clickable at its centre
        return {"do": "click", "w": locate(w), "at": [round(8 / max(w.width(), 9), 3), 0.5]}
    return {"do": "click", "w": locate(w), "at": [0.5, 0.5]}


def typed_value(rng) -> str:
    r = rng.random()
    if r < 0.6:
        return rng.choice(HOSTILE)
    return str(rng.randint(1, 600)) if r < 0.8 else f"{10 ** rng.uniform(-6, 2):.3g}"


def _type(rng, w, main=None) -> dict:
    return {"do": "type", "w": locate(w), "text": typed_value(rng), "select": rng.random() < 0.8,
            "end": rng.choice(("Return", "Return", "Tab", "none", "Escape"))}


def _combo(rng, w, main=None) -> dict:
    loc, r = locate(w), rng.random()
    if r < 0.5:
        model = w.model()
        enabled = [i for i in range(w.count()) if model.flags(model.index(i, w.modelColumn(), w.rootModelIndex()))
                   & Qt.ItemFlag.ItemIsEnabled]
        return {"do": "combo", "w": loc, "index": rng.choice(enabled) if enabled else 0, "leave": rng.random() < 0.15}
    if r < 0.75:
        return {"do": "key", "w": loc, "key": rng.choice(("Up", "Down", "Home", "End", "PageDown", "PageUp"))}
    if r < 0.9 or not w.isEditable():
        return {"do": "wheel", "w": loc, "at": [0.5, 0.5], "dy": rng.choice((-3, -1, 1, 2))}
    return _type(rng, w)


def _spin(rng, w, main=None) -> dict:
    loc, r = locate(w), rng.random()
    if r < 0.6:
        return _type(rng, w)
    if r < 0.75:
        return {"do": "wheel", "w": loc, "at": [0.4, 0.5], "dy": rng.choice((-5, -1, 1, 3))}
    if r < 0.9:
        return {"do": "key", "w": loc, "key": rng.choice(("Up", "Down", "PageUp", "PageDown"))}
    return {"do": "click", "w": loc, "at": [0.96, rng.choice((0.25, 0.75))]}        # the arrows


def _slider(rng, w, main=None) -> dict:
    loc, r = locate(w), rng.random()
    if r < 0.35:
        return {"do": "key", "w": loc, "key": rng.choice(("Left", "Right", "PageUp", "PageDown", "Home", "End"))}
    if r < 0.6:
        return {"do": "wheel", "w": loc, "at": [0.5, 0.5], "dy": rng.choice((-2, -1, 1, 2))}
    if r < 0.8:
        return {"do": "click", "w": loc, "at": _frac(rng)}
    span = max(w.maximum() - w.minimum(), 1)
    f = (w.value() - w.minimum()) / span
    start = [f, 0.5] if w.orientation() == Qt.Orientation.Horizontal else [0.5, 1 - f]
    return {"do": "stroke", "w": loc, "pts": [start, _frac(rng)]}


def _tabbar(rng, w, main=None) -> dict:
    tabs = [i for i in range(w.count()) if w.isTabEnabled(i) and i != w.currentIndex()] or [w.currentIndex()]
    return {"do": "tab", "w": locate(w), "index": rng.choice(tabs)}


def _itemview(rng, w, main=None) -> dict:
    model = w.model()
    rows = model.rowCount(w.rootIndex()) if model is not None else 0
    if rows == 0:
        return {"do": "click", "w": locate(w), "at": _frac(rng)}
    try:
        cols = max(model.columnCount(w.rootIndex()), 1)
    except TypeError:         # a list model keeps columnCount private: one column
        cols = 1
    return {"do": "item", "w": locate(w), "row": rng.randrange(rows), "col": rng.randrange(cols),
            "how": rng.choice(("click", "click", "dbl", "space", "check"))}


def _diagram(rng, w, main=None) -> dict:
    """Mostly a click on a connection (found through the view's own hit test), else a neuron or anywhere."""
    hits: dict[str, list] = {}
    for _ in range(80):
        at = _frac(rng)
        try:
            item = w.itemAt(QPointF(at[0] * w.width(), at[1] * w.height()))
        except Exception:  # the view's own click will meet the same defect, as the user would
            break
        if item:
            hits.setdefault(item[0], []).append(at)
    r = rng.random()
    how = "click" if r < 0.7 else rng.choice(("hover", "tip", "dbl"))
    pool = hits.get("w") if r < 0.6 else hits.get("n")
    return {"do": how, "w": locate(w), "at": rng.choice(pool) if pool else _frac(rng)}


def _pad(rng, w, main=None) -> dict:
    x, y = _frac(rng)
    pts = [[x, y]]
    for _ in range(rng.randint(0, 25)):
        x = min(max(x + rng.uniform(-0.15, 0.15), 0.0), 1.0)
        y = min(max(y + rng.uniform(-0.15, 0.15), 0.0), 1.0)
        pts.append([round(x, 3), round(y, 3)])
    if rng.random() < 0.1:
        return {"do": "key", "w": locate(w), "key": rng.choice(("Backspace", "Delete", "Escape")),
                "mods": rng.choice(("", "ctrl"))}
    return {"do": "stroke", "w": locate(w), "pts": pts}


def _view(rng, w, main=None) -> dict:
    how = rng.choice(("click", "click", "dbl", "hover", "tip", "wheel", "stroke", "rclick"))
    loc = locate(w)
    if how == "wheel":
        return {"do": "wheel", "w": loc, "at": _frac(rng), "dy": rng.choice((-3, -1, 1, 2))}
    if how == "stroke":
        return {"do": "stroke", "w": loc, "pts": [_frac(rng), _frac(rng)]}
    return {"do": how, "w": loc, "at": _frac(rng)}


def _menubar(rng, w, main=None) -> dict:
    titles = [a.text() for a in w.actions() if a.isEnabled() and a.isVisible() and a.menu() is not None]
    return {"do": "menubar", "w": locate(w), "title": rng.choice(titles) if titles else ""}


def _wait(rng, w=None, main=None) -> dict:
    return {"do": "wait", "then": rng.choice(WAITS)}


def _key(rng, w=None, main=None) -> dict:
    focus = QApplication.focusWidget() or main
    return {"do": "key", "w": locate(focus), "key": rng.choice(KEYS), "mods": rng.choice(("", "", "", "ctrl", "shift"))}


def _shortcut(rng, w, main) -> dict:
    seqs = {a.shortcut().toString() for a in main.findChildren(QAction)
            if not a.shortcut().isEmpty() and a.isEnabled() and not _is_quit(a)}
    seqs |= {s.key().toString() for s in main.findChildren(QShortcut) if s.isEnabled() and not s.key().isEmpty()}
    seqs = sorted(seqs - {QKeySequence(QKeySequence.StandardKey.Quit).toString()})
    return {"do": "keyseq", "seq": rng.choice(seqs)} if seqs else _wait(rng)


def _context(rng, w, main=None) -> dict:
    return {"do": "context", "w": locate(w), "at": _frac(rng)}


def _tooltip(rng, w, main=None) -> dict:
    return {"do": "tip", "w": locate(w), "at": _frac(rng)}


def _resize(rng, w, main) -> dict:
    return {"do": "resize", "size": [rng.randint(800, 1700), rng.randint(560, 1050)]}


def _closewin(rng, w, main=None) -> dict:
    return {"do": "close", "w": locate(w), "how": "x"}


def _close(rng, w, main=None) -> dict:
    return {"do": "close", "w": locate(w), "how": rng.choice(("escape", "escape", "x"))}


MAKERS = {"button": _click, "showme": _click, "check": _click, "combo": _combo, "spin": _spin, "field": _type,
          "slider": _slider, "scrollbar": _slider, "tabbar": _tabbar, "itemview": _itemview, "diagram": _diagram,
          "pad": _pad, "view": _view, "plot": _view, "menubar": _menubar, "wait": _wait, "key": _key,
          "shortcut": _shortcut, "context": _context, "tooltip": _tooltip, "resize": _resize, "closewin": _closewin,
          "close": _close}


def _popup_action(rng, popup: QWidget) -> dict:
    if isinstance(popup, QMenu):
        items = [a.text() for a in popup.actions() if a.isEnabled() and a.isVisible() and not a.isSeparator()
                 and not _is_quit(a)]
        if items and rng.random() < 0.85:
            return {"do": "menuitem", "text": rng.choice(items), "then": rng.choice(PAUSES)}
    combo = popup.parentWidget()
    if isinstance(combo, QComboBox) and rng.random() < 0.8:
        return {"do": "pick", "index": rng.randrange(max(combo.count(), 1)), "then": rng.choice(PAUSES)}
    return {"do": "key", "w": locate(popup), "key": "Escape", "then": rng.choice(PAUSES)}


def _file_dialog_action(rng, dialog: QFileDialog) -> dict:
    """Cancel, or a path inside the run's folder: never anywhere else on the disk."""
    r = rng.random()
    if r < 0.4:
        path = None
    elif dialog.fileMode() == QFileDialog.FileMode.Directory:
        path = rng.choice(("{tmp}/files", "{tmp}/files/empty", "{tmp}/missing"))
    elif dialog.acceptMode() == QFileDialog.AcceptMode.AcceptSave:
        path = rng.choice(("{tmp}/files/out", "{tmp}/files/out.png", "{tmp}/files/ünï cödé 🙂", "{tmp}/missing/x"))
    else:
        path = rng.choice(("{tmp}/files/garbage.npz", "{tmp}/files/empty.npz", "{tmp}/files/out.npz",
                           "{tmp}/missing.npz"))
    return {"do": "filedialog", "w": locate(dialog), "path": path, "then": rng.choice(PAUSES)}
