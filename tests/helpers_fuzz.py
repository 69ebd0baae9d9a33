"""Shared pieces for the fuzz tests: byte mutations, unicode file names, and a peak-allocation probe."""
from __future__ import annotations

import os
import tempfile
import tracemalloc
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

# deadline=None: a case may wait on the shared 2-core machine; the budget is max_examples. Randomness and the
# printed seed come from the profile conftest loads (derandomized under CI, so a CI failure reruns identically).
FUZZ = dict(deadline=None, suppress_health_check=list(HealthCheck))


def fuzz_settings(n: int):
    return settings(max_examples=n, **FUZZ)


# File names as users make them: any script, spaces, emoji; never '/', NUL, or longer than a file system allows.
file_names = st.text(st.characters(blacklist_categories=("Cs",), blacklist_characters="/\0"),
                     min_size=1, max_size=30).filter(lambda s: s not in (".", "..") and len(s.encode()) < 200)


@st.composite
def mutated(draw, base: bytes) -> bytes:
    """base with a few random edits: overwritten bytes, bit flips, cuts, inserts, a truncation."""
    data = bytearray(base)
    for _ in range(draw(st.integers(1, 6))):
        op = draw(st.sampled_from(["set", "flip", "cut", "insert", "truncate"]))
        at = draw(st.integers(0, max(len(data) - 1, 0)))
        if op == "set" and data:
            chunk = draw(st.binary(min_size=1, max_size=8))
            data[at:at + len(chunk)] = chunk
        elif op == "flip" and data:
            data[at] ^= 1 << draw(st.integers(0, 7))
        elif op == "cut":
            del data[at:at + draw(st.integers(1, 64))]
        elif op == "insert":
            data[at:at] = draw(st.binary(min_size=1, max_size=16))
        elif op == "truncate":
            del data[at:]
    return bytes(data)


_SCRATCH = []


@contextmanager
def scratch_file(name: str, content: bytes):
    """A file called `name` holding `content` in this process's scratch folder (removed afterwards)."""
    if not _SCRATCH:
        _SCRATCH.append(tempfile.TemporaryDirectory(prefix="fuzz-"))   # removed when the process ends
    p = Path(_SCRATCH[0].name) / name
    p.write_bytes(content)
    try:
        yield p
    finally:
        p.unlink(missing_ok=True)


class Peak:
    """Peak bytes allocated (Python objects and NumPy buffers) while inside the block."""

    def __enter__(self):
        tracemalloc.start()
        tracemalloc.reset_peak()
        return self

    def __exit__(self, *exc):
        self.bytes = tracemalloc.get_traced_memory()[1]
        tracemalloc.stop()
        return False


def fresh_dir(prefix: str = "h-") -> Path:
    return Path(tempfile.mkdtemp(prefix=prefix, dir=os.environ.get("TMPDIR")))
