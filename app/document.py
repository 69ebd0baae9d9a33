"""Document: the project being worked on — its file, whether it has unsaved changes, and new / open / save.

It changes what the app shows only through the app's model (AppState); views follow the model. It asks the
user only through a `Prompts` object (app/dialogs.py), which tests replace, and it says what it did with the
`message` signal. No widgets here.
"""
from __future__ import annotations

import contextlib
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.handwriting import IMAGES, default_folder
from app.off_thread import off_thread
from app.project import SUFFIX, apply_to_state, from_state, load_project, save_project
from app.state import architecture
from engine.errors import EngineError
from engine.presets import digit_spec, preset

PROJECT_FILTER = f"MLP Studio projects (*{SUFFIX})"
BIG_FILE = 4_000_000                          # bytes: read off the GUI thread from here (about 30 ms of reading)


def default_spec(state) -> dict:
    """The app's default network (the engine's digit preset), its input and output fitted to the loaded data set."""
    spec = digit_spec()
    ds = state.dataset
    if ds is not None:
        spec["input_size"] = int(ds.x_train.shape[1])
        spec["layers"][-1]["units"] = int(ds.n_classes)
    return spec


def _handwriting_folder() -> str | None:
    """The personal handwriting set's folder, if the user has collected any digits."""
    try:
        folder = default_folder()
        return str(folder) if (folder / IMAGES).is_file() else None
    except OSError:  # no readable data folder: nothing to refer to
        return None


