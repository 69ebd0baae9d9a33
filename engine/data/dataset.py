"""Dataset and load_dataset: one entry point for the bundled sample, full MNIST, and the user's own files."""
from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np

from ..errors import DataError
from .checks import check_test_classes, regular_file
from .csv_table import load_csv, test_file_beside
from .idx import _role, find_idx_files, idx_header, load_idx_pair
from .memory import check_fits
from .npz import load_npz
from .paths import mnist_available, mnist_dir, sample_dir
from .pendigits import DRAWN_SAMPLE, with_drawn_digits
from .toy import TOY_NAMES, split_toy
from ..split import stratified_split   # the engine core's (one split for everyone)

HELD_OUT = 1 / 6          # a set without a test part gives this share (MNIST's 10k of 60k) to a test part
SPLIT_SEED = 12345        # fixed, so "the test set" of such a file is the same in every run


@dataclass
class Dataset:
    """Images (n, pixels) float32 in [0, 1] and int64 labels, split into train and test."""
    name: str
    x_train: np.ndarray
    y_train: np.ndarray
    x_test: np.ndarray
    y_test: np.ndarray
    image_shape: tuple = (28, 28)
    n_classes: int = 10
    class_names: list = field(default_factory=list)
    source: str = ""
    notice: str = ""      # something the user should be told (e.g. "full MNIST not downloaded, using the sample")
    task: str = "classification"      # or "regression": targets are numbers, reported by MSE, never accuracy
    key: str = ""         # the name load_dataset was given ("sample", "xor", ...); empty for a path
    params: dict = field(default_factory=dict)   # a generated set's n, noise, seed, test_fraction
    train_groups: np.ndarray | None = None   # per training row, its kind (0 the set's own, 1 pen-drawn); None: one

    def __post_init__(self):
        if not self.class_names:
            self.class_names = [str(i) for i in range(self.n_classes)]

    @property
    def n_features(self) -> int:
        return self.x_train.shape[1]

    def __repr__(self) -> str:
        if len(self.image_shape) == 1:
            what = f"{self.image_shape[0]} inputs, " + ("regression" if self.task == "regression"
                                                         else f"{self.n_classes} classes")
        else:
            what = f"{'x'.join(map(str, self.image_shape))} images, {self.n_classes} classes"
        return f"Dataset({self.name!r}: {len(self.x_train):,} train + {len(self.x_test):,} test, {what})"

    def standardized(self) -> "Dataset":
        """A copy with each pixel standardised by the training set's mean and std (constant pixels left at 0)."""
        mean = self.x_train.mean(axis=0, dtype=np.float64).astype(np.float32)
        std = self.x_train.std(axis=0, dtype=np.float64).astype(np.float32)
        std[std < 1e-6] = 1
        return replace(self, x_train=(self.x_train - mean) / std, x_test=(self.x_test - mean) / std,
                       name=self.name + " (standardised)")


def load_dataset(name_or_path: str | Path, **generated) -> Dataset:
    """"sample" (bundled), "sample+drawn" (the sample plus 4,996 bundled pen-drawn digits in its training part),
    "mnist" (downloaded full MNIST, else the sample with a notice), a playground set ("xor", "circles",
    "spiral", "blobs", "moons", "sin", "abs", "step"; keywords n, noise, seed, test_fraction, classes), or a
    path: a folder of IDX files, one IDX file, an .npz (x_train, y_train, x_test, y_test) or a label-first
    .csv. Raises DataError."""
    key = str(name_or_path).strip()
    if key.lower() in TOY_NAMES:
        return Dataset(**split_toy(key.lower(), **generated))
    if generated:
        raise DataError(f"Only generated data sets take {', '.join(generated)}; {key!r} is read from files.")
    if key.lower() == "sample":
        return _from_idx_folder(sample_dir(), "MNIST sample")
    if key.lower() == DRAWN_SAMPLE:
        return with_drawn_digits(_from_idx_folder(sample_dir(), "MNIST sample + drawn digits"))
    if key.lower() == "mnist":
        if mnist_available():
            return _from_idx_folder(mnist_dir(), "MNIST")
        ds = _from_idx_folder(sample_dir(), "MNIST sample")
        ds.notice = ("The full MNIST is not downloaded, so the bundled 5,000-digit sample is used instead. "
                     "Download it with: python -m engine download mnist")
        return ds
    path = Path(key).expanduser()
    if not path.exists():
        raise DataError(f"No data set called {key!r}: use 'sample', '{DRAWN_SAMPLE}', 'mnist', a generated set "
                        f"({', '.join(TOY_NAMES)}), or the path of a folder of IDX files, an IDX file, an .npz "
                        "or a .csv file.")
    if path.is_dir():
        return _from_idx_folder(path, path.name)
    regular_file(path)                   # a pipe or a device would block the loader forever
    suffixes = "".join(path.suffixes).lower()
    if suffixes.endswith(".npz"):
        x_tr, y_tr, x_te, y_te, shape = load_npz(path)
        return _make(path.stem, x_tr, y_tr, x_te, y_te, shape, str(path), path.name)
    if suffixes.endswith(".csv"):
        return _from_csv(path)
    return _from_idx_folder(path.parent, path.parent.name, chosen=path)


