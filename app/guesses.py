"""What the pad says about a drawing, from the network's ten probabilities: its top guesses and the one sentence
on how sure it is, with a caution when the drawing looks unlike the training digits (confidence: the only place
these sentences are made)."""
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


SUM_TO_ONE = "Its probabilities add up to 1 whatever it is shown, so it always names a digit."
UNFAMILIAR = "This looks unlike the digits it was trained on: "
NOT_NUMBERS = ("The network's outputs for this drawing are not numbers: its weights grew too large (a step or a run "
               "with too high a learning rate). Train it again, with a smaller learning rate.")


class Confidence(NamedTuple):
    sentence: str          # what the pad says under its answer: '95% sure' or 'Not sure: 4 or 7?'
    doubtful: bool         # the sentence is the answer: the top digit alone would claim too much
    caution: str = ""      # said below when the drawing looks unlike any training digit, else ""


def confidence(p, threshold: int, unfamiliar: bool = False) -> Confidence:
    """The pad's one sentence on how sure the network is: 'Not sure: a or b?' when the top probability, as shown
    in whole percent, is below `threshold` percent, else 'NN% sure' (never both). `unfamiliar` (the drawing is
    far from every training digit in the network's last hidden layer: engine.familiarity) adds the caution that
    the percentage means little here, and why a network answers anyway."""
    (a, p_a), (b, _) = top_guesses(p, 2)
    caution = ""
    if unfamiliar:
        claim = f"don't trust the {percent(p_a)}" if round(p_a * 100) >= threshold else "don't trust its guesses"
        caution = f"{UNFAMILIAR}{claim}. {SUM_TO_ONE}"
    if round(p_a * 100) < threshold:
        return Confidence(f"Not sure: {a} or {b}?", True, caution)
    return Confidence(f"{percent(p_a)} sure", False, caution)
