"""Measurements: FLOPs of an epoch, the machine's GEMM rate, interleaved epoch timing, single-sample latency
and peak memory of training (in a fresh process per implementation).

FLOPs of one epoch over n samples, per layer of fan_in x fan_out: forward 2 n fi fo, dL/dW 2 n fi fo, and the
delta passed down 2 n fi fo (all layers but the first: nobody needs dL/dx). 784-128-10: 24.5 GFLOP.
Peak memory reads /proc on Linux and falls back to the `resource` module elsewhere on POSIX; where neither
exists (Windows) it is reported as unknown.
"""
from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

from engine import threads

from .runners import ARCHS, RUNNERS, Digits

GEMM = "gemm"              # the GEMM probe's name in the epoch rotation
ROOT = Path(__file__).resolve().parent.parent


def flops_per_epoch(sizes, n) -> int:
    """Forward + dL/dW + the delta passed down (not below the first layer), 2 FLOPs per multiply-add."""
    pairs = [fi * fo for fi, fo in zip(sizes[:-1], sizes[1:])]
    return 2 * n * (2 * sum(pairs) + sum(pairs[1:]))


def gemm_rate(n=2048, repeats=5) -> float:
    """float32 GEMM GFLOP/s (n x n times n x n), median of `repeats` after a warm-up."""
    repeats = max(repeats, (2048 // n) ** 3 // 4)       # a small n (--quick) needs more runs to be steady
    rng = np.random.default_rng(0)
    A, B = rng.random((n, n), np.float32), rng.random((n, n), np.float32)
    C = np.empty((n, n), np.float32)
    times = []
    for _ in range(repeats + 1):
        t = time.perf_counter()
        np.matmul(A, B, out=C)
        times.append(time.perf_counter() - t)
    return 2 * n ** 3 / statistics.median(times[1:]) / 1e9


SETTLE_S = 0.5


class GemmProbe:
    """The machine's GEMM rate, timed inside the epoch rotation (same settle, same moments) as one more runner:
    on a shared machine the rate drifts by 10-20% within a minute, so a share of the peak compares the epochs
    with the peak measured beside them, not at another time."""

    def __init__(self, n):
        self.n, self.rates = n, []

    def epoch(self):
        self.rates.append(gemm_rate(self.n))


def time_epochs(runners, epochs, warmup):
    """{name: [seconds per timed epoch]}; epochs interleaved, the starting implementation rotated each round."""
    names, times = list(runners), {name: [] for name in runners}
    for e in range(warmup + epochs):
        k = e % len(names)
        for name in names[k:] + names[:k]:
            gc.collect()
            # PyTorch's OpenMP threads spin ~0.2 s after their last parallel region: let them fall asleep,
            # or they steal the cores from whichever implementation is timed next
            time.sleep(SETTLE_S)
            t = time.perf_counter()
            runners[name].epoch()
            if e >= warmup:
                times[name].append(time.perf_counter() - t)
    return times


def latency_us(runner, calls) -> float:
    """Median microseconds of one single-sample forward pass."""
    x = np.random.default_rng(1).random((1, 784), dtype=np.float32)
    for _ in range(min(calls, 50)):
        runner.predict_one(x)
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        runner.predict_one(x)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def memory_probe(impl, arch, batch, n, n_threads) -> dict:
    """Run in a fresh process (`--memory-probe`): peak RSS of loading + training, and for the engine what the
    steady-state batch loop allocates (tracemalloc sees every NumPy array)."""
    import tracemalloc
    threads.set_blas_threads(n_threads)
    if impl == "torch":
        import torch
        torch.set_num_threads(n_threads)
    data = Digits(n)
    runner = RUNNERS[impl](ARCHS[arch], batch, data)
    load_peak = _peak_rss_mb()
    reset = _reset_peak_rss()
    runner.epoch()                                        # warm-up: buffers are allocated here
    out = {"impl": impl, "arch": arch, "batch": batch, "samples": n, "data_mb": _mb(data.X.nbytes + data.y.nbytes),
           "load_peak_rss_mb": load_peak, "peak_rss_mb": _peak_rss_mb(), "peak_is_training_only": reset}
    if impl == "ours":
        next(runner.events)                               # first batch of the next epoch: its order is drawn
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        runner.batches_until_epoch_end()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out |= {"loop_batches": -(-n // batch) - 2, "loop_transient_bytes": peak - base,
                "loop_retained_bytes": current - base, "params": runner.net.n_params}
    return out


def _mb(nbytes) -> float:
    """MiB (the *_mb fields are all MiB, like the kernel's peak-RSS figure)."""
    return round(nbytes / 2**20, 1)


def _peak_rss_mb() -> float | None:
    """Peak resident memory of this process in MiB; None where the system cannot tell (Windows)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    try:
        import resource                     # POSIX only: imported here so the package imports everywhere
    except ImportError:
        return None
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _reset_peak_rss() -> bool:
    """Linux: restart the peak-RSS mark (so it measures training, not loading). False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run_memory_probe(impl, arch, batch, n, n_threads) -> dict:
    cmd = [sys.executable, "-m", "bench", "--memory-probe", "--impl", impl, "--arch", arch,
           "--batch", str(batch), "--samples", str(n), "--threads", str(n_threads)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, OSError, ValueError, IndexError) as exc:
        return {"impl": impl, "error": f"memory probe failed: {exc}"}


def memory_measurable() -> bool:
    """Whether this system reports a process's peak memory (/proc on Linux, `resource` on other POSIX)."""
    import importlib.util
    return Path("/proc/self/status").exists() or importlib.util.find_spec("resource") is not None


def load_average():
    """The 1/5/15-minute load averages, or None where the system has none (Windows)."""
    return list(os.getloadavg()) if hasattr(os, "getloadavg") else None
