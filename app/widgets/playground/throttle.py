"""Redraw: a view's drawing on the GUI thread, at most MAX_HZ times a second and only while the view is visible.

Weights arrive up to 30 times a second; each call asks for a draw and the latest weights win, so what is drawn is
never older than one delivery plus one tick. A hidden view draws once when shown (its showEvent calls `now`).
"""
from __future__ import annotations

import time

from PySide6.QtCore import QTimer

MAX_HZ = 20


class Redraw:
    def __init__(self, widget, draw):
        self.widget, self.draw = widget, draw
        self.timer = QTimer(widget, singleShot=True, timeout=self._fire)
        self.last = 0.0
        self.pending = False
        self.count = 0                      # draws so far (the benchmark counts frames with it)

    def request(self) -> None:
        self.pending = True
        if self.timer.isActive():
            return
        wait = max(0.0, self.last + 1.0 / MAX_HZ - time.perf_counter())
        self.timer.start(int(wait * 1000))

    def _fire(self) -> None:
        if not self.pending or not self.widget.isVisible():
            return                          # stays pending: drawn when shown
        self.now()

    def now(self) -> None:
        self.pending = False
        self.last = time.perf_counter()
        self.count += 1
        self.draw()
