"""engine.familiarity: the pad's "looks unlike any training digit", calibrated on validation digits.

Measured on a digits network trained briefly on the app's data set: the share flagged of the MNIST test digits (at
most 5 % by construction, on validation digits; the test set is never used to choose the threshold), of the
held-out drawn digits (the pad's real input, by writers never used for training) and of seeded scribbles
(tests/helpers_scribbles.py, drawn through the pad's path)."""
from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from engine.data import load_dataset
from engine.drawn import bundled_pendigits, load_drawn_eval
from engine.errors import DataError
from engine.familiarity import calibrate, calibrate_on, features, knn_distance, upper_quantile
from engine.network import Network
from engine.presets import DIGIT_DATASET, digit_spec, preset
from engine.training import fit
from helpers_scribbles import scribbles

EPOCHS = 4


@pytest.fixture(scope="module")
def trained():
    ds = load_dataset(DIGIT_DATASET)
    net = Network.from_spec(digit_spec())                  # the app's digits network, trained briefly
    cfg = dataclasses.replace(preset("app_digits"), epochs=EPOCHS, augment=False)
    fit(net, cfg, ds.x_train, ds.y_train)
    return net, ds, cfg


def test_knn_distance_by_hand():
    ref = np.array([[0.0, 0.0], [3.0, 0.0], [0.0, 5.0]], np.float32)
    q = np.array([[0.0, 1.0], [3.0, 4.0]], np.float32)
    # distances: (0, 1) -> 1, sqrt(10), 4; (3, 4) -> 5, 4, sqrt(10)
    assert np.allclose(knn_distance(q, ref, 1), [1.0, np.sqrt(10)])
    assert np.allclose(knn_distance(q, ref, 2), [np.sqrt(10), 4.0])
    assert np.allclose(knn_distance(q, ref, 10), [4.0, 5.0])          # k above the reference: its farthest


def test_upper_quantile_by_hand():
    d = np.arange(1000, 0, -1.0)                  # 1..1000, in any order
    # rank ceil(950 + 1.645 sqrt(47.5)) = ceil(961.34) = 962: the 962nd smallest value, 962
    assert upper_quantile(d) == 962.0
    assert upper_quantile(d, z=0.0) == 950.0     # no margin: the plain 95th percentile
    assert upper_quantile([3.0]) == 3.0


def test_features_are_the_last_hidden_layer_at_unit_length(trained):
    net, ds, _ = trained
    f = features(net, ds.x_test[:5])
    h = net.forward_trace(ds.x_test[:5])[1][-2]
    assert np.allclose(np.linalg.norm(f, axis=1), 1, atol=1e-5)
    assert np.allclose(f * np.linalg.norm(h, axis=1, keepdims=True), h, atol=1e-4)


def test_threshold_is_the_validation_quantile_of_each_kind():
    rng = np.random.default_rng(0)
    net = Network.from_spec({"input_size": 4, "layers": [{"units": 3, "activation": "softmax"}],
                             "loss": "cross_entropy", "seed": 0})
    X_train, X_val = rng.normal(size=(200, 4)), rng.normal(size=(100, 4))
    groups = np.arange(100) % 2
    fam = calibrate(net, X_train, X_val, groups)
    d = knn_distance(features(net, X_val), fam.reference, fam.k)
    # 50 of each kind: rank ceil(47.5 + 1.645 sqrt(2.375)) = ceil(50.04) -> 50, capped: the largest
    assert fam.threshold == max(np.sort(d[groups == g])[49] for g in (0, 1))
    assert fam.validation_rate <= 0.05
    with pytest.raises(DataError):
        calibrate(net, X_train, X_val[:0])


def test_flag_rates_real_digits_few_scribbles_many(trained):
    net, ds, cfg = trained
    fam = calibrate_on(net, ds, cfg.val_fraction, cfg.seed)
    X_drawn, _, _ = load_drawn_eval(bundled_pendigits())
    test_rate = float(fam.unfamiliar(net, ds.x_test).mean())
    drawn_rate = float(fam.unfamiliar(net, X_drawn).mean())
    scribble_rate = float(fam.unfamiliar(net, scribbles(200)).mean())
    print(f"flagged: MNIST test {test_rate:.1%}, held-out drawn {drawn_rate:.1%}, scribbles {scribble_rate:.1%}")
    assert test_rate <= 0.05 + 0.015
    assert drawn_rate <= 0.05 + 0.015
    assert scribble_rate >= 0.3 and scribble_rate >= 5 * test_rate
