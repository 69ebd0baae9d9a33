"""The random clicker (tools/random_clicker.py) for 75 s on the real window, seed fixed: no bug may reach the app's bug
report or stderr, no Qt warning outside its harmless list, the window must keep answering and its memory must not
run away. On a failure the message holds the clicker's report (the last actions, the traceback) and the log to
replay: `python tools/random_clicker.py --replay <log>`."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

TOOL = Path(__file__).resolve().parents[1] / "tools" / "random_clicker.py"
SEED = 20240611
MINUTES = 1.25


@pytest.mark.slow
def test_random_clicking_finds_no_defect(tmp_path):
    log = tmp_path / "actions.jsonl"
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run([sys.executable, str(TOOL), "--seed", str(SEED), "--minutes", str(MINUTES),
                           "--log", str(log)], env=env, capture_output=True, text=True, timeout=MINUTES * 60 + 240)
    report = done.stdout[-8000:] + ("\nstderr:\n" + done.stderr[-4000:] if done.returncode else "")
    assert done.returncode == 0, f"the random clicker failed (replay: {TOOL} --replay {log}):\n{report}"
    assert "CLICKER-RESULT" in done.stdout and log.stat().st_size > 0
