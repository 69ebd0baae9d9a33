"""BLAS thread control: how many threads NumPy's matrix products use (via threadpoolctl).

On a small machine BLAS threads spin-wait on each other: a training loop using every core starves the GUI thread
and becomes 2-100x slower whenever anything else runs. So the count is chosen deliberately:
  default_threads("cli")   all cores (nothing else to share them with)
  default_threads("app")   all cores but one (left to the GUI thread), at least 1
The limit set here is process-wide and persists until set again (OpenBLAS keeps one thread pool per process).
"""
from __future__ import annotations

import os

import numpy as np  # noqa: F401  (loads the BLAS library, so threadpoolctl can see it)
from threadpoolctl import ThreadpoolController

from .errors import SpecError

MAX_THREADS = 256
KINDS = ("cli", "app")

_limiter = None          # kept alive so the limit is not undone with it


def _libraries():
    # looked up afresh each time (a few ms, rarely called): SciPy or torch may load their own BLAS later
    return ThreadpoolController().select(user_api="blas")


def cpu_count() -> int:
    """Cores this process may run on (the affinity mask, not the machine's total)."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def default_threads(kind: str) -> int:
    """All cores for the command line; all but one (minimum 1) for the app, so the GUI thread keeps a core."""
    if kind not in KINDS:
        raise ValueError(f"kind must be one of {KINDS}, not {kind!r}")
    cores = cpu_count()
    return cores if kind == "cli" else max(1, cores - 1)


def set_blas_threads(n) -> int:
    """Limit every BLAS library in the process to n threads; returns n. SpecError for a count that cannot work."""
    global _limiter
    if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or not 1 <= n <= MAX_THREADS:
        raise SpecError(f"The number of BLAS threads must be a whole number from 1 to {MAX_THREADS} (got {n!r}).")
    _limiter = _libraries().limit(limits=int(n))
    return int(n)


def blas_threads() -> int:
    """The thread count of the BLAS library NumPy uses now (1 if no threaded BLAS is loaded)."""
    counts = [lib.num_threads for lib in _libraries().lib_controllers]
    return max(counts) if counts else 1


def blas_info() -> list[dict]:
    """One dict per loaded BLAS library: internal_api, version, num_threads, threading_layer, architecture, ..."""
    return _libraries().info()
