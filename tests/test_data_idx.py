"""IDX loader: real bundled files load; every kind of damage gives a DataError naming the file and the problem."""
import gzip
import struct
import tracemalloc

import numpy as np
import pytest

from engine.data import load_dataset
from engine.data.idx import find_idx_files, load_idx_pair, read_idx
from engine.errors import DataError


def idx_bytes(arr, code=0x08):
    arr = np.asarray(arr)
    dt = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}[code]
    head = bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape)
    return head + arr.astype(dt).tobytes()


def write(path, data, gz=False):
    path.write_bytes(gzip.compress(data) if gz else data)
    return path


def small_set(rng, n=30, side=28, classes=10):
    x = rng.integers(0, 256, size=(n, side, side), dtype=np.uint8)
    y = (np.arange(n) % classes).astype(np.uint8)
    return x, y


def write_set(folder, rng, n_train=30, n_test=20, gz=True, side=28, names=None):
    folder.mkdir(parents=True, exist_ok=True)
    names = names or ["train-images-idx3-ubyte", "train-labels-idx1-ubyte",
                      "t10k-images-idx3-ubyte", "t10k-labels-idx1-ubyte"]
    ext = ".gz" if gz else ""
    xtr, ytr = small_set(rng, n_train, side)
    xte, yte = small_set(rng, n_test, side)
    for name, a in zip(names, (xtr, ytr, xte, yte)):
        write(folder / (name + ext), idx_bytes(a), gz)
    return xtr, ytr, xte, yte


def test_bundled_sample_loads_with_the_documented_shapes():
    ds = load_dataset("sample")
    assert ds.x_train.shape == (5000, 784) and ds.x_test.shape == (10000, 784)
    assert ds.x_train.dtype == np.float32 and ds.y_train.dtype == np.int64
    assert 0.0 <= ds.x_train.min() and ds.x_train.max() == 1.0
    assert np.bincount(ds.y_train).tolist() == [500] * 10
    assert ds.n_classes == 10 and ds.image_shape == (28, 28) and ds.notice == ""


@pytest.mark.parametrize("gz", [True, False])
def test_roundtrip_raw_and_gzip_give_the_exact_pixels(tmp_path, gz):
    rng = np.random.default_rng(0)
    xtr, ytr, xte, yte = write_set(tmp_path / "set", rng, gz=gz)
    ds = load_dataset(tmp_path / "set")
    np.testing.assert_array_equal(ds.x_train, xtr.reshape(len(xtr), -1).astype(np.float32) / 255)
    np.testing.assert_array_equal(ds.y_test, yte.astype(np.int64))
    assert ds.notice == ""


def test_fashion_and_emnist_style_names_and_other_shapes(tmp_path):
    rng = np.random.default_rng(1)
    names = ["emnist-digits-train-images-idx3-ubyte", "emnist-digits-train-labels-idx1-ubyte",
             "emnist-digits-test-images-idx3-ubyte", "emnist-digits-test-labels-idx1-ubyte"]
    write_set(tmp_path / "em", rng, names=names, side=20)
    ds = load_dataset(str(tmp_path / "em"))
    assert ds.image_shape == (20, 20) and ds.x_train.shape == (30, 400)
    # pointing at one file of the set works too
    ds2 = load_dataset(tmp_path / "em" / (names[0] + ".gz"))
    np.testing.assert_array_equal(ds.x_test, ds2.x_test)


def test_a_folder_with_only_a_training_pair_holds_out_a_stratified_test_part(tmp_path):
    rng = np.random.default_rng(2)
    x, y = small_set(rng, n=60)
    write(tmp_path / "train-images-idx3-ubyte", idx_bytes(x))
    write(tmp_path / "train-labels-idx1-ubyte", idx_bytes(y))
    ds = load_dataset(tmp_path)
    assert len(ds.x_train) == 50 and len(ds.x_test) == 10
    assert sorted(ds.y_test.tolist()) == list(range(10))     # one of each class: stratified
    assert "held out" in ds.notice


