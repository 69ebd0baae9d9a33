"""When Python's garbage collector may hold the window. A collection of the oldest generation walks every object
the process keeps (55-110 ms on 2 cores beside a training thread, what failed the stall bound) and runs on whichever
thread happens to allocate, holding the GIL: so while a job runs only the young generations are collected and the
oldest waits for the job to end; and what the window is built from is frozen out of every collection (it lives as
long as the window). Python 3.14's incremental collector needs neither, and gets neither harm from them."""
from __future__ import annotations

import gc

from app.activity import IDLE

DEFERRED = 1_000_000           # the oldest generation's threshold while a job runs: no run reaches it
_normal = gc.get_threshold()
_busy: set[int] = set()        # the activities with a job under way (tests keep several windows in one process)


def _apply() -> None:
    young, middle, oldest = _normal
    gc.set_threshold(young, middle, DEFERRED if _busy else oldest)


def follow(activity) -> None:
    """Defer full collections while `activity` (app/activity.py) is busy, whichever way its jobs end."""
    key = id(activity)             # not the activity: a slot holding its own sender is a cycle no collector sees

    def changed(kind: str) -> None:
        (_busy.discard if kind == IDLE else _busy.add)(key)
        _apply()

    def gone(*_args) -> None:
        _busy.discard(key)
        _apply()
    activity.changed.connect(changed)
    activity.destroyed.connect(gone)


def freeze_startup() -> None:
    """Once the window is up, keep what it is built from out of later collections: a full one then takes ~0 ms
    instead of ~45 ms. No collection first: it freed nothing and held the just-shown window ~45 ms."""
    gc.freeze()
