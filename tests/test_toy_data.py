"""Playground data sets: shapes, balance, seeds, noise, and what a perceptron and an MLP can learn on them."""
import numpy as np
import pytest

from engine import Network, TrainConfig, fit
from engine.data import load_dataset
from engine.data.toy import CLASSIFICATION, REGRESSION, generate
from engine.errors import DataError


@pytest.mark.parametrize("name", CLASSIFICATION)
def test_classification_sets_are_two_inputs_balanced_and_seeded(name):
    d = load_dataset(name, n=200, noise=0.1, seed=3)
    assert d.x_train.shape[1] == 2 and d.x_train.dtype == np.float32
    assert len(d.x_train) + len(d.x_test) == 200 and len(d.x_test) == 60
    assert d.task == "classification" and d.n_classes == 2
    y = np.concatenate([d.y_train, d.y_test])
    assert np.bincount(y).tolist() == [100, 100]
    again = load_dataset(name, n=200, noise=0.1, seed=3)
    assert np.array_equal(d.x_train, again.x_train) and np.array_equal(d.y_test, again.y_test)
    other = load_dataset(name, n=200, noise=0.1, seed=4)
    assert not np.array_equal(d.x_train, other.x_train)
    assert d.params == {"n": 200, "noise": 0.1, "seed": 3, "test_fraction": 0.3, **(
        {"classes": 2} if name in ("spiral", "blobs") else {})}


@pytest.mark.parametrize("name", ["xor", "circles", "moons", "spiral"])
def test_noise_is_the_std_of_the_jitter(name):
    clean, y = generate(name, n=4000, noise=0.0, seed=1)
    noisy, y2 = generate(name, n=4000, noise=0.2, seed=1)
    assert np.array_equal(y, y2)                    # noise never flips a label
    # the same seed draws the same shape first, so the difference is the jitter alone
    assert abs(float(np.std(noisy - clean)) - 0.2) < 0.01


def test_geometry_matches_the_definitions():
    x, y = generate("xor", n=400, noise=0.0)
    assert set(map(tuple, np.round(x).astype(int).tolist())) == {(1, 1), (-1, -1), (1, -1), (-1, 1)}
    assert np.all((np.sign(x[:, 0]) * np.sign(x[:, 1]) < 0) == (y == 1))
    x, y = generate("circles", n=400, noise=0.0)
    r = np.hypot(x[:, 0], x[:, 1])
    assert np.allclose(r[y == 0], 0.5, atol=1e-6) and np.allclose(r[y == 1], 1.0, atol=1e-6)
    x, _ = generate("spiral", n=400, noise=0.0)
    assert np.hypot(x[:, 0], x[:, 1]).max() <= 1.0 + 1e-6


@pytest.mark.parametrize("name", REGRESSION)
def test_regression_sets_are_one_input_with_numeric_targets(name):
    d = load_dataset(name, n=100, noise=0.0, seed=0)
    assert d.x_train.shape == (70, 1) and d.y_train.shape == (70, 1) and d.y_train.dtype == np.float32
    assert d.task == "regression"
    expect = {"sin": np.sin, "abs": np.abs, "step": lambda v: (v >= 0).astype(np.float32)}[name](d.x_train)
    assert np.allclose(d.y_train, expect, atol=1e-6)


def test_more_arms_and_blobs_give_more_classes():
    d = load_dataset("spiral", n=300, classes=3)
    assert d.n_classes == 3 and np.bincount(np.concatenate([d.y_train, d.y_test])).tolist() == [100] * 3


@pytest.mark.parametrize("kwargs, words", [
    (dict(n=3), "number of points"), (dict(noise=-1), "noise"), (dict(noise=float("nan")), "noise"),
    (dict(test_fraction=1.0), "test share"), (dict(n=10**9), "number of points")])
def test_bad_parameters_get_a_sentence(kwargs, words):
    with pytest.raises(DataError, match=words):
        load_dataset("xor", **kwargs)


def test_files_refuse_generator_keywords_and_unknown_names_list_the_generated_sets(tmp_path):
    with pytest.raises(DataError, match="Only generated"):
        load_dataset("sample", noise=0.1)
    with pytest.raises(DataError, match="xor"):
        load_dataset("no-such-set")


def _xor_accuracy(layers, seed, epochs=500):
    d = load_dataset("xor", n=200, noise=0.1, seed=seed)
    net = Network.from_spec({"input_size": 2, "layers": layers, "loss": "cross_entropy", "seed": seed})
    fit(net, TrainConfig(optimizer="adam", lr=0.03, batch_size=16, epochs=epochs, val_fraction=0.0, seed=seed),
        d.x_train, d.y_train)
    return float((net.predict(d.x_test) == d.y_test).mean())


def test_a_perceptron_cannot_learn_xor():
    assert _xor_accuracy([{"units": 2, "activation": "softmax"}], seed=0, epochs=300) <= 0.80


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(5))
def test_one_hidden_layer_learns_xor(seed):
    assert _xor_accuracy([{"units": 8, "activation": "tanh"}, {"units": 2, "activation": "softmax"}], seed) >= 0.98
