"""Coach rules: pure functions from a run's numbers to a sentence of advice ('' when there is nothing to say).

No Qt here: the training panel shows these sentences today, a coach can call the same rules tomorrow.
"""
from __future__ import annotations

CHANCE_MARGIN = 0.05     # accuracy this close to guessing (1/k) has learned nothing worth the name
HIGH_LR = 0.5            # above this, any of our optimizers usually overshoots
LOW_LR = 1e-5            # below this, a few epochs barely move the weights


def chance_level(accuracy: float | None, n_classes: int, lr: float | None = None,
                 margin: float = CHANCE_MARGIN) -> str:
    """A sentence when test accuracy <= 1/k + margin (no better than guessing among k classes), else ''."""
    if accuracy is None or n_classes < 2 or accuracy > 1.0 / n_classes + margin:
        return ""
    said = (f"{100 * accuracy:.1f}% is chance level: guessing among {n_classes} classes gets "
            f"{100 / n_classes:.0f}%, so the network learned nothing useful.")
    if lr is not None and lr >= HIGH_LR:
        cause = f"the learning rate ({lr:g}) is probably too high: lower it (e.g. 0.003 for Adam, 0.05 for momentum)."
    elif lr is not None and lr <= LOW_LR:
        cause = f"the learning rate ({lr:g}) is probably too low: raise it (e.g. 0.003 for Adam, 0.05 for momentum)."
    else:
        cause = "the learning rate too high or too low, or too few epochs."
    return f"{said} Likely cause: {cause}"
