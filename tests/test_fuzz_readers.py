"""Fuzzed input for every engine reader: IDX (raw and gzip), .npz data, CSV, model .npz, load_dataset.

The promise: a reader either returns well-formed data or raises one of the engine's own errors (EngineError) with
a sentence; never another exception, and never an allocation sized by what a damaged header claims.
"""
from __future__ import annotations

import gzip
import io
import math
import struct
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from engine.data.csv_table import load_csv
from engine.data.dataset import load_dataset
from engine.data.idx import IDX_TYPES, load_idx_pair, read_idx
from engine.data.npz import load_npz
from engine.errors import EngineError
from engine.network import Network
from helpers_fuzz import Peak, file_names, fuzz_settings, mutated, scratch_file

SMALL_PEAK = 64 << 20     # bytes: a hostile 1 kB file may cost a few MB of parsing, never gigabytes


# ---- valid files to start from ---------------------------------------------------------------------------
def idx_bytes(arr: np.ndarray, code: int = 0x08) -> bytes:
    dt = IDX_TYPES[code][0]
    return bytes([0, 0, code, arr.ndim]) + struct.pack(f">{arr.ndim}I", *arr.shape) + arr.astype(dt).tobytes()


RNG = np.random.default_rng(0)
IMAGES = RNG.integers(0, 256, (12, 4, 4), dtype=np.uint8)
LABELS = (np.arange(12) % 3).astype(np.uint8)
IDX_IMAGES, IDX_LABELS = idx_bytes(IMAGES), idx_bytes(LABELS)
IDX_IMAGES_GZ = gzip.compress(IDX_IMAGES, mtime=0)


def npz_bytes(**arrays) -> bytes:
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


DATA_NPZ = npz_bytes(x_train=IMAGES, y_train=LABELS, x_test=IMAGES[:6], y_test=LABELS[:6])
CSV_TEXT = ("label," + ",".join(f"p{i}" for i in range(16)) + "\n" +
            "".join(f"{l}," + ",".join(map(str, img.ravel())) + "\n" for l, img in zip(LABELS, IMAGES))).encode()
