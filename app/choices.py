"""What the app offers in its lists, read from the engine's registries: names in registry order, with their labels.

No name is spelled here: a new activation, loss, optimizer or schedule in the engine appears in the app by itself.
Hidden-layer choices are the activations whose `hidden_ok` is True (softmax is output-only).
"""
from __future__ import annotations

from engine.activations import ACTIVATIONS
from engine.initializers import INITIALIZERS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS
from engine.schedules import SCHEDULE_LABELS, SCHEDULES


def _label(registry: dict, name: str) -> str:
    """The entry's label; an unknown name (from a hand-edited file) is shown as it is."""
    entry = registry.get(name)
    return entry.label if entry is not None and entry.label else name


def hidden_activations() -> dict[str, str]:
    return {n: _label(ACTIVATIONS, n) for n, a in ACTIVATIONS.items() if a.hidden_ok}


def output_activations() -> dict[str, str]:
    return {n: _label(ACTIVATIONS, n) for n in ACTIVATIONS}


def losses() -> dict[str, str]:
    return {n: _label(LOSSES, n) for n in LOSSES}


def optimizers() -> dict[str, str]:
    return {n: _label(OPTIMIZERS, n) for n in OPTIMIZERS}


def initializers() -> dict[str, str]:
    return {n: _label(INITIALIZERS, n) for n in INITIALIZERS}


def schedules() -> dict[str, str]:
    return {n: SCHEDULE_LABELS.get(n, n) for n in SCHEDULES}


def activation_label(name: str) -> str:
    return _label(ACTIVATIONS, name)


def loss_label(name: str) -> str:
    return _label(LOSSES, name)


def optimizer_label(name: str) -> str:
    return _label(OPTIMIZERS, name)


def output_needed_by(loss: str) -> str | None:
    """The output activation a loss is fused with (cross-entropy: softmax), or None if it takes any."""
    entry = LOSSES.get(loss)
    return entry.fused_with if entry is not None else None