class Document(QObject):
    pathChanged = Signal(object)        # Path | None
    dirtyChanged = Signal(bool)
    titleChanged = Signal(str)          # "mine.mlpstudio" | "Untitled"
    message = Signal(str, int)          # what was done, for the status bar, and for how long (ms)
    historyReplaced = Signal(list, str)  # the runs shown are now this history (maybe empty) under this label
    lessonOpened = Signal(dict)         # the opened project carries a teacher's lesson (preset, section, note)

    def __init__(self, state, settings, prompts, parent=None):
        super().__init__(parent)
        self.state, self.settings, self.prompts = state, settings, prompts
        self.path: Path | None = None
        self.dirty = False
        self._quiet = False             # True while we change the model ourselves (open/new/restore)
        self.lesson: dict | None = None  # a teacher's lesson saved with the project
        for signal in (state.specChanged, state.configChanged, state.networkChanged):
            signal.connect(self._changed)

    @property
    def title(self) -> str:
        return self.path.name if self.path else "Untitled"

    # ---- guards -------------------------------------------------------------------------------------
    def busy(self) -> bool:
        """True (and says so) while training runs: the model must not change under it."""
        if self.state.training_state != "idle":
            self.prompts.show_error("Training is running", "Stop training first (Esc), then try again.")
            return True
        return False

    def may_discard(self) -> bool:
        """True when there is nothing unsaved to lose, or the user saved it or chose to discard it."""
        if not (self.dirty and self.state.network is not None and self.state.trained):
            return True
        answer = self.prompts.ask_unsaved()
        return answer == "discard" or (answer == "save" and self.save())

    # ---- new and open -------------------------------------------------------------------------------
    def new(self) -> bool:
        if self.busy() or not self.may_discard():
            return False
        with self.quietly():
            self.state.reset()
            self.historyReplaced.emit([], "")
        self.lesson = None
        self._set_path(None)
        self.message.emit("New project: the default network, ready to train.", 8000)
        return True

    def open(self) -> bool:
        if self.busy() or not self.may_discard():
            return False
        path = self.prompts.ask_open_path(PROJECT_FILTER)
        return bool(path) and self.open_path(path, ask=False)

    def open_path(self, path, ask: bool = True) -> bool:
        """Load a project and show it; on any problem say so and change nothing."""
        if ask and (self.busy() or not self.may_discard()):
            return False
        path = Path(path)
        try:
            project = self._read(path)
        except EngineError as exc:
            self.message.emit("", 0)
            if not path.exists():
                self.settings.remove_recent(path)
            self.prompts.show_error("Could not open the project", str(exc))
            return False
        with self.quietly():
            apply_to_state(project, self.state)
            self.historyReplaced.emit(list(project.history), f"{path.stem} (saved)")
        ds = self.state.dataset
        if project.dataset != self.state.dataset_name or (project.dataset_params or {}) != (getattr(ds, "params", None)
                                                                                           or {}):
            self.state.load_dataset(project.dataset, **(project.dataset_params or {}))
        self.lesson = project.lesson
        self._set_path(path)
        self.settings.set_last_folder(path.parent)
        note = ""
        if project.handwriting and not Path(project.handwriting).is_dir():
            note = f" Its personal handwriting set ({project.handwriting}) is not on this computer."
        epochs = f", trained for {len(project.history)} epochs" if project.history else ""
        self.message.emit(f"Opened {path.name}{epochs}.{note}", 12000)
        if project.lesson:
            self.lessonOpened.emit(project.lesson)
        return True

    def _read(self, path: Path):
        """A big file is read on a worker while the window keeps painting (a small one reads in < 50 ms)."""
        try:
            big = path.stat().st_size >= BIG_FILE
        except OSError:                       # missing or unreadable: load_project says so in a sentence
            big = False
        if not big:
            return load_project(path)
        self.message.emit(f"Opening {path.name} ({path.stat().st_size / 1e6:.0f} MB)…", 0)
        return off_thread(load_project, path)

    # ---- save ---------------------------------------------------------------------------------------
    def save(self) -> bool:
        return self.save_as() if self.path is None else self.save_to(self.path)

    def save_as(self) -> bool:
        name = self.path.name if self.path else f"my-network{SUFFIX}"
        path = self.prompts.ask_save_path("Save project", name, PROJECT_FILTER)
        if not path:
            return False
        path = Path(path)
        return self.save_to(path if path.suffix == SUFFIX else path.with_name(path.name + SUFFIX))

    def save_to(self, path: Path) -> bool:
        path = Path(path)
        try:
            project = from_state(self.state, _handwriting_folder())
            project.lesson = self.lesson
            save_project(path, project)
        except EngineError as exc:
            self.prompts.show_error("Could not save the project", str(exc))
            return False
        self._set_path(path)
        self.settings.set_last_folder(path.parent)
        self.message.emit(f"Saved {path}.", 8000)
        return True

    def set_lesson(self, lesson: dict | None) -> None:
        """The lesson saved with the project from now on (None: none); an unsaved change."""
        if lesson != self.lesson:
            self.lesson = lesson
            self._set_dirty(True)

    # ---- defaults -----------------------------------------------------------------------------------
    def restore_defaults(self) -> bool:
        """Every training setting and the architecture back to the app's defaults; the file stays the same."""
        if self.busy():
            return False
        spec = default_spec(self.state)
        discards = self.state.network is not None and self.state.trained and \
            architecture(spec) != architecture(self.state.spec)
        if discards and not self.prompts.ask_discard_trained("The default architecture differs from this network."):
            return False
        self.state.set_config(preset("app_digits"))
        self.state.set_spec(spec)
        self.message.emit("Default settings and architecture restored.", 8000)
        return True

    # ---- path, dirty flag, title --------------------------------------------------------------------
    @contextlib.contextmanager
    def quietly(self):
        """Model changes made inside are the document's own, not the user's edits."""
        self._quiet = True
        try:
            yield
        finally:
            self._quiet = False

    def _set_path(self, path: Path | None) -> None:
        self.path = path
        if path is not None:
            self.settings.add_recent(path)
        self._set_dirty(False)
        self.pathChanged.emit(path)
        self.titleChanged.emit(self.title)

    def _set_dirty(self, dirty: bool) -> None:
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirtyChanged.emit(dirty)

    def _changed(self, *_) -> None:
        if not self._quiet:
            self._set_dirty(True)
