"""IDX files (the MNIST format), raw or gzip-compressed, read only after their header is checked.

Layout (big-endian): 0x00 0x00, a type code, the number of dimensions d, then d uint32 sizes, then the data
(prod(sizes) items of the type). Images files are (n, rows, cols) uint8, labels files (n,) uint8.
"""
from __future__ import annotations

import gzip
import re
import zlib
from contextlib import contextmanager
from pathlib import Path

import numpy as np

from ..errors import DataError
from .checks import int_labels, regular_file
from .memory import check_ratio

# IDX type code -> (big-endian dtype, name for messages)
IDX_TYPES = {0x08: (">u1", "unsigned byte"), 0x09: (">i1", "signed byte"), 0x0B: (">i2", "16-bit integer"),
             0x0C: (">i4", "32-bit integer"), 0x0D: (">f4", "32-bit float"), 0x0E: (">f8", "64-bit float")}
MAX_BYTES = 1 << 30        # EMNIST byclass, the largest MNIST-format set, is 0.55 GB; more is damage
CHUNK = 1 << 20


def _is_gzip(path: Path) -> bool:
    with open(path, "rb") as f:
        return f.read(2) == b"\x1f\x8b"


def _gzip_size(path: Path) -> int:
    """The decompressed size (mod 2^32) a single-member gzip file records in its last 4 bytes."""
    if path.stat().st_size < 18:                 # smaller than an empty gzip member
        return -1
    with open(path, "rb") as f:
        f.seek(-4, 2)
        return int.from_bytes(f.read(4), "little")


def _read_exact(f, n: int, path: Path) -> bytes:
    """Read n bytes in chunks (never allocating what a header merely claims); complain if more or fewer."""
    parts, got = [], 0
    while got < n:
        part = f.read(min(CHUNK, n - got))
        if not part:
            break
        parts.append(part)
        got += len(part)
    _check_length(f, n, got, path)
    return b"".join(parts)


def _check_length(f, n: int, got: int, path: Path) -> None:
    """got bytes of data were read where the header announced n; the file must end right there."""
    if got < n:
        raise DataError(f"{path.name} is truncated: its header promises {n:,} bytes of data "
                        f"but the file holds only {got:,}.")
    if f.read(1):
        raise DataError(f"{path.name} has extra bytes after the {n:,} bytes of data its header announces; "
                        "it is damaged or not an IDX file.")


