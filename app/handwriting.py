"""The personal handwriting set: the user's own corrected digits, kept as MNIST IDX files; fine-tuning on them.

Files (in engine.data.user_data_dir() / "handwriting", or MLP_STUDIO_DATA_DIR/handwriting in tests):
train-images-idx3-ubyte (magic 2051, n x 28 x 28 uint8) and train-labels-idx1-ubyte (magic 2049, n uint8),
the exact MNIST layout, so the engine's own IDX loader (and any MNIST tool) reads them.
No Qt here: the Draw tab fine-tunes through the app's TrainingSession with `fine_tune_dataset` and
`fine_tune_config`.
"""
from __future__ import annotations

import shutil
import struct
from pathlib import Path

import numpy as np

from engine.atomic import atomic_write
from engine.data.idx import read_idx
from engine.errors import DataError, SaveError

IMAGES = "train-images-idx3-ubyte"
LABELS = "train-labels-idx1-ubyte"
SIDE = 28


def default_folder() -> Path:
    from engine.data import user_data_dir       # engine.data reads MLP_STUDIO_DATA_DIR
    return Path(user_data_dir()) / "handwriting"


def write_idx(path: Path, array: np.ndarray) -> None:
    """uint8 array -> IDX file (big-endian header: 0, 0, type 0x08 = uint8, ndim; then each dim), atomically."""
    a = np.ascontiguousarray(array, dtype=np.uint8)
    header = struct.pack(">BBBB", 0, 0, 0x08, a.ndim) + struct.pack(f">{a.ndim}I", *a.shape)
    with atomic_write(path, "wb") as f:
        f.write(header)
        f.write(a.tobytes())


class PersonalDigits:
    """The user's digits: `images` (n, 28, 28) uint8 and `labels` (n,) uint8, saved after every change."""

    def __init__(self, folder: str | Path | None = None, load: bool = True):
        self.folder = Path(folder) if folder is not None else default_folder()
        self.images = np.zeros((0, SIDE, SIDE), np.uint8)
        self.labels = np.zeros(0, np.uint8)
        if load:
            self.load()

    def __len__(self) -> int:
        return len(self.labels)

    def __repr__(self) -> str:
        return f"PersonalDigits({len(self)} digits in {self.folder})"

    @property
    def image_path(self) -> Path:
        return self.folder / IMAGES

    @property
    def label_path(self) -> Path:
        return self.folder / LABELS

    def load(self) -> None:
        """Read the files if present; DataError if they are damaged (the in-memory set is then left empty)."""
        if not self.image_path.exists() and not self.label_path.exists():
            return
        for p in (self.image_path, self.label_path):
            if not p.exists():
                raise DataError(f"Your handwriting set in {self.folder} is incomplete: {p.name} is missing. "
                                "Clear it to start again.")
        images, labels = read_idx(self.image_path), read_idx(self.label_path)
        if images.ndim != 3 or images.shape[1:] != (SIDE, SIDE) or labels.ndim != 1:
            raise DataError(f"Your handwriting set in {self.folder} does not hold 28x28 digits.")
        n = min(len(images), len(labels))          # a crash between the two writes leaves one extra entry
        self.images, self.labels = images[:n].copy(), labels[:n].copy()

    def save(self) -> None:
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise SaveError(f"Could not create the folder {self.folder}: {exc.strerror}.") from exc
        write_idx(self.image_path, self.images)
        write_idx(self.label_path, self.labels)

    def add(self, image, label: int) -> None:
        """Append one 28x28 image (float in [0, 1], ink bright) with its true digit, and save."""
        img = np.asarray(image, dtype=np.float32).reshape(SIDE, SIDE)
        if not 0 <= int(label) <= 9:
            raise DataError(f"A digit label must be 0-9, not {label}.")
        as_bytes = np.round(np.clip(img, 0.0, 1.0) * 255).astype(np.uint8)
        self.images = np.concatenate([self.images, as_bytes[None]])
        self.labels = np.append(self.labels, np.uint8(label))
        self.save()

    def remove(self, index: int) -> None:
        self.images = np.delete(self.images, index, axis=0)
        self.labels = np.delete(self.labels, index)
        self.save() if len(self) else self.clear()

    def clear(self) -> None:
        self.images = self.images[:0]
        self.labels = self.labels[:0]
        for p in (self.image_path, self.label_path):
            p.unlink(missing_ok=True)

    def export(self, folder: str | Path) -> list[Path]:
        """Copy both IDX files into `folder` (created if needed); returns the new paths."""
        if not len(self):
            raise DataError("Your handwriting set is empty: add some digits before exporting.")
        dest = Path(folder)
        try:
            dest.mkdir(parents=True, exist_ok=True)
            return [Path(shutil.copyfile(p, dest / p.name)) for p in (self.image_path, self.label_path)]
        except OSError as exc:
            raise SaveError(f"Could not export to {dest}: {exc.strerror}.") from exc

    def as_training(self) -> tuple[np.ndarray, np.ndarray]:
        """(n, 784) float32 in [0, 1] and (n,) int64, like a Dataset's x_train / y_train."""
        return (self.images.reshape(len(self), -1).astype(np.float32) / 255.0, self.labels.astype(np.int64))


def fine_tune_set(x_base, y_base, x_mine, y_mine, share: float = 0.15, max_base: int = 10_000, seed: int = 0):
    """Training data plus the personal digits repeated until they are about `share` of the whole."""
    rng = np.random.default_rng(seed)
    if len(x_base) > max_base:                     # a few epochs over all of MNIST would take too long
        keep = rng.choice(len(x_base), max_base, replace=False)
        x_base, y_base = x_base[keep], y_base[keep]
    repeat = int(np.clip(round(share * len(x_base) / max(len(x_mine), 1)), 1, 200))
    x = np.concatenate([x_base, np.repeat(x_mine, repeat, axis=0)]).astype(np.float32)
    y = np.concatenate([y_base, np.repeat(y_mine, repeat)]).astype(np.int64)
    return x, y


def fine_tune_config(epochs: int = 3, lr: float = 5e-4, seed: int = 0):
    """A few gentle Adam epochs: enough to learn the personal digits without forgetting the others."""
    from engine.training import TrainConfig
    return TrainConfig(optimizer="adam", lr=lr, batch_size=64, epochs=epochs, val_fraction=0.0, seed=seed,
                       augment=False, schedule="constant")


def fine_tune_dataset(base, x_mine, y_mine, seed: int = 0):
    """A Dataset to fine-tune on: `base`'s training digits plus the oversampled personal ones; `base`'s test set
    stays the test set, so the accuracy reported after fine-tuning means what it meant before."""
    from engine.data import Dataset

    if len(x_mine) == 0:
        raise DataError("Your handwriting set is empty: correct a few predictions first.")
    x, y = fine_tune_set(base.x_train, base.y_train, x_mine, y_mine, seed=seed)
    return Dataset(name=f"{base.name} + your {len(y_mine)} digits", x_train=x, y_train=y, x_test=base.x_test,
                   y_test=base.y_test, image_shape=base.image_shape, n_classes=base.n_classes)

