"""npz and CSV loaders, stratified split, standardisation, and the "mnist" fallback to the sample."""
import numpy as np
import pytest

from engine.data import load_dataset, mnist_available, stratified_split, user_data_dir
from engine.errors import DataError


def arrays(rng, n=40, side=28, dtype=np.uint8):
    x = rng.integers(0, 256, size=(n, side, side)).astype(dtype)
    y = np.arange(n) % 10
    return x, y


def save_npz(path, **kw):
    np.savez(path, **kw)
    return path


def test_npz_keras_layout_loads_and_scales(tmp_path):
    rng = np.random.default_rng(0)
    xtr, ytr = arrays(rng, 40)
    xte, yte = arrays(rng, 20)
    p = save_npz(tmp_path / "mnist.npz", x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    ds = load_dataset(p)
    np.testing.assert_array_equal(ds.x_train, xtr.reshape(40, -1).astype(np.float32) / 255)
    assert ds.y_train.dtype == np.int64 and ds.image_shape == (28, 28) and ds.n_classes == 10


def test_npz_float_pixels_in_unit_range_are_kept(tmp_path):
    rng = np.random.default_rng(1)
    x = rng.random((20, 64)).astype(np.float64)
    y = np.arange(20) % 4
    ds = load_dataset(save_npz(tmp_path / "f.npz", x_train=x, y_train=y, x_test=x, y_test=y))
    np.testing.assert_allclose(ds.x_train, x, rtol=1e-6)
    assert ds.image_shape == (8, 8) and ds.n_classes == 4


def bad_npz(tmp_path, kind):
    rng = np.random.default_rng(2)
    xtr, ytr = arrays(rng, 40)
    xte, yte = arrays(rng, 20)
    kw = dict(x_train=xtr, y_train=ytr, x_test=xte, y_test=yte)
    p = tmp_path / "d.npz"
    if kind == "missing_key":
        del kw["y_test"]
        return save_npz(p, **kw), ["y_test"]
    if kind == "nan":
        x = xte.astype(np.float32); x[3, 4, 5] = np.nan
        kw["x_test"] = x
        return save_npz(p, **kw), ["NaN", "image 3"]
    if kind == "count_mismatch":
        kw["y_train"] = ytr[:-1]
        return save_npz(p, **kw), ["39 labels but 40 images"]
    if kind == "wrong_shape":
        kw["x_train"] = xtr.reshape(40, 28, 28, 1, 1)
        return save_npz(p, **kw), ["shape"]
    if kind == "negative_label":
        y = ytr.copy(); y[0] = -1
        kw["y_train"] = y
        return save_npz(p, **kw), ["-1", "out of range"]
    if kind == "fractional_label":
        kw["y_train"] = ytr + 0.5
        return save_npz(p, **kw), ["whole numbers"]
    if kind == "string_pixels":
        kw["x_train"] = np.full((40, 28, 28), "a")
        return save_npz(p, **kw), ["numbers"]
    if kind == "pixels_too_big":
        kw["x_train"] = xtr.astype(np.float32) * 10
        return save_npz(p, **kw), ["0..255"]
    if kind == "object_array":
        kw["x_train"] = np.array([xtr[0], xtr[1][:3]], dtype=object)
        np.savez(p, **kw)   # pickled object array: must be refused, never unpickled
        return p, ["d.npz"]
    if kind == "not_a_zip":
        p.write_bytes(b"hello, this is not a zip file at all")
        return p, ["d.npz", "not a readable .npz"]
    if kind == "empty":
        p.write_bytes(b"")
        return p, ["d.npz"]
    raise AssertionError(kind)


@pytest.mark.parametrize("kind", ["missing_key", "nan", "count_mismatch", "wrong_shape", "negative_label",
                                  "fractional_label", "string_pixels", "pixels_too_big", "object_array",
                                  "not_a_zip", "empty"])
def test_damaged_npz_raises_data_error(tmp_path, kind):
    path, words = bad_npz(tmp_path, kind)
    with pytest.raises(DataError) as info:
        load_dataset(path)
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def write_csv(path, y, x, header=True):
    lines = []
    if header:
        lines.append(",".join(["label"] + [f"pixel{i}" for i in range(x.shape[1])]))
    lines += [",".join([str(int(a))] + [str(int(v)) for v in row]) for a, row in zip(y, x)]
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.mark.parametrize("header", [True, False])
def test_csv_label_first_with_or_without_header_and_test_file_beside(tmp_path, header):
    rng = np.random.default_rng(3)
    x = rng.integers(0, 256, size=(30, 16))
    y = np.arange(30) % 3
    write_csv(tmp_path / "digits_train.csv", y, x, header)
    write_csv(tmp_path / "digits_test.csv", y[:9], x[:9], header)
    ds = load_dataset(tmp_path / "digits_train.csv")
    np.testing.assert_array_equal(ds.x_train, x.astype(np.float32) / 255)
    np.testing.assert_array_equal(ds.y_test, y[:9])
    assert ds.image_shape == (4, 4) and ds.n_classes == 3 and ds.notice == ""


def test_single_csv_gets_a_stratified_held_out_test_part(tmp_path):
    rng = np.random.default_rng(4)
    x = rng.integers(0, 256, size=(60, 9))
    y = np.arange(60) % 10
    ds = load_dataset(write_csv(tmp_path / "data.csv", y, x))
    assert len(ds.y_test) == 10 and sorted(ds.y_test.tolist()) == list(range(10))
    assert "held out" in ds.notice


@pytest.mark.parametrize("content,words", [
    ("", ["empty"]),
    ("label,a,b\n", ["no rows"]),
    ("1,2,3\n2,x,4\n", ["not a numeric", "x"]),
    ("1,2,3\n2,3\n", ["not a numeric"]),
    ("1,2,3\n2,nan,4\n", ["line 2", "NaN"]),
    ("1\n2\n", ["one column"]),
    ("1.5,2,3\n2,3,4\n", ["whole numbers"]),
    ("1,2,3\n2,-3,4\n", ["0..1 or 0..255"]),
])
def test_bad_csv_raises_data_error(tmp_path, content, words):
    p = tmp_path / "bad.csv"
    p.write_text(content)
    with pytest.raises(DataError) as info:
        load_dataset(p)
    for w in words:
        assert w in str(info.value), (w, str(info.value))


def test_stratified_split_keeps_class_proportions_and_is_seeded():
    y = np.repeat(np.arange(5), [10, 20, 30, 40, 100])
    X = np.arange(len(y), dtype=np.float32)[:, None]
    Xtr, ytr, Xv, yv = stratified_split(X, y, 0.1, seed=7)
    assert np.bincount(yv).tolist() == [1, 2, 3, 4, 10]
    assert sorted(np.concatenate([Xtr[:, 0], Xv[:, 0]]).tolist()) == X[:, 0].tolist()   # a partition
    np.testing.assert_array_equal(y[Xv[:, 0].astype(int)], yv)                         # rows stay paired
    again = stratified_split(X, y, 0.1, seed=7)
    np.testing.assert_array_equal(again[2], Xv)
    other = stratified_split(X, y, 0.1, seed=8)
    assert not np.array_equal(other[2], Xv)
    assert len(np.unique(ytr[:50])) > 1      # shuffled, not grouped by class
    with pytest.raises(DataError):
        stratified_split(X, y, 1.5)


def test_standardized_uses_training_statistics():
    ds = load_dataset("sample")
    st = ds.standardized()
    active = ds.x_train.std(axis=0) > 0.05
    np.testing.assert_allclose(st.x_train.mean(axis=0)[active], 0, atol=1e-4)
    np.testing.assert_allclose(st.x_train.std(axis=0)[active], 1, atol=1e-3)
    assert np.isfinite(st.x_test).all()


def test_mnist_falls_back_to_the_sample_with_a_notice(tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(tmp_path))
    assert user_data_dir() == tmp_path and not mnist_available()
    ds = load_dataset("mnist")
    assert len(ds.x_train) == 5000 and "python -m engine download mnist" in ds.notice
