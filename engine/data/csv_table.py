"""CSV data sets: one image per row, the label in the first column (the common Kaggle layout), header or not.

A file named *train*.csv with a *test*.csv beside it gives the test set; otherwise the caller splits one off.
"""
from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np

from ..errors import DataError
from .checks import check_split, file_problem, int_labels, regular_file, unit_pixels


def _is_number(field: str) -> bool:
    try:
        float(field)
        return True
    except ValueError:
        return False


def load_csv(path: str | Path):
    """(x (n, d) float32 in [0, 1], y (n,) int64) from a label-first CSV file."""
    path = Path(path)
    regular_file(path)
    try:
        with open(path, "r", encoding="utf-8", errors="replace") as f:
            first = f.readline()
            if not first.strip():
                raise DataError(f"{path.name} is empty.")
            header = not all(_is_number(v) for v in first.strip().split(","))
            f.seek(0)
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", UserWarning)   # "no data": reported below as our own error
                    table = np.loadtxt(f, delimiter=",", dtype=np.float32, skiprows=int(header), ndmin=2)
            except ValueError as exc:
                # numpy names the row and column: "could not convert string 'x' to float32 at row 3, column 5"
                raise DataError(f"{path.name} is not a numeric label-first CSV: {exc}.") from exc
    except OSError as exc:
        raise file_problem(path, exc) from exc
    if table.shape[0] == 0:
        raise DataError(f"{path.name} has a header but no rows.")
    if table.shape[1] < 2:
        raise DataError(f"{path.name} has only one column; expected a label followed by pixel values.")
    if not np.isfinite(table).all():
        row = int(np.flatnonzero(~np.isfinite(table).all(axis=1))[0]) + 1 + int(header)
        raise DataError(f"{path.name}: line {row} contains NaN or infinite values.")
    x, y = table[:, 1:], table[:, 0]
    check_split(x, y, path.name)
    return unit_pixels(x, path.name), int_labels(y, f"{path.name} (first column)")


def test_file_beside(path: Path) -> Path | None:
    """mnist_train.csv -> mnist_test.csv if it exists."""
    name = path.name
    if "train" not in name.lower():
        return None
    i = name.lower().index("train")
    other = path.with_name(name[:i] + ("TEST" if name[i:i + 5].isupper() else "test") + name[i + 5:])
    return other if other.exists() else None      # a pipe or folder of that name is refused by load_csv
