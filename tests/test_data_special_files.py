"""A named pipe, a device or a socket given as a data set is refused with a sentence instead of hanging the loader.

Opening a pipe for reading waits for a writer forever, and /dev/zero never ends: each case runs in a subprocess
with a timeout, so a loader that blocks fails this test instead of hanging the suite.
"""
from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest

pytestmark = pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="named pipes are POSIX")

PROBE = textwrap.dedent("""
    import resource, sys
    resource.setrlimit(resource.RLIMIT_AS, (4 << 30, 4 << 30))    # /dev/zero read as text would fill memory
    from engine.data import load_dataset
    from engine.errors import DataError
    try:
        load_dataset(sys.argv[1])
        print("loaded")
    except DataError as e:
        print("DataError:", e)
""")


def load_in_subprocess(path: Path) -> str:
    try:
        out = subprocess.run([sys.executable, "-c", PROBE, str(path)], capture_output=True, text=True, timeout=60)
    except subprocess.TimeoutExpired:
        pytest.fail(f"loading {path.name} did not return within 60 s (it blocks on the special file)")
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def write_csv(path: Path) -> None:
    rows = [[i % 3] + [0] * 4 for i in range(30)]
    np.savetxt(path, np.array(rows), fmt="%d", delimiter=",")


@pytest.mark.parametrize("name", ["digits.npz", "digits.csv", "train-images-idx3-ubyte", "digits"])
def test_a_named_pipe_is_refused_with_a_sentence(tmp_path, name):
    pipe = tmp_path / name
    os.mkfifo(pipe)
    (tmp_path / "train-labels-idx1-ubyte").write_bytes(b"")     # an IDX pipe's partner, so only the pipe is wrong
    said = load_in_subprocess(pipe)
    assert said == f"DataError: {pipe} is a named pipe, not a regular file, so it cannot be read as a data set."


def test_a_pipe_named_as_the_test_csv_beside_a_training_csv_is_refused(tmp_path):
    write_csv(tmp_path / "mine_train.csv")
    os.mkfifo(tmp_path / "mine_test.csv")
    said = load_in_subprocess(tmp_path / "mine_train.csv")
    assert said.startswith("DataError: ") and "mine_test.csv is a named pipe" in said


@pytest.mark.parametrize("name", ["zeros.csv", "zeros.npz", "t10k-images-idx3-ubyte.gz"])
def test_a_link_to_a_device_is_refused(tmp_path, name):
    link = tmp_path / name
    link.symlink_to("/dev/zero")
    (tmp_path / "t10k-labels-idx1-ubyte.gz").write_bytes(b"")
    assert load_in_subprocess(link) == (f"DataError: {link} is a device, not a regular file, "
                                        "so it cannot be read as a data set.")


def test_a_socket_is_refused(tmp_path):
    path = tmp_path / "s.csv"
    with socket.socket(socket.AF_UNIX) as s:
        s.bind(str(path))
        assert load_in_subprocess(path).startswith(f"DataError: {path} is a socket, not a regular file")


def test_regular_files_and_folders_still_load(tmp_path):
    write_csv(tmp_path / "plain.csv")
    assert load_in_subprocess(tmp_path / "plain.csv") == "loaded"