def damaged(tmp_path, kind):
    """Write a set, then damage one file; return (folder, expected words in the message)."""
    rng = np.random.default_rng(3)
    folder = tmp_path / kind
    xtr, ytr, xte, yte = write_set(folder, rng, gz=False)
    img = folder / "train-images-idx3-ubyte"
    lab = folder / "train-labels-idx1-ubyte"
    if kind == "bad_magic":
        write(img, b"\x12\x34" + idx_bytes(xtr)[2:])
        return folder, [img.name, "magic"]
    if kind == "count_mismatch":
        write(lab, idx_bytes(ytr[:-1]))
        return folder, [lab.name, "29 labels", "30 images"]
    if kind == "truncated":
        write(img, idx_bytes(xtr)[:-100])
        return folder, [img.name, "holds"]
    if kind == "extra_bytes":
        write(img, idx_bytes(xtr) + b"\0" * 10)
        return folder, [img.name]
    if kind == "wrong_dtype_code":
        write(img, idx_bytes(xtr.astype(np.float32), code=0x0D))
        return folder, [img.name, "32-bit float"]
    if kind == "unknown_type_code":
        b = bytearray(idx_bytes(xtr)); b[2] = 0x42
        write(img, bytes(b))
        return folder, [img.name, "0x42"]
    if kind == "labels_out_of_range":
        y = ytr.copy(); y[5] = 200
        write(lab, idx_bytes(y))
        return folder, [lab.name, "200", "out of range"]
    if kind == "test_class_unseen":
        y = yte.copy(); y[0] = 12
        write(folder / "t10k-labels-idx1-ubyte", idx_bytes(y))
        return folder, ["class 12"]
    if kind == "empty_file":
        write(img, b"")
        return folder, [img.name, "empty"]
    if kind == "truncated_gzip":
        img.unlink()
        write(folder / "train-images-idx3-ubyte.gz", gzip.compress(idx_bytes(xtr))[:-500])
        return folder, ["train-images-idx3-ubyte.gz", "gzip"]
    if kind == "corrupt_gzip":
        img.unlink()
        data = bytearray(gzip.compress(idx_bytes(xtr)))
        data[40:60] = b"\xff" * 20
        write(folder / "train-images-idx3-ubyte.gz", bytes(data))
        return folder, ["train-images-idx3-ubyte.gz"]
    if kind == "labels_as_images":
        write(img, idx_bytes(ytr))
        return folder, [img.name, "not an images file"]
    if kind == "missing_labels":
        lab.unlink()
        return folder, ["no matching train labels"]
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["bad_magic", "count_mismatch", "truncated", "extra_bytes", "wrong_dtype_code",
                                  "unknown_type_code", "labels_out_of_range", "test_class_unseen", "empty_file",
                                  "truncated_gzip", "corrupt_gzip", "labels_as_images", "missing_labels"])
def test_damaged_files_raise_data_error_naming_file_and_problem(tmp_path, kind):
    folder, words = damaged(tmp_path, kind)
    with pytest.raises(DataError) as info:
        load_dataset(folder)
    msg = str(info.value)
    for w in words:
        assert w in msg, (w, msg)
    assert "\n" not in msg


@pytest.mark.parametrize("gz", [True, False])
def test_a_header_claiming_a_billion_images_allocates_nothing_big(tmp_path, gz):
    # 10^9 images of 28x28 would be 784 GB; the file is 1 kB
    data = bytes([0, 0, 8, 3]) + struct.pack(">3I", 10**9, 28, 28) + b"\x07" * 1000
    path = write(tmp_path / ("train-images-idx3-ubyte" + (".gz" if gz else "")), data, gz)
    tracemalloc.start()
    try:
        with pytest.raises(DataError, match="train-images-idx3-ubyte"):
            read_idx(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 20 << 20


def test_plausible_but_too_large_header_in_gzip_is_reported_as_truncated(tmp_path):
    data = bytes([0, 0, 8, 3]) + struct.pack(">3I", 1000, 28, 28) + b"\x07" * 1000
    path = write(tmp_path / "x-images-idx3-ubyte.gz", data, gz=True)
    with pytest.raises(DataError, match="truncated"):
        read_idx(path)


def test_every_idx_type_code_reads_back(tmp_path):
    a = np.arange(-3, 9).reshape(3, 4)
    for code in (0x09, 0x0B, 0x0C, 0x0D, 0x0E):
        path = write(tmp_path / f"a{code}", idx_bytes(a, code))
        np.testing.assert_array_equal(read_idx(path), a)


def test_two_different_sets_in_one_folder_is_ambiguous(tmp_path):
    rng = np.random.default_rng(4)
    write_set(tmp_path, rng, names=["a-train-images-idx3-ubyte", "a-train-labels-idx1-ubyte",
                                    "a-test-images-idx3-ubyte", "a-test-labels-idx1-ubyte"])
    write_set(tmp_path, rng, names=["b-train-images-idx3-ubyte", "b-train-labels-idx1-ubyte",
                                    "b-test-images-idx3-ubyte", "b-test-labels-idx1-ubyte"])
    with pytest.raises(DataError, match="several"):
        find_idx_files(tmp_path)


def test_unknown_name_and_empty_folder(tmp_path):
    with pytest.raises(DataError, match="No data set called 'nope'"):
        load_dataset("nope")
    with pytest.raises(DataError, match="no IDX data set"):
        load_dataset(tmp_path)


def test_load_idx_pair_rejects_mismatched_counts_before_scaling(tmp_path):
    rng = np.random.default_rng(5)
    x, y = small_set(rng, 10)
    a = write(tmp_path / "i", idx_bytes(x))
    b = write(tmp_path / "l", idx_bytes(y[:9]))
    with pytest.raises(DataError, match="9 labels but i has 10 images"):
        load_idx_pair(a, b)


def test_tiny_gzip_stub_is_damaged_not_a_crash(tmp_path):
    path = write(tmp_path / "x-images-idx3-ubyte.gz", b"\x1f\x8b\x08")
    with pytest.raises(DataError, match="gzip"):
        read_idx(path)