SPEC = {"input_size": 16, "layers": [{"units": 5, "activation": "tanh"}, {"units": 3, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 1}


def _model_bytes() -> bytes:
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as d:
        net = Network.from_spec(SPEC)
        net.history = [{"epoch": 1, "train_loss": 0.5}]
        net.save(Path(d) / "m.npz")
        return (Path(d) / "m.npz").read_bytes()


MODEL_NPZ = _model_bytes()
NET = Network.from_spec(SPEC)


# ---- what a successful read must look like ----------------------------------------------------------------
def check_xy(x, y):
    assert x.dtype == np.float32 and x.ndim == 2 and np.isfinite(x).all() and x.min() >= 0 and x.max() <= 1
    assert y.dtype == np.int64 and y.shape == (len(x),) and (y >= 0).all() and (y < 100).all()


def check_dataset(ds):
    check_xy(ds.x_train, ds.y_train)
    check_xy(ds.x_test, ds.y_test)
    assert ds.y_test.max() < ds.n_classes and ds.x_test.shape[1] == ds.x_train.shape[1]


def check_network(net):
    assert all(np.isfinite(l.W).all() and np.isfinite(l.b).all() for l in net.layers)
    x = np.zeros((2, net.input_size), net.dtype)
    assert net.forward(x).shape == (2, net.n_outputs)


def check_two_splits(out):
    check_xy(out[0], out[1])
    check_xy(out[2], out[3])


def only_engine_errors(read, check, path):
    """read(path) succeeds and passes check, or raises an EngineError whose message is a non-empty sentence.

    check asserts, or returns True/None for a good result; anything else (False, a tuple) fails the test.
    """
    try:
        out = read(path)
    except EngineError as e:
        assert str(e).strip(), f"{type(e).__name__} without a message"
        return "refused"
    verdict = check(out)
    assert verdict is None or verdict is True, f"the reader accepted the file but returned {str(out)[:200]}"
    return "accepted"


# ---- IDX --------------------------------------------------------------------------------------------------
@st.composite
def idx_headers(draw):
    """Plausible and implausible IDX files: any type code, 0-5 dims, small or huge sizes, a body of any length."""
    code = draw(st.sampled_from([*IDX_TYPES, 0x00, 0x07, 0x0A, 0xFF]))
    ndim = draw(st.integers(0, 5))
    dims = draw(st.lists(st.one_of(st.integers(0, 5), st.integers(0, 2**32 - 1)), min_size=ndim, max_size=ndim))
    magic = draw(st.sampled_from([b"\0\0", b"\0\0", b"\0\1", b"\x1f\x8b"]))
    head = magic + bytes([code, ndim]) + struct.pack(f">{ndim}I", *dims)
    itemsize = np.dtype(IDX_TYPES[code][0]).itemsize if code in IDX_TYPES else 1
    exact = math.prod(dims) * itemsize
    n = draw(st.one_of(st.just(exact), st.integers(0, 64))) if exact <= 4096 else draw(st.integers(0, 64))
    body = draw(st.binary(min_size=min(n, 64), max_size=min(n, 64)))
    body = (body * (n // max(len(body), 1) + 1))[:n] if body else bytes(n)
    return head + body


@fuzz_settings(500)
@given(content=idx_headers(), gz=st.booleans())
def test_idx_headers_with_wrong_or_huge_sizes(content, gz):
    with scratch_file("train-images-idx3-ubyte" + (".gz" if gz else ""),
                      gzip.compress(content, mtime=0) if gz else content) as p:
        only_engine_errors(read_idx, lambda a: a.nbytes <= len(content), p)


@fuzz_settings(400)
@given(content=st.one_of(mutated(IDX_IMAGES), mutated(IDX_IMAGES_GZ), st.binary(max_size=300)))
def test_idx_random_and_mutated_bytes(content):
    with scratch_file("t10k-images-idx3-ubyte.gz", content) as p:
        only_engine_errors(read_idx, lambda a: isinstance(a, np.ndarray), p)


@fuzz_settings(200)
@given(labels=st.lists(st.integers(0, 255), min_size=0, max_size=12), code=st.sampled_from([0x08, 0x0C, 0x0D]),
       pixels=st.sampled_from(["uint8", "float-nan", "float-inf", "float"]))
def test_idx_pairs_with_bad_labels_and_pixels(labels, code, pixels):
    """Labels beyond the class limit, counts that disagree, non-byte or NaN pixel files: refused, with reasons."""
    img = IMAGES[:len(labels)] if pixels == "uint8" else IMAGES[:len(labels)].astype(np.float32)
    if pixels == "float-nan" and img.size:
        img.flat[0] = np.nan
    if pixels == "float-inf" and img.size:
        img.flat[-1] = np.inf
    images = idx_bytes(img, 0x08 if pixels == "uint8" else 0x0D)
    lab = idx_bytes(np.array(labels, dtype=np.int64), code)
    import tempfile
    from pathlib import Path
    with tempfile.TemporaryDirectory() as d:
        (Path(d) / "train-images-idx3-ubyte").write_bytes(images)
        (Path(d) / "train-labels-idx1-ubyte").write_bytes(lab)

        def read(folder):
            return load_idx_pair(folder / "train-images-idx3-ubyte", folder / "train-labels-idx1-ubyte")

        verdict = only_engine_errors(read, lambda out: check_xy(out[0], out[1]), Path(d))
    ok = pixels == "uint8" and code == 0x08 and 0 < len(labels) and max(labels) < 100
    assert (verdict == "accepted") == ok


# ---- .npz data --------------------------------------------------------------------------------------------
finite_or_not = st.sampled_from([0.0, 0.5, 1.0, 255.0, 256.0, -1.0, np.nan, np.inf, -np.inf, 1e30])


@st.composite
def data_npz(draw):
    """Keras-layout archives with wrong keys, dtypes, shapes, NaN/inf pixels, labels out of range."""
    n, m = draw(st.integers(0, 6)), draw(st.integers(0, 4))
    dtype = draw(st.sampled_from(["uint8", "float32", "float64", "int64", "bool", "complex64", "<U3"]))
    arrays = {}
    for split, k in (("train", n), ("test", m)):
        shape = draw(st.sampled_from([(k, 4, 4), (k, 16), (k,), (k, 2, 2, 2, 2)]))
        x = np.full(shape, draw(finite_or_not)) if dtype.startswith(("float", "complex")) else np.ones(shape)
        arrays[f"x_{split}"] = x.astype(dtype)
        y = draw(st.lists(st.sampled_from([0, 1, 2, 9, 10, 99, 100, 255, -1]), min_size=k, max_size=k))
        ydt = draw(st.sampled_from(["int64", "uint8", "float64", "float32"]))
        arrays[f"y_{split}"] = np.array(y, dtype=np.int64).astype(ydt)     # uint8 wraps -1 to 255
        if draw(st.booleans()) and split == "train" and n:
            arrays["y_train"] = arrays["y_train"].astype(np.float64) + draw(st.sampled_from([0.0, 0.5, np.nan]))
    for key in draw(st.lists(st.sampled_from(list(arrays)), max_size=1)):
        del arrays[key]
    return npz_bytes(**arrays)


@fuzz_settings(400)
@given(content=data_npz(), name=file_names)
def test_npz_data_sets_with_hostile_values(content, name):
    with scratch_file(name + ".npz", content) as p:
        only_engine_errors(load_dataset, check_dataset, p)


@fuzz_settings(500)
@given(content=st.one_of(mutated(DATA_NPZ), st.binary(max_size=400)))
def test_npz_random_and_mutated_bytes(content):
    with scratch_file("digits.npz", content) as p:
        only_engine_errors(load_npz, check_two_splits, p)


# ---- CSV --------------------------------------------------------------------------------------------------
csv_cells = st.sampled_from(["0", "1", "9", "10", "99", "100", "-1", "255", "256", "0.5", "nan", "inf", "-inf",
                             "1e400", "", " ", "x", "label", "\"3\"", "١", "0x10", "1_0", "3.0e0"])


@st.composite
def csv_texts(draw):
    rows = draw(st.lists(st.lists(csv_cells, min_size=1, max_size=6), min_size=0, max_size=6))
    sep = draw(st.sampled_from([",", ",", ";", "\t"]))
    end = draw(st.sampled_from(["\n", "\r\n"]))
    return end.join(sep.join(r) for r in rows).encode(draw(st.sampled_from(["utf-8", "utf-16"])))


@fuzz_settings(700)
@given(content=st.one_of(csv_texts(), mutated(CSV_TEXT), st.binary(max_size=200)), name=file_names)
def test_csv_hostile_text(content, name):
    with scratch_file(name + ".csv", content) as p:
        only_engine_errors(load_csv, lambda out: check_xy(*out), p)
        only_engine_errors(load_dataset, check_dataset, p)


# ---- model .npz -------------------------------------------------------------------------------------------
def member_npz(**members) -> bytes:
    """An .npz with members given as arrays or raw .npy bytes (so headers can lie)."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for k, v in members.items():
            if isinstance(v, np.ndarray):
                b = io.BytesIO()
                np.save(b, v, allow_pickle=False)
                v = b.getvalue()
            zf.writestr(k + ".npy", v)
    return buf.getvalue()


def lying_npy(shape, descr="<f4", body=b"\0" * 32) -> bytes:
    b = io.BytesIO()
    np.lib.format.write_array_header_1_0(b, {"descr": descr, "fortran_order": False, "shape": shape})
    return b.getvalue() + body


json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) | st.floats() |
                           st.text(max_size=8),
                           lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner,
                                                                                       max_size=4), max_leaves=12)


@st.composite
def forged_models(draw):
    import json
    spec = draw(st.one_of(st.just(SPEC), json_values,
                          st.fixed_dictionaries({"input_size": st.sampled_from([16, 0, -3, 10**9, 2.5, "16"]),
                                                 "layers": st.lists(st.fixed_dictionaries(
                                                     {"units": st.sampled_from([3, 5, 0, 100_000, 10**12]),
                                                      "activation": st.sampled_from(["tanh", "softmax", "nope"])}),
                                                     max_size=3),
                                                 "loss": st.sampled_from(["cross_entropy", "mse", "x"])})))
    members = {"magic": np.array(draw(st.sampled_from(["mlp-studio-model", "other"]))),
               "format_version": np.array(draw(st.sampled_from([1, 0, 2, -1, 10**18]))),
               "spec": np.array(draw(st.sampled_from([json.dumps(spec), "{", "[" * 5000 + "]" * 5000]))),
               "dtype": np.array(draw(st.sampled_from(["float32", "float64", "int8", "object", "zz"]))),
               "history": np.array(json.dumps(draw(json_values)))}
    for i, l in enumerate(NET.layers):
        for key, arr in ((f"W{i}", l.W), (f"b{i}", l.b)):
            choice = draw(st.sampled_from(["ok", "ok", "nan", "shape", "int", "huge", "missing"]))
            if choice == "ok":
                members[key] = arr
            elif choice == "nan":
                members[key] = np.where(arr == arr.flat[0], np.nan, arr)
            elif choice == "shape":
                members[key] = arr.reshape(-1)[:-1]
            elif choice == "int":
                members[key] = arr.astype(np.int32)
            elif choice == "huge":
                members[key] = lying_npy((200_000, 100_000))
    for key in draw(st.lists(st.sampled_from(list(members)), max_size=2)):
        members.pop(key, None)
    return member_npz(**members)


@fuzz_settings(300)
@given(content=forged_models(), name=file_names)
def test_model_files_with_forged_contents(content, name):
    with scratch_file(name + ".npz", content) as p:
        only_engine_errors(Network.load, check_network, p)


@fuzz_settings(500)
@given(content=st.one_of(mutated(MODEL_NPZ), st.binary(max_size=300)))
def test_model_random_and_mutated_bytes(content):
    with scratch_file("model.npz", content) as p:
        only_engine_errors(Network.load, check_network, p)


# ---- huge declared counts never turn into huge allocations -------------------------------------------------
HUGE = [("idx raw", "train-images-idx3-ubyte", bytes([0, 0, 8, 3]) + struct.pack(">3I", 60_000_000, 28, 28) + b"\0" * 64),
        ("idx huge", "train-images-idx3-ubyte", bytes([0, 0, 0x0E, 3]) + struct.pack(">3I", 2**32 - 1, 2**32 - 1, 9) + b"\0" * 64),
        ("idx gz", "train-images-idx3-ubyte.gz",
         gzip.compress(bytes([0, 0, 0x0D, 2]) + struct.pack(">2I", 1_000_000_000, 1) + b"\0" * 64)),
        ("npz data", "d.npz", member_npz(x_train=lying_npy((60_000, 784, 1000)), y_train=lying_npy((60_000,)),
                                         x_test=lying_npy((10, 4)), y_test=lying_npy((10,)))),
        ("npz 3 GB", "d.npz", member_npz(x_train=lying_npy((3 << 30,), "|u1"), y_train=lying_npy((3,)),
                                         x_test=lying_npy((10, 4)), y_test=lying_npy((10,)))),
        ("model", "m.npz", member_npz(format_version=np.array(1), spec=np.array("{}"),
                                      W0=lying_npy((100_000, 100_000, 100)))),
        ("model 900 MB", "m.npz", member_npz(W0=lying_npy((900 << 20,), "|u1"), format_version=np.array(1),
                                             spec=np.array("{}"))),
        ("csv", "d.csv", b"1," + b"0," * 10 + b"0\n")]


@pytest.mark.parametrize("what,name,content", HUGE, ids=[h[0] for h in HUGE])
def test_huge_declared_counts_do_not_allocate(what, name, content):
    reader = {"d.csv": load_csv, "m.npz": Network.load}.get(name, load_dataset)
    with scratch_file(name, content) as p, Peak() as peak:
        try:
            reader(p)
        except EngineError:
            pass
    assert peak.bytes < SMALL_PEAK, f"{what}: {peak.bytes / 2**20:.0f} MB allocated for a {len(content)}-byte file"
