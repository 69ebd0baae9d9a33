"""What the pad says about a drawing, from the network's ten probabilities: its top guesses and the one sentence
on how sure it is (confidence: the only place that sentence is made)."""
from __future__ import annotations

from typing import NamedTuple

import numpy as np

DEFAULT_DOUBT = 60          # percent: below this top probability the pad says "not sure"


def percent(p: float) -> str:
    """A probability as the student reads it: whole percent, '<1%' rather than a misleading 0%."""
    return "<1%" if p < 0.005 else f"{p:.0%}"


def top_guesses(p, k: int = 3) -> list[tuple[int, float]]:
    """The k most probable classes, most probable first (ties: the lower digit first)."""
    p = np.asarray(p, dtype=np.float64).ravel()
    order = np.argsort(-p, kind="stable")[:k]
    return [(int(i), float(p[i])) for i in order]


class Confidence(NamedTuple):
    sentence: str          # what the pad says under its answer: '95% sure' or 'Not sure: 4 or 7?'
    doubtful: bool         # the sentence is the answer: the top digit alone would claim too much


def confidence(p, threshold: int) -> Confidence:
    """The pad's one sentence on how sure the network is: 'Not sure: a or b?' when the top probability, as shown
    in whole percent, is below `threshold` percent, else 'NN% sure' (never both)."""
    (a, p_a), (b, _) = top_guesses(p, 2)
    if round(p_a * 100) < threshold:
        return Confidence(f"Not sure: {a} or {b}?", True)
    return Confidence(f"{percent(p_a)} sure", False)
