"""Reader for UCI pendigits pen trajectories (UNIPEN text, optionally gzipped) -> digits as stroke lists.

The file holds, per digit, a `.SEGMENT DIGIT ... "label"` line, a `.COMMENT label writer sample` line and one
or more `.PEN_DOWN` ... `.PEN_UP` blocks of "x y" tablet points with the y axis pointing up. Points come back
with y pointing down (screen convention, like the drawing pad), in tablet units: the renderer scales them.
"""
from __future__ import annotations

import gzip
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import DataError

MAX_BYTES = 64 * 1024 * 1024      # the upstream training file is ~5 MB unzipped; refuse anything absurd
# the non-evaluation writers' digits, rendered like the pad by tools/render_drawn_train.py
DRAWN_SAMPLE = "sample+drawn"      # load_dataset's name for the MNIST sample plus these digits
DRAWN_IMAGES, DRAWN_LABELS = "drawn-train-images-idx3-ubyte.gz", "drawn-train-labels-idx1-ubyte.gz"


@dataclass(frozen=True)
class PenDigit:
    label: int
    writer: int
    strokes: tuple            # of (n, 2) float64 arrays of (x, y), y pointing down


def _text(path: Path) -> str:
    try:
        with open(path, "rb") as f:
            head = f.read(2)
            f.seek(0)
            stream = gzip.open(f) if head == b"\x1f\x8b" else f
            raw = stream.read(MAX_BYTES + 1)
    except (OSError, EOFError, gzip.BadGzipFile) as exc:
        raise DataError(f"Could not read the drawn digits in {path}: {exc}.") from exc
    if len(raw) > MAX_BYTES:
        raise DataError(f"{path} is larger than {MAX_BYTES // 2**20} MB: not a pendigits file.")
    return raw.decode("ascii", errors="replace")


def parse_pendigits(text: str, source: str = "the file") -> list[PenDigit]:
    """UNIPEN text -> PenDigits, in file order. Raises DataError with the line number on a malformed line."""
    digits, label, writer, strokes, pen = [], None, None, [], None

    def close_digit():
        if label is not None and strokes:
            digits.append(PenDigit(label, writer, tuple(strokes)))

    for n, line in enumerate(text.splitlines(), 1):
        parts = line.split()
        if not parts:
            continue
        try:
            if parts[0] == ".SEGMENT":
                close_digit()
                label, writer, strokes = int(parts[-1].strip('"')), -1, []
            elif parts[0] == ".COMMENT" and label is not None:
                writer = int(parts[2])
            elif parts[0] == ".PEN_DOWN":
                pen = []
            elif parts[0] == ".PEN_UP" and pen is not None:
                if pen:
                    xy = np.array(pen, dtype=np.float64)
                    xy[:, 1] *= -1                        # tablet y points up, the pad's points down
                    strokes.append(xy)
                pen = None
            elif pen is not None and not parts[0].startswith("."):
                pen.append((float(parts[0]), float(parts[1])))
        except (ValueError, IndexError):
            raise DataError(f"Line {n} of {source} is not valid pendigits text: {line.strip()[:60]!r}.") from None
    close_digit()
    if not digits:
        raise DataError(f"{source} holds no pendigits digits (no .SEGMENT DIGIT lines with pen strokes).")
    bad = sorted({d.label for d in digits if not 0 <= d.label <= 9})
    if bad:
        raise DataError(f"{source} has digit labels outside 0-9: {bad[:5]}.")
    return digits


def load_pendigits(path) -> list[PenDigit]:
    """Read a pendigits UNIPEN file (plain or .gz)."""
    path = Path(path)
    if not path.is_file():
        raise DataError(f"No drawn-digits file at {path}.")
    return parse_pendigits(_text(path), source=str(path))


def load_drawn_training():
    """(x (n, 784) float32, y (n,) int64): the bundled pen-drawn digits of the writers not kept for evaluation."""
    from .idx import load_idx_pair
    from .paths import resources_dir
    folder = resources_dir() / "pendigits"
    x, y, _ = load_idx_pair(folder / DRAWN_IMAGES, folder / DRAWN_LABELS)
    return x, y


def with_drawn_digits(ds):
    """The data set with the bundled drawn digits added to its training part (its test part unchanged)."""
    from dataclasses import replace
    x, y = load_drawn_training()
    if x.shape[1] != ds.n_features:
        raise DataError(f"The drawn digits are 28x28 images; {ds.name} has {ds.n_features} inputs per sample.")
    groups = np.concatenate([np.zeros(len(ds.y_train), np.int8), np.ones(len(y), np.int8)])
    return replace(ds, x_train=np.vstack([ds.x_train, x]), y_train=np.concatenate([ds.y_train, y]),
                   source=ds.source + " + UCI pendigits (20 writers, CC BY 4.0)", train_groups=groups)
