"""Document: the project being worked on — its file, whether it has unsaved work, and new / open / save.

Unsaved work is what settings cannot rebuild, in either mode: trained weights, runs (curves and results), step
progress, and the teacher's lesson. The model counts every change to it (AppState.work_version); the document is
dirty while that count differs from the one it saved or opened. Settings and the architecture are remembered
between launches anyway and make nothing dirty. Nothing unsaved is discarded without a question: New, Open, a
lesson that replaces a workspace's network and closing the window (MainWindow.closeEvent) ask `may_discard` or
`confirm_replace` first.
It changes what the app shows only through the app's model (AppState); views follow the model. It asks the
user only through a `Prompts` object (app/dialogs.py), which tests replace, and it says what it did with the
`message` signal. No widgets here.
"""
from __future__ import annotations

import dataclasses
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from app.actions import CALM
from app.activity import OPENING
from app.handwriting import IMAGES, default_folder
from app.off_thread import off_thread
from app.project import SUFFIX, apply_to_state, from_state, load_project, save_project
from app.workspace import architecture
from engine.errors import EngineError
from engine.presets import PLAYGROUND, digit_spec, preset

PROJECT_FILTER = f"MLP Studio projects (*{SUFFIX})"
BIG_FILE = 4_000_000                          # bytes: read off the GUI thread from here (about 30 ms of reading)


def default_spec(state) -> dict:
    """The current mode's default network (the engine's digit preset, or the generated set's own), its input and
    output fitted to the loaded data set."""
    ds = state.dataset
    toy = PLAYGROUND.get(getattr(ds, "key", None))
    if toy is not None:
        outputs = 1 if ds.task == "regression" else ds.n_classes
        return toy.spec(ds.n_features, outputs, state.settings.get("seed", 0))
    spec = digit_spec()
    if ds is not None:
        spec["input_size"] = int(ds.x_train.shape[1])
        spec["layers"][-1]["units"] = int(ds.n_classes)
    return spec


def default_config(state):
    """The current mode's default training settings (the generated set's own in the playground)."""
    toy = PLAYGROUND.get(getattr(state.dataset, "key", None))
    return dataclasses.replace(toy.config) if toy is not None else preset("app_digits")


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
    # (mode, its history (maybe empty), the label its curve shows); `object`: a list would be converted to Qt's
    historyReplaced = Signal(str, object, str)
    lessonOpened = Signal(object)       # the opened project carries a teacher's lesson (preset, section, note)

    def __init__(self, state, settings, prompts, parent=None):
        super().__init__(parent)
        self.state, self.settings, self.prompts = state, settings, prompts
        self.path: Path | None = None
        self.dirty = False
        self.lesson: dict | None = None  # a teacher's lesson saved with the project
        self._saved_work = state.work_version   # the model's work count when last saved, opened or new
        self._lesson_saved = True
        state.workChanged.connect(lambda _: self._update_dirty())

    @property
    def title(self) -> str:
        return self.path.name if self.path else "Untitled"

    # ---- guards -------------------------------------------------------------------------------------
    def busy(self) -> bool:
        """True (and says so) while a job runs: the model must not change under it."""
        if self.state.activity.kind not in CALM:
            self.prompts.show_error("Training is running", "Stop training first (Esc), then try again.")
            return True
        return False

    def unsaved(self) -> str:
        """A sentence naming the unsaved work ('' when there is none)."""
        if not self.dirty:
            return ""
        parts = []
        for ws in self.state.workspaces.values():
            what = [w for w, has in (("a trained network", ws.network is not None and ws.trained),
                                     (f"{len(ws.runs)} run{'s' if len(ws.runs) != 1 else ''}", bool(ws.runs)))
                    if has]
            if what:
                parts.append(f"{ws.mode.capitalize()} ({' and '.join(what)})")
        if not self._lesson_saved:
            parts.append("the lesson for students")
        listed = " and ".join(parts) if parts else "changes"
        return f"Your work in {listed} has not been saved." if parts and not parts[-1].startswith("the lesson") \
            else f"Your work ({listed}) has not been saved."

    def may_discard(self) -> bool:
        """True when there is nothing unsaved to lose, or the user saved it or chose to discard it."""
        if not self.dirty:
            return True
        answer = self.prompts.ask_unsaved(self.unsaved())
        return answer == "discard" or (answer == "save" and self.save())

    def confirm_replace(self, why: str = "The lesson replaces the playground's network.") -> bool:
        """Before something replaces a workspace's trained work: nothing to lose once saved, else the user says."""
        return not self.dirty or self.prompts.ask_discard_trained(why)

    # ---- new and open -------------------------------------------------------------------------------
    def new(self) -> bool:
        if self.busy() or not self.may_discard():
            return False
        self.state.reset()
        for mode in self.state.workspaces:
            self.historyReplaced.emit(mode, [], "")
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
        apply_to_state(project, self.state)
        parts = {p.mode: p for p in (project, project.other) if p is not None}
        for mode in self.state.workspaces:
            part = parts.get(mode)
            self.historyReplaced.emit(mode, list(part.history) if part else [], f"{path.stem} (saved)")
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

    def recover(self, copy: Path, original: str | None) -> bool:
        """Show a copy of unsaved work (app/autosave.py) as the document `original` (None: Untitled), unsaved."""
        if not self.open_path(copy, ask=False):
            return False
        self.settings.remove_recent(copy)
        self.path = Path(original) if original else None
        self._saved_work = None                     # what is shown was never saved where it belongs
        self._update_dirty()
        self.pathChanged.emit(self.path)
        self.titleChanged.emit(self.title)
        self.message.emit("Your unsaved work is back. Save it to keep it.", 12000)
        return True

    def _read(self, path: Path):
        """A big file is read on a worker while the window keeps painting (a small one reads in < 50 ms)."""
        try:
            big = path.stat().st_size >= BIG_FILE
        except OSError:                       # missing or unreadable: load_project says so in a sentence
            big = False
        if not big:
            return load_project(path)
        token = self.state.activity.begin(OPENING, f"Opening {path.name} ({path.stat().st_size / 1e6:.0f} MB)…")
        try:
            return off_thread(load_project, path)
        finally:
            self.state.activity.end(token)

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
            self._lesson_saved = False
            self._update_dirty()

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
        self.state.set_config(default_config(self.state))
        self.state.set_spec(spec)
        self.message.emit("Default settings and architecture restored.", 8000)
        return True

    # ---- path, dirty flag, title --------------------------------------------------------------------
    def _set_path(self, path: Path | None) -> None:
        """The document is now `path` (None: Untitled) and holds exactly what was saved, opened or made new."""
        self.path = path
        if path is not None:
            self.settings.add_recent(path)
        self._saved_work, self._lesson_saved = self.state.work_version, True
        self._update_dirty()
        self.pathChanged.emit(path)
        self.titleChanged.emit(self.title)

    def _update_dirty(self) -> None:
        dirty = self.state.work_version != self._saved_work or not self._lesson_saved
        if dirty != self.dirty:
            self.dirty = dirty
            self.dirtyChanged.emit(dirty)
