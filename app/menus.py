"""The File, View and Help menus: each action wired to the document, the exports, the theme or a dialog.

`install(window)` (called by MainWindow._build_menus) makes the window's document, exports, prompts, theme and
last session, builds the menus around the window's own (File first, Help last), makes the title bar,
status bar and curves follow the document.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication

from app import dialogs
from app.autosave import Autosave
from app.dialogs import Prompts, shortcut_text
from app.document import Document
from app.exports import Exports
from app.last_session import LastSession
from app.settings import Settings
from app.status_tasks import install as install_status
from app.theme import Theme
from app.widgets.export_image import follow_window
from app.widgets.guide.install import install as install_guide
from app.widgets.guide.lesson import edit_lesson

THEMES = (("system", "Follow the &system"), ("light", "&Light"), ("dark", "&Dark"))


def with_shortcut_tip(action: QAction, tip: str) -> QAction:
    """Tooltip and status tip that name the shortcut, e.g. 'Save the project (Ctrl+S)'."""
    keys = shortcut_text(action)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
    return action


class Menus(QObject):
    def __init__(self, window, document: Document, exports: Exports, theme: Theme):
        super().__init__(window)
        self.window, self.document, self.exports, self.theme = window, document, exports, theme
        self.settings, self.prompts = document.settings, document.prompts
        self._build_file_menu()
        self._build_view_menu()
        self._build_help_menu()
        document.pathChanged.connect(lambda _: self._fill_recent())

    def _action(self, text, tip, slot, shortcut=None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(lambda _=False: slot())
        return with_shortcut_tip(action, tip)

    def _build_file_menu(self) -> None:
        d, e, bar = self.document, self.exports, self.window.menuBar()
        menu = self.window.file_menu = bar.addMenu("&File")
        first = bar.actions()[0]
        if first is not menu.menuAction():  # the window's own menus (Train) come after File
            bar.insertMenu(first, menu)
        menu.setToolTipsVisible(True)
        self.new_action = self._action("&New", "Start a new project with the default network", d.new, "Ctrl+N")
        self.open_action = self._action("&Open…", "Open a saved project", d.open, "Ctrl+O")
        self.save_action = self._action("&Save", "Save the project: network, settings, weights, history",
                                        d.save, "Ctrl+S")
        self.save_as_action = self._action("Save &As…", "Save the project under a new name", d.save_as,
                                           "Ctrl+Shift+S")
        self.export_npz_action = self._action("&Export model (.npz)…",
                                              "Save the trained model alone in the engine's .npz format",
                                              e.export_npz, "Ctrl+E")
        self.export_torch_action = self._action("Export to &PyTorch…",
                                                "Write a folder with the PyTorch model, its weights and a train.py "
                                                "that continues training (CPU, CUDA, torchrun)",
                                                e.export_torch, "Ctrl+Shift+E")
        self.export_onnx_action = self._action("Export to O&NNX…", "Write the network as an ONNX file (Netron, "
                                               "ONNX Runtime); needs the optional package onnx", e.export_onnx)
        self.lesson_action = self._action("&Lesson for students…", "Save a lesson with the project: what to load, "
                                          "the crash-course section to open and a note",
                                          lambda: edit_lesson(self.window, self.document))
        self.quit_action = self._action("&Quit", "Close MLP Studio", self.window.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        menu.addActions([self.new_action, self.open_action])
        c = self.window.controls
        c.bind("new", self.new_action)
        c.bind("open", self.open_action)
        c.bind("save", self.save_action, self.save_as_action)
        c.bind("export", self.export_npz_action, self.export_torch_action, self.export_onnx_action)
        c.bind("edit_lesson", self.lesson_action)
        c.define("has_network", lambda: self.window.state.network is not None)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        for group in ([self.save_action, self.save_as_action, self.lesson_action], [self.export_npz_action, self.export_torch_action, self.export_onnx_action],
                      [self.quit_action]):
            menu.addSeparator()
            menu.addActions(group)
        self._fill_recent()

    def _build_view_menu(self) -> None:
        self.view_menu = self.window.menuBar().addMenu("&View")
        self.view_menu.setToolTipsVisible(True)
        theme_menu = self.view_menu.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions = {}
        for mode, text in THEMES:
            action = QAction(text, self.window, checkable=True)
            action.setChecked(mode == self.theme.mode)
            action.triggered.connect(lambda _=False, m=mode: self.set_theme(m))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[mode] = action
        self.view_menu.addSeparator()
        self.restore_defaults_action = self._action(
            "&Restore default settings", "Put every training setting and the architecture back to the defaults",
            self.document.restore_defaults)
        self.view_menu.addAction(self.restore_defaults_action)
        self.window.controls.bind("restore_defaults", self.restore_defaults_action)

    def _build_help_menu(self) -> None:
        menu = self.window.help_menu = self.window.menuBar().addMenu("&Help")
        self.shortcuts_action = self._action("&Keyboard shortcuts", "List every keyboard shortcut",
                                             self.show_shortcuts)
        self.about_action = self._action("&About MLP Studio", "Version, license and data attribution",
                                         self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        self.guide_action = self.window.guide.toggle_action
        menu.addActions([self.guide_action, self.shortcuts_action, self.about_action])

    def _fill_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.settings.recent_files()
        for i, name in enumerate(files, 1):
            path = Path(name)
            action = menu.addAction(f"&{i} {path.name}" if i < 10 else path.name)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.document.open_path(p))
            self.window.controls.bind("open", action)
        if files:
            menu.addSeparator()
            menu.addAction("&Clear list").triggered.connect(self._clear_recent)
        else:
            menu.addAction("No recent projects").setEnabled(False)

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._fill_recent()

    def set_theme(self, mode: str) -> None:
        self.theme.set_mode(mode)
        self.settings.set_theme(mode)
        self.theme_actions[mode].setChecked(True)

    def show_about(self):
        self.prompts.last_message = dialogs.show_about(self.window)
        return self.prompts.last_message

    def show_shortcuts(self):
        self.prompts.last_message = dialogs.show_shortcuts(self.window)
        return self.prompts.last_message


def _follow_document(window, document: Document, exports: Exports) -> None:
    """Title bar, status bar and curves follow the document."""
    def title(name: str) -> None:
        window.setWindowTitle(f"{name}[*] — MLP Studio")
        window.setWindowModified(document.dirty)

    def history(mode: str, rows: list, label: str) -> None:
        curves = window.curves_by_mode[mode]
        curves.clear()
        if rows:
            curves.show_history(rows, label)

    document.titleChanged.connect(title)
    document.dirtyChanged.connect(window.setWindowModified)
    document.historyReplaced.connect(history)
    for source in (document, exports):
        source.message.connect(lambda text, ms: window.statusBar().showMessage(text, ms))
    title(document.title)


def install(window, settings: Settings | None = None) -> Menus:
    """Give the window its document, exports, dialogs, theme, last session and menus (kept on the window)."""
    settings = settings or Settings()
    window.prompts = Prompts(window, settings)
    window.document = Document(window.state, settings, window.prompts, parent=window)
    window.exports = Exports(window.state, settings, window.prompts, parent=window)
    theme = Theme(QApplication.instance(), settings.theme(), parent=window, window=window)
    install_guide(window, settings)      # before the menus (Help > Crash course) and the restored dock layout
    window.menus = Menus(window, window.document, window.exports, theme)
    window.autosave = Autosave(window, window.document)     # a bug or a crash never loses work
    window.last_session = LastSession(window, window.document, theme, parent=window)
    install_status(window)
    follow_window(window)                # Copy as image / Save as PNG… on every plot and view
    _follow_document(window, window.document, window.exports)
    return window.menus
