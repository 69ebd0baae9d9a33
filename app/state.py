"""AppState: the app's model. One owner for each fact the views show; views follow its signals, keep no copy.

It owns the spec being built, the training settings, the current data set (and the one loader for data sets),
the current network and ITS results, the digit drawn on the Draw pad, and the history of runs. It knows nothing
about widgets. Two promises every view can rely on:
- a spec and a network that disagree are never both current: the network is cleared (or the spec follows a new
  network) before specChanged is emitted;
- results belong to one network: replacing the network clears them (resultsChanged(None)).
It also keeps the output activation and the loss consistent (cross-entropy needs softmax) and says, in a
sentence, when it changed one.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import numbers

from PySide6.QtCore import QObject, Signal

from app import choices
from app.dataset_loader import DatasetLoader
from engine.config import TrainConfig
from engine.presets import DIGIT_DATASET, PRESETS, digit_spec

# The app starts from the engine's digits preset and network (owned there, with the accuracy they reach).
DEFAULT_SPEC = digit_spec()
DEFAULT_SETTINGS = dataclasses.asdict(PRESETS["app_digits"])


def _sane(name: str, value) -> bool:
    """A stored setting (a project or settings file may hold anything) of its default's kind and widget-sized."""
    default = DEFAULT_SETTINGS.get(name)
    if isinstance(default, bool):
        return isinstance(value, bool)
    if isinstance(default, int):
        return isinstance(value, numbers.Integral) and not isinstance(value, bool) and abs(value) < 2**31
    if isinstance(default, float):
        return (isinstance(value, numbers.Real) and not isinstance(value, bool) and math.isfinite(value)
                and abs(value) < 1e12)
    if name in ("optimizer", "schedule") and not isinstance(value, str):
        return False                                        # a list or dict from a forged file is not a name
    if name == "optimizer":
        return value in choices.optimizers()
    if name == "schedule":
        return value in choices.schedules()
    return True


def architecture(spec: dict) -> tuple:
    """What a network's weights depend on: sizes, activations (and leaky ReLU's slope) and the loss; not the seed."""
    layers = tuple((int(l["units"]), l["activation"], l.get("alpha", 0.01) if l["activation"] == "leaky_relu"
                    else None) for l in spec["layers"])
    return int(spec["input_size"]), layers, spec.get("loss")


def network_architecture(net) -> tuple:
    return architecture(net.to_spec())


