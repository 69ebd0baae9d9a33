"""Decompression bombs and sets too big for the machine: a small gzip IDX set or .npz whose header claims a million
images is refused from its header and compressed size; a set is budgeted (32-bit floats plus copies) against the
memory there is; any 2 MB input is answered within 5 s of CPU and 1.5 GB of address space, either loaded or
refused with one sentence."""
from __future__ import annotations

import gzip
import json
import struct
import subprocess
import sys
import textwrap
import zipfile
import zlib
from pathlib import Path

import numpy as np
import pytest

from engine.data import load_dataset
from engine.data import idx, memory, npz
from engine.errors import DataError

BOMB_IMAGES = 1_300_000            # 1.02 GB of pixels, under the 1 GiB cap on raw bytes; 4 GB as float32
LIMIT = 1500 << 20                 # the address space a load may add to the interpreter's own
CPU_SECONDS = 5.0


def gzip_of_zeros(path: Path, header: bytes, n_zeros: int) -> None:
    """header + n_zeros zero bytes, gzip-compressed, written without compressing a gigabyte: after a full flush
    deflate forgets its history, so every 1 MiB block of zeros compresses to the same bytes, computed once."""
    block_size = 1 << 20
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    head = c.compress(header) + c.flush(zlib.Z_FULL_FLUSH)
    block = c.compress(bytes(block_size)) + c.flush(zlib.Z_FULL_FLUSH)
    full, rest = divmod(n_zeros, block_size)
    crc = zlib.crc32(header)
    zero_block_crc_input = bytes(block_size)
    for _ in range(full):
        crc = zlib.crc32(zero_block_crc_input, crc)
    crc = zlib.crc32(bytes(rest), crc)
    tail = c.compress(bytes(rest)) + c.flush()
    size = (len(header) + n_zeros) % (1 << 32)
    with open(path, "wb") as f:
        f.write(b"\x1f\x8b\x08\x00\x00\x00\x00\x00\x02\xff" + head)
        for _ in range(full):
            f.write(block)
        f.write(tail + struct.pack("<II", crc, size))


def images_header(n: int, side: int = 28) -> bytes:
    return struct.pack(">BBBB3I", 0, 0, 8, 3, n, side, side)


def labels_file(path: Path, y: np.ndarray) -> None:
    path.write_bytes(gzip.compress(struct.pack(">BBBBI", 0, 0, 8, 1, len(y)) + y.astype(np.uint8).tobytes()))


