"""Read pen-drawn digits the way the drawing pad does, and report how well a network reads them per digit.

The pad's path is strokes -> stroke_layout + rasterisation -> preprocess_digit -> network; here the
rasterisation is engine.preprocess.render_strokes (NumPy), which tests check against the pad's QPainter.

Writers: the evaluation writers (EVAL_WRITERS) are never used to train or tune the defaults, so the
numbers measure reading new people's digits. Per-digit accuracy comes with a Wilson 95% interval:

    centre = (p + z²/2n) / (1 + z²/n),   half = z sqrt(p(1-p)/n + z²/4n²) / (1 + z²/n),   z = 1.96
"""
from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from .data.pendigits import load_pendigits
from .errors import DataError
from .preprocess import FIELD, preprocess_digit, render_strokes, stroke_layout

EVAL_WRITERS = tuple(range(3, 31, 3))      # 10 of pendigits' 30 training writers: 3, 6, ..., 30
Z95 = 1.959964
PENDIGITS_FILE = "pendigits-orig.tra.gz"


def bundled_pendigits() -> Path:
    """The bundled UCI pendigits pen trajectories (30 writers; attribution in resources/pendigits/SOURCES.md)."""
    from .data.paths import resources_dir
    return resources_dir() / "pendigits" / PENDIGITS_FILE


def render_digit(strokes) -> np.ndarray | None:
    """Strokes (any units, y down) -> the (28, 28) image the pad would feed the network, or None if empty."""
    layout = stroke_layout(strokes)
    if layout is None:
        return None
    return preprocess_digit(render_strokes(strokes, layout))


def render_digits(digits) -> tuple[np.ndarray, np.ndarray]:
    """PenDigits -> (X (n, 784) float32, y (n,) int64); digits with no ink are left out."""
    images, labels = [], []
    for d in digits:
        img = render_digit(d.strokes)
        if img is not None:
            images.append(img.reshape(-1))
            labels.append(d.label)
    X = np.array(images, dtype=np.float32).reshape(-1, FIELD * FIELD)
    return X, np.array(labels, dtype=np.int64)


def split_writers(digits, eval_writers=EVAL_WRITERS) -> tuple[list, list]:
    """(digits by the other writers, digits by the evaluation writers)."""
    keep = set(eval_writers)
    return [d for d in digits if d.writer not in keep], [d for d in digits if d.writer in keep]


def wilson_interval(k: int, n: int, z: float = Z95) -> tuple[float, float]:
    """Wilson score interval for k successes in n trials; (nan, nan) when n == 0."""
    if n <= 0:
        return float("nan"), float("nan")
    p, z2 = k / n, z * z
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = z * math.sqrt(p * (1 - p) / n + z2 / (4 * n * n)) / (1 + z2 / n)
    return max(0.0, centre - half), min(1.0, centre + half)


@dataclass
class DrawnReport:
    """Per-digit and overall accuracy on drawn digits, with Wilson 95% intervals."""
    n: np.ndarray              # (10,) digits per class
    correct: np.ndarray        # (10,) read correctly per class
    writers: int
    confusion: np.ndarray = field(repr=False)

    @property
    def accuracy(self) -> float:
        return float(self.correct.sum() / max(1, self.n.sum()))

    def rows(self) -> list[dict]:
        out = []
        for c in range(len(self.n)):
            lo, hi = wilson_interval(int(self.correct[c]), int(self.n[c]))
            acc = self.correct[c] / self.n[c] if self.n[c] else float("nan")
            out.append({"digit": c, "n": int(self.n[c]), "correct": int(self.correct[c]),
                        "accuracy": float(acc), "low": lo, "high": hi})
        return out

    def to_dict(self) -> dict:
        lo, hi = wilson_interval(int(self.correct.sum()), int(self.n.sum()))
        return {"accuracy": self.accuracy, "n": int(self.n.sum()), "low": lo, "high": hi,
                "writers": self.writers, "per_class": self.rows(), "confusion_matrix": self.confusion.tolist()}

    def table(self) -> str:
        lines = ["digit      n  accuracy   95% interval"]
        for r in self.rows():
            lines.append(f"{r['digit']:>5} {r['n']:>6}  {r['accuracy']:>8.1%}   "
                         f"{r['low']:.1%} - {r['high']:.1%}")
        lo, hi = wilson_interval(int(self.correct.sum()), int(self.n.sum()))
        lines.append(f"  all {int(self.n.sum()):>6}  {self.accuracy:>8.1%}   {lo:.1%} - {hi:.1%}")
        return "\n".join(lines)


def drawn_report(labels, predictions, writers: int, n_classes: int = 10) -> DrawnReport:
    labels, predictions = np.asarray(labels), np.asarray(predictions)
    k = max(n_classes, int(predictions.max(initial=0)) + 1)
    cm = np.zeros((k, k), np.int64)
    np.add.at(cm, (labels, predictions), 1)
    return DrawnReport(n=cm.sum(axis=1)[:n_classes], correct=np.diag(cm)[:n_classes], writers=writers,
                       confusion=cm)


def load_drawn_eval(path, eval_writers=EVAL_WRITERS) -> tuple[np.ndarray, np.ndarray, int]:
    """A pendigits file -> (X, y, number of writers) for the evaluation writers' digits, rendered like the pad."""
    _, chosen = split_writers(load_pendigits(path), eval_writers)
    if not chosen:
        raise DataError(f"{path} has no digits by the evaluation writers {list(eval_writers)}.")
    X, y = render_digits(chosen)
    return X, y, len({d.writer for d in chosen})


def evaluate_drawn(net, path, eval_writers=EVAL_WRITERS) -> DrawnReport:
    """How well `net` reads the evaluation writers' drawn digits in the pendigits file at `path`."""
    if net.input_size != FIELD * FIELD or net.n_outputs < 10:
        raise DataError(f"Drawn digits are {FIELD}x{FIELD} images of 10 digits; this model takes "
                        f"{net.input_size} inputs and has {net.n_outputs} outputs.")
    X, y, writers = load_drawn_eval(path, eval_writers)
    return drawn_report(y, net.predict(X), writers)


def run_drawn_evaluation(net, path, as_json: bool = False, model_name: str = "the model") -> int:
    """`python -m engine evaluate MODEL.npz --drawn [PATH]`: print the per-digit table (or JSON); exit code 0."""
    path = bundled_pendigits() if path in (None, "", "bundled") else Path(path).expanduser()
    report = evaluate_drawn(net, path)
    if as_json:
        import json
        print(json.dumps({**report.to_dict(), "model": str(model_name), "drawn": str(path)}))
    else:
        print(f"drawn digits: {report.accuracy:.2%} of {int(report.n.sum()):,} digits by {report.writers} writers "
              f"never used for training ({path.name}, pen strokes read like the drawing pad)\n")
        print(report.table())
    return 0