class AppState(QObject):
    specChanged = Signal(dict)
    configChanged = Signal(object)
    datasetChanged = Signal(object)
    datasetFailed = Signal(str)        # a sentence: the data set asked for could not be loaded
    networkChanged = Signal(object)
    resultsChanged = Signal(object)    # dict (test_accuracy, n_test, dataset) for the current network, or None
    drawnDigitChanged = Signal(object)  # the Draw pad's 28x28 image, or None
    runsChanged = Signal(list)
    trainingStateChanged = Signal(str)
    noteChanged = Signal(str)          # a sentence when the app changed a setting for the user

    def __init__(self, parent=None):
        super().__init__(parent)
        self.spec = copy.deepcopy(DEFAULT_SPEC)
        self.settings = dict(DEFAULT_SETTINGS)
        self.dataset_name = DIGIT_DATASET
        self.dataset = None
        self.network = None
        self.trained = False               # True once self.network holds trained weights
        self.results: dict | None = None
        self.optimizer = None              # the current network's optimizer memory (velocity, m, v, t) or None
        self.step_order = None             # where Step is in the seeded batch order (engine BatchOrder) or None
        self.drawn_digit = None
        self.runs: list[dict] = []
        self._run_ids = 0
        self.training_state = "idle"
        self._loader = DatasetLoader(self)
        self._loader.loaded.connect(self.set_dataset)
        self._loader.failed.connect(lambda name, message: self.datasetFailed.emit(message))

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
        self.spec = spec
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
        self.configChanged.emit(self.config())

    def set_config(self, cfg) -> None:
        """Take every field of a TrainConfig (or a dict) as the current settings."""
        values = dataclasses.asdict(cfg) if dataclasses.is_dataclass(cfg) else dict(cfg)
        self.settings.update({k: v for k, v in values.items()
                              if (k in DEFAULT_SETTINGS or k in self.settings) and _sane(k, v)})
        if self.spec.get("seed") != self.settings["seed"]:
            self.set_spec({**self.spec, "seed": int(self.settings["seed"])})
        self.configChanged.emit(self.config())

    def config(self, **overrides):
        """The settings as an engine TrainConfig (unknown fields dropped)."""
        names = {f.name for f in dataclasses.fields(TrainConfig)}
        values = {k: v for k, v in {**self.settings, **overrides}.items() if k in names}
        return TrainConfig(**values)

    # ---- data ---------------------------------------------------------------------------------------
    def load_dataset(self, name: str, **params) -> None:
        """Load a data set on a worker (a generated one with its params: n, noise, seed, test_fraction);
        datasetChanged when it is in, datasetFailed with a sentence if not."""
        self._loader.load(name, **params)

    def loading_dataset(self) -> str | None:
        return self._loader.loading()

    def set_dataset(self, name: str, dataset) -> None:
        self.dataset_name, self.dataset = name, dataset
        if dataset is not None:
            self.set_input_outputs(int(dataset.x_train.shape[1]), int(dataset.n_classes))
        if self.results is not None and self.results.get("dataset") not in (None, name):
            self._set_results(None)            # measured on another data set
        self.datasetChanged.emit(dataset)

    # ---- the network and its results ---------------------------------------------------------------
    def set_network(self, net, trained: bool | None = None, results: dict | None = None, optimizer=None,
                    step_order=None) -> None:
        """Make `net` the current network (None: no network). Its results replace the old network's (or clear them),
        its optimizer memory and batch order the old one's. A network of another architecture brings its spec
        along, before anyone hears of either."""
        self.network = net
        self.optimizer = optimizer if net is not None else None
        self.step_order = step_order if net is not None else None
        self.trained = net is not None if trained is None else bool(trained and net is not None)
        if net is not None and network_architecture(net) != architecture(self.spec):
            self.spec = {**net.to_spec(), "seed": self.spec.get("seed", 0)}
            self.specChanged.emit(copy.deepcopy(self.spec))
        self.networkChanged.emit(net)
        self._set_results(dict(results) if results and net is not None else None)

    def set_results(self, results: dict | None, network=None) -> None:
        """Results measured on `network` (default: the current one); ignored if another network is current."""
        if network is not None and network is not self.network:
            return
        self._set_results(dict(results) if results else None)
        if results and self.runs and self.runs[-1].get("results") is None:
            self.runs[-1]["results"] = dict(results)
            self.runsChanged.emit(list(self.runs))

    def keep_optimizer(self, optimizer, network=None) -> None:
        """The optimizer that trained `network` (default: the current one); ignored if another network is current."""
        if network is None or network is self.network:
            self.optimizer = optimizer

    def _set_results(self, results: dict | None) -> None:
        if results != self.results:
            self.results = results
            self.resultsChanged.emit(None if results is None else dict(results))

    # ---- the document: New and Open -----------------------------------------------------------------
    def reset(self) -> None:
        """A new document: no network, the default settings, the default architecture fitted to the data set."""
        self.set_network(None)
        self.set_config(DEFAULT_SETTINGS)
        spec = copy.deepcopy(DEFAULT_SPEC)
        if self.dataset is not None:
            spec["input_size"] = int(self.dataset.x_train.shape[1])
            spec["layers"][-1]["units"] = int(self.dataset.n_classes)
        self.set_spec(spec)
        self.clear_runs()

    def load(self, spec: dict, settings: dict, network=None, trained: bool = False,
             results: dict | None = None) -> None:
        """An opened document: its settings, its spec, then its network with its results."""
        self.set_network(None)
        self.set_config(settings)
        self.set_spec(spec)
        self.set_network(network, trained=trained, results=results)

    # ---- the drawn digit and the runs ---------------------------------------------------------------
    def set_drawn_digit(self, image) -> None:
        """The Draw pad's current 28x28 network input (None when the pad is empty)."""
        self.drawn_digit = image
        self.drawnDigitChanged.emit(image)

    def begin_run(self, label: str, spec: dict | None = None, settings: dict | None = None,
                  kind: str = "train") -> dict:
        """A training run starts: remembered with its settings (a compared run's own, else the model's) and an id
        its curves carry; its results arrive with set_results, its results row with record_run."""
        self._run_ids += 1
        run = {"id": self._run_ids, "label": label, "kind": kind,
               "spec": copy.deepcopy(self.spec if spec is None else spec),
               "settings": dict(self.settings if settings is None else settings), "results": None, "record": None}
        self.runs.append(run)
        self.runsChanged.emit(list(self.runs))
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

    def clear_runs(self) -> None:
        self.runs.clear()
        self.runsChanged.emit([])

    def set_training_state(self, state: str) -> None:
        if state != self.training_state:
            self.training_state = state
            self.trainingStateChanged.emit(state)