def _header(f, path: Path, compressed: bool) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) from the header at f's start, checked against the file's size before any data is read."""
    head = f.read(4)
    if len(head) < 4:
        raise DataError(f"{path.name} is too short to be an IDX file ({len(head)} bytes).")
    if head[0] != 0 or head[1] != 0:
        raise DataError(f"{path.name} is not an IDX file: its magic number "
                        f"0x{head.hex()} does not start with two zero bytes.")
    code, ndim = head[2], head[3]
    if code not in IDX_TYPES:
        raise DataError(f"{path.name} has an unknown IDX data type code 0x{code:02X}.")
    if ndim < 1:
        raise DataError(f"{path.name} declares 0 dimensions.")
    dims_raw = f.read(4 * ndim)
    if len(dims_raw) < 4 * ndim:
        raise DataError(f"{path.name} is truncated inside its header.")
    shape = tuple(int(s) for s in np.frombuffer(dims_raw, dtype=">u4"))
    dtype = np.dtype(IDX_TYPES[code][0])
    n_bytes = int(np.prod(shape, dtype=object)) * dtype.itemsize
    # zero images of absurd size are also damage (and NumPy cannot even describe that shape)
    extent = int(np.prod([max(s, 1) for s in shape], dtype=object)) * dtype.itemsize
    if max(n_bytes, extent) > MAX_BYTES:
        raise DataError(f"{path.name} declares a shape of {shape} ({n_bytes:,} bytes), "
                        "far larger than any MNIST-format data set; the header is damaged.")
    size, total = path.stat().st_size, 4 + 4 * ndim + n_bytes
    if compressed:
        check_ratio(path.name, total, size)
    if compressed and _gzip_size(path) != total % (1 << 32):
        # the gzip trailer states the decompressed size: checked before decompressing anything big
        raise DataError(f"{path.name} is a damaged or truncated gzip file: it does not hold the "
                        f"{n_bytes:,} bytes of data its header declares.")
    if not compressed and size != total:
        raise DataError(f"{path.name} declares {shape[0]:,} items of shape {shape[1:]} "
                        f"({n_bytes:,} bytes) but holds {size - 4 - 4 * ndim:,} bytes of data.")
    return shape, dtype


@contextmanager
def open_idx(path: Path):
    """(file positioned at the data, shape, dtype) of an IDX file whose header passed every check; any problem
    reading it, header or data, becomes a DataError naming the file."""
    try:
        regular_file(path)
        if path.stat().st_size == 0:
            raise DataError(f"{path.name} is empty.")
        compressed = _is_gzip(path)
        with (gzip.open(path, "rb") if compressed else open(path, "rb")) as f:
            shape, dtype = _header(f, path, compressed)
            yield f, shape, dtype
    except (gzip.BadGzipFile, EOFError, zlib.error) as exc:
        raise DataError(f"{path.name} is a damaged or truncated gzip file ({exc}).") from exc
    except OSError as exc:
        raise DataError(f"Could not read {path}: {exc.strerror or exc}.") from exc


def idx_header(path: str | Path) -> tuple[tuple[int, ...], np.dtype]:
    """(shape, dtype) an IDX file declares, after the checks read_idx makes, without reading its data."""
    with open_idx(Path(path)) as (_, shape, dtype):
        return shape, dtype


def read_idx(path: str | Path) -> np.ndarray:
    """The array stored in an IDX file (native byte order). Raises DataError naming the file and the problem."""
    path = Path(path)
    with open_idx(path) as (f, shape, dtype):
        data = _read_exact(f, int(np.prod(shape, dtype=object)) * dtype.itemsize, path)
    return np.frombuffer(data, dtype=dtype).reshape(shape).astype(dtype.newbyteorder("="), copy=False)


def read_images(path: Path, shape: tuple[int, int, int]) -> np.ndarray:
    """(n, rows*cols) float32 pixels in [0, 1] of an unsigned-byte images file, decoded chunk by chunk straight
    into the result (no whole copy of the raw bytes)."""
    n, d = shape[0], shape[1] * shape[2]
    try:
        x = np.empty((n, d), np.float32)
    except MemoryError:
        raise DataError(f"There is not enough memory to load {path.name} ({n * d * 4:,} bytes as 32-bit "
                        "floats).") from None
    rows = max(1, CHUNK // max(d, 1))
    buf = bytearray(rows * d)
    with open_idx(path) as (f, _, _):
        got = 0
        for start in range(0, n, rows):
            k = min(rows, n - start)
            view = memoryview(buf)[:k * d]
            filled = _fill(f, view)
            got += filled
            if filled < k * d:
                break
            np.divide(np.frombuffer(view, np.uint8), np.float32(255), out=x[start:start + k].reshape(-1))
        _check_length(f, n * d, got, path)
    return x


def _fill(f, view: memoryview) -> int:
    """Read into view until it is full or the file ends (a gzip stream hands out less than asked)."""
    got = 0
    while got < len(view):
        k = f.readinto(view[got:])
        if not k:
            break
        got += k
    return got


def load_idx_pair(images_path: str | Path, labels_path: str | Path):
    """(images (n, rows*cols) float32 in [0, 1], labels (n,) int64, (rows, cols)) from an images + labels pair.
    Everything that can be checked (headers, labels, counts) is checked before the images are decoded."""
    images_path, labels_path = Path(images_path), Path(labels_path)
    shape, dtype = idx_header(images_path)
    if dtype != np.uint8 or len(shape) != 3:
        raise DataError(f"{images_path.name} is not an images file: expected unsigned-byte images of shape "
                        f"(n, rows, cols), found {_type_name(dtype)} of shape {shape}.")
    labels = read_idx(labels_path)
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DataError(f"{labels_path.name} is not a labels file: expected one unsigned byte per image, "
                        f"found {_type_name(labels.dtype)} of shape {labels.shape}.")
    if len(labels) != shape[0]:
        raise DataError(f"{labels_path.name} has {len(labels):,} labels but {images_path.name} has "
                        f"{shape[0]:,} images.")
    if shape[0] == 0:
        raise DataError(f"{images_path.name} holds no images.")
    y = int_labels(labels, labels_path.name)
    return read_images(images_path, shape), y, shape[1:]


def _type_name(dtype: np.dtype) -> str:
    """'32-bit float' etc. for a message."""
    for dt, name in IDX_TYPES.values():
        if np.dtype(dt) == dtype or np.dtype(dt).newbyteorder("=") == dtype:
            return f"{name} data"
    return f"{dtype} data"


def _role(name: str) -> tuple[str | None, str | None]:
    """('train'|'test'|None, 'images'|'labels'|None) guessed from a file name such as t10k-labels-idx1-ubyte.gz."""
    n = name.lower()
    split = "test" if ("t10k" in n or "test" in n) else "train" if "train" in n else None
    kind = "images" if ("idx3" in n or "images" in n) else "labels" if ("idx1" in n or "labels" in n) else None
    return split, kind


def family(name: str) -> str:
    """The set a file belongs to: 'emnist-digits-train-images-idx3-ubyte.gz' -> 'emnist-digits-*-*-idx-ubyte'."""
    n = name.lower().removesuffix(".gz")
    n = re.sub(r"train|t10k|test", "*", n)
    return re.sub(r"images|labels", "*", n).replace("idx3", "idx").replace("idx1", "idx")


def find_idx_files(folder: Path, like: str | None = None) -> dict[tuple[str, str], Path]:
    """{(split, kind): path} for the IDX files in a folder (MNIST, Fashion-MNIST, KMNIST, EMNIST names);
    with `like` (a file name) only the files of that file's set."""
    found: dict[tuple[str, str], list[Path]] = {}
    for p in sorted(folder.iterdir()):
        if not p.is_file() or p.name.startswith("."):
            continue
        if "idx" not in p.name.lower() and "ubyte" not in p.name.lower():
            continue
        if like is not None and family(p.name) != family(like):
            continue
        split, kind = _role(p.name)
        if split and kind:
            found.setdefault((split, kind), []).append(p)
    out = {}
    for key, paths in found.items():
        # the same file raw and gzipped is fine; two different sets (e.g. EMNIST's splits) are not
        stems = {p.name.lower().removesuffix(".gz") for p in paths}
        if len(stems) > 1:
            names = ", ".join(p.name for p in paths)
            raise DataError(f"{folder} holds several {key[0]} {key[1]} files ({names}); "
                            "point at one of them or at a folder holding a single set.")
        out[key] = paths[0]
    return out
