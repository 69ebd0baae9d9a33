"""Crash-safe saving: a process killed (SIGKILL) at a random moment while saving leaves the previous complete file
or the new complete file at the target path, never a mix and never a damaged file. Same for the MNIST download
cache: a file under its real name is always complete and verified.

Each target is saved in a loop by a forked child (numbered contents 1, 2, 3, ...) and killed after a random
delay, 50 times; after every kill the parent loads the target and checks it holds one whole version.
"""
from __future__ import annotations

import hashlib
import os
import signal
import struct
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import numpy as np
import pytest

from engine.network import Network

KILLS = 50
SPEC = {"input_size": 784, "layers": [{"units": 96, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 0}
NET = Network.from_spec(SPEC)          # 76k parameters: a save takes a few ms, so kills land inside it

pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork (POSIX)")


def _child(save, target, start, w):
    """Save start, start+1, ... for ever; report each completed save on the pipe. Never returns."""
    try:
        i = start
        while True:
            save(target, i)
            os.write(w, struct.pack("<q", i))
            i += 1
    finally:
        os._exit(0)


def _reported(r) -> list[int]:
    data = b""
    while True:
        part = os.read(r, 1 << 16)
        if not part:
            return list(struct.unpack(f"<{len(data) // 8}q", data[:len(data) // 8 * 8]))
        data += part


def kill_while_saving(save, load, target, max_delay: float, seed: int):
    """KILLS cycles of fork-save-loop-SIGKILL; after each, load(target) must give one complete version.

    Returns (kills survived, kills that landed while a temp file was open, saves completed by children).
    """
    rng = np.random.default_rng(seed)
    save(target, 0)                               # the first complete file (and every import done before fork)
    current, mid_write, completed = 0, 0, 0
    for _ in range(KILLS):
        r, w = os.pipe()
        pid = os.fork()
        if pid == 0:
            os.close(r)
            _child(save, target, current + 1, w)
        os.close(w)
        time.sleep(rng.uniform(0, max_delay))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        done = _reported(r)
        os.close(r)
        completed += len(done)
        last = done[-1] if done else current
        got = load(target)                        # raises if damaged; a mix of versions fails the check inside
        assert got in (last, last + 1), f"target holds version {got}, expected {last} or {last + 1}"
        current = max(got, last)
        leftovers = [p for p in target.parent.iterdir() if p.name != target.name]
        mid_write += bool(leftovers)
        for p in leftovers:                       # a killed writer cannot clean up its temp file
            assert p.name.startswith("."), f"a killed save left {p.name} under a name that looks real"
            p.unlink()
    return KILLS, mid_write, completed


def _one_version(params: np.ndarray) -> int:
    values = np.unique(params)
    assert len(values) == 1, f"weights from {len(values)} different saves in one file"
    return int(values[0])


def save_model(path, i):
    NET.params[...] = i
    NET.save(path)


def load_model(path):
    return _one_version(Network.load(path).params)


def save_project(path, i):
    from app.project import Project, save_project as save
    NET.params[...] = i
    save(path, Project(spec=SPEC, settings={"lr": 0.01, "seed": i}, network=NET, trained=True))


def load_project(path):
    from app.project import load_project as load
    p = load(path)
    version = _one_version(p.network.params)
    assert p.settings["seed"] == version, "settings from one save, weights from another"
    return version


def _save_seconds(save, target) -> float:
    t = time.perf_counter()
    for i in range(5):
        save(target, i)
    return (time.perf_counter() - t) / 5


@pytest.mark.parametrize("what", ["model", "project"])
def test_sigkill_while_saving_leaves_a_whole_file(tmp_path, what, capsys):
    save, load = {"model": (save_model, load_model), "project": (save_project, load_project)}[what]
    target = tmp_path / ("m.npz" if what == "model" else "p.mlpstudio")
    per_save = _save_seconds(save, target)
    survived, mid, completed = kill_while_saving(save, load, target, max_delay=0.005 + 4 * per_save, seed=1)
    with capsys.disabled():
        print(f"\n[crash-safety] {what}: {survived}/{KILLS} kills survived, {mid} mid-write, "
              f"{completed} saves completed, {per_save * 1000:.1f} ms per save")
    assert survived == KILLS and mid >= 5, "too few kills landed inside a save to mean anything"


# ---- the MNIST download cache ---------------------------------------------------------------------------------
FAKE = {name: np.random.default_rng(i).integers(0, 256, 96 * 1024, dtype=np.uint8).tobytes()
        for i, name in enumerate(["train-images-idx3-ubyte.gz", "train-labels-idx1-ubyte.gz",
                                  "t10k-images-idx3-ubyte.gz", "t10k-labels-idx1-ubyte.gz"])}
FILES = {name: (len(data), hashlib.md5(data).hexdigest()) for name, data in FAKE.items()}


class _SlowMirror(BaseHTTPRequestHandler):
    """Serves FAKE in 8 kB pieces with a short pause, like a slow mirror, so kills land mid-download."""

    def do_GET(self):
        data = FAKE.get(self.path.rsplit("/", 1)[-1])
        if data is None:
            self.send_error(404)
            return
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        try:
            for s in range(0, len(data), 8192):
                self.wfile.write(data[s:s + 8192])
                time.sleep(0.0005)
        except (BrokenPipeError, ConnectionResetError):
            pass

    def log_message(self, *args):
        pass


@pytest.fixture
def mirror():
    server = ThreadingHTTPServer(("127.0.0.1", 0), _SlowMirror)     # local only: never any other address
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/mnist/"
    server.shutdown()
    server.server_close()


def test_sigkill_while_downloading_never_leaves_an_unverified_file(tmp_path, mirror, capsys):
    from engine.data.download import download_mnist, verified
    cache = tmp_path / "mnist"
    rng = np.random.default_rng(2)
    download_mnist(mirrors=[mirror], cache_dir=cache, files=FILES)   # warm: imports and a first complete cache
    mid_write = 0
    for kill in range(KILLS):
        for name in rng.choice(list(FILES), size=rng.integers(1, 5), replace=False):
            (cache / name).unlink(missing_ok=True)                    # some files to fetch again
        pid = os.fork()
        if pid == 0:
            try:
                download_mnist(mirrors=[mirror], cache_dir=cache, files=FILES, timeout=5)
            finally:
                os._exit(0)
        time.sleep(rng.uniform(0, 0.08))
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        for p in cache.iterdir():
            if p.name in FILES:
                assert verified(p, *FILES[p.name]), f"kill {kill}: {p.name} is under its real name but not verified"
            else:
                assert p.name.startswith(".") and p.name.endswith(".part"), p.name
                mid_write += 1
                p.unlink()
    download_mnist(mirrors=[mirror], cache_dir=cache, files=FILES)    # and the next run completes the cache
    assert all(verified(cache / n, *FILES[n]) for n in FILES)
    with capsys.disabled():
        print(f"\n[crash-safety] download cache: {KILLS}/{KILLS} kills survived, {mid_write} mid-download")
    assert mid_write >= 5
