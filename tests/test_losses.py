"""Losses: values vs their formulas, finite for any logits, label handling."""
import warnings

import numpy as np
import pytest

from engine.activations import Sigmoid, Softmax
from engine.errors import DataError
from engine.losses import LOSSES, to_targets


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_values_match_the_course_formulas():
    rng = np.random.default_rng(0)
    z = rng.normal(size=(5, 3))
    Y = to_targets(rng.integers(0, 3, 5), 3, np.float64)
    a = _softmax(z)
    assert np.isclose(LOSSES["cross_entropy"]().value(z, a, Y), np.mean(-(Y * np.log(a)).sum(axis=1)))
    assert np.isclose(LOSSES["mse"]().value(z, a, Y), np.mean(((a - Y) ** 2).sum(axis=1)))
    assert np.isclose(LOSSES["l1"]().value(z, a, Y), np.mean(np.abs(a - Y).sum(axis=1)))
    s = 1 / (1 + np.exp(-z))
    bce = -(Y * np.log(s) + (1 - Y) * np.log(1 - s)).sum(axis=1).mean()
    assert np.isclose(LOSSES["binary_cross_entropy"]().value(z, s, Y), bce)


def test_cross_entropy_uses_softmax_stats_when_given():
    z = np.random.default_rng(1).normal(size=(4, 6)).astype(np.float32) * 5
    Y = to_targets([0, 5, 2, 3], 6, np.float32)
    rows = np.empty((2, 4), np.float32)
    a = Softmax().forward(z, rows=rows)
    fast = LOSSES["cross_entropy"]().value(z, a, Y, rows=rows)
    assert np.isclose(fast, LOSSES["cross_entropy"]().value(z, a, Y), rtol=1e-5)


@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_cross_entropy_and_bce_finite_for_any_logits(dtype):
    z = np.array([[1e4, -1e4, 0.0], [-1e4, 1e4, 3.0]], dtype=dtype)
    Y = to_targets([1, 0], 3, dtype)
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        ce = LOSSES["cross_entropy"]().value(z, Softmax()(z), Y)
        bce = LOSSES["binary_cross_entropy"]().value(z, Sigmoid()(z), Y)
    assert np.isclose(ce, 2e4, rtol=1e-6) and np.isfinite(bce)


def test_fused_delta_is_a_minus_y_over_n():
    z = np.random.default_rng(2).normal(size=(4, 3))
    Y = to_targets([0, 1, 2, 1], 3, np.float64)
    a = _softmax(z)
    d = LOSSES["cross_entropy"]().delta(z, a, Y, Softmax())
    assert np.allclose(d, (a - Y) / 4)


def test_int_labels_are_one_hot_and_bad_labels_refused():
    assert np.array_equal(to_targets([2, 0], 3, np.float32), [[0, 0, 1], [1, 0, 0]])
    assert to_targets([1, 0], 1, np.float32).shape == (2, 1)
    with pytest.raises(DataError, match="outside 0..2"):
        to_targets([0, 3], 3, np.float32)
    with pytest.raises(DataError, match="columns"):
        to_targets(np.zeros((2, 4)), 3, np.float32)
