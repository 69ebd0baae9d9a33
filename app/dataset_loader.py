"""DatasetLoader: the app's one way to load a data set, on a worker thread so the window keeps drawing.

`read_ahead` reads a data set nobody asked for yet (the window's own, while it waits for its first Start) on a plain
thread, in memory only; the next `load` of that very set takes it instead of reading the files again.

The app model (AppState.load_dataset) owns it; every view that needs digits asks the model. An engine error
(a missing folder, a damaged file) arrives as its sentence; anything else is a bug: logged, then a sentence.
"""
from __future__ import annotations

import threading
from concurrent.futures import Future

import shiboken6
from PySide6.QtCore import QObject, Signal
from superqt.utils import FunctionWorker     # not create_worker: it re-raises errors as tracebacks

from app.excepthook import report_bug
from engine.data import load_dataset
from engine.errors import EngineError


class DatasetLoader(QObject):
    loaded = Signal(str, object)       # name, Dataset
    failed = Signal(str, str)          # name, a sentence for the user

    def __init__(self, parent=None):
        super().__init__(parent)
        self._request = 0                  # the current request's number
        self._name: str | None = None
        self._params: dict = {}
        self._ahead: tuple | None = None   # ((name, params), Future of the Dataset) read ahead

    def read_ahead(self, name: str, **params) -> None:
        """Start reading `name` in the background; nothing is said when it is in: a later load(name) takes it."""
        if self._ahead is not None and self._ahead[0] == (name, params):
            return
        future = Future()

        def read():
            try:
                future.set_result(load_dataset(name, **params))
            except BaseException as exc:         # the load that takes it reports it, as its own
                future.set_exception(exc)
        self._ahead = ((name, dict(params)), future)
        threading.Thread(target=read, name="read-ahead", daemon=True).start()

    def loading(self) -> str | None:
        """The name being loaded, or None."""
        return self._name

    def load(self, name: str, **params) -> None:
        """Load `name` ("sample", "mnist", a generated set with its params (n, noise, seed, ...), a folder or
        file); a request for the set already loading waits for it."""
        if self._name == name and self._params == params:
            return
        ahead, self._ahead = self._ahead, None
        if ahead is not None and ahead[0] == (name, params):
            worker = FunctionWorker(ahead[1].result)      # read ahead: done, or its end waited for on the worker
        else:
            worker = FunctionWorker(load_dataset, name, **params)
        # the request's number, not the worker: a lambda holding the worker on its own signal is a cycle through
        # C++ that Python's collector cannot see (superqt keeps the worker alive while it runs)
        self._request += 1
        worker.returned.connect(lambda ds, r=self._request: self._returned(r, name, ds))
        worker.errored.connect(lambda exc, r=self._request: self._errored(r, name, exc))
        self._name, self._params = name, dict(params)
        worker.start()

    def _current(self, request: int) -> bool:
        """A request superseded by a later one, or outliving its window, reports nothing."""
        if not shiboken6.isValid(self) or request != self._request or self._name is None:
            return False
        self._name = None
        return True

    def _returned(self, request: int, name: str, dataset) -> None:
        if self._current(request):
            self.loaded.emit(name, dataset)

    def _errored(self, request: int, name: str, exc: Exception) -> None:
        if not self._current(request):
            return
        message = str(exc) if isinstance(exc, EngineError) else report_bug(exc, f"loading the data set {name}")
        self.failed.emit(name, message)
