"""download_mnist against a local HTTP server (no internet): good, corrupt, dropping and 404 mirrors."""
import hashlib
import http.server
import re
import shutil
import threading

import numpy as np
import pytest

from engine.data import download_mnist, load_dataset, mnist_available, sample_dir
from engine.data.download import MIRRORS, MNIST_CHECKSUMS
from engine.data.paths import MNIST_FILES
from engine.errors import DownloadError


class Handler(http.server.BaseHTTPRequestHandler):
    """/good/NAME serves CONTENT[NAME]; /corrupt/ flips bytes; /drop/ closes halfway; /missing/ is a 404;
    /slow/ trickles (for cancel)."""
    content: dict = {}
    hits: list = []

    def log_message(self, *args):
        pass

    def do_GET(self):
        kind, name = self.path.strip("/").split("/", 1)
        kind = kind.rstrip("0123456789")          # "corrupt2" is a second corrupt mirror
        self.hits.append((kind, name))
        data = self.content.get(name)
        if kind == "missing" or data is None:
            self.send_error(404, "Not Found")
            return
        if kind == "corrupt":
            data = bytes([data[0] ^ 0xFF]) + data[1:]
        self.send_response(200)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        if kind == "drop":
            self.wfile.write(data[: len(data) // 2])
            self.wfile.flush()
            self.close_connection = True
            return
        if kind == "slow":
            for i in range(0, len(data), 4096):
                self.wfile.write(data[i:i + 4096])
                self.wfile.flush()
                threading.Event().wait(0.01)
            return
        self.wfile.write(data)


@pytest.fixture
def server():
    rng = np.random.default_rng(0)
    Handler.content = {name: rng.integers(0, 256, n, dtype=np.uint8).tobytes()
                       for name, n in zip(MNIST_FILES, (300_000, 3_000, 100_000, 1_000))}
    Handler.hits = []
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}/"
    files = {n: (len(d), hashlib.md5(d).hexdigest()) for n, d in Handler.content.items()}
    yield base, files
    httpd.shutdown()
    httpd.server_close()


def leftovers(folder):
    return sorted(p.name for p in folder.iterdir() if p.name.startswith(".") or p.suffix == ".part")


def test_published_checksum_table_is_complete():
    assert tuple(MNIST_CHECKSUMS) == MNIST_FILES
    for size, md5 in MNIST_CHECKSUMS.values():
        assert size > 1000 and re.fullmatch(r"[0-9a-f]{32}", md5)
    assert all(m.startswith("https://") for m in MIRRORS)
    # the bundled t10k files are the original test set: same compressed sizes as the published ones
    for name in MNIST_FILES[2:]:
        assert (sample_dir() / name).stat().st_size == MNIST_CHECKSUMS[name][0]


def test_failing_mirrors_are_explained_and_the_good_one_wins(server, tmp_path):
    base, files = server
    notes, ticks = [], []
    out = download_mnist(progress=lambda d, t: ticks.append((d, t)), cache_dir=tmp_path / "mnist", files=files,
                         mirrors=[base + "missing", base + "corrupt", base + "drop", base + "good"],
                         notify=notes.append)
    assert out == tmp_path / "mnist"
    for name, data in Handler.content.items():
        assert (out / name).read_bytes() == data
    assert leftovers(out) == []
    text = " ".join(notes)
    assert "404" in text and "corrupt" in text and "dropped after" in text
    total = sum(s for s, _ in files.values())
    assert ticks[-1] == (total, total) and all(t == total for _, t in ticks)
    assert max(d for d, _ in ticks) == total


@pytest.mark.parametrize("bad", ["missing", "corrupt", "drop"])
def test_every_mirror_failing_raises_and_leaves_nothing(server, tmp_path, bad):
    base, files = server
    with pytest.raises(DownloadError) as info:
        download_mnist(cache_dir=tmp_path, files=files, mirrors=[base + bad, base + bad + "2"])
    msg = str(info.value)
    assert "train-images-idx3-ubyte.gz" in msg and "any mirror" in msg
    assert list(tmp_path.iterdir()) == []


def test_cancel_stops_and_keeps_only_verified_files(server, tmp_path):
    base, files = server
    cancel = threading.Event()

    def progress(done, total):
        if done > 100_000:
            cancel.set()
    with pytest.raises(DownloadError, match="cancelled"):
        download_mnist(progress=progress, cancel=cancel, cache_dir=tmp_path, files=files, mirrors=[base + "slow"])
    assert list(tmp_path.iterdir()) == []


def test_verified_files_are_not_fetched_again_and_a_damaged_one_is(server, tmp_path):
    base, files = server
    download_mnist(cache_dir=tmp_path, files=files, mirrors=[base + "good"])
    Handler.hits.clear()
    (tmp_path / MNIST_FILES[1]).write_bytes(b"damaged")
    download_mnist(cache_dir=tmp_path, files=files, mirrors=[base + "good"])
    assert Handler.hits == [("good", MNIST_FILES[1])]
    assert (tmp_path / MNIST_FILES[1]).read_bytes() == Handler.content[MNIST_FILES[1]]


def test_unreachable_mirror_is_a_clear_download_error(tmp_path):
    with pytest.raises(DownloadError, match="cannot connect"):
        download_mnist(cache_dir=tmp_path, mirrors=["http://127.0.0.1:9/"], timeout=2)


def test_downloaded_mnist_is_what_load_dataset_uses(server, tmp_path, monkeypatch):
    base, _ = server
    # serve real IDX files (the bundled ones) under the standard names, with their own checksums
    Handler.content = {n: (sample_dir() / n).read_bytes() for n in MNIST_FILES}
    files = {n: (len(d), hashlib.md5(d).hexdigest()) for n, d in Handler.content.items()}
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(tmp_path))
    assert not mnist_available()
    download_mnist(files=files, mirrors=[base + "good"])
    assert mnist_available()
    ds = load_dataset("mnist")
    assert ds.notice == "" and ds.name == "MNIST" and str(tmp_path) in ds.source
    assert len(ds.x_train) == 5000 and len(ds.x_test) == 10000


def test_a_mirror_offering_a_file_of_the_wrong_size_is_skipped_before_downloading(server, tmp_path):
    base, files = server
    name = MNIST_FILES[0]
    wrong = {name: (files[name][0] + 1, files[name][1])}
    notes = []
    with pytest.raises(DownloadError, match="a different file"):
        download_mnist(cache_dir=tmp_path, files=wrong, mirrors=[base + "good"], notify=notes.append)
    assert list(tmp_path.iterdir()) == [] and "not the published" in notes[0]
