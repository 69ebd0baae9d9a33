"""The GUI thread's stalls, measured (Qt): gaps between the ticks of a short timer on it, and for each gap what else
held the machine, so that a stall made by another process taking the CPU is told from one made by our own work.

Two measures of "someone else":
- the GUI thread's own run-queue delay (/proc/thread-self/schedstat): time it was runnable but had no core;
- the CPU time other processes used around the gap (all CPUs' busy time from /proc/stat, steal included, less this
  process's own CPU time), over a window of at least WINDOW_MS around it. A gap is *contended* when other processes
  held at least CONTENDED_CORES of a core on average over that window: a preempted training thread then holds the
  GIL while it waits for a core, and the GUI thread's wait for the GIL shows in no run queue of ours.
Used by the benchmark (bench/gui_timing.py) and the suite's stall tests (tests/helpers_stall.py).
"""
from __future__ import annotations

import os
import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer

SCHEDSTAT = Path("/proc/thread-self/schedstat")
PROC_STAT = Path("/proc/stat")
WINDOW_MS = 200.0          # the /proc/stat clock ticks every 10 ms: a 200 ms window keeps its rounding under 0.1 core
CONTENDED_CORES = 0.25     # a quarter of a core used by other processes around a gap
_TICK_MS = 1000.0 / os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 10.0


class _ProcFile:
    """A /proc file kept open and re-read from its start (os.pread): opening it on every 5 ms tick cost the GUI
    thread more time than anything it measured. The path is resolved once, so thread-self is the opening thread."""

    def __init__(self, path: Path | None):
        try:
            self.fd = None if path is None else os.open(path, os.O_RDONLY)
        except (OSError, AttributeError):
            self.fd = None

    def text(self) -> str:
        if self.fd is None:
            return ""
        try:
            return os.pread(self.fd, 4096, 0).decode("ascii", "replace")
        except (OSError, AttributeError):
            return ""

    def close(self) -> None:
        if self.fd is not None:
            os.close(self.fd)
            self.fd = None


def run_queue_ms(f: _ProcFile | None = None) -> float:
    """Total time (ms) the calling thread has spent runnable but not running; 0 where the kernel does not say."""
    try:
        return int((f.text() if f else SCHEDSTAT.read_text()).split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


def machine_busy_ms(f: _ProcFile | None = None) -> float:
    """CPU time (ms, summed over the CPUs) every process has used since boot, steal included; 0 where unknown."""
    try:
        if f is None:
            with PROC_STAT.open() as fh:
                line = fh.readline()
        else:
            line = f.text().split("\n", 1)[0]
        user, nice, system, _idle, _iowait, irq, softirq, steal = (int(x) for x in line.split()[1:9])
    except (OSError, ValueError):
        return 0.0
    return (user + nice + system + irq + softirq + steal) * _TICK_MS


class StallMeter:
    """Ticks every interval_ms on the GUI thread. gaps: each gap minus the interval; waits: the run-queue delay
    inside it; busy: the thread's own CPU time inside it; others: other processes' share of a core around it."""

    def __init__(self, interval_ms: int = 10):
        self.interval = interval_ms
        self.gaps: list[float] = []
        self.waits: list[float] = []
        self.busy: list[float] = []
        self._marks: list[tuple[float, float, float]] = []   # (wall ms, machine busy ms, this process's CPU ms)
        self.timer = QTimer()
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self._last = None
        self._sched = self._stat = _ProcFile(None)         # closed until start()

    def _tick(self) -> None:
        now, queued, cpu = time.perf_counter() * 1000, run_queue_ms(self._sched), time.thread_time() * 1000
        self._marks.append((now, machine_busy_ms(self._stat), time.process_time() * 1000))
        if self._last is not None:
            self.gaps.append(now - self._last[0] - self.interval)
            self.waits.append(queued - self._last[1])
            self.busy.append(cpu - self._last[2])
        self._last = (now, queued, cpu)

    def start(self) -> None:
        self._sched, self._stat = _ProcFile(SCHEDSTAT), _ProcFile(PROC_STAT)     # on the thread that ticks
        self._last, self._marks = None, []
        self.gaps, self.waits, self.busy = [], [], []
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()
        for f in (self._sched, self._stat):
            f.close()

    @property
    def others(self) -> list[float]:
        """For each gap, the cores other processes used on average over a window of >= WINDOW_MS around it."""
        marks, out = self._marks, []
        for k in range(len(self.gaps)):
            lo, hi = k, k + 1                      # gap k lies between tick k and tick k + 1
            while marks[hi][0] - marks[lo][0] < WINDOW_MS and (lo > 0 or hi < len(marks) - 1):
                lo, hi = max(lo - 1, 0), min(hi + 1, len(marks) - 1)
            wall = marks[hi][0] - marks[lo][0]
            used = (marks[hi][1] - marks[lo][1]) - (marks[hi][2] - marks[lo][2])
            out.append(max(used, 0.0) / wall if wall > 0 else 0.0)
        return out

    @property
    def clean(self) -> list[int]:
        """The gaps no other process had a share in."""
        return [k for k, share in enumerate(self.others) if share < CONTENDED_CORES]

    @property
    def worst(self) -> float:
        """The longest stall as the user would feel it."""
        return max(self.gaps, default=0.0)

    @property
    def worst_clean(self) -> float:
        """The longest uncontended stall, wall-clock: what the user sees when only this app runs."""
        return max((self.gaps[k] for k in self.clean), default=0.0)

    @property
    def worst_ours(self) -> float:
        """The longest uncontended stall less the time the thread waited for a core (0 if every gap was contended)."""
        return max((self.gaps[k] - self.waits[k] for k in self.clean), default=0.0)

    def percentile(self, q: float) -> float:
        """The q-th percentile of the uncontended gaps."""
        import numpy as np
        clean = [self.gaps[k] for k in self.clean]
        return float(np.percentile(clean, q)) if clean else 0.0

    def at_worst(self) -> str:
        """What the longest uncontended gap held: the thread's CPU time, its wait for a core, and the contention."""
        ks = self.clean or list(range(len(self.gaps)))
        if not ks:
            return "no gaps"
        k = max(ks, key=lambda i: self.gaps[i] - self.waits[i])
        return (f"{self.busy[k]:.0f} ms on the CPU, {self.waits[k]:.0f} ms waiting for a core; "
                f"{len(self.clean)} of {len(self.gaps)} gaps free of other processes")

    @property
    def worst_wait(self) -> float:
        return max(self.waits, default=0.0)
