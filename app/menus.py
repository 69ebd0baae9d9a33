"""The File, View and Help menus, and what makes the window remember: projects, recent files, exports, theme.

`install(window)` (called by MainWindow._build_menus) fills the window's File and Help menus, adds View > Theme,
restores the last session (geometry on first show, spec and settings, theme), saves it on close, and asks
before closing over an unsaved trained network. The ask_*/show_error methods are the only blocking UI; tests
replace them on the instance.
"""
from __future__ import annotations

import os
import re
import sys
from pathlib import Path

from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtGui import QAction, QActionGroup, QKeySequence
from PySide6.QtWidgets import QApplication, QFileDialog, QMessageBox

from app.project import SUFFIX, apply_to_state, from_state, load_project, save_project
from app.settings import Settings
from app.status_tasks import install as install_status
from app.theme import Theme

LICENSE = "MIT"
MNIST_ATTRIBUTION = ('The bundled digits come from the <a href="http://yann.lecun.com/exdb/mnist/">MNIST database'
                     '</a> by Yann LeCun, Corinna Cortes and Christopher J.C. Burges, used under the '
                     '<a href="https://creativecommons.org/licenses/by-sa/3.0/">CC&nbsp;BY\u2011SA&nbsp;3.0</a> license.')


def app_version() -> str:
    try:
        from importlib.metadata import version
        return version("mlp-studio")
    except Exception:  # run from the source folder, not pip-installed: read pyproject.toml
        text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
        match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
        return match.group(1) if match else "unknown"


def shortcut_text(action: QAction) -> str:
    return action.shortcut().toString(QKeySequence.SequenceFormat.NativeText)


def with_shortcut_tip(action: QAction, tip: str) -> QAction:
    """Tooltip and status tip that name the shortcut, e.g. 'Save the project (Ctrl+S)'."""
    keys = shortcut_text(action)
    action.setToolTip(f"{tip} ({keys})" if keys else tip)
    action.setStatusTip(tip)
    return action


def seconds_since_process_start() -> float | None:
    """Wall time since this process started (Linux /proc), for the cold-start measurement."""
    try:
        fields = Path("/proc/self/stat").read_text().rsplit(")", 1)[1].split()
        uptime = float(Path("/proc/uptime").read_text().split()[0])
        return uptime - int(fields[19]) / os.sysconf("SC_CLK_TCK")
    except (OSError, ValueError, IndexError, AttributeError):
        return None