def _make(name, x_tr, y_tr, x_te, y_te, shape, source, where, notice="") -> Dataset:
    n_classes = check_test_classes(y_tr, y_te, where)
    return Dataset(name, x_tr, y_tr, x_te, y_te, tuple(int(s) for s in shape), n_classes,
                   source=source, notice=notice)


def _hold_out(x, y):
    """Split a test part off a set that came without one: stratified_split's parts, but the training rows move
    down inside x (which the caller gives up) instead of being copied, so the set is not held twice."""
    train, y_tr, test, y_te = stratified_split(np.arange(len(y)), y, HELD_OUT, SPLIT_SEED)
    x_te = x[test]
    rows = max(1, (8 << 20) // max(x.itemsize * x.shape[1], 1))
    for a in range(0, len(train), rows):    # train is ascending: each source row lies at or after its destination
        chunk = train[a:a + rows]
        x[a:a + len(chunk)] = x[chunk]
    return x[:len(train)], y_tr, x_te, y_te


def _from_idx_folder(folder: Path, name: str, chosen: Path | None = None) -> Dataset:
    try:
        files = find_idx_files(folder, like=chosen.name if chosen is not None else None)
    except OSError as exc:
        raise DataError(f"Could not read the folder {folder}: {exc.strerror or exc}.") from exc
    if chosen is not None:
        split, kind = _role(chosen.name)
        if split is None or kind is None:
            raise DataError(f"{chosen.name} is not a data set file this program knows: use an IDX file "
                            "(…-images-idx3-ubyte[.gz]), an .npz or a .csv file.")
        files[(split, kind)] = chosen
    splits = []
    for split in ("train", "test"):
        have = [k for k in ("images", "labels") if (split, k) in files]
        if len(have) == 1:
            missing = "labels" if have == ["images"] else "images"
            raise DataError(f"{folder} has a {split} {have[0]} file ({files[(split, have[0])].name}) "
                            f"but no matching {split} {missing} file.")
        if have:
            splits.append(split)
    if not splits:
        raise DataError(f"{folder} holds no IDX data set (expected files like train-images-idx3-ubyte.gz and "
                        "train-labels-idx1-ubyte.gz).")
    # budgeted from the headers, before a byte of pixels is decoded
    check_fits(sum(4 * _count(idx_header(files[(s, "images")])[0]) for s in splits), name)
    pairs = {s: load_idx_pair(files[(s, "images")], files[(s, "labels")]) for s in splits}
    notice = ""
    if len(pairs) == 1:
        (split, (x, y, shape)), = pairs.items()
        x_tr, y_tr, x_te, y_te = _hold_out(x, y)
        notice = f"{folder.name} has only a {split} set; a sixth of it is held out as the test set."
    else:
        (x_tr, y_tr, shape), (x_te, y_te, shape_te) = pairs["train"], pairs["test"]
        if shape != shape_te:
            raise DataError(f"{folder}: training images are {shape[0]}x{shape[1]} but test images are "
                            f"{shape_te[0]}x{shape_te[1]}.")
    return _make(name, x_tr, y_tr, x_te, y_te, shape, str(folder), str(folder), notice)


def _count(shape: tuple[int, ...]) -> int:
    return int(np.prod(shape, dtype=object))


def _from_csv(path: Path) -> Dataset:
    x, y = load_csv(path)
    other = test_file_beside(path)
    notice = ""
    if other is not None:
        x_te, y_te = load_csv(other)
        if x_te.shape[1] != x.shape[1]:
            raise DataError(f"{path.name} has {x.shape[1]} pixels per row but {other.name} has {x_te.shape[1]}.")
        x_tr, y_tr = x, y
    else:
        x_tr, y_tr, x_te, y_te = _hold_out(x, y)
        notice = f"{path.name} has no test file beside it; a sixth of it is held out as the test set."
    d = x.shape[1]
    side = int(round(d ** 0.5))
    shape = (side, side) if side * side == d else (d,)
    return _make(path.stem, x_tr, y_tr, x_te, y_te, shape, str(path), path.name, notice)
