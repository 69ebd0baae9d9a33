"""engine.layer_map: PCA against a direct SVD, signs that do not flip, nearest-centroid separation by hand."""
from __future__ import annotations

import numpy as np
import pytest

from engine.errors import DataError
from engine.layer_map import fixed_subsample, layer_maps, nearest_centroid_accuracy, pca_2d
from engine.network import Network


def blobs(seed=0, n=300, d=12):
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(n, d)) @ rng.normal(size=(d, d)) + rng.normal(size=d) * 3
    return X


def test_pca_matches_svd_of_the_centred_data():
    X = blobs()
    p = pca_2d(X)
    Xc = X - X.mean(axis=0)
    _, s, vt = np.linalg.svd(Xc, full_matrices=False)
    for k in range(2):                                   # the same axes up to sign, the same coordinates
        assert abs(abs(p.axes[:, k] @ vt[k]) - 1) < 1e-9
        sign = np.sign(p.axes[:, k] @ vt[k])
        assert np.allclose(p.coords[:, k], sign * Xc @ vt[k], atol=1e-4)
    assert np.allclose(p.explained, s[:2] ** 2 / (s ** 2).sum())
    assert np.allclose(p.coords.var(axis=0, ddof=1), s[:2] ** 2 / (len(X) - 1), rtol=1e-5)


def test_signs_are_fixed_without_and_with_a_reference():
    X = blobs(1)
    p = pca_2d(X)
    rows = np.abs(p.axes).argmax(axis=0)
    assert (p.axes[rows, [0, 1]] > 0).all()              # no reference: the largest loading is positive
    assert np.allclose(pca_2d(X[::-1]).axes, p.axes)     # the same data in another order: the same picture
    flipped = p.axes * np.array([-1, 1])
    q = pca_2d(X + 1e-3 * np.random.default_rng(2).normal(size=X.shape), reference=flipped)
    assert q.axes[:, 0] @ flipped[:, 0] > 0 and q.axes[:, 1] @ flipped[:, 1] > 0   # follows the previous picture
    assert np.allclose(q.coords[:, 0], -p.coords[:, 0], atol=0.05)


def test_one_feature_and_constant_data():
    p = pca_2d(np.arange(5.0)[:, None])
    assert p.coords.shape == (5, 2) and np.all(p.coords[:, 1] == 0) and p.explained[0] == pytest.approx(1)
    q = pca_2d(np.ones((4, 3)))
    assert np.all(q.coords == 0) and np.all(q.explained == 0)
    with pytest.raises(DataError):
        pca_2d(np.ones((1, 3)))


def test_nearest_centroid_accuracy_by_hand():
    pts = np.array([[0, 0], [2, 0], [10, 0], [12, 0], [5.5, 0]])
    y = np.array([0, 0, 1, 1, 1])
    # centroids: class 0 at 1, class 1 at (10 + 12 + 5.5) / 3 = 9.1667; 5.5 is 4.5 from 1, 3.67 from 9.17: right
    assert nearest_centroid_accuracy(pts, y) == 1.0
    y2 = np.array([0, 0, 1, 1, 0])                       # class 0 at 2.5: 5.5 is 3 from it, 5.5 from 11: right
    assert nearest_centroid_accuracy(pts, y2) == 1.0
    y3 = np.array([0, 1, 0, 1, 0])                       # 0: (0+10+5.5)/3 = 5.17, 1: 7; 0->0 ok, 2->0 wrong,
    assert nearest_centroid_accuracy(pts, y3) == pytest.approx(3 / 5)   # 10->1 wrong, 12->1 ok, 5.5->0 ok


def test_fixed_subsample_is_seeded_and_sorted():
    a, b = fixed_subsample(10000, 2000, seed=3), fixed_subsample(10000, 2000, seed=3)
    assert np.array_equal(a, b) and len(np.unique(a)) == 2000 and np.all(np.diff(a) > 0)
    assert np.array_equal(fixed_subsample(50, 2000), np.arange(50))


def test_layer_maps_of_a_network():
    net = Network.from_spec({"input_size": 12, "layers": [{"units": 6, "activation": "tanh"},
                                                         {"units": 5, "activation": "relu"},
                                                         {"units": 3, "activation": "softmax"}],
                             "loss": "cross_entropy", "seed": 0})
    X = blobs(4, 90).astype(np.float32)
    y = np.arange(90) % 3
    maps = layer_maps(net, X, y)
    assert [m.name for m in maps] == ["Pixels", "Hidden layer 1", "Hidden layer 2"]
    zs, acts = net.forward_trace(X)
    direct = pca_2d(acts[2])
    assert np.allclose(np.abs(maps[2].projection.coords), np.abs(direct.coords), atol=1e-4)
    assert maps[1].separation == pytest.approx(nearest_centroid_accuracy(maps[1].projection.coords, y))
    again = layer_maps(net, X, y, previous=maps)
    assert again[0] is maps[0]                           # the pixels' map is the same whatever the weights
    assert np.allclose(again[2].projection.coords, maps[2].projection.coords)
    with pytest.raises(DataError):
        layer_maps(net, X[:, :5], y)
