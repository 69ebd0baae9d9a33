"""What the app says about an activation, read from the engine's registry entry (label, formula, output range)."""
from __future__ import annotations

import math

from engine.activations import ACTIVATIONS


def _entry(name: str):
    return ACTIVATIONS.get(name)


def label(name: str) -> str:
    return getattr(_entry(name), "label", name)


def formula(name: str) -> str:
    return getattr(_entry(name), "formula", "")


def _bound(v: float, signed: bool) -> str:
    if math.isinf(v):
        return "+∞" if v > 0 else "-∞"
    return f"{v:+g}" if signed and v > 0 else f"{v:g}"


def range_text(name: str) -> str:
    """The course's notation, e.g. "[0, 1]", "[-1, +1]", "[0, +∞)" (built from `.range` until the entry has it)."""
    entry = _entry(name)
    if hasattr(entry, "range_text"):
        return entry.range_text
    lo, hi = getattr(entry, "range", (-math.inf, math.inf))
    return (("(" if math.isinf(lo) else "[") + _bound(lo, False) + ", " + _bound(hi, lo < 0)
            + (")" if math.isinf(hi) else "]"))
