"""Leaving the app while a job still computes (the familiarity threshold after a run, a test score): the app lets
the job end before Python takes its signals apart, so nothing raises on the job's thread at exit."""
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
EXIT = """
import sys, time
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from superqt.utils import FunctionWorker
app = QApplication([])
def start():                       # the worker's only references are superqt's own, as in the app's jobs
    w = FunctionWorker(lambda: time.sleep(3) or 1)    # far longer than Python's exit takes
    w.returned.connect(lambda r: print("returned", r, flush=True))
    w.start()
start()
QTimer.singleShot(50, app.quit)    # the window closes while the job runs
app.exec()
if "finish" in sys.argv:
    from app.__main__ import finish_workers
    print("ended in time", finish_workers(grace_ms=60_000), flush=True)
"""


@pytest.mark.parametrize("finish", [False, True])
def test_a_job_running_at_exit_ends_without_an_error(finish):
    env = {**os.environ, "QT_QPA_PLATFORM": "offscreen"}
    out = subprocess.run([sys.executable, "-c", EXIT, *(["finish"] if finish else [])], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    deleted = "Signal source has been deleted" in out.stderr
    assert deleted is not finish                       # without finish_workers: the error the app used to print
    if finish:
        assert "ended in time True" in out.stdout
