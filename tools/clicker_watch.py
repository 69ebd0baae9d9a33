"""What the random clicker (tools/random_clicker.py) counts as a defect, and the watchers that see it: the app's bug
reports, text on stderr (file descriptor 2, so Python, Qt and C libraries alike), Qt's messages, a GUI thread that
stops answering (a watchdog thread and a heartbeat), and resident memory that keeps growing.
"""
from __future__ import annotations

import functools
import os
import re
import sys
import threading
import time
import traceback
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

# Qt messages that say nothing about the app: each with the reason it is harmless.
HARMLESS_QT = (
    r"This plugin does not support propagateSizeHints\(\)",     # offscreen platform: no window manager hints
    r"This plugin does not support raise\(\)",                  # offscreen platform
    r"This plugin does not support grabbing the keyboard",      # offscreen platform: popups grab the keyboard
    r"Keyboard event not accepted by receiving widget",         # QTest: the key did nothing there (a user's too)
    r"Mouse event .*not accepted by receiving widget",          # QTest: the click did nothing there
)
# Qt virtuals as the app and pyqtgraph override them: event handlers, painting, sizes
GUARDED = re.compile(r"Event$|^(event|eventFilter|paint|boundingRect|sizeHint|minimumSizeHint|heightForWidth|"
                     r"hasHeightForWidth)$")
TRACEBACK = "Traceback (most recent call last):"
CHAINED = ("During handling of the above exception, another exception occurred:",
           "The above exception was the direct cause of the following exception:")


def rss_mb() -> float:
    pages = int(Path("/proc/self/statm").read_text().split()[1])
    return pages * os.sysconf("SC_PAGE_SIZE") / 2**20


class StderrTap:
    """Everything written to file descriptor 2 (Python, Qt, C libraries) is kept, and still shown."""

    def __init__(self):
        self.real = os.dup(2)
        read, write = os.pipe()
        os.dup2(write, 2)
        os.close(write)
        self._read, self._lock, self._chunks = read, threading.Lock(), []
        threading.Thread(target=self._pump, daemon=True, name="stderr-tap").start()

    def _pump(self) -> None:
        while True:
            data = os.read(self._read, 65536)
            if not data:
                return
            os.write(self.real, data)
            with self._lock:
                self._chunks.append((time.monotonic(), data))

    def take(self, settle: float = 0.3) -> str:
        """The text written until `settle` s ago (a traceback arrives in several writes: take it whole)."""
        sys.stderr.flush()
        now = time.monotonic()
        with self._lock:
            n = 0
            while n < len(self._chunks) and now - self._chunks[n][0] >= settle:
                n += 1
            taken, self._chunks = self._chunks[:n], self._chunks[n:]
        return b"".join(d for _, d in taken).decode("utf-8", "replace")


class Finding:
    def __init__(self, kind: str, signature: str, detail: str, action: int):
        self.kind, self.signature, self.detail, self.action = kind, signature, detail, action

    def as_dict(self) -> dict:
        return {"kind": self.kind, "signature": self.signature, "action": self.action}


def _where(frame) -> str:
    path = Path(frame.filename)
    try:
        return f"{path.resolve().relative_to(ROOT)}:{frame.name}"
    except ValueError:
        return f"{path.name}:{frame.name}"


def bug_signature(exc: BaseException) -> str:
    """Its type and the innermost frame of our code: 'IndexError at app/widgets/network_view.py:_title'."""
    frames = traceback.extract_tb(exc.__traceback__)
    ours = [f for f in frames if f.filename.startswith(str(ROOT)) and "/.venv/" not in f.filename] or frames
    return f"{type(exc).__name__} at {_where(ours[-1]) if ours else '?'}"


def text_signature(text: str) -> str:
    """The message without numbers and addresses, so one defect seen twice is one."""
    lines = [line for line in text.strip().splitlines() if line.strip()] or [text]
    warning = re.search(r"(\w+Warning: .*)", text)
    return re.sub(r"0x[0-9a-f]+|\d+(\.\d+)?", "N", (warning.group(1) if warning else lines[-1]).strip())[:160]


class Monitor:
    """Collects what counts as a defect: bug reports, stderr text, Qt messages."""

    def __init__(self, tap: StderrTap):
        self.tap, self.pending, self.harmless = tap, [], {}
        self.current = 0                      # the action being performed or last performed
        self._told: list[str] = []            # the last line of each bug's traceback, as report_bug prints it
        self._seen_bugs: set[int] = set()

    def on_bug(self, exc: BaseException, where: str = "") -> None:
        if id(exc) in self._seen_bugs:
            return
        self._seen_bugs.add(id(exc))
        self._told.append(traceback.format_exception_only(type(exc), exc)[-1].strip())
        detail = "".join(traceback.format_exception(type(exc), exc, exc.__traceback__))
        self.pending.append(Finding("bug", bug_signature(exc), f"[{where}] {detail}", self.current))

    def on_qt(self, mode, context, message: str) -> None:
        for pattern in HARMLESS_QT:
            if re.search(pattern, message):
                self.harmless[pattern] = self.harmless.get(pattern, 0) + 1
                return
        where = f" ({context.file}:{context.line} {context.function})" if context.file else ""
        os.write(self.tap.real, f"Qt {mode.name}: {message}{where}\n".encode())
        self.pending.append(Finding("qt", f"Qt {mode.name}: {text_signature(message)}", message + where,
                                    self.current))

    def collect(self, settle: float = 0.3) -> list:
        text = self._strip_told(self.tap.take(settle))
        if text.strip():
            self.pending.append(Finding("stderr", "stderr: " + text_signature(text), text, self.current))
        found, self.pending = self.pending, []
        return found

    def _strip_told(self, text: str) -> str:
        """The text without the tracebacks report_bug printed for bugs already recorded (chained ones whole)."""
        for line in self._told:
            while line and line in text:
                end = text.index(line) + len(line)
                start = max(text.rfind(TRACEBACK, 0, end), 0)
                while start > 0 and text[:start].rstrip().endswith(CHAINED):
                    start = max(text.rfind(TRACEBACK, 0, start), 0)
                text = text[:start] + text[end:]
        return text


