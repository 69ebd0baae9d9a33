"""Download the full MNIST (60,000 training + 10,000 test digits) into the user's data folder.

Each file is fetched from the first mirror that works, streamed to a temporary name in the target folder,
checked (size and MD5 against the published values torchvision and Keras use), and only then renamed to its
real name: an interrupted or corrupt download never leaves a file that later looks valid. Already present,
verified files are kept. No Qt; the CLI and the app pass a progress callback and a cancel Event.
"""
from __future__ import annotations

import hashlib
import http.client
import os
import socket
import tempfile
import threading
import urllib.error
import urllib.request
from pathlib import Path
from typing import Callable

from ..errors import DownloadError
from .paths import mnist_dir

MIRRORS = ("https://ossci-datasets.s3.amazonaws.com/mnist/",
           "https://storage.googleapis.com/cvdf-datasets/mnist/")

# name -> (size in bytes, MD5) as published with the original MNIST files
MNIST_CHECKSUMS = {
    "train-images-idx3-ubyte.gz": (9912422, "f68b3c2dcbeaaa9fbdd348bbdeb94873"),
    "train-labels-idx1-ubyte.gz": (28881, "d53e105ee54ea40749a09fcbcd1e9432"),
    "t10k-images-idx3-ubyte.gz": (1648877, "9fb629c4189551a2d022fa330f9573f3"),
    "t10k-labels-idx1-ubyte.gz": (4542, "ec29112dd5afa0611ce80d1b7f02629c"),
}
CHUNK = 64 * 1024


class _MirrorFailed(Exception):
    """One mirror could not deliver one file; str() says why, and the next mirror is tried."""


class _LocalError(Exception):
    """Writing on this computer failed (disk full, permissions): no mirror can fix that."""


def _md5(path: Path) -> str:
    h = hashlib.md5()
    with open(path, "rb") as f:
        for block in iter(lambda: f.read(1 << 20), b""):
            h.update(block)
    return h.hexdigest()


def verified(path: Path, size: int, md5: str) -> bool:
    """True if the file exists with exactly the published size and MD5."""
    try:
        return path.stat().st_size == size and _md5(path) == md5
    except OSError:
        return False


def download_mnist(progress: Callable[[int, int], None] | None = None, cancel: threading.Event | None = None,
                   mirrors=None, cache_dir=None, files: dict | None = None,
                   notify: Callable[[str], None] | None = None, timeout: float = 30.0) -> Path:
    """Fetch the four MNIST files into `cache_dir` (default: the user's data folder/mnist) and return it.

    progress(done_bytes, total_bytes) is called as data arrives; setting `cancel` stops at the next chunk;
    notify(message) hears each mirror failure before the next mirror is tried. Raises DownloadError when a
    file fails on every mirror or the download is cancelled; nothing unverified is ever left under a real name.
    """
    files = dict(MNIST_CHECKSUMS if files is None else files)
    mirrors = [m if m.endswith("/") else m + "/" for m in (MIRRORS if mirrors is None else mirrors)]
    folder = Path(cache_dir) if cache_dir is not None else mnist_dir()
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise DownloadError(f"Cannot create the download folder {folder}: {exc.strerror or exc}.") from exc
    todo = [name for name, (size, md5) in files.items() if not verified(folder / name, size, md5)]
    total = sum(files[name][0] for name in todo)
    done = 0
    for name in todo:
        size, md5 = files[name]
        reasons = []
        for mirror in mirrors:
            try:
                _fetch(mirror + name, folder / name, size, md5, timeout, cancel,
                       lambda n, base=done: progress and progress(base + n, total))
                break
            except _MirrorFailed as exc:
                reasons.append(f"{mirror}: {exc}")
                if notify:
                    notify(f"{name} from {mirror} failed ({exc}); trying the next mirror."
                           if mirror != mirrors[-1] else f"{name} from {mirror} failed ({exc}).")
        else:
            raise DownloadError(f"Could not download {name} from any mirror ({'; '.join(reasons)}). "
                                "Check the internet connection; the bundled sample can still be used.")
        done += size
        if progress:
            progress(done, total)
    return folder


def _fetch(url: str, target: Path, size: int, md5: str, timeout: float, cancel, progress) -> None:
    """Stream url into a temp file beside target, verify, rename. Raises _MirrorFailed or DownloadError."""
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".part", dir=target.parent)
    try:
        h, got = hashlib.md5(), 0
        with os.fdopen(fd, "wb") as out:
            try:
                with urllib.request.urlopen(url, timeout=timeout) as resp:
                    announced = resp.headers.get("Content-Length")
                    if announced and announced.isdigit() and int(announced) != size:
                        raise _MirrorFailed(f"it offers {int(announced):,} bytes, not the published {size:,}: "
                                            "a different file")
                    while True:
                        if cancel is not None and cancel.is_set():
                            raise DownloadError("The download was cancelled; nothing incomplete was kept.")
                        block = resp.read(CHUNK)
                        if not block:
                            break
                        got += len(block)
                        if got > size:
                            raise _MirrorFailed(f"it sent more than the expected {size:,} bytes")
                        h.update(block)
                        try:
                            out.write(block)
                        except OSError as exc:
                            raise _LocalError(exc.strerror or str(exc)) from exc
                        progress(got)
            except urllib.error.HTTPError as exc:
                raise _MirrorFailed(f"HTTP {exc.code} {exc.reason}") from exc
            except urllib.error.URLError as exc:
                raise _MirrorFailed(f"cannot connect: {exc.reason}") from exc
            except (http.client.IncompleteRead, ConnectionError) as exc:
                raise _MirrorFailed(f"the connection dropped after {got:,} of {size:,} bytes") from exc
            except (socket.timeout, TimeoutError) as exc:
                raise _MirrorFailed(f"no data for {timeout:g} s") from exc
            except http.client.HTTPException as exc:
                raise _MirrorFailed(f"bad HTTP response ({exc.__class__.__name__})") from exc
            except OSError as exc:
                raise _MirrorFailed(f"network error: {exc.strerror or exc}") from exc
            out.flush()
            os.fsync(out.fileno())
        if got != size:
            raise _MirrorFailed(f"the connection dropped after {got:,} of {size:,} bytes")
        if h.hexdigest() != md5:
            raise _MirrorFailed("the file is corrupt (its MD5 checksum does not match the published one)")
        os.replace(tmp, target)
        tmp = None
    except _LocalError as exc:
        # local trouble (disk full, permissions) is not the mirror's fault: stop with the reason
        raise DownloadError(f"Could not write {target}: {exc}.") from exc
    except OSError as exc:
        raise DownloadError(f"Could not write {target}: {exc.strerror or exc}.") from exc
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass
