"""Reading .npz archives without trusting them: no pickles, and memory only for bytes that are really there.

np.load allocates each array from the shape its header *claims* before reading a byte, so a 300-byte file
declaring a (200000, 100000) array asks for 80 GB. Here the declared size is checked against a budget and
the data is read in chunks, so memory grows only with the data actually present in the file.
"""
from __future__ import annotations

import math
import struct
import zipfile
import zlib

import numpy as np
from numpy.lib import format as npy

CHUNK = 1 << 20
NPY_MAGIC = b"\x93NUMPY"


class NpzError(ValueError):
    """The archive is not a readable .npz; str(e) says why (callers wrap it in their own engine error)."""


def read_npz(source, max_bytes: int) -> dict[str, np.ndarray]:
    """{name: array} for every .npy member of an .npz (a path or a binary file object), at most max_bytes in all.

    Raises NpzError for anything wrong with the archive; OSError (missing file, no permission) passes through.
    """
    if not hasattr(source, "read"):
        with open(source, "rb") as f:
            if f.read(len(NPY_MAGIC)) == NPY_MAGIC:
                raise NpzError("it is a single .npy array, not an .npz archive")
    try:
        with zipfile.ZipFile(source) as zf:
            out, total = {}, 0
            for info in zf.infolist():
                if info.is_dir():
                    continue
                if not info.filename.endswith(".npy"):
                    raise NpzError(f"its member {info.filename!r} is not a NumPy array")
                name = info.filename[:-len(".npy")]
                with zf.open(info) as member:
                    out[name] = _read_member(member, name, max_bytes - total)
                total += out[name].nbytes
            return out
    except NpzError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, zlib.error, struct.error, RuntimeError,
            NotImplementedError, UnicodeDecodeError, ValueError) as exc:
        # not a zip, CRC mismatch, truncated/garbled deflate data, encrypted or unknown compression, bad header
        raise NpzError(f"it is not an .npz archive or it is damaged ({exc})") from None


def read_npz_or(source, max_bytes: int, problem) -> dict[str, np.ndarray]:
    """read_npz(source, max_bytes), with a failure (NpzError or OSError) turned by `problem(exc)` into the
    caller's own exception, raised from it."""
    try:
        # read_npz, not np.load: np.load allocates whatever shape a (damaged) header claims
        return read_npz(source, max_bytes)
    except (NpzError, OSError) as exc:
        raise problem(exc) from exc


def _read_member(f, name: str, budget: int) -> np.ndarray:
    version = npy.read_magic(f)
    if version == (1, 0):
        shape, fortran, dtype = npy.read_array_header_1_0(f)
    elif version == (2, 0):
        shape, fortran, dtype = npy.read_array_header_2_0(f)
    else:
        raise NpzError(f"array {name!r} uses an unsupported .npy version {version}")
    if dtype.hasobject:
        raise NpzError(f"array {name!r} holds Python objects, which are never loaded (they could run code)")
    count = math.prod(shape)
    n_bytes = count * dtype.itemsize
    if count and dtype.itemsize == 0:
        raise NpzError(f"array {name!r} has an empty data type")
    if n_bytes > budget:
        raise NpzError(f"array {name!r} claims shape {shape} ({n_bytes:,} bytes), more than a file like this "
                       "can hold")
    data = bytearray()
    while len(data) < n_bytes:        # grows with what is really read, never with what the header claims
        part = f.read(min(CHUNK, n_bytes - len(data)))
        if not part:
            raise NpzError(f"array {name!r} is truncated: its header claims {n_bytes:,} bytes but only "
                           f"{len(data):,} are there")
        data += part
    arr = np.frombuffer(data, dtype=dtype) if n_bytes else np.empty(count, dtype)
    return arr.reshape(shape[::-1]).T if fortran else arr.reshape(shape)
