"""Checks shared by the loaders: pixels become float32 in [0, 1], labels int64 in 0..n_classes-1."""
from __future__ import annotations

import stat
from pathlib import Path

import numpy as np

from ..errors import DataError
from ..safe_npz import NpzError

MAX_CLASSES = 100      # EMNIST byclass has 62; a label beyond this is a damaged file, not a class


def unit_pixels(x: np.ndarray, where: str) -> np.ndarray:
    """float32 pixels in [0, 1]: uint8 / 0..255 values are divided by 255; NaN or out-of-range is an error."""
    if x.dtype == np.bool_ or not (np.issubdtype(x.dtype, np.integer) or np.issubdtype(x.dtype, np.floating)):
        raise DataError(f"{where}: pixel values must be numbers, found {x.dtype} data.")
    x = x.astype(np.float32, copy=True)
    if x.size and not np.isfinite(x).all():
        bad = int(np.flatnonzero(~np.isfinite(x).reshape(len(x), -1).all(axis=1))[0])
        raise DataError(f"{where}: image {bad:,} contains NaN or infinite pixel values.")
    lo, hi = (float(x.min()), float(x.max())) if x.size else (0.0, 0.0)
    if lo < 0 or hi > 255:
        raise DataError(f"{where}: pixel values range from {lo:g} to {hi:g}; expected 0..1 or 0..255.")
    if hi > 1:
        np.divide(x, 255, out=x)
    return x


def int_labels(y: np.ndarray, where: str) -> np.ndarray:
    """int64 labels: integer-valued, >= 0, < MAX_CLASSES."""
    y = np.asarray(y)
    if y.ndim != 1:
        raise DataError(f"{where}: labels must be one number per image, found shape {y.shape}.")
    if np.issubdtype(y.dtype, np.floating):
        if not np.isfinite(y).all() or (y != np.round(y)).any():
            raise DataError(f"{where}: labels must be whole numbers (class indices), found fractions or NaN.")
    elif not np.issubdtype(y.dtype, np.integer) or y.dtype == np.bool_:
        raise DataError(f"{where}: labels must be whole numbers (class indices), found {y.dtype} data.")
    y = y.astype(np.int64)
    if y.size and (y.min() < 0 or y.max() >= MAX_CLASSES):
        bad = int(y[(y < 0) | (y >= MAX_CLASSES)][0])
        raise DataError(f"{where}: label {bad} is out of range (class indices go from 0 to {MAX_CLASSES - 1}).")
    return y


def check_split(x: np.ndarray, y: np.ndarray, where: str) -> None:
    if len(x) != len(y):
        raise DataError(f"{where}: {len(y):,} labels but {len(x):,} images.")
    if len(x) == 0:
        raise DataError(f"{where}: no images.")


def check_test_classes(y_train: np.ndarray, y_test: np.ndarray, where: str) -> int:
    """The number of classes; a test label never seen in training is an error (the network could not output it)."""
    n_classes = int(y_train.max()) + 1
    if y_test.max() >= n_classes:
        raise DataError(f"{where}: the test labels contain class {int(y_test.max())} but the training labels "
                        f"only go up to {n_classes - 1}.")
    return n_classes


def regular_file(path: Path) -> None:
    """Refuse a named pipe, device or socket: reading one waits for a writer forever or never ends."""
    try:
        mode = path.stat().st_mode
    except OSError as exc:
        raise file_problem(path, exc) from exc
    if not stat.S_ISREG(mode):
        kind = ("a folder" if stat.S_ISDIR(mode) else "a named pipe" if stat.S_ISFIFO(mode)
                else "a socket" if stat.S_ISSOCK(mode) else "a device")
        raise DataError(f"{path} is {kind}, not a regular file, so it cannot be read as a data set.")


def file_problem(path: Path, exc: OSError | NpzError) -> DataError:
    """The sentence for a data file that is missing, unreadable or not a readable .npz."""
    if isinstance(exc, NpzError):
        return DataError(f"{path.name} is not a readable .npz file ({exc}).")
    if isinstance(exc, FileNotFoundError):
        return DataError(f"{path} does not exist.")
    return DataError(f"Could not read {path}: {exc.strerror or exc}.")
