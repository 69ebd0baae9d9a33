"""The window's dialogs as functions (About, keyboard shortcuts, errors, file choosers, questions), and `Prompts`.

Every function takes the parent window and returns what the user chose; message boxes open window-modal
without blocking the event loop (training keeps running). `Prompts` bundles the blocking ones for one window:
the document, the exports and the View menu ask through it, and tests replace its attributes on the instance.
"""
from __future__ import annotations

import sys
from pathlib import Path
from typing import NamedTuple

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QIcon, QKeySequence, QShortcut
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.paths import icon_path
from engine.version import __version__

CODE_LICENSE = "MIT"


class DataLicense(NamedTuple):
    """Bundled data under its own license; resources/<folder>/SOURCES.md holds the full attribution."""
    what: str
    title: str
    source_url: str
    credit: str
    license: str
    license_url: str
    spdx: str            # as named in pyproject.toml's license expression


DATA_LICENSES = (
    DataLicense("MNIST sample (5,000 training and 10,000 test digits)", "The MNIST database of handwritten digits",
                "http://yann.lecun.com/exdb/mnist/", "Yann LeCun, Corinna Cortes and Christopher J.C. Burges",
                "CC BY-SA 3.0", "https://creativecommons.org/licenses/by-sa/3.0/", "CC-BY-SA-3.0"),
    DataLicense("Pen-drawn digits (7,494 pen trajectories by 30 writers)", "Pen-Based Recognition of Handwritten "
                "Digits", "https://doi.org/10.24432/C5MG6K", "E. Alpaydin and F. Alimoglu, Bogazici University "
                "(1998), UCI Machine Learning Repository", "CC BY 4.0",
                "https://creativecommons.org/licenses/by/4.0/", "CC-BY-4.0"),
)


def shortcut_text(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def _open_box(box: QMessageBox) -> QMessageBox:
    box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    box.open()
    return box


# ---- messages ------------------------------------------------------------------------------------------------
def show_error(parent, title: str, text: str) -> QMessageBox:
    return _open_box(QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, parent))


def about_text() -> str:
    from PySide6 import __version__ as pyside_version

    def nobreak(name: str) -> str:         # "CC BY-SA 3.0" stays on one line
        return name.replace(" ", "&nbsp;").replace("-", "\u2011")
    data = "".join(f'<li>{d.what}: <a href="{d.source_url}">{d.title}</a> by {d.credit}, under '
                   f'<a href="{d.license_url}">{nobreak(d.license)}</a>.</li>' for d in DATA_LICENSES)
    return (f"<h3>MLP Studio {__version__}</h3>"
            "<p>Build a multi-layer perceptron, train it on handwritten digits, look inside it, and test it "
            "on digits you draw.</p>"
            f"<p><b>Code:</b> {CODE_LICENSE} License. Uses NumPy, PySide6 {pyside_version} (Qt, LGPLv3) and "
            "pyqtgraph.</p>"
            f"<p><b>Bundled data</b>, each under its own license:</p><ul>{data}</ul>"
            f"<p>Python {sys.version.split()[0]}</p>")


def show_about(parent) -> QMessageBox:
    box = QMessageBox(parent)
    box.setWindowTitle("About MLP Studio")
    box.setTextFormat(Qt.TextFormat.RichText)
    box.setText(about_text())
    icon = QApplication.windowIcon()
    if icon.isNull():  # started without app/__main__ (tests, embedding): load it ourselves
        icon = QIcon(str(icon_path()))
    box.setIconPixmap(icon.pixmap(64, 64))
    box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
    return _open_box(box)


def shortcut_rows(window) -> list[tuple[str, str]]:
    """(what, keys) for every action and shortcut the window knows, menus first."""
    rows, seen = [], set()
    for action in window.findChildren(QAction):
        if not action.associatedObjects():  # not in any menu or widget: its shortcut is inactive
            continue
        keys = shortcut_text(action)
        text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")
        if keys and (text, keys) not in seen:
            seen.add((text, keys))
            rows.append((text, keys))
    for sc in window.findChildren(QShortcut):
        keys = sc.key().toString(QKeySequence.SequenceFormat.NativeText)
        what = sc.whatsThis() or sc.objectName() or (sc.parent().objectName() if sc.parent() else "")
        if keys and not any(k == keys for _, k in rows):
            rows.append((what or "(drawing pad)", keys))
    return rows


def show_shortcuts(window) -> QMessageBox:
    rows = "".join(f"<tr><td>{what}</td><td>&nbsp;&nbsp;<b>{keys}</b></td></tr>"
                   for what, keys in shortcut_rows(window))
    return _open_box(QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", f"<table>{rows}</table>",
                                 QMessageBox.StandardButton.Close, window))


# ---- questions (these block until answered) -------------------------------------------------------------------
def ask_open_path(parent, folder: str, file_filter: str) -> str:
    return QFileDialog.getOpenFileName(parent, "Open project", folder, file_filter)[0]


def ask_save_path(parent, title: str, start: str, file_filter: str) -> str:
    return QFileDialog.getSaveFileName(parent, title, start, file_filter)[0]


def ask_unsaved(parent, what: str) -> str:
    """'save' | 'discard' | 'cancel' for unsaved work (`what`: a sentence naming it)."""
    B = QMessageBox.StandardButton
    answer = QMessageBox.question(parent, "Unsaved work", f"{what} Save the project first?",
                                  B.Save | B.Discard | B.Cancel, B.Save)
    return {B.Save: "save", B.Discard: "discard"}.get(answer, "cancel")


def ask_discard_trained(parent, why: str) -> bool:
    """True when the user agrees to throw the trained network away for `why` (a sentence)."""
    B = QMessageBox.StandardButton
    answer = QMessageBox.question(parent, "Discard the trained network?",
                                  f"{why} This throws away the trained weights (save the project first to keep "
                                  "them). Go on?", B.Yes | B.Cancel, B.Cancel)
    return answer == B.Yes


def offer_recovery(parent, text: str, restore, discard) -> QMessageBox:
    """A question that does not block the window: Restore calls restore(), Discard discard()."""
    B = QMessageBox.StandardButton
    box = QMessageBox(QMessageBox.Icon.Question, "Restore unsaved work?", text, B.NoButton, parent)
    box.setObjectName("recoveryOffer")
    keep = box.addButton("Restore", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Discard", QMessageBox.ButtonRole.DestructiveRole)
    box.buttonClicked.connect(lambda button: restore() if button is keep else discard())
    return _open_box(box)


class Prompts:
    """The blocking dialogs one window shows; replace an attribute on the instance to answer it in a test."""

    def __init__(self, window, settings):
        self.window, self.settings = window, settings
        self.last_message: QMessageBox | None = None

    def ask_open_path(self, file_filter: str) -> str:
        return ask_open_path(self.window, self.settings.last_folder(), file_filter)

    def ask_save_path(self, title: str, name: str, file_filter: str) -> str:
        return ask_save_path(self.window, title, str(Path(self.settings.last_folder()) / name), file_filter)

    def ask_unsaved(self, what: str) -> str:
        return ask_unsaved(self.window, what)

    def ask_discard_trained(self, why: str) -> bool:
        return ask_discard_trained(self.window, why)

    def offer_recovery(self, text: str, restore, discard) -> None:
        self.last_message = offer_recovery(self.window, text, restore, discard)

    def show_error(self, title: str, text: str) -> None:
        self.last_message = show_error(self.window, title, text)
        self.window.statusBar().showMessage(text, 8000)
