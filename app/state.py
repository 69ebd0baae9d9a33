"""AppState: the app's model. One owner for each fact the views show; views follow its signals, keep no copy.

It owns the two workspaces (Digits and Playground: each a spec, settings, data set, network with its results,
optimizer memory and step position, and runs; app/workspace.py) and shows the current one's fields as its own,
the one loader for data sets, the digit drawn on the Draw pad, and the activity (app/activity.py: the one thing
the app is doing now). It knows nothing about widgets. Promises every view can rely on:
- a spec and a network that disagree are never both current: the network is cleared (or the spec follows a new
  network) before specChanged is emitted;
- results belong to one network: replacing the network clears them (resultsChanged(None));
- `generation` changes whenever what a shown fact was computed from changes (a network that is not a snapshot of
  the run in progress, the data set, the spec, a setting, the mode): a fact stamped with another generation is
  stale, and its view clears or recomputes it;
- `work_version` changes whenever something settings cannot rebuild changes (trained weights, runs, step
  progress): the document compares it with the version it saved.
It also keeps the output activation and the loss consistent (cross-entropy needs softmax) and says, in a
sentence, when it changed one.
"""
from __future__ import annotations

import copy
import dataclasses

from PySide6.QtCore import QObject, Signal

from app import choices
from app.activity import IDLE, LOADING, Activity
from app.dataset_loader import DatasetLoader
from app.workspace import (DEFAULT_SETTINGS, DEFAULT_SPEC, DIGITS, MODES, Workspace,  # noqa: F401 (re-exported)
                           architecture, network_architecture, sane_setting)
from engine.config import TrainConfig




