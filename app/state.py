"""AppState: the app's model — the spec being built, the training settings, the data set and the current Network.

Widgets read and write it and listen to its signals; it knows nothing about widgets. It also keeps the output
activation and the loss consistent (cross-entropy needs softmax) and says, in a sentence, when it changed one.
"""
from __future__ import annotations

import copy
import dataclasses
import math
import numbers

from PySide6.QtCore import QObject, Signal

HIDDEN_ACTIVATIONS = {"sigmoid": "Sigmoid", "tanh": "tanh", "relu": "ReLU", "leaky_relu": "Leaky ReLU"}
OUTPUT_ACTIVATIONS = {"softmax": "Softmax", "sigmoid": "Sigmoid", "tanh": "tanh", "relu": "ReLU",
                      "leaky_relu": "Leaky ReLU", "linear": "Linear (identity)"}
OPTIMIZER_LABELS = {"sgd": "SGD", "bgd": "batch GD", "minibatch": "mini-batch GD", "momentum": "momentum",
                    "nesterov": "Nesterov", "rmsprop": "RMSProp", "adam": "Adam"}
LOSSES = {"cross_entropy": "Cross-entropy", "mse": "Mean squared error (MSE)", "l1": "Mean absolute error (L1)"}
# A loss that only makes sense with one output activation; the others accept any.
LOSS_NEEDS = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}

DEFAULT_SPEC = {"input_size": 784,
                "layers": [{"units": 128, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
                "loss": "cross_entropy", "seed": 0}

# First Start with nothing changed: measured to reach >= 96% test accuracy on the bundled sample (README).
DEFAULT_SETTINGS = dict(optimizer="adam", lr=0.003, momentum=0.9, batch_size=64, epochs=40, weight_decay=0.0,
                        schedule="cosine", step_size=10, gamma=0.5, min_lr=0.0, val_fraction=0.1, patience=0,
                        seed=0, augment=True, probe_every=50)


def _known(registry_name: str, names: dict) -> dict:
    """Keep only the names the engine's registry knows (all of them while the engine is not importable)."""
    try:
        import importlib
        module, attr = registry_name.rsplit(".", 1)
        registry = getattr(importlib.import_module(module), attr)
    except (ImportError, AttributeError):
        return dict(names)
    return {k: v for k, v in names.items() if k in registry}


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
        return value in OPTIMIZER_LABELS
    if name == "schedule":
        return value in _known("engine.schedules.SCHEDULES", {"constant": 0, "step": 0, "cosine": 0})
    return True


def _architecture(spec: dict) -> dict:
    return {k: v for k, v in spec.items() if k != "seed"}


class AppState(QObject):
    specChanged = Signal(dict)
    configChanged = Signal(object)
    datasetChanged = Signal(object)
    networkChanged = Signal(object)
    trainingStateChanged = Signal(str)
    noteChanged = Signal(str)          # a sentence when the app changed a setting for the user

    def __init__(self, parent=None):
        super().__init__(parent)
        self.spec = copy.deepcopy(DEFAULT_SPEC)
        self.settings = dict(DEFAULT_SETTINGS)
        self.dataset_name = "sample"
        self.dataset = None
        self.network = None
        self.training_state = "idle"
        self.trained = False               # True once self.network holds trained weights

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
        self.spec = spec
        if self.network is not None and _architecture(self.network.to_spec()) != _architecture(spec):
            self.set_network(None)
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
        need = LOSS_NEEDS.get(loss)
        if need and spec["layers"][-1]["activation"] != need:
            spec["layers"][-1]["activation"] = need
            note = (f"Output activation set to {OUTPUT_ACTIVATIONS.get(need, need)}: "
                    f"{LOSSES.get(loss, loss)} compares probabilities, which {need} produces.")
        self.set_spec(spec)
        if note:
            self.noteChanged.emit(note)
        return note

    def set_output_activation(self, activation: str) -> str:
        """Set the output activation; if the loss cannot use it, switch the loss to MSE and return why."""
        spec = copy.deepcopy(self.spec)
        spec["layers"][-1]["activation"] = activation
        note = ""
        need = LOSS_NEEDS.get(spec["loss"])
        if need and need != activation:
            note = (f"Loss set to MSE: {LOSSES.get(spec['loss'], spec['loss'])} needs a {need} output, "
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
            self.spec["seed"] = int(value)
        self.configChanged.emit(self.config())

    def set_config(self, cfg) -> None:
        """Take every field of a TrainConfig (or a dict) as the current settings."""
        values = dataclasses.asdict(cfg) if dataclasses.is_dataclass(cfg) else dict(cfg)
        self.settings.update({k: v for k, v in values.items()
                              if (k in DEFAULT_SETTINGS or k in self.settings) and _sane(k, v)})
        self.configChanged.emit(self.config())

    def config(self, **overrides):
        """The settings as an engine TrainConfig (unknown fields dropped)."""
        from engine.training import TrainConfig
        names = {f.name for f in dataclasses.fields(TrainConfig)}
        values = {k: v for k, v in {**self.settings, **overrides}.items() if k in names}
        return TrainConfig(**values)

    # ---- data and weights ---------------------------------------------------------------------------
    def set_dataset(self, name: str, dataset) -> None:
        self.dataset_name, self.dataset = name, dataset
        if dataset is not None:
            self.set_input_outputs(int(dataset.x_train.shape[1]), int(dataset.n_classes))
        self.datasetChanged.emit(dataset)

    def set_network(self, net, trained: bool | None = None) -> None:
        self.network = net
        self.trained = net is not None if trained is None else trained
        self.networkChanged.emit(net)

    def set_training_state(self, state: str) -> None:
        if state != self.training_state:
            self.training_state = state
            self.trainingStateChanged.emit(state)