class Menus(QObject):
    def __init__(self, window, settings: Settings | None = None):
        super().__init__(window)
        self.window, self.state = window, window.state
        self.settings = settings or Settings()
        self.path: Path | None = None
        self.dirty = False
        self._quiet = False                 # True while we change the state ourselves (open/new/restore)
        self._shown = False
        self.last_message: QMessageBox | None = None
        self.theme = Theme(QApplication.instance(), self.settings.theme(), parent=self, window=window)
        self._build_file_menu()
        self._build_view_menu()
        self._build_help_menu()
        self._restore_last_session()
        self.task = install_status(window)
        for signal in (self.state.specChanged, self.state.configChanged, self.state.networkChanged):
            signal.connect(self._changed)
        window.installEventFilter(self)
        self._update_title()

    # ---- building -----------------------------------------------------------------------------------
    def _action(self, text, tip, slot, shortcut=None) -> QAction:
        action = QAction(text, self.window)
        if shortcut is not None:
            action.setShortcut(QKeySequence(shortcut))
        action.triggered.connect(slot)
        return with_shortcut_tip(action, tip)

    def _build_file_menu(self) -> None:
        w = self.window
        menu = getattr(w, "file_menu", None) or w.menuBar().addMenu("&File")
        menu.clear()
        menu.setToolTipsVisible(True)
        self.new_action = self._action("&New", "Start a new project with the default network", self.new, "Ctrl+N")
        self.open_action = self._action("&Open…", "Open a saved project", self.open, "Ctrl+O")
        self.save_action = self._action("&Save", "Save the project: network, settings, weights, history",
                                        self.save, "Ctrl+S")
        self.save_as_action = self._action("Save &As…", "Save the project under a new name", self.save_as,
                                           "Ctrl+Shift+S")
        self.export_npz_action = self._action("&Export model (.npz)…",
                                              "Save the trained model alone in the engine's .npz format",
                                              self.export_npz, "Ctrl+E")
        self.export_torch_action = self._action("Export to &PyTorch…",
                                                "Write a stand-alone PyTorch nn.Sequential script and its weights",
                                                self.export_torch, "Ctrl+Shift+E")
        self.quit_action = self._action("&Quit", "Close MLP Studio", w.close, "Ctrl+Q")
        self.quit_action.setMenuRole(QAction.MenuRole.QuitRole)
        menu.addAction(self.new_action)
        menu.addAction(self.open_action)
        self.recent_menu = menu.addMenu("Open &Recent")
        self.recent_menu.setToolTipsVisible(True)
        self.recent_menu.aboutToShow.connect(self._fill_recent)
        menu.addSeparator()
        menu.addActions([self.save_action, self.save_as_action])
        menu.addSeparator()
        menu.addActions([self.export_npz_action, self.export_torch_action])
        menu.addSeparator()
        menu.addAction(self.quit_action)
        w.file_menu = menu
        self._fill_recent()

    def _build_view_menu(self) -> None:
        bar = self.window.menuBar()
        self.view_menu = bar.addMenu("&View")
        help_menu = getattr(self.window, "help_menu", None)
        if help_menu is not None:  # keep Help last, as every desktop does
            bar.insertMenu(help_menu.menuAction(), self.view_menu)
        theme_menu = self.view_menu.addMenu("&Theme")
        group = QActionGroup(self)
        self.theme_actions = {}
        for mode, text in (("system", "Follow the &system"), ("light", "&Light"), ("dark", "&Dark")):
            action = QAction(text, self.window, checkable=True)
            action.setChecked(mode == self.theme.mode)
            action.triggered.connect(lambda _=False, m=mode: self.set_theme(m))
            group.addAction(action)
            theme_menu.addAction(action)
            self.theme_actions[mode] = action

    def _build_help_menu(self) -> None:
        w = self.window
        menu = getattr(w, "help_menu", None) or w.menuBar().addMenu("&Help")
        menu.clear()
        self.shortcuts_action = self._action("&Keyboard shortcuts", "List every keyboard shortcut",
                                             self.show_shortcuts)
        self.about_action = self._action("&About MLP Studio", "Version, license and data attribution",
                                         self.show_about)
        self.about_action.setMenuRole(QAction.MenuRole.AboutRole)
        menu.addActions([self.shortcuts_action, self.about_action])
        w.help_menu = menu

    def _fill_recent(self) -> None:
        menu = self.recent_menu
        menu.clear()
        files = self.settings.recent_files()
        for i, name in enumerate(files, 1):
            path = Path(name)
            action = menu.addAction(f"&{i} {path.name}" if i < 10 else path.name)
            action.setToolTip(str(path))
            action.setStatusTip(str(path))
            action.triggered.connect(lambda _=False, p=path: self.open_path(p))
        if files:
            menu.addSeparator()
            menu.addAction("&Clear list").triggered.connect(self._clear_recent)
        else:
            menu.addAction("No recent projects").setEnabled(False)

    def _clear_recent(self) -> None:
        self.settings.clear_recent()
        self._fill_recent()

    # ---- the blocking bits (tests replace these) ----------------------------------------------------
    def ask_open_path(self) -> str:
        return QFileDialog.getOpenFileName(self.window, "Open project", self.settings.last_folder(),
                                           f"MLP Studio projects (*{SUFFIX});;All files (*)")[0]

    def ask_save_path(self, title: str, name: str, file_filter: str) -> str:
        start = str(Path(self.settings.last_folder()) / name)
        return QFileDialog.getSaveFileName(self.window, title, start, file_filter)[0]

    def ask_unsaved(self) -> str:
        """'save' | 'discard' | 'cancel' for an unsaved trained network."""
        B = QMessageBox.StandardButton
        answer = QMessageBox.question(self.window, "Unsaved network",
                                      "The trained network has not been saved. Save it before closing?",
                                      B.Save | B.Discard | B.Cancel, B.Save)
        return {B.Save: "save", B.Discard: "discard"}.get(answer, "cancel")

    def show_error(self, title: str, text: str) -> None:
        """A window-modal message that does not block the event loop (training keeps running)."""
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Ok, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message = box
        self.status(text)

    def status(self, text: str, ms: int = 8000) -> None:
        self.window.statusBar().showMessage(text, ms)

    # ---- File ---------------------------------------------------------------------------------------
    def _busy(self) -> bool:
        session = getattr(self.window, "session", None)
        if session is not None and session.is_running():
            self.show_error("Training is running", "Stop training first (Esc), then try again.")
            return True
        return False

    def _may_discard(self) -> bool:
        """True when there is nothing unsaved to lose, or the user saved it or chose to discard it."""
        if not (self.dirty and self.state.network is not None and self.state.trained):
            return True
        answer = self.ask_unsaved()
        return answer == "discard" or (answer == "save" and self.save())

    def new(self) -> None:
        from app.state import DEFAULT_SETTINGS, DEFAULT_SPEC

        if self._busy() or not self._may_discard():
            return
        self._quiet = True
        try:
            self.state.set_network(None)
            self.state.set_config(DEFAULT_SETTINGS)
            self.state.set_spec(DEFAULT_SPEC)
            ds = self.state.dataset
            if ds is not None:  # the output layer and input keep fitting the loaded data set
                self.state.set_input_outputs(int(ds.x_train.shape[1]), int(ds.n_classes))
            curves = getattr(self.window, "curves", None)
            if curves is not None:
                curves.clear()
        finally:
            self._quiet = False
        self._set_path(None)
        self.status("New project: the default network, ready to train.")

    def open(self) -> None:
        if self._busy() or not self._may_discard():
            return
        path = self.ask_open_path()
        if path:
            self.open_path(path, ask=False)

    def open_path(self, path, ask: bool = True) -> bool:
        """Load a project and show it; on any problem say so and change nothing."""
        from engine.errors import EngineError

        if ask and (self._busy() or not self._may_discard()):
            return False
        path = Path(path)
        try:
            project = load_project(path)
        except EngineError as exc:
            if not path.exists():
                self.settings.remove_recent(path)
                self._fill_recent()
            self.show_error("Could not open the project", str(exc))
            return False
        self._quiet = True
        try:
            apply_to_state(project, self.state)
            curves = getattr(self.window, "curves", None)
            if curves is not None:
                curves.clear()
                if project.history:
                    curves.show_history(project.history, f"{path.stem} (saved)")
        finally:
            self._quiet = False
        if project.dataset != self.state.dataset_name and hasattr(self.window, "choose_dataset"):
            self.window.choose_dataset(project.dataset)
        self._set_path(path)
        self.settings.set_last_folder(path.parent)
        note = ""
        if project.handwriting and not Path(project.handwriting).is_dir():
            note = f" Its personal handwriting set ({project.handwriting}) is not on this computer."
        epochs = f", trained for {len(project.history)} epochs" if project.history else ""
        self.status(f"Opened {path.name}{epochs}.{note}", 12000)
        return True

    def save(self) -> bool:
        return self.save_as() if self.path is None else self._save_to(self.path)

    def save_as(self) -> bool:
        name = self.path.name if self.path else f"my-network{SUFFIX}"
        path = self.ask_save_path("Save project", name, f"MLP Studio projects (*{SUFFIX})")
        if not path:
            return False
        path = Path(path)
        if path.suffix != SUFFIX:
            path = path.with_name(path.name + SUFFIX)
        return self._save_to(path)

    def _save_to(self, path: Path) -> bool:
        from engine.errors import EngineError

        try:
            save_project(path, from_state(self.state, self._handwriting_folder()))
        except EngineError as exc:
            self.show_error("Could not save the project", str(exc))
            return False
        self._set_path(path)
        self.settings.set_last_folder(path.parent)
        self.status(f"Saved {path}.")
        return True

    @staticmethod
    def _handwriting_folder() -> str | None:
        """The personal handwriting set's folder, if the user has collected any digits."""
        try:
            from app.handwriting import IMAGES, default_folder
            folder = default_folder()
        except Exception:  # no handwriting support or no data folder: nothing to refer to
            return None
        return str(folder) if (folder / IMAGES).is_file() else None

    def _trained_network(self):
        net = self.state.network
        if net is None:
            self.show_error("No network to export", "Train a network (Ctrl+Return) or open a project first.")
        return net

    def export_npz(self) -> bool:
        from engine.errors import EngineError

        net = self._trained_network()
        if net is None:
            return False
        path = self.ask_save_path("Export model", "model.npz", "NumPy model (*.npz)")
        if not path:
            return False
        path = Path(path) if path.endswith(".npz") else Path(path + ".npz")
        try:
            net.copy().save(path)
        except EngineError as exc:
            self.show_error("Could not export the model", str(exc))
            return False
        self.settings.set_last_folder(path.parent)
        self.status(f"Exported the model to {path}.")
        return True

    def export_torch(self) -> bool:
        from engine.errors import EngineError
        from engine.export_torch import export

        net = self._trained_network()
        if net is None:
            return False
        path = self.ask_save_path("Export to PyTorch", "mlp_studio_model.py", "Python script (*.py)")
        if not path:
            return False
        path = Path(path)
        name = re.sub(r"\W", "_", path.stem if path.suffix == ".py" else path.name) or "mlp_studio_model"
        name = name if name[0].isalpha() or name[0] == "_" else f"model_{name}"
        try:
            script, weights = export(net.copy(), path.parent, name)
        except EngineError as exc:
            self.show_error("Could not export to PyTorch", str(exc))
            return False
        self.settings.set_last_folder(path.parent)
        self.status(f"Exported {script.name} and {weights.name} to {script.parent}: "
                    f"`from {name} import load_model` in PyTorch.", 15000)
        return True

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        self.dirty = False
        if path is not None:
            self.settings.add_recent(path)
            self._fill_recent()
        self._update_title()

    def _changed(self, *_):
        if not self._quiet and not self.dirty:
            self.dirty = True
            self._update_title()

    def _update_title(self) -> None:
        name = self.path.name if self.path else "Untitled"
        self.window.setWindowTitle(f"{name}[*] — MLP Studio")
        self.window.setWindowModified(self.dirty)

    # ---- View and Help ------------------------------------------------------------------------------
    def set_theme(self, mode: str) -> None:
        self.theme.set_mode(mode)
        self.settings.set_theme(mode)
        self.theme_actions[mode].setChecked(True)

    def about_text(self) -> str:
        from PySide6 import __version__ as pyside_version
        return (f"<h3>MLP Studio {app_version()}</h3>"
                "<p>Build a multi-layer perceptron, train it on handwritten digits, look inside it, and test it "
                "on digits you draw.</p>"
                f"<p>License: {LICENSE}. Uses NumPy, PySide6 {pyside_version} (Qt, LGPLv3) and pyqtgraph.</p>"
                f"<p>{MNIST_ATTRIBUTION}</p>"
                f"<p>Python {sys.version.split()[0]}</p>")

    def show_about(self) -> QMessageBox:
        box = QMessageBox(self.window)
        box.setWindowTitle("About MLP Studio")
        box.setTextFormat(Qt.TextFormat.RichText)
        box.setText(self.about_text())
        icon = QApplication.windowIcon()
        if icon.isNull():  # started without app/__main__ (tests, embedding): load it ourselves
            from PySide6.QtGui import QIcon

            from app.paths import icon_path
            icon = QIcon(str(icon_path()))
        box.setIconPixmap(icon.pixmap(64, 64))
        box.setTextInteractionFlags(Qt.TextInteractionFlag.TextBrowserInteraction)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message = box
        return box

    def shortcut_rows(self) -> list[tuple[str, str]]:
        """(what, keys) for every action and shortcut the window knows, menus first."""
        from PySide6.QtGui import QShortcut

        rows, seen = [], set()
        for action in self.window.findChildren(QAction):
            if not action.associatedObjects():  # not in any menu or widget: its shortcut is inactive
                continue
            keys = shortcut_text(action)
            text = action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")
            if keys and (text, keys) not in seen:
                seen.add((text, keys))
                rows.append((text, keys))
        for sc in self.window.findChildren(QShortcut):
            keys = sc.key().toString(QKeySequence.SequenceFormat.NativeText)
            what = sc.whatsThis() or sc.objectName() or (sc.parent().objectName() if sc.parent() else "")
            if keys and not any(k == keys for _, k in rows):
                rows.append((what or "(drawing pad)", keys))
        return rows

    def show_shortcuts(self) -> QMessageBox:
        rows = "".join(f"<tr><td>{what}</td><td>&nbsp;&nbsp;<b>{keys}</b></td></tr>"
                       for what, keys in self.shortcut_rows())
        box = QMessageBox(QMessageBox.Icon.NoIcon, "Keyboard shortcuts", f"<table>{rows}</table>",
                          QMessageBox.StandardButton.Close, self.window)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.last_message = box
        return box

    # ---- start-up and closing -----------------------------------------------------------------------
    def _restore_last_session(self) -> None:
        from engine.errors import EngineError
        from engine.spec import validate_spec

        spec, settings = self.settings.last_session()
        self._quiet = True
        try:
            if settings:
                self.state.set_config(settings)
            if spec:
                self.state.set_spec(validate_spec(spec))
        except (EngineError, TypeError, ValueError, KeyError):
            pass  # a stale or hand-edited entry: the defaults are a fine start
        finally:
            self._quiet = False

    def _first_show(self) -> None:
        self.settings.restore_window(self.window)
        files = [a for a in QApplication.arguments()[1:] if a.endswith(SUFFIX)]
        if files:  # `mlp-studio project.mlpstudio`, e.g. a double-click in the file manager
            QTimer.singleShot(0, lambda: self.open_path(files[0], ask=False))
        if os.environ.get("MLP_STUDIO_EXIT_AFTER_SHOW"):
            QTimer.singleShot(0, self._report_start_and_quit)

    def _report_start_and_quit(self) -> None:
        QApplication.processEvents()  # let the first paint happen
        since = seconds_since_process_start()
        print(f"MLP Studio window shown {since * 1000:.0f} ms after process start" if since is not None
              else "MLP Studio window shown", flush=True)
        QApplication.quit()

    def save_session(self) -> None:
        self.settings.save_window(self.window)
        self.settings.set_last_session(self.state.spec, self.state.settings)
        self.settings.set_theme(self.theme.mode)
        self.settings.sync()

    def eventFilter(self, obj, event) -> bool:
        if obj is self.window:
            if event.type() == QEvent.Type.Show and not self._shown:
                self._shown = True
                self._first_show()
            elif event.type() == QEvent.Type.Close:
                if not self._may_discard():
                    event.ignore()
                    return True
                self.save_session()
        return False


def install(window) -> Menus:
    """Fill the window's menus and hook it up to settings; the Menus object is kept as window.menus."""
    window.menus = Menus(window)
    return window.menus
