"""Thread stress (offscreen): 200 Start/Stop cycles and 50 close-while-training windows.

No crash, no Qt warning about threads, the thread count back to its baseline, memory growth under 20 MB.
A tiny data set (8x8 images) and network keep each cycle short; the whole file stays around a minute.
"""
from __future__ import annotations

import gc
import os
import threading
import time
import weakref
from pathlib import Path

import numpy as np
import pytest
from PySide6.QtCore import QEvent, QThreadPool, Qt
from PySide6.QtWidgets import QApplication

from engine.data.dataset import Dataset
from helpers_app import make_window, quiet, settle

CYCLES = 200
CLOSES = 50
THREAD_WORDS = ("QThread", "thread", "Thread")


def tiny_dataset(n=240) -> Dataset:
    rng = np.random.default_rng(0)
    y = np.arange(n) % 10
    x = np.clip(rng.normal(size=(10, 64))[y] * 0.3 + 0.5 + 0.1 * rng.normal(size=(n, 64)), 0, 1)
    return Dataset("tiny", x.astype(np.float32), y, x[:40].astype(np.float32), y[:40], image_shape=(8, 8))


def rss_mb() -> float:
    """Resident memory now (not the peak): /proc/self/statm's second field in pages."""
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


POOLED = "Thread (pooled)"


def os_threads() -> int:
    """The process's OS threads, less Qt's idle pool threads: settle_threads empties our pool, so a pooled thread
    left is Qt's own (its image drawing pool), which comes and goes on Qt's clock (the count moved 4 <-> 5)."""
    tasks = os.listdir("/proc/self/task")
    return sum(1 for t in tasks if _name(t) != POOLED)


def _name(task: str) -> str:
    try:
        with open(f"/proc/self/task/{task}/comm") as f:
            return f.read().strip()
    except OSError:              # the thread ended meanwhile
        return POOLED


def settle_threads(timeout=10.0):
    """Let finished workers leave: our pool ends every thread (a job still running fails here) and Python threads
    are joined."""
    assert QThreadPool.globalInstance().waitForDone(int(timeout * 1000)), "a worker was still running"
    QApplication.processEvents()
    gc.collect()


def prepare(w):
    w.state.set_dataset("tiny", tiny_dataset())
    w.state.set_hidden([{"units": 16, "activation": "relu"}])
    for name, value in (("augment", False), ("epochs", 10_000), ("batch_size", 16), ("val_fraction", 0.0),
                        ("optimizer", "adam"), ("lr", 0.001)):
        w.state.set_setting(name, value)
    w.panel.sync()


def thread_warnings(qtlog) -> list[str]:
    return [r.message for r in qtlog.records if any(word in r.message for word in THREAD_WORDS)]


def start_stop(qtbot, w):
    with qtbot.waitSignal(w.session.batchStats, timeout=10000):
        qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
    with qtbot.waitSignal(w.session.finished, timeout=10000) as fin:
        qtbot.mouseClick(w.panel.stop_button, Qt.LeftButton)
    qtbot.waitUntil(lambda: w.state.activity.idle, timeout=10000)     # Start is on again
    assert not w.session.is_running()
    return fin.args[0]


@pytest.mark.slow
def test_200_start_stop_cycles(qtbot, qtlog, tmp_path, monkeypatch, capsys):
    w = make_window(qtbot, tmp_path, monkeypatch)
    prepare(w)
    for _ in range(3):                                   # warm-up: pool thread, imports, first plots
        start_stop(qtbot, w)
    settle_threads()
    base_threads, base_py, base_rss = os_threads(), threading.active_count(), rss_mb()
    t0 = time.perf_counter()
    reasons = set()
    for i in range(CYCLES):
        reasons.add(start_stop(qtbot, w).reason)
        if i % 50 == 49:
            gc.collect()
    elapsed = time.perf_counter() - t0
    settle_threads()
    growth = rss_mb() - base_rss
    with capsys.disabled():
        print(f"\n[thread-stress] {CYCLES} start/stop cycles in {elapsed:.1f} s, memory growth {growth:+.1f} MB, "
              f"threads {base_threads} -> {os_threads()} (python {base_py} -> {threading.active_count()})")
    assert reasons == {"stopped"}
    from app.widgets.curves import MAX_SHOWN
    assert len(w.curves.runs) == MAX_SHOWN and len(w.curves.retired) + len(w.curves.runs) == CYCLES + 3
    assert w.state.activity.idle and w.panel.start_button.isEnabled()
    assert os_threads() <= base_threads and threading.active_count() <= base_py
    assert growth < 20, f"memory grew {growth:.1f} MB over {CYCLES} cycles"
    assert not thread_warnings(qtlog), thread_warnings(qtlog)


@pytest.mark.slow
def test_50_windows_closed_while_training(qtbot, qtlog, tmp_path, monkeypatch, capsys):
    from app.main_window import MainWindow
    monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(tmp_path / "settings.ini"))
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(tmp_path / "data"))

    def one(wait_batches: bool):
        w = quiet(MainWindow())
        prepare(w)
        w.show()
        if wait_batches:
            with qtbot.waitSignal(w.session.batchStats, timeout=10000):
                qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
        else:                                           # close before the worker has even loaded anything
            qtbot.mouseClick(w.panel.start_button, Qt.LeftButton)
        session = w.session
        assert session.is_running()
        t = time.perf_counter()
        w.close()
        closing = time.perf_counter() - t
        assert not session.is_running(), "the window closed while its training thread still ran"
        settle(w)
        w.deleteLater()
        gone = weakref.ref(w)
        del w
        QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)
        gc.collect()
        assert gone() is None, "a closed window is still alive"
        return closing

    for _ in range(2):
        one(True)
    settle_threads()
    base_threads, base_py, base_rss = os_threads(), threading.active_count(), rss_mb()
    worst = max(one(i % 5 != 0) for i in range(CLOSES))
    settle_threads()
    growth = rss_mb() - base_rss
    with capsys.disabled():
        print(f"\n[thread-stress] {CLOSES} windows closed while training: slowest close {worst * 1000:.0f} ms, "
              f"memory growth {growth:+.1f} MB, threads {base_threads} -> {os_threads()}")
    assert os_threads() <= base_threads and threading.active_count() <= base_py
    assert growth < 20, f"memory grew {growth:.1f} MB over {CLOSES} windows"
    assert worst < 5, f"closing took {worst:.1f} s"
    assert not thread_warnings(qtlog), thread_warnings(qtlog)
