"""The personal handwriting set: IDX files on disk, reload, export, damage; fine-tuning round trip."""
import struct
from pathlib import Path

import numpy as np
import pytest
from threadpoolctl import threadpool_limits

from app.handwriting import IMAGES, LABELS, PersonalDigits, fine_tune_config, fine_tune_dataset, fine_tune_set
from engine.errors import DataError

SAMPLE = Path(__file__).resolve().parents[1] / "resources" / "mnist-sample"

@pytest.fixture(autouse=True, scope="module")
def one_blas_thread():
    """One BLAS thread: with the other core busy, 2-thread OpenBLAS spin-waits and runs 10x slower."""
    with threadpool_limits(1):
        yield


def digit(seed):
    return np.random.default_rng(seed).uniform(size=(28, 28)).astype(np.float32)


def test_default_folder_is_in_the_user_data_dir(tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(tmp_path))
    digits = PersonalDigits()
    digits.add(digit(0), 3)
    assert (tmp_path / "handwriting" / IMAGES).is_file()


def test_add_saves_mnist_idx_files_and_reloads(tmp_path):
    digits = PersonalDigits(tmp_path / "hw")
    assert len(digits) == 0
    imgs = [digit(i) for i in range(3)]
    for img, label in zip(imgs, (7, 1, 7)):
        digits.add(img, label)
    raw = (tmp_path / "hw" / IMAGES).read_bytes()
    assert struct.unpack(">IIII", raw[:16]) == (2051, 3, 28, 28)                   # MNIST's own header
    assert struct.unpack(">II", (tmp_path / "hw" / LABELS).read_bytes()[:8]) == (2049, 3)
    again = PersonalDigits(tmp_path / "hw")
    assert again.labels.tolist() == [7, 1, 7]
    x, y = again.as_training()
    assert x.shape == (3, 784) and x.dtype == np.float32 and y.dtype == np.int64
    np.testing.assert_allclose(x[1].reshape(28, 28), imgs[1], atol=0.5 / 255 + 1e-6)


def test_remove_clear_and_export(tmp_path):
    digits = PersonalDigits(tmp_path / "hw")
    for i in range(4):
        digits.add(digit(i), i)
    digits.remove(1)
    assert PersonalDigits(tmp_path / "hw").labels.tolist() == [0, 2, 3]
    paths = digits.export(tmp_path / "out" / "mine")
    assert [p.name for p in paths] == [IMAGES, LABELS]
    assert paths[0].read_bytes() == digits.image_path.read_bytes()
    digits.clear()
    assert len(digits) == 0 and len(PersonalDigits(tmp_path / "hw")) == 0
    with pytest.raises(DataError, match="empty"):
        digits.export(tmp_path / "again")


def test_bad_label_and_damaged_files_give_clear_errors(tmp_path):
    digits = PersonalDigits(tmp_path / "hw")
    with pytest.raises(DataError, match="0-9"):
        digits.add(digit(0), 12)
    digits.add(digit(0), 5)
    data = digits.image_path.read_bytes()
    digits.image_path.write_bytes(data[:-100])
    with pytest.raises(DataError, match="holds"):
        PersonalDigits(tmp_path / "hw")
    digits.image_path.write_bytes(b"PK\x03\x04 not idx")
    with pytest.raises(DataError, match="IDX"):
        PersonalDigits(tmp_path / "hw")
    digits.image_path.unlink()
    with pytest.raises(DataError, match="missing"):
        PersonalDigits(tmp_path / "hw")


def test_oversampling_makes_personal_digits_a_visible_share():
    xb, yb = np.zeros((5000, 784), np.float32), np.zeros(5000, np.int64)
    xm, ym = np.ones((10, 784), np.float32), np.arange(10)
    x, y = fine_tune_set(xb, yb, xm, ym, share=0.15)
    mine = (x[:, 0] == 1).sum()
    assert len(x) == 5000 + mine and 700 <= mine <= 800
    np.testing.assert_array_equal(np.bincount(y[x[:, 0] == 1]), np.full(10, mine // 10))


# ---- with the engine: the engine's IDX loader reads the files; fine-tuning teaches the digits ----

def test_saved_set_loads_with_the_engines_own_idx_loader(tmp_path):
    from engine.data.idx import load_idx_pair
    digits = PersonalDigits(tmp_path / "hw")
    for i in range(5):
        digits.add(digit(i), i)
    x_engine, y_engine, shape = load_idx_pair(digits.image_path, digits.label_path)
    x, y = digits.as_training()
    assert shape == (28, 28)
    np.testing.assert_array_equal(y_engine, y)
    np.testing.assert_allclose(x_engine, x, atol=1e-6)


def test_fine_tune_round_trip_teaches_misrecognised_digits(tmp_path):
    from engine import Network, TrainConfig, fit
    from engine.data import load_dataset
    ds = load_dataset("sample")
    net = Network.from_spec({"input_size": 784, "layers": [{"units": 64, "activation": "relu"},
                                                          {"units": 10, "activation": "softmax"}],
                             "loss": "cross_entropy", "seed": 0})
    fit(net, TrainConfig(optimizer="adam", lr=2e-3, batch_size=64, epochs=3, val_fraction=0.0, seed=0),
        ds.x_train, ds.y_train)
    # "my handwriting": test digits this network gets wrong, added with their true labels
    wrong = np.flatnonzero(net.predict(ds.x_test[:2000]) != ds.y_test[:2000])[:12]
    assert len(wrong) >= 8
    digits = PersonalDigits(tmp_path / "hw")
    for i in wrong:
        digits.add(ds.x_test[i].reshape(28, 28), int(ds.y_test[i]))
    x_mine, y_mine = PersonalDigits(tmp_path / "hw").as_training()
    assert (net.predict(x_mine) == y_mine).mean() == 0
    tuned = net.copy()                      # what the Draw tab trains: this data set with these settings
    mixed = fine_tune_dataset(ds, x_mine, y_mine)
    fit(tuned, fine_tune_config(epochs=3), mixed.x_train, mixed.y_train)
    assert (tuned.predict(x_mine) == y_mine).mean() >= 0.9
    # and it still reads MNIST about as well as before
    base_acc = (net.predict(ds.x_test[2000:3000]) == ds.y_test[2000:3000]).mean()
    tuned_acc = (tuned.predict(ds.x_test[2000:3000]) == ds.y_test[2000:3000]).mean()
    assert tuned_acc > base_acc - 0.03
    assert (net.predict(x_mine) == y_mine).mean() == 0         # the original network is untouched