class Watchdog(threading.Thread):
    """Fails the run when the GUI thread's heartbeat stops for `limit` s, or no action was taken for `idle` s."""

    def __init__(self, limit: float, idle: float, on_stall):
        super().__init__(daemon=True, name="clicker-watchdog")
        self.limit, self.idle, self.on_stall = limit, idle, on_stall
        self.beat = self.acted = time.monotonic()
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(0.25):
            now = time.monotonic()
            if now - self.beat > self.limit:
                self.on_stall(f"the GUI thread did not answer for {now - self.beat:.1f} s")
                return
            if now - self.acted > self.idle:
                self.on_stall(f"no action could be taken for {now - self.acted:.1f} s (the event loop runs)")
                return


def main_thread_stack() -> str:
    frame = sys._current_frames().get(threading.main_thread().ident)
    return "".join(traceback.format_stack(frame)) if frame is not None else "(no stack)"


class Memory:
    """Resident memory sampled every few actions; growing past `bound` MB over the first sample after the warm-up
    (the median of the last three samples, so one busy moment does not count) is a defect."""

    def __init__(self, warmup: float, bound: float):
        self.warmup, self.bound = warmup, bound
        self.samples: list[tuple[float, int, float]] = []     # (seconds, actions, MB)
        self.baseline: float | None = None

    def sample(self, seconds: float, actions: int) -> str | None:
        import gc
        gc.collect()
        mb = rss_mb()
        self.samples.append((seconds, actions, mb))
        if seconds < self.warmup:
            return None
        if self.baseline is None:
            self.baseline = mb
            return None
        last = sorted(s[2] for s in self.samples[-3:])
        recent = last[len(last) // 2]
        if recent - self.baseline > self.bound:
            return f"resident memory grew {recent - self.baseline:.0f} MB after the warm-up\n" + self.trend()
        return None

    def trend(self, points: int = 12) -> str:
        if not self.samples:
            return "memory: no samples yet"
        rows = self.samples[::max(len(self.samples) // points, 1)]
        rows += [] if rows[-1] is self.samples[-1] else [self.samples[-1]]
        base = f"baseline {self.baseline:.0f} MB" if self.baseline is not None else "no baseline yet"
        return f"memory ({base}): " + ", ".join(f"{t:.0f}s/#{n}: {mb:.0f} MB" for t, n, mb in rows)


def guard_overrides(on_bug) -> int:
    """Make an exception in a Qt virtual the app or pyqtgraph overrides (paintEvent, event, eventFilter, paint,
    sizeHint, ...) a recorded bug.

    PySide6 6.11 on Python 3.11 segfaults (in shiboken's PepException_GetArgs) when such a handler raises while
    Python code is below it on the stack, as it is under every QTest call: the clicker would die without saying
    which bug. Guarded, the bug is told to `on_bug` and the handler returns a neutral value. Every module of the
    app is imported first: shiboken keeps the handler it found first, so guard before any widget exists. Mixins
    (RefreshWhenShown.showEvent) are classes of their own: every class of these modules is looked at."""
    import importlib
    import pkgutil

    import app
    for info in pkgutil.walk_packages(app.__path__, "app."):
        importlib.import_module(info.name)
    count = 0
    for name, module in list(sys.modules.items()):
        if not name.startswith(("app.", "pyqtgraph.")) or module is None:
            continue
        for cls in list(vars(module).values()):
            if not (isinstance(cls, type) and cls.__module__ == name):
                continue
            for attr, fn in list(vars(cls).items()):
                if callable(fn) and GUARDED.search(attr) and not getattr(fn, "clicker_guard", False):
                    setattr(cls, attr, _guard(fn, attr, on_bug))
                    count += 1
    return count


def _neutral(name: str):
    """What a guarded handler returns after its exception: 'not handled', no size, no paint."""
    from PySide6.QtCore import QRectF, QSize
    return {"event": False, "eventFilter": False, "sceneEvent": False, "hasHeightForWidth": False,
            "heightForWidth": -1, "sizeHint": QSize(), "minimumSizeHint": QSize(), "boundingRect": QRectF()}.get(name)


def _guard(fn, name: str, on_bug):
    @functools.wraps(fn)
    def guarded(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except Exception as exc:
            on_bug(exc, f"in the Qt virtual {name} (unguarded, PySide6 6.11 may crash here)")
            return _neutral(name)
    guarded.clicker_guard = True
    return guarded
