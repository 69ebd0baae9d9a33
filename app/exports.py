"""File > Export: the current network alone, as the engine's .npz or as a stand-alone PyTorch script.

Both exports share one path: a network to export, a file name asked through the window's `Prompts`, the
writing, and a sentence in the status bar or an error box. No widgets here.
"""
from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.errors import EngineError
from engine.export import export as export_torch_files


def module_name(path: Path) -> str:
    """A valid Python module name from the file the user chose ('my digits.py' -> 'my_digits')."""
    name = re.sub(r"\W", "_", path.stem if path.suffix == ".py" else path.name) or "mlp_studio_model"
    return name if name[0].isalpha() or name[0] == "_" else f"model_{name}"


class Exports(QObject):
    message = Signal(str, int)          # what was written, for the status bar, and for how long (ms)

    def __init__(self, state, settings, prompts, parent=None):
        super().__init__(parent)
        self.state, self.settings, self.prompts = state, settings, prompts

    def export_npz(self) -> bool:
        def write(net, path: Path) -> str:
            path = path if path.suffix == ".npz" else path.with_name(path.name + ".npz")
            net.save(path)
            return f"Exported the model to {path}."
        return self._export("Export model", "model.npz", "NumPy model (*.npz)", write)

    def export_torch(self) -> bool:
        def write(net, path: Path) -> str:
            name = module_name(path)
            script, weights = export_torch_files(net, path.parent, name)
            return (f"Exported {script.name} and {weights.name} to {script.parent}: "
                    f"`from {name} import load_model` in PyTorch.")
        return self._export("Export to PyTorch", "mlp_studio_model.py", "Python script (*.py)", write)

    def _export(self, title: str, name: str, file_filter: str, write) -> bool:
        """Ask where, write a copy of the current network there with `write(net, path) -> sentence`."""
        net = self.state.network
        if net is None:
            self.prompts.show_error("No network to export", "Train a network (Ctrl+Return) or open a project first.")
            return False
        chosen = self.prompts.ask_save_path(title, name, file_filter)
        if not chosen:
            return False
        path = Path(chosen)
        try:
            done = write(net.copy(), path)
        except EngineError as exc:
            self.prompts.show_error(f"Could not {title[0].lower()}{title[1:]}", str(exc))
            return False
        self.settings.set_last_folder(path.parent)
        self.message.emit(done, 15000)
        return True
