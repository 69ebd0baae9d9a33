"""File > Export: the current network alone, as the engine's .npz, as a PyTorch folder (model.py, weights.pt and
a train.py that trains it further, on CPU, CUDA or several processes), or as ONNX.

Both exports share one path: a network to export, a file name asked through the window's `Prompts`, the
writing, and a sentence in the status bar or an error box. No widgets here.
"""
from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import QObject, Signal

from engine.errors import EngineError
from engine.export import export_onnx, export_torch_folder, require_onnx


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
        """The folder train.py goes on from: the settings the network was trained with and where its run stopped
        (its TrainState); a network with no such record (a project opened, never trained here) takes the panel's."""
        def write(net, path: Path) -> str:
            folder = path.with_suffix("") if path.suffix else path
            export_torch_folder(net, None if net.train_state is not None else self.state.config(), folder)
            return (f"Exported model.py, weights.pt and train.py to {folder}: "
                    f"python {folder / 'train.py'} --data PATH trains it further in PyTorch.")
        return self._export("Export to PyTorch (folder)", "mlp_studio_torch", "Folder (*)", write)

    def export_onnx(self) -> bool:
        try:
            require_onnx()                 # before the file name: without onnx there is nothing to write
        except EngineError as exc:
            self.prompts.show_error("Could not export to ONNX", str(exc))
            return False

        def write(net, path: Path) -> str:
            path = path if path.suffix == ".onnx" else path.with_name(path.name + ".onnx")
            export_onnx(net, path)
            return f"Exported {path.name}: open it in Netron or run it with ONNX Runtime."
        return self._export("Export to ONNX", "model.onnx", "ONNX model (*.onnx)", write)

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
