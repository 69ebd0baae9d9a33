"""Keras-style .npz data sets: arrays x_train, y_train, x_test, y_test."""
from __future__ import annotations

import math
import zipfile
import zlib
from pathlib import Path

import numpy as np
from numpy.lib import format as npy

from ..errors import DataError
from ..safe_npz import read_npz_or
from .checks import check_split, file_problem, int_labels, regular_file, unit_pixels
from .memory import check_fits, check_ratio

KEYS = ("x_train", "y_train", "x_test", "y_test")
MAX_BYTES = 4 << 30        # as for IDX files: no MNIST-like set comes near it; a header claiming more is damaged


def load_npz(path: str | Path):
    """(x_train, y_train, x_test, y_test, image_shape) with x (n, d) float32 in [0, 1] and y int64."""
    path = Path(path)
    regular_file(path)
    _check_before_reading(path)
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


def _check_before_reading(path: Path) -> None:
    """From the zip directory and the image arrays' .npy headers: refuse a member claiming over 100 times its
    compressed size and a set whose pixels as float32 do not fit in memory. Damage is left to read_npz to name."""
    try:
        with zipfile.ZipFile(path) as zf:
            members = {info.filename: info for info in zf.infolist()}
            for info in members.values():
                if info.compress_type != zipfile.ZIP_STORED:
                    check_ratio(f"{path.name} ({info.filename})", info.file_size, info.compress_size)
            pixels = 0
            for key in ("x_train", "x_test"):
                if key + ".npy" in members:
                    with zf.open(members[key + ".npy"]) as f:
                        version = npy.read_magic(f)
                        read = npy.read_array_header_1_0 if version == (1, 0) else npy.read_array_header_2_0
                        pixels += math.prod(read(f)[0])
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError, RuntimeError,
            NotImplementedError, zlib.error):
        return
    check_fits(4 * pixels, path.name)


def _square(d: int) -> tuple[int, ...]:
    side = int(round(d ** 0.5))
    return (side, side) if side * side == d else (d,)
