"""The GUI thread's stalls, measured: gaps between the ticks of a 10 ms timer on it, and of each gap the time the
kernel kept the thread waiting for a free core (its run-queue delay from /proc/thread-self/schedstat), so that a
stall made by another process taking the CPU can be told from one made by our own work or locks."""
from __future__ import annotations

import time
from pathlib import Path

from PySide6.QtCore import Qt, QTimer

SCHEDSTAT = Path("/proc/thread-self/schedstat")


def run_queue_ms() -> float:
    """Total time (ms) the calling thread has spent runnable but not running; 0 where the kernel does not say."""
    try:
        return int(SCHEDSTAT.read_text().split()[1]) / 1e6
    except (OSError, IndexError, ValueError):
        return 0.0


class StallMeter:
    """Ticks every 10 ms on the GUI thread. gaps: each gap minus the 10 ms; waits: the run-queue delay inside it."""

    def __init__(self, interval_ms: int = 10):
        self.interval = interval_ms
        self.gaps: list[float] = []
        self.waits: list[float] = []
        self.busy: list[float] = []           # the thread's own CPU time inside each gap
        self.timer = QTimer()
        self.timer.setTimerType(Qt.PreciseTimer)
        self.timer.setInterval(interval_ms)
        self.timer.timeout.connect(self._tick)
        self._last = None

    def _tick(self) -> None:
        now, queued, cpu = time.perf_counter() * 1000, run_queue_ms(), time.thread_time() * 1000
        if self._last is not None:
            self.gaps.append(now - self._last[0] - self.interval)
            self.waits.append(queued - self._last[1])
            self.busy.append(cpu - self._last[2])
        self._last = (now, queued, cpu)

    def start(self) -> None:
        self._last = None
        self.timer.start()

    def stop(self) -> None:
        self.timer.stop()

    @property
    def worst(self) -> float:
        """The longest stall as the user would feel it."""
        return max(self.gaps, default=0.0)

    @property
    def worst_ours(self) -> float:
        """The longest stall less the time the thread waited for a core held by someone else."""
        return max((g - w for g, w in zip(self.gaps, self.waits)), default=0.0)

    def at_worst(self) -> str:
        """What the longest gap held: the thread's CPU time and its wait for a core."""
        if not self.gaps:
            return "no gaps"
        k = max(range(len(self.gaps)), key=self.gaps.__getitem__)
        return f"{self.busy[k]:.0f} ms on the CPU, {self.waits[k]:.0f} ms waiting for a core"

    @property
    def worst_wait(self) -> float:
        return max(self.waits, default=0.0)
