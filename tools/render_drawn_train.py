"""Render the pendigits digits of the writers NOT kept for evaluation through the drawing pad's path and write
them as MNIST-format IDX files beside the pen data (resources/pendigits/), for the bundled "sample+drawn" set.

    python tools/render_drawn_train.py

Deterministic: the same pendigits file gives byte-identical output (gzip without a timestamp).
"""
from __future__ import annotations

import gzip
import struct
from pathlib import Path

import numpy as np

from engine.data.pendigits import DRAWN_IMAGES, DRAWN_LABELS, load_pendigits
from engine.drawn import bundled_pendigits, render_digits, split_writers


def write_idx(path: Path, array: np.ndarray) -> None:
    """uint8 array -> IDX (type 0x08), gzip-compressed with mtime 0."""
    header = struct.pack(">BBBB", 0, 0, 0x08, array.ndim) + struct.pack(f">{array.ndim}I", *array.shape)
    with open(path, "wb") as raw, gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as f:
        f.write(header + np.ascontiguousarray(array, dtype=np.uint8).tobytes())


def main() -> None:
    source = bundled_pendigits()
    train, _ = split_writers(load_pendigits(source))
    X, y = render_digits(train)
    images = np.rint(X.reshape(-1, 28, 28) * 255).astype(np.uint8)
    write_idx(source.parent / DRAWN_IMAGES, images)
    write_idx(source.parent / DRAWN_LABELS, y.astype(np.uint8))
    print(f"{len(y):,} digits by {len({d.writer for d in train})} writers -> {source.parent}")


if __name__ == "__main__":
    main()
