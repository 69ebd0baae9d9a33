"""Redraw: a view's drawing, at most MAX_HZ (or its own hz) times a second, only while the view is visible, the
heavy part off the GUI thread.

Weights arrive up to 30 times a second; each one asks for a draw and the latest weights win. A view gives either
`draw` (cheap, on the GUI thread) or `compute` + `show`: compute() runs on the GUI thread and returns a job (a
function of nothing, capturing the current network; no Qt inside) or None; the job runs on a worker thread and
show(result) puts its pictures on screen, so a forward pass over the plane never blocks the GUI. One job at a
time per view; a request while one runs is served when it ends. A hidden view draws once when shown. A frame
computed elsewhere (on the training thread, with the weight snapshot) is put up with `take`; frames are numbered
so an older one never replaces a newer one.
"""
from __future__ import annotations

import time

import shiboken6
from PySide6.QtCore import QTimer
from superqt.utils import FunctionWorker

from app.excepthook import report_bug

MAX_HZ = 20


class Redraw:
    def __init__(self, widget, draw=None, compute=None, show=None, hz: float = MAX_HZ):
        self.widget, self.draw, self.compute, self.show = widget, draw, compute, show
        self.hz = hz
        self.timer = QTimer(widget, singleShot=True, timeout=self._fire)
        self.last = 0.0
        self.pending = False
        self.busy = None                    # the worker computing a frame, if any
        self.count = 0                      # frames shown so far (the benchmark counts them)
        self.serial = self.shown_serial = 0  # frames started / the newest frame on screen

    def request(self) -> None:
        self.pending = True
        if self.timer.isActive():
            return
        wait = max(0.0, self.last + 1.0 / self.hz - time.perf_counter())
        self.timer.start(int(wait * 1000))

    def _fire(self) -> None:
        if self.pending and self.widget.isVisible():
            self.now()                      # else it stays pending: drawn when shown

    def now(self) -> None:
        """Draw from the current inputs (the job in flight first finishes; then this request is served)."""
        if self.busy is not None:
            self.pending = True
            return
        self.pending = False
        self.last = time.perf_counter()
        if self.compute is None:
            self.count += 1
            self.draw()
            return
        job = self.compute()
        self.serial += 1
        serial = self.serial
        if job is None:
            self._shown(None, serial, done=False)
            return
        worker = self.busy = FunctionWorker(job)
        worker.returned.connect(lambda result: self._shown(result, serial))
        worker.errored.connect(self._failed)
        worker.start()

    def draw_now(self) -> None:
        """Compute and show at once on this thread (a first paint, and tests that read what is shown)."""
        if self.compute is None:
            self.draw()
        else:
            job = self.compute()
            self.show(None if job is None else job())
            self.serial += 1
            self.shown_serial = self.serial
        self.count += 1

    def take(self, frame) -> None:
        """Put up a frame made elsewhere from the current inputs (no job needed), in an event-loop pass of its
        own: taken inside the weights' update, every view's frame and the curves made one 40-50 ms block."""
        self.timer.stop()
        self.pending = False
        self.last = time.perf_counter()
        self.serial += 1
        serial = self.serial
        QTimer.singleShot(0, self.widget, lambda: self._shown(frame, serial, done=False))

    def _shown(self, result, serial: int, done: bool = True) -> None:
        if done:
            self.busy = None
        if not shiboken6.isValid(self.widget):
            return                          # the window closed while the frame was computed
        if serial > self.shown_serial:
            self.shown_serial = serial
            self.count += 1
            self.show(result)
        if self.pending and done:
            self.request()

    def _failed(self, exc) -> None:
        self.busy = None
        report_bug(exc, "drawing the playground")


class PublishesWhileVisible:
    """Mixin (before the Qt class) for a view with `redraw` and `publish()`: what it publishes to the training
    thread follows its visibility, and a draw asked for while it was hidden happens when it is shown."""

    def showEvent(self, event) -> None:
        super().showEvent(event)
        self.publish()
        if self.redraw.pending:
            self.redraw.now()

    def hideEvent(self, event) -> None:
        super().hideEvent(event)
        self.publish()
