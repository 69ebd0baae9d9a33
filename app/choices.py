"""What the app offers in its lists, read from the engine's registries: names in registry order, with their labels.

No name is spelled here: a new activation, loss, optimizer or schedule in the engine appears in the app by itself.
Hidden-layer choices are the activations whose `hidden_ok` is True (softmax and linear are output-only).
"""
from __future__ import annotations

from engine import schedules as _schedules
from engine.activations import ACTIVATIONS
from engine.losses import LOSSES
from engine.optimizers import OPTIMIZERS


def _label(entry, name: str) -> str:
    return getattr(entry, "label", "") or name


def hidden_activations() -> dict[str, str]:
    return {n: _label(a, n) for n, a in ACTIVATIONS.items() if getattr(a, "hidden_ok", n not in ("softmax",))}


def output_activations() -> dict[str, str]:
    return {n: _label(a, n) for n, a in ACTIVATIONS.items()}


def losses() -> dict[str, str]:
    return {n: _label(entry, n) for n, entry in LOSSES.items()}


def optimizers() -> dict[str, str]:
    return {n: _label(entry, n) for n, entry in OPTIMIZERS.items()}


def schedules() -> dict[str, str]:
    labels = getattr(_schedules, "SCHEDULE_LABELS", {})
    return {n: labels.get(n, n) for n in _schedules.SCHEDULES}


def activation_label(name: str) -> str:
    return _label(ACTIVATIONS.get(name), name)


def loss_label(name: str) -> str:
    return _label(LOSSES.get(name), name)


def optimizer_label(name: str) -> str:
    return _label(OPTIMIZERS.get(name), name)


def output_needed_by(loss: str) -> str | None:
    """The output activation a loss is fused with (cross-entropy: softmax), or None if it takes any."""
    return getattr(LOSSES.get(loss), "fused_with", None)
