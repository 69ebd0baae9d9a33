"""Crash-safe file writing: the target is either the old complete file or the new complete file."""
from __future__ import annotations

import errno
import os
import stat
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Iterator

from .errors import SaveError


def _explain(path: Path, exc: OSError) -> str:
    if exc.errno in (errno.ENOSPC, errno.EDQUOT):
        why = "the disk is full"
    elif exc.errno in (errno.EACCES, errno.EPERM, errno.EROFS):
        why = "you do not have permission to write there"
    elif exc.errno == errno.ENOENT:
        why = "the folder does not exist"
    elif exc.errno == errno.EISDIR:
        why = "that name is a folder"
    else:
        why = exc.strerror or str(exc)
    return f"Could not save {path}: {why}. Nothing was changed."


@contextmanager
def atomic_write(path: str | os.PathLike, mode: str = "wb") -> Iterator[IO]:
    """Open a temp file beside `path`; on success fsync and os.replace it over `path`.

    On any error the temp file is removed, `path` is untouched, and OSError becomes SaveError. A symbolic link
    is followed: its target gets the new content and the link stays a link.
    """
    shown = Path(path)                       # the name the user chose, for messages
    path = Path(os.path.realpath(shown))     # os.replace over a link would replace the link, not its target
    tmp_name = None
    _remove_stale_temps(path)
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
        _keep_mode(path, fd)
        with os.fdopen(fd, mode) as f:
            yield f
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp_name, path)
        tmp_name = None
        _fsync_dir(path.parent)
    except OSError as exc:
        raise SaveError(_explain(shown, exc)) from exc
    finally:
        if tmp_name is not None:
            try:
                os.unlink(tmp_name)
            except OSError:
                pass


STALE_SECONDS = 3600


def _remove_stale_temps(path: Path) -> None:
    """Temp files of saves killed long ago (SIGKILL, power loss) are never loaded, but must not pile up."""
    try:
        old = time.time() - STALE_SECONDS
        for tmp in path.parent.glob(f".{path.name}.*.tmp"):
            if tmp.stat().st_mtime < old:
                tmp.unlink()
    except OSError:
        pass


def _keep_mode(path: Path, fd: int) -> None:
    # mkstemp makes 0600 files: a save keeps the permissions of the file it replaces (else the umask default)
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        umask = os.umask(0)
        os.umask(umask)
        mode = 0o666 & ~umask
    try:
        os.fchmod(fd, mode)
    except (OSError, AttributeError):
        pass


def _fsync_dir(folder: Path) -> None:
    # Makes the rename itself durable; not possible on every platform, so best effort.
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
