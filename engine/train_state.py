"""TrainState: how a network was trained and where its training stands, so it can go on exactly from there.

  settings  the TrainConfig (as a dict) of the run that trained it
  epoch     the epochs of that run it has completed: the schedule's position (the next epoch is epoch + 1)
  memory    the optimizer's memory at that point, by the update rule's names (optimizers.py): "v" (momentum,
            nesterov: the velocity), "s" (rmsprop), "m" and "v" (adam), each a flat array like Network.params,
            and "t" (adam's step count); None when it was not kept (a diverged or early-stopped run)
The Trainer records it on the network (Network.train_state) at each epoch's end and when the run ends (a run stopped
mid-epoch: the epochs completed, with the memory of its last step); the model file (serialization.py, format 2)
stores it; the PyTorch export (export/) carries it to train.py.
"""
from __future__ import annotations

import json
from dataclasses import dataclass

import numpy as np

from .config import TrainConfig
from .errors import SpecError
from .optimizers import make_optimizer


@dataclass
class TrainState:
    settings: dict
    epoch: int
    memory: dict | None = None

    @property
    def config(self) -> TrainConfig:
        return TrainConfig.from_dict(self.settings)

    def copy(self) -> "TrainState":
        memory = None if self.memory is None else {k: np.array(v, copy=True) for k, v in self.memory.items()}
        return TrainState(dict(self.settings), self.epoch, memory)

    def to_arrays(self) -> dict[str, np.ndarray]:
        """The model file's members: "train_state" (JSON) and "memory_<name>" per buffer."""
        memory = self.memory or {}
        head = {"settings": self.settings, "epoch": int(self.epoch), "t": int(memory.get("t", 0)),
                "memory": None if self.memory is None else sorted(k for k in memory if k != "t")}
        arrays = {"train_state": np.array(json.dumps(head))}
        arrays.update({f"memory_{k}": v for k, v in memory.items() if k != "t"})
        return arrays


def optimizer_state(opt) -> dict:
    """Copies of an engine optimizer's memory buffers by name (each the formula's quantity) and its step count "t"."""
    state = {name: np.array(getattr(opt, name), copy=True) for name in opt.state}
    state["t"] = int(opt.t)
    return state


def after_step(state: TrainState | None, cfg: TrainConfig, opt) -> TrainState:
    """The record after single optimizer steps (the app's Step): their settings, the epochs done as they were, the
    optimizer's memory now."""
    epoch = 0 if state is None else min(state.epoch, cfg.epochs)
    return TrainState(cfg.to_dict(), epoch, optimizer_state(opt))


def memory_names(optimizer: str) -> set[str]:
    """The buffers the optimizer `optimizer` (a TrainConfig name) keeps, read off a one-parameter instance."""
    return set(optimizer_state(make_optimizer(optimizer, 1, np.float32))) - {"t"}


def from_arrays(data: dict, n_params: int, dtype) -> TrainState | None:
    """The TrainState stored in a model file's arrays (None if it holds none); ValueError saying what is wrong."""
    if "train_state" not in data:
        return None
    try:
        head = json.loads(str(data["train_state"]))
        cfg = TrainConfig.from_dict(head["settings"])
        epoch, t, names = head["epoch"], head["t"], head["memory"]
    except (ValueError, TypeError, KeyError, RecursionError, SpecError) as exc:
        raise ValueError(f"its training record is damaged ({exc})") from None
    if not (isinstance(epoch, int) and 0 <= epoch <= cfg.epochs and isinstance(t, int) and t >= 0):
        raise ValueError("its training record is damaged (epoch or step count out of range)")
    if names is None:
        return TrainState(cfg.to_dict(), epoch)
    if set(names) != memory_names(cfg.optimizer):
        raise ValueError(f"its optimizer memory ({', '.join(names) or 'none'}) is not what {cfg.optimizer} keeps")
    memory = {"t": t}
    for name in names:
        arr = data.get(f"memory_{name}")
        if arr is None or arr.shape != (n_params,) or arr.dtype.kind != "f" or not np.all(np.isfinite(arr)):
            raise ValueError(f"its optimizer memory {name} is missing, misshapen or not finite")
        memory[name] = arr.astype(dtype, copy=False)
    return TrainState(cfg.to_dict(), epoch, memory)