class AppState(QObject):
    specChanged = Signal(object)
    configChanged = Signal(object)
    datasetChanged = Signal(object)
    datasetFailed = Signal(str)        # a sentence: the data set asked for could not be loaded
    networkChanged = Signal(object)
    resultsChanged = Signal(object)    # dict (test_accuracy, n_test, dataset) for the current network, or None
    drawnDigitChanged = Signal(object)  # the Draw pad's 28x28 image, or None
    runsChanged = Signal(object)
    noteChanged = Signal(str)          # a sentence when the app changed a setting for the user
    generationChanged = Signal(int)    # what shown facts were computed from changed: stale ones go
    workChanged = Signal(int)          # something settings cannot rebuild changed (weights, runs, step progress)
    modeChanged = Signal(str)          # "digits" | "playground": the other workspace is now current

    def __init__(self, parent=None):
        super().__init__(parent)
        self.workspaces = {mode: Workspace(mode, visited=mode == DIGITS) for mode in MODES}
        self.mode = DIGITS
        self.drawn_digit = None
        self.generation = 0
        self.work_version = 0
        self.activity = Activity(self)
        self._loader = DatasetLoader(self)
        self._load = None                  # (workspace, activity token) of the data set being loaded
        self._loader.loaded.connect(self._loaded)
        self._loader.failed.connect(self._load_failed)

    # ---- the current workspace's fields, read as the model's own ----------------------------------
    @property
    def ws(self) -> Workspace:
        return self.workspaces[self.mode]

    spec = property(lambda self: self.ws.spec)
    settings = property(lambda self: self.ws.settings)
    dataset_name = property(lambda self: self.ws.dataset_name)
    dataset = property(lambda self: self.ws.dataset)
    network = property(lambda self: self.ws.network)
    trained = property(lambda self: self.ws.trained)
    results = property(lambda self: self.ws.results)
    optimizer = property(lambda self: self.ws.optimizer)
    step_order = property(lambda self: self.ws.step_order)
    runs = property(lambda self: self.ws.runs)

    def _new_generation(self) -> None:
        self.generation += 1
        self.generationChanged.emit(self.generation)

    def _new_work(self) -> None:
        self.work_version += 1
        self.workChanged.emit(self.work_version)

    def has_work(self) -> bool:
        """Something in either workspace that settings cannot rebuild."""
        return any(ws.has_work() for ws in self.workspaces.values())

    # ---- spec -------------------------------------------------------------------------------------
    @property
    def hidden(self) -> list[dict]:
        return self.spec["layers"][:-1]

    @property
    def output(self) -> dict:
        return self.spec["layers"][-1]

    def set_spec(self, spec: dict) -> None:
        spec = copy.deepcopy(spec)
        if spec == self.spec:
            return
        if self.network is not None and network_architecture(self.network) != architecture(spec):
            self.set_network(None)             # first: no view may see the new spec with the old weights
        self.ws.spec = spec
        self._new_generation()
        self.specChanged.emit(copy.deepcopy(spec))

    def set_hidden(self, hidden: list[dict]) -> None:
        self.set_spec({**self.spec, "layers": [*copy.deepcopy(hidden), dict(self.output)]})

    def set_input_outputs(self, input_size: int, n_outputs: int) -> None:
        """Fit the spec to a data set: input width and one output neuron per class."""
        layers = copy.deepcopy(self.spec["layers"])
        layers[-1]["units"] = n_outputs
        self.set_spec({**self.spec, "input_size": input_size, "layers": layers})

    def set_loss(self, loss: str) -> str:
        """Set the loss; if it needs another output activation, switch it and return why (else '')."""
        spec = copy.deepcopy(self.spec)
        spec["loss"] = loss
        note = ""
        need = choices.output_needed_by(loss)
        if need and spec["layers"][-1]["activation"] != need:
            spec["layers"][-1]["activation"] = need
            note = (f"Output activation set to {choices.activation_label(need)}: "
                    f"{choices.loss_label(loss)} compares probabilities, which {need} produces.")
        self.set_spec(spec)
        if note:
            self.noteChanged.emit(note)
        return note

    def set_output_activation(self, activation: str) -> str:
        """Set the output activation; if the loss cannot use it, switch the loss to MSE and return why."""
        spec = copy.deepcopy(self.spec)
        spec["layers"][-1]["activation"] = activation
        note = ""
        need = choices.output_needed_by(spec["loss"])
        if need and need != activation:
            note = (f"Loss set to MSE: {choices.loss_label(spec['loss'])} needs a {need} output, "
                    f"MSE works with any output activation.")
            spec["loss"] = "mse"
        self.set_spec(spec)
        if note:
            self.noteChanged.emit(note)
        return note

    # ---- training settings --------------------------------------------------------------------------
    def set_setting(self, name: str, value) -> None:
        if self.settings.get(name) == value:
            return
        self.settings[name] = value
        if name == "seed":
            self.set_spec({**self.spec, "seed": int(value)})
        self._new_generation()
        self.configChanged.emit(self.config())

    def set_config(self, cfg) -> None:
        """Take every field of a TrainConfig (or a dict) as the current settings."""
        values = dataclasses.asdict(cfg) if dataclasses.is_dataclass(cfg) else dict(cfg)
        self.settings.update({k: v for k, v in values.items()
                              if (k in DEFAULT_SETTINGS or k in self.settings) and sane_setting(k, v)})
        if self.spec.get("seed") != self.settings["seed"]:
            self.set_spec({**self.spec, "seed": int(self.settings["seed"])})
        self._new_generation()
        self.configChanged.emit(self.config())

    def config(self, **overrides):
        """The settings as an engine TrainConfig (unknown fields dropped)."""
        names = {f.name for f in dataclasses.fields(TrainConfig)}
        values = {k: v for k, v in {**self.settings, **overrides}.items() if k in names}
        return TrainConfig(**values)

    # ---- data ---------------------------------------------------------------------------------------
    def load_dataset(self, name: str, **params) -> None:
        """Load a data set for the current workspace on a worker (a generated one with its params: n, noise, seed,
        test_fraction); datasetChanged when it is in, datasetFailed with a sentence if not. While nothing else
        runs, the app's activity is `loading` meanwhile (a run waiting for it covers it with its own)."""
        token = self.activity.begin(LOADING, f"Loading {name}…") if self.activity.kind in (IDLE, LOADING) else None
        if token is None and self._load is not None:
            token = self._load[1]              # a run took the load over: the load's own token is gone anyway
        self._load = (self.ws, token)
        self._loader.load(name, **params)

    def read_dataset_ahead(self) -> None:
        """While nothing happens: read the current workspace's data set into memory, for its first Start."""
        if self.dataset is None and self._loader.loading() is None and self.activity.idle:
            self._loader.read_ahead(self.dataset_name, **self.ws.dataset_params)

    def loading_dataset(self) -> str | None:
        return self._loader.loading()

    def _loaded(self, name: str, dataset) -> None:
        ws, token = self._load or (self.ws, None)
        self._load = None
        if ws is self.ws:
            self.set_dataset(name, dataset)
        else:                                  # asked for by the mode shown before: kept for its return
            ws.dataset_name, ws.dataset = name, dataset
            ws.dataset_params = dict(getattr(dataset, "params", None) or {})
        if token is not None:
            self.activity.end(token)

    def _load_failed(self, name: str, message: str) -> None:
        token = (self._load or (None, None))[1]
        self._load = None
        self.datasetFailed.emit(message)
        if token is not None:
            self.activity.end(token)

    def set_dataset(self, name: str, dataset) -> None:
        ws = self.ws
        ws.dataset_name, ws.dataset = name, dataset
        ws.dataset_params = dict(getattr(dataset, "params", None) or {})
        if dataset is not None:
            self.set_input_outputs(int(dataset.x_train.shape[1]), int(dataset.n_classes))
        if self.results is not None and self.results.get("dataset") not in (None, name):
            self._set_results(None)            # measured on another data set
        self._new_generation()
        self.datasetChanged.emit(dataset)

    # ---- the network and its results ---------------------------------------------------------------
    def set_network(self, net, trained: bool | None = None, results: dict | None = None, optimizer=None,
                    step_order=None, snapshot: bool = False) -> None:
        """Make `net` the current network (None: no network). Its results replace the old network's (or clear them),
        its optimizer memory and batch order the old one's. A network of another architecture brings its spec
        along, before anyone hears of either. `snapshot`: the run in progress sent its latest weights (the facts
        computed for this run stay current; any other network starts a new generation)."""
        ws = self.ws
        had_work = ws.has_work()
        ws.network = net
        if not snapshot:
            ws.optimizer = optimizer if net is not None else None
            ws.step_order = step_order if net is not None else None
        ws.trained = net is not None if trained is None else bool(trained and net is not None)
        if net is not None and network_architecture(net) != architecture(self.spec):
            ws.spec = {**net.to_spec(), "seed": self.spec.get("seed", 0)}
            self.specChanged.emit(copy.deepcopy(ws.spec))
        if not snapshot:
            self._new_generation()
        self.networkChanged.emit(net)
        self._set_results(dict(results) if results and net is not None else None)
        if not snapshot and (ws.trained or had_work != ws.has_work()):
            self._new_work()

    def set_results(self, results: dict | None, network=None) -> None:
        """Results measured on `network` (default: the current one); ignored if another network is current."""
        if network is not None and network is not self.network:
            return
        self._set_results(dict(results) if results else None)
        if results and self.runs and self.runs[-1].get("results") is None:
            self.runs[-1]["results"] = dict(results)
            self.runsChanged.emit(list(self.runs))

    def settle(self) -> None:
        """A run ended: the weights it left are now work the document has not saved."""
        self._new_work()

    def keep_optimizer(self, optimizer, network=None) -> None:
        """The optimizer that trained `network` (default: the current one); ignored if another network is current."""
        if network is None or network is self.network:
            self.ws.optimizer = optimizer

    def _set_results(self, results: dict | None) -> None:
        if results != self.results:
            self.ws.results = results
            self.resultsChanged.emit(None if results is None else dict(results))

    # ---- the workspaces: Digits and Playground ------------------------------------------------------
    def switch_mode(self, mode: str) -> None:
        """Show the other workspace exactly as it was left; nothing in either is discarded. Its data set is loaded
        if it never was (or is still loading for it)."""
        if mode == self.mode:
            return
        self.mode = mode
        ws = self.ws
        self._new_generation()
        self.modeChanged.emit(mode)
        self._announce()
        if ws.dataset is None and ws.visited and (self._load is None or self._load[0] is not ws):
            self.load_dataset(ws.dataset_name, **ws.dataset_params)

    def _announce(self) -> None:
        """Every view hears of the current workspace's fields (after a mode switch, New or Open)."""
        ws = self.ws
        self.specChanged.emit(copy.deepcopy(ws.spec))
        self.configChanged.emit(self.config())
        self.datasetChanged.emit(ws.dataset)
        self.networkChanged.emit(ws.network)
        self.resultsChanged.emit(None if ws.results is None else dict(ws.results))
        self.runsChanged.emit(list(ws.runs))

    # ---- the document: New and Open -----------------------------------------------------------------
    def reset(self) -> None:
        """A new document: both workspaces fresh (the default settings and architecture, fitted to the loaded data
        set), the Digits mode shown."""
        datasets = {m: (ws.dataset_name, ws.dataset, ws.dataset_params) for m, ws in self.workspaces.items()}
        self.workspaces = {m: Workspace(m, visited=m == DIGITS) for m in MODES}
        name, ds, params = datasets[DIGITS]
        digits = self.workspaces[DIGITS]
        if ds is not None:
            digits.dataset_name, digits.dataset, digits.dataset_params = name, ds, params
            digits.spec["input_size"] = int(ds.x_train.shape[1])
            digits.spec["layers"][-1]["units"] = int(ds.n_classes)
        self.mode = DIGITS
        self._new_generation()
        self._new_work()
        self.modeChanged.emit(self.mode)
        self._announce()

    def open_workspaces(self, mode: str, parts: dict) -> None:
        """An opened document: each mode's workspace from its part (spec, settings, network, trained, results, runs,
        dataset, dataset_params), a mode without one fresh; `mode` shown. A data set already loaded with the same
        name and parameters is kept; the shown one is loaded if it is not."""
        loaded = {(ws.dataset_name, repr(ws.dataset_params)): ws.dataset for ws in self.workspaces.values()
                  if ws.dataset is not None}
        self.workspaces = {m: Workspace(m) for m in MODES}
        for m, part in parts.items():
            ws = self.workspaces[m]
            ws.visited = True
            ws.settings.update({k: v for k, v in (part.get("settings") or {}).items()
                                if (k in DEFAULT_SETTINGS) and sane_setting(k, v)})
            ws.spec = {**copy.deepcopy(part["spec"]), "seed": int(ws.settings["seed"])}
            ws.dataset_name, ws.dataset_params = part["dataset"], dict(part.get("dataset_params") or {})
            ws.dataset = loaded.get((ws.dataset_name, repr(ws.dataset_params)))
            net = part.get("network")
            ws.network, ws.trained = net, bool(part.get("trained") and net is not None)
            ws.results = dict(part["results"]) if part.get("results") and net is not None else None
            ws.runs = [dict(r) for r in part.get("runs") or []]
            ws.run_ids = max((r["id"] for r in ws.runs), default=0)
            if ws.dataset is not None and net is None:
                ws.spec["input_size"] = int(ws.dataset.x_train.shape[1])
        self.mode = mode
        self._new_generation()
        self._new_work()
        self.modeChanged.emit(mode)
        self._announce()
        if self.ws.dataset is None:
            self.load_dataset(self.ws.dataset_name, **self.ws.dataset_params)

    # ---- the drawn digit and the runs ---------------------------------------------------------------
    def set_drawn_digit(self, image) -> None:
        """The Draw pad's current 28x28 network input (None when the pad is empty)."""
        self.drawn_digit = image
        self.drawnDigitChanged.emit(image)

    def begin_run(self, label: str, spec: dict | None = None, settings: dict | None = None,
                  kind: str = "train") -> dict:
        """A training run starts: remembered with its settings (a compared run's own, else the model's) and an id
        its curves carry; its results arrive with set_results, its results row with record_run."""
        ws = self.ws
        ws.run_ids += 1
        run = {"id": ws.run_ids, "label": label, "kind": kind,
               "spec": copy.deepcopy(self.spec if spec is None else spec),
               "settings": dict(self.settings if settings is None else settings), "results": None, "record": None}
        ws.runs.append(run)
        self.runsChanged.emit(list(ws.runs))
        self._new_work()
        return run

    def record_run(self, record: dict) -> None:
        """The latest run's results row (engine.compare.run_record); a run continued (One epoch) adds up."""
        if not self.runs:
            return
        run, old = self.runs[-1], self.runs[-1].get("record")
        if old is not None:
            record = {**record, "epochs": old["epochs"] + record["epochs"], "steps": old["steps"] + record["steps"],
                      "seconds": old["seconds"] + record["seconds"]}
        run["record"] = {**record, "label": run["label"]}
        self.runsChanged.emit(list(self.runs))
        self._new_work()

    def clear_runs(self) -> None:
        if self.runs:
            self.ws.runs.clear()
            self.runsChanged.emit([])
            self._new_work()
