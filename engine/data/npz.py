"""Keras-style .npz data sets: arrays x_train, y_train, x_test, y_test."""
from __future__ import annotations

from pathlib import Path

import numpy as np

from ..errors import DataError
from ..safe_npz import read_npz_or
from .checks import check_split, file_problem, int_labels, regular_file, unit_pixels

KEYS = ("x_train", "y_train", "x_test", "y_test")
MAX_BYTES = 4 << 30        # as for IDX files: no MNIST-like set comes near it; a header claiming more is damaged


def load_npz(path: str | Path):
    """(x_train, y_train, x_test, y_test, image_shape) with x (n, d) float32 in [0, 1] and y int64."""
    path = Path(path)
    regular_file(path)
    z = read_npz_or(path, MAX_BYTES, lambda exc: file_problem(path, exc))
    missing = [k for k in KEYS if k not in z]
    if missing:
        raise DataError(f"{path.name} lacks the array(s) {', '.join(missing)} "
                        f"(it has: {', '.join(z) or 'nothing'}).")
    arrays = {k: z[k] for k in KEYS}
    out = []
    shape = None
    for split in ("train", "test"):
        x, y = arrays[f"x_{split}"], arrays[f"y_{split}"]
        where = f"{path.name} ({split})"
        if x.ndim not in (2, 3):
            raise DataError(f"{where}: images must have shape (n, rows, cols) or (n, pixels), found {x.shape}.")
        check_split(x, y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y, where)
        this_shape = tuple(x.shape[1:]) if x.ndim == 3 else _square(x.shape[1])
        if shape is not None and int(np.prod(this_shape)) != int(np.prod(shape)):
            raise DataError(f"{path.name}: training images are {shape} but test images are {this_shape}.")
        shape = shape or this_shape
        y = y.reshape(-1) if y.ndim == 2 and y.shape[1] == 1 else y
        out += [unit_pixels(x.reshape(len(x), -1), where), int_labels(y, where)]
    return (*out, shape)


def _square(d: int) -> tuple[int, ...]:
    side = int(round(d ** 0.5))
    return (side, side) if side * side == d else (d,)
