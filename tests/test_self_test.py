"""`mlp-studio --self-test` (app/self_test.py) from the source tree: it passes with one line of figures, touches
none of the user's settings or data, fails with the sentence of the step that failed, and in a frozen bundle
refuses digits found outside the bundle. tests/test_bundle.py runs it from the built bundle and the .deb."""
from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from app import self_test
from engine.version import __version__

ROOT = Path(__file__).resolve().parents[1]


def run_python(code_or_args: list[str], tmp_path: Path) -> subprocess.CompletedProcess:
    env = {**os.environ, "MLP_STUDIO_SETTINGS": str(tmp_path / "user-settings.ini"),
           "MLP_STUDIO_DATA_DIR": str(tmp_path / "user-data"), "HOME": str(tmp_path)}
    env.pop("QT_QPA_PLATFORM", None)             # the self-test goes offscreen by itself
    return subprocess.run([sys.executable, *code_or_args], cwd=tmp_path, env=env, capture_output=True, text=True,
                          timeout=300)


def test_self_test_passes_with_one_line_of_figures_and_leaves_the_users_files_alone(tmp_path):
    out = run_python(["-m", "app", "--self-test"], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    (line,) = out.stdout.strip().splitlines()
    assert line.startswith(f"MLP Studio {__version__} self-test passed in ")
    for figure in ("window ", "1 epoch on 5,000 digits", "on 10,000 test digits", "a drawn 7 read as ",
                   "saved and reopened", "same weights", "digits from "):
        assert figure in line
    assert not (tmp_path / "user-settings.ini").exists() and not (tmp_path / "user-data").exists()
    assert "This plugin does not support" not in out.stderr     # the offscreen platform's notes are kept quiet


BROKEN_DATA = """
import sys
import app.dataset_loader
from engine.errors import DataError

def gone(name, **params):
    raise DataError("The bundled digits are missing.")

app.dataset_loader.load_dataset = gone
from app.__main__ import main
sys.exit(main(["--self-test"]))
"""


def test_self_test_fails_with_the_sentence_of_the_step_that_failed(tmp_path):
    out = run_python(["-c", BROKEN_DATA], tmp_path)
    assert out.returncode == 1 and out.stdout == ""
    assert out.stderr.strip().splitlines()[-1] == (
        "MLP Studio self-test failed: Loading the bundled digits failed: The bundled digits are missing.")


def test_a_frozen_bundle_refuses_digits_found_outside_it(tmp_path, monkeypatch):
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "_MEIPASS", str(tmp_path / "bundle" / "_internal"), raising=False)
    with pytest.raises(self_test.Failed, match="outside the bundle"):
        self_test._check_bundle_paths()
    monkeypatch.setattr(sys, "_MEIPASS", str(ROOT))      # this checkout's resources/ sits inside it
    assert self_test._check_bundle_paths().endswith("resources")