@pytest.fixture(scope="module")
def bomb(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("bomb")
    gzip_of_zeros(folder / "train-images-idx3-ubyte.gz", images_header(BOMB_IMAGES), BOMB_IMAGES * 784)
    labels_file(folder / "train-labels-idx1-ubyte.gz", np.zeros(BOMB_IMAGES, np.uint8))
    return folder


@pytest.fixture(scope="module")
def near_limit(tmp_path_factory) -> tuple[Path, float]:
    """A real 2 MB set that compresses about 90 to 1 (sparse random pixels), under the refused ratio: it loads."""
    folder = tmp_path_factory.mktemp("sparse")
    n = 240_000
    rng = np.random.default_rng(0)
    x = np.zeros(n * 784, np.uint8)
    k = int(0.0014 * x.size)
    x[rng.integers(0, x.size, k)] = rng.integers(1, 256, k, dtype=np.uint8)
    with gzip.open(folder / "train-images-idx3-ubyte.gz", "wb", compresslevel=1) as f:
        f.write(images_header(n))
        f.write(x.tobytes())
    labels_file(folder / "train-labels-idx1-ubyte.gz", np.arange(n) % 10)
    return folder, float(x.sum(dtype=np.float64)) / 255


# Importing numpy and the engine maps about 150 MB of address space (VmSize) on Linux with OpenBLAS; the child
# measures its own after the imports and allows LIMIT on top of it. CPU time, not wall time: the machine is shared
# and a loaded scheduler stretches wall time, while the work done (decoding, converting) stays the same.
PROBE = textwrap.dedent("""
    import json, resource, sys, time
    import numpy
    from engine.data import load_dataset
    from engine.errors import DataError
    baseline = int(next(l for l in open("/proc/self/status") if l.startswith("VmSize:")).split()[1]) * 1024
    limit = baseline + int(sys.argv[2])
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
    cpu, wall = time.process_time(), time.perf_counter()
    try:
        ds = load_dataset(sys.argv[1])
        said = {"loaded": [len(ds.x_train), len(ds.x_test)],
                "sum": float(ds.x_train.sum(dtype=numpy.float64) + ds.x_test.sum(dtype=numpy.float64))}
    except DataError as e:
        said = {"refused": str(e)}
    said.update(cpu=time.process_time() - cpu, wall=time.perf_counter() - wall, baseline=baseline)
    print(json.dumps(said))
""")


def load_under_limit(folder: Path) -> dict:
    out = subprocess.run([sys.executable, "-c", PROBE, str(folder), str(LIMIT)], capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc/self/status are Linux's")
def test_a_2_mb_gzip_claiming_1_3_million_images_is_refused_from_its_header(bomb):
    assert (bomb / "train-images-idx3-ubyte.gz").stat().st_size < 2 << 20
    said = load_under_limit(bomb)
    assert said["baseline"] < 1 << 30
    assert "refused" in said, said
    assert said["refused"].startswith("train-images-idx3-ubyte.gz claims 1,019,200,016 bytes of data packed into ")
    assert "real image sets compress 3 to 10 to 1" in said["refused"] and said["refused"].count(". ") == 0
    assert said["cpu"] < CPU_SECONDS, said


def npz_of_zeros(path: Path, n: int) -> None:
    """x_train of n zero images (uint8, deflated at level 1, fast to write) and a few labelled test images."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, shape in (("x_train", (n, 28, 28)), ("y_train", (n,)), ("x_test", (10, 28, 28)), ("y_test", (10,))):
            with zf.open(name + ".npy", "w", force_zip64=True) as f:
                np.lib.format.write_array_header_1_0(f, {"descr": "|u1", "fortran_order": False, "shape": shape})
                left = int(np.prod(shape))
                while left:
                    f.write(bytes(min(left, 1 << 20)))
                    left -= min(left, 1 << 20)


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc/self/status are Linux's")
def test_a_2_mb_npz_claiming_half_a_million_images_is_refused_from_its_directory(tmp_path):
    path = tmp_path / "digits.npz"
    npz_of_zeros(path, 500_000)                   # 392 MB of pixels, 1.6 GB as float32
    assert path.stat().st_size < 2 << 20
    said = load_under_limit(path)
    assert "refused" in said, said
    assert said["refused"].startswith("digits.npz (x_train.npy) claims 392,000,128 bytes of data packed into ")
    assert said["cpu"] < CPU_SECONDS, said


def test_an_npz_set_that_does_not_fit_is_refused_before_its_arrays_are_read(tmp_path, monkeypatch):
    rng = np.random.default_rng(4)
    path = tmp_path / "set.npz"
    np.savez(path, x_train=rng.random((300, 64)), y_train=np.arange(300) % 3, x_test=rng.random((30, 64)),
             y_test=np.arange(30) % 3)
    monkeypatch.setattr(memory, "available_memory", lambda: int(330 * 64 * 4 * memory.COPIES) - 1)
    monkeypatch.setattr(npz, "read_npz_or", lambda *a: pytest.fail("read before the budget was checked"))
    with pytest.raises(DataError, match=r"^set.npz needs about 124 KB of memory .* but only 124 KB is available"):
        load_dataset(path)
    monkeypatch.undo()
    assert load_dataset(path).x_train.shape == (300, 64)             # with the memory there is, it loads


@pytest.mark.skipif(sys.platform != "linux", reason="RLIMIT_AS and /proc/self/status are Linux's")
def test_a_2_mb_set_just_under_the_ratio_loads_within_the_limits(near_limit):
    folder, pixel_sum = near_limit
    assert (folder / "train-images-idx3-ubyte.gz").stat().st_size < 2 << 20
    said = load_under_limit(folder)
    assert said.get("loaded") == [200_000, 40_000], said        # a sixth held out as the test part
    assert said["sum"] == pytest.approx(pixel_sum, rel=1e-6)    # every pixel arrived (float32 rounding aside)
    assert said["cpu"] < CPU_SECONDS, said


def test_the_ratio_rule_spares_small_members_and_real_compression(tmp_path):
    # 20 blank images compress about 500 to 1 but are harmless: under the floor, read as before
    blank = tmp_path / "blank-images-idx3-ubyte.gz"
    blank.write_bytes(gzip.compress(images_header(20) + bytes(20 * 784)))
    assert idx.read_idx(blank).shape == (20, 28, 28)
    # above the floor, 101 to 1 is refused, whatever the trailer says
    n = (memory.RATIO_FLOOR // 784) + 1000
    big = tmp_path / "big-images-idx3-ubyte.gz"
    gzip_of_zeros(big, images_header(n), n * 784)
    assert (n * 784) / big.stat().st_size > memory.MAX_RATIO
    with pytest.raises(DataError, match=r"to 1 where real image sets compress 3 to 10 to 1"):
        idx.idx_header(big)


def test_a_set_that_does_not_fit_is_refused_before_any_pixel_is_decoded(tmp_path, monkeypatch):
    rng = np.random.default_rng(3)
    for stem, n in (("train", 300), ("t10k", 100)):
        pixels = rng.integers(0, 256, n * 784, dtype=np.uint8).tobytes()
        (tmp_path / f"{stem}-images-idx3-ubyte.gz").write_bytes(gzip.compress(images_header(n) + pixels))
        labels_file(tmp_path / f"{stem}-labels-idx1-ubyte.gz", np.arange(n) % 10)
    need = 400 * 784 * 4 * memory.COPIES
    monkeypatch.setattr(idx, "read_images", lambda *a: pytest.fail("decoded before the budget was checked"))
    monkeypatch.setattr(memory, "available_memory", lambda: int(need) - 1)
    with pytest.raises(DataError) as info:
        load_dataset(tmp_path)
    msg = str(info.value)
    assert msg.startswith(f"{tmp_path.name} needs about 2 MB of memory to load and train on (1 MB of pixels as "
                          "32-bit floats), but only 2 MB is available") and "\n" not in msg


def test_the_budget_is_the_float32_set_plus_copies_emnist_byclass_fits_where_memory_allows(monkeypatch):
    emnist = 697_932 * 784 * 4                       # EMNIST byclass training images as float32: 2.19 GB
    monkeypatch.setattr(memory, "available_memory", lambda: 8 << 30)
    memory.check_fits(emnist, "EMNIST byclass")                 # a laptop with 8 GB free loads it
    monkeypatch.setattr(memory, "available_memory", lambda: 3 << 30)
    with pytest.raises(DataError, match=r"EMNIST byclass needs about 3.1 GB of memory .*only 3.0 GB is available"):
        memory.check_fits(emnist, "EMNIST byclass")
    monkeypatch.setattr(memory, "available_memory", lambda: None)   # a system that does not say: no budget
    memory.check_fits(emnist, "EMNIST byclass")


@pytest.mark.skipif(sys.platform != "linux", reason="/proc/meminfo and RLIMIT_AS are Linux's")
def test_available_memory_reads_the_machine_and_the_address_space_limit():
    meminfo = int(next(l for l in open("/proc/meminfo") if l.startswith("MemAvailable:")).split()[1]) * 1024
    assert 0 < memory.available_memory() <= meminfo * 1.5           # MemAvailable moves between two reads
    code = ("import resource; from engine.data.memory import available_memory;"
            "resource.setrlimit(resource.RLIMIT_AS, (1 << 30, 1 << 30)); print(available_memory())")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert 0 < int(out.stdout) < 1 << 30                            # the limit less what is already mapped
