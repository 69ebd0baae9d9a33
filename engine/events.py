"""The events a training run yields: BatchStats after every step, EpochStats after every epoch, then one Finished."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class BatchStats:
    epoch: int
    batch: int
    n_batches: int
    loss: float
    accuracy: float | None          # None for regression (numeric targets): the loss is the measure
    lr: float
    elapsed: float
    samples: int
    grad_norms: list | None = None
    dead_units: list | None = None
    penalty: float = 0.0            # weight decay's wd/2 ||w||² on the weights this batch's loss was measured with


@dataclass
class EpochStats:
    epoch: int
    epochs: int
    train_loss: float
    train_accuracy: float | None    # None for regression
    val_loss: float | None
    val_accuracy: float | None
    lr: float
    seconds: float
    elapsed: float
    is_best: bool
    penalty: float = 0.0            # weight decay's wd/2 ||w||², mean over the epoch's batches like train_loss;
                                    # the losses are the data's alone: the objective minimised is loss + penalty

    def to_dict(self) -> dict:
        return dict(self.__dict__)          # every field is a number: no deep copy (asdict's) needed


@dataclass
class Finished:
    reason: str                     # "completed" | "stopped" | "early_stopped" | "diverged"
    message: str
    best_epoch: int | None
    history: list = field(default_factory=list)
    restored_epoch: int | None = None   # a divergence: the epoch whose weights were restored (0: the start)
