"""Disk full and no permission: every save gives a clear SaveError, keeps the previous file and leaves no temp file.

Tests run as root in CI, where chmod does not stop writes, so faults are injected where the OS would report them:
the temp file cannot be created (EACCES / EROFS), a write fails part-way (ENOSPC), fsync fails (EIO, delayed
ENOSPC), or the final rename is refused. The chmod variant runs only for an ordinary user.
"""
from __future__ import annotations

import errno
import os
import tempfile

import numpy as np
import pytest

from engine.errors import SaveError
from engine.network import Network

SPEC = {"input_size": 20, "layers": [{"units": 8, "activation": "relu"}, {"units": 3, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 3}


def net_with(value: float) -> Network:
    net = Network.from_spec(SPEC)
    net.params[...] = value
    return net


def save_model(path, value):
    net_with(value).save(path)


def save_project_file(path, value):
    from app.project import Project, save_project
    net = net_with(value)
    save_project(path, Project(spec=net.to_spec(), settings={"lr": 0.1}, network=net, trained=True))


def save_digits(path, value):
    from app.handwriting import write_idx
    write_idx(path, np.full((30, 28, 28), int(value) % 256, np.uint8))


def save_curves_csv(path, value):
    from engine.atomic import atomic_write
    with atomic_write(path, "w") as f:
        f.write(f"run,epoch\nx,{value}\n" * 500)


TARGETS = {"model": ("model.npz", save_model), "project": ("p.mlpstudio", save_project_file),
           "handwriting": ("train-images-idx3-ubyte", save_digits), "text": ("history.csv", save_curves_csv)}


class FailingFile:
    """A file whose writes stop with `err` after `budget` bytes, as a disk that fills up part-way."""

    def __init__(self, f, budget, err):
        self._f, self._left, self._err = f, budget, err

    def write(self, data):
        n = len(data) if not isinstance(data, memoryview) else data.nbytes
        if n > self._left:
            self._f.write(data[:self._left])
            self._left = 0
            raise OSError(self._err, os.strerror(self._err))
        self._left -= n
        return self._f.write(data)

    def __getattr__(self, name):
        return getattr(self._f, name)

    def __enter__(self):
        return self

    def __exit__(self, *exc):
        return self._f.__exit__(*exc)


def _fault(monkeypatch, kind):
    real_fdopen, real_replace, real_fsync, real_mkstemp = os.fdopen, os.replace, os.fsync, tempfile.mkstemp
    if kind == "enospc-write":
        monkeypatch.setattr(os, "fdopen", lambda *a, **k: FailingFile(real_fdopen(*a, **k), 700, errno.ENOSPC))
    elif kind == "edquot-write":
        monkeypatch.setattr(os, "fdopen", lambda *a, **k: FailingFile(real_fdopen(*a, **k), 0, errno.EDQUOT))
    elif kind == "eio-fsync":
        def fsync(fd):
            raise OSError(errno.EIO, "Input/output error")
        monkeypatch.setattr(os, "fsync", fsync)
    elif kind == "enospc-fsync":      # NFS and some file systems report a full disk only when flushing
        def fsync(fd):
            raise OSError(errno.ENOSPC, "No space left on device")
        monkeypatch.setattr(os, "fsync", fsync)
    elif kind == "eacces-create":     # a read-only folder: the temp file cannot even be created
        def mkstemp(*a, **k):
            raise PermissionError(errno.EACCES, "Permission denied")
        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    elif kind == "erofs-create":
        def mkstemp(*a, **k):
            raise OSError(errno.EROFS, "Read-only file system")
        monkeypatch.setattr(tempfile, "mkstemp", mkstemp)
    elif kind == "eacces-replace":
        def replace(a, b):
            raise PermissionError(errno.EACCES, "Permission denied")
        monkeypatch.setattr(os, "replace", replace)
    return {"enospc": "disk is full", "edquot": "disk is full", "eacces": "permission",
            "erofs": "permission", "eio": "error"}[kind.split("-")[0]]


KINDS = ["enospc-write", "edquot-write", "enospc-fsync", "eio-fsync", "eacces-create", "erofs-create",
         "eacces-replace"]


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("target", list(TARGETS))
def test_failed_save_keeps_previous_file_and_says_why(tmp_path, monkeypatch, target, kind):
    name, save = TARGETS[target]
    path = tmp_path / name
    save(path, 1)
    before = path.read_bytes()
    with monkeypatch.context() as m:
        why = _fault(m, kind)
        with pytest.raises(SaveError) as info:
            save(path, 2)
    message = str(info.value)
    assert why in message.lower() and name in message and "Nothing was changed" in message
    assert path.read_bytes() == before                         # the previous file, byte for byte
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # no temp file left behind


def test_the_kept_file_still_loads_after_a_failed_model_and_project_save(tmp_path, monkeypatch):
    from app.project import load_project
    save_model(tmp_path / "m.npz", 0.25)
    save_project_file(tmp_path / "p.mlpstudio", 0.5)
    with monkeypatch.context() as m:
        _fault(m, "enospc-write")
        for name, save in (("m.npz", save_model), ("p.mlpstudio", save_project_file)):
            with pytest.raises(SaveError):
                save(tmp_path / name, 9.0)
    assert np.all(Network.load(tmp_path / "m.npz").params == 0.25)
    assert np.all(load_project(tmp_path / "p.mlpstudio").network.params == 0.5)


def test_saving_into_a_missing_folder_is_a_save_error(tmp_path):
    with pytest.raises(SaveError, match="folder does not exist"):
        save_model(tmp_path / "nope" / "m.npz", 1)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into read-only folders; simulated above instead")
def test_read_only_folder_for_real(tmp_path):
    path = tmp_path / "m.npz"
    save_model(path, 1)
    before = path.read_bytes()
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(SaveError, match="permission"):
            save_model(path, 2)
        assert path.read_bytes() == before
    finally:
        tmp_path.chmod(0o700)


def test_app_save_failure_shows_a_message_and_keeps_the_project(tmp_path, monkeypatch, qtbot):
    """Save in the app while the disk is full: a message, the old project intact, and the app still saves later."""
    from app.project import load_project
    from helpers_app import make_window
    w = make_window(qtbot, tmp_path, monkeypatch, show=False)
    errors = w.errors
    net = Network.from_spec(w.state.spec)
    net.params[...] = 0.125
    w.state.set_network(net, trained=True)
    path = tmp_path / "mine.mlpstudio"
    assert w.document.save_to(path)
    before = path.read_bytes()
    w.state.network.params[...] = 0.5
    with monkeypatch.context() as m:
        _fault(m, "enospc-write")
        assert w.document.save_to(path) is False
    assert len(errors) == 1 and "disk is full" in errors[0] and "mine.mlpstudio" in errors[0]
    assert path.read_bytes() == before and sorted(p.name for p in tmp_path.iterdir() if p.suffix != ".ini"
                                                  and p.name != "data") == ["mine.mlpstudio"]
    assert w.document.save_to(path)                          # the disk has room again: saving works
    assert np.all(load_project(path).network.params == 0.5)


def test_saves_keep_permissions_and_sweep_temp_files_of_long_dead_saves(tmp_path):
    import os
    import time

    from engine.atomic import STALE_SECONDS, atomic_write

    target = tmp_path / "model.npz"
    with atomic_write(target) as f:
        f.write(b"one")
    os.chmod(target, 0o640)
    dead = tmp_path / ".model.npz.abc123.tmp"           # what a SIGKILLed save leaves
    fresh = tmp_path / ".model.npz.def456.tmp"          # a save in progress elsewhere: left alone
    dead.write_bytes(b"half")
    fresh.write_bytes(b"half")
    long_ago = time.time() - STALE_SECONDS - 10
    os.utime(dead, (long_ago, long_ago))
    with atomic_write(target) as f:
        f.write(b"two")
    assert target.read_bytes() == b"two" and (os.stat(target).st_mode & 0o777) == 0o640
    assert not dead.exists() and fresh.exists()


@pytest.mark.parametrize("target", ["model", "project", "handwriting", "text"])
def test_saving_over_a_symbolic_link_updates_its_target_and_keeps_the_link(tmp_path, target):
    name, save = TARGETS[target]
    real = tmp_path / "elsewhere" / name
    real.parent.mkdir()
    save(real, 1)
    before = real.read_bytes()
    link = tmp_path / "here" / name
    link.parent.mkdir()
    link.symlink_to(os.path.join("..", "elsewhere", name))       # relative, as `ln -s` usually makes them
    save(link, 2)
    assert link.is_symlink() and os.readlink(link) == os.path.join("..", "elsewhere", name)
    assert real.read_bytes() != before and link.read_bytes() == real.read_bytes()
    assert [p.name for p in link.parent.iterdir()] == [name]                  # no temp file left beside the link
    assert sorted(p.name for p in real.parent.iterdir()) == [name]


def test_saving_the_model_and_project_through_a_link_loads_back_through_it(tmp_path):
    from app.project import load_project
    for name, save, load in (("m.npz", save_model, lambda p: Network.load(p)),
                             ("p.mlpstudio", save_project_file, lambda p: load_project(p).network)):
        real, link = tmp_path / f"real-{name}", tmp_path / name
        save(real, 0.25)
        link.symlink_to(real)
        save(link, 0.75)
        assert link.is_symlink() and np.all(load(real).params == 0.75) and np.all(load(link).params == 0.75)
