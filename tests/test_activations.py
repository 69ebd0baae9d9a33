"""Activations: values, derivatives vs finite differences, stability at |z| = 1e4, in-place use."""
import warnings

import numpy as np
import pytest

from engine.activations import ACTIVATIONS, LeakyReLU, Softmax


def test_registry_lists_every_activation():
    assert set(ACTIVATIONS) == {"sigmoid", "tanh", "relu", "leaky_relu", "softmax", "linear"}


def test_known_values():
    z = np.array([[-2.0, 0.0, 3.0]])
    assert np.allclose(ACTIVATIONS["sigmoid"]()(z), 1 / (1 + np.exp(-z)))
    assert np.allclose(ACTIVATIONS["tanh"]()(z), np.tanh(z))
    assert np.allclose(ACTIVATIONS["relu"]()(z), [[0, 0, 3]])
    assert np.allclose(LeakyReLU(alpha=0.1)(z), [[-0.2, 0, 3]])
    assert np.allclose(ACTIVATIONS["linear"]()(z), z)
    e = np.exp(z)
    assert np.allclose(Softmax()(z), e / e.sum())


@pytest.mark.parametrize("name", ["sigmoid", "tanh", "relu", "leaky_relu", "linear"])
def test_derivative_matches_finite_difference(name):
    act = ACTIVATIONS[name]()
    z = np.random.default_rng(1).normal(size=(4, 5)) * 3
    eps = 1e-6
    numeric = (act(z + eps) - act(z - eps)) / (2 * eps)
    assert np.allclose(act.derivative(z), numeric, atol=1e-8)


def test_softmax_backward_is_the_jacobian_vector_product():
    sm = Softmax()
    rng = np.random.default_rng(2)
    z, g = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    a = sm(z)
    got = sm.backward(z, a, g.copy())
    for i in range(3):
        J = np.diag(a[i]) - np.outer(a[i], a[i])
        assert np.allclose(got[i], J @ g[i])


@pytest.mark.parametrize("name", list(ACTIVATIONS))
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_no_overflow_at_huge_inputs(name, dtype):
    z = np.array([[-1e4, -50.0, 0.0, 50.0, 1e4]], dtype=dtype)
    act = ACTIVATIONS[name]()
    with warnings.catch_warnings(), np.errstate(over="raise", invalid="raise", divide="raise"):
        warnings.simplefilter("error")
        a = act(z)
        g = act.backward(z, a, np.ones_like(z), np.empty_like(z))
    assert np.all(np.isfinite(a)) and np.all(np.isfinite(g))
    lo, hi = act.range
    assert np.all(a >= lo) and np.all(a <= hi)


@pytest.mark.parametrize("name", list(ACTIVATIONS))
def test_in_place_forward_equals_fresh(name):
    z = np.random.default_rng(3).normal(size=(6, 4)).astype(np.float32)
    act = ACTIVATIONS[name]()
    fresh = act(z)
    buf = np.empty_like(z)
    assert act.forward(z, out=buf) is buf
    assert np.array_equal(buf, fresh)


def test_leaky_relu_alpha_is_configurable():
    assert LeakyReLU().alpha == 0.01
    assert np.allclose(LeakyReLU(alpha=0.3).derivative(np.array([-1.0, 2.0])), [0.3, 1.0])


def test_softmax_derivative_is_the_jacobian_diagonal():
    z = np.array([[0.5, -1.0, 2.0]])
    a = Softmax()(z)
    eps = 1e-6
    numeric = [(Softmax()(z + eps * np.eye(3)[k])[0, k] - Softmax()(z - eps * np.eye(3)[k])[0, k]) / (2 * eps)
               for k in range(3)]
    assert np.allclose(Softmax().derivative(z)[0], numeric)
    assert np.allclose(Softmax().derivative(z[0]), a[0] * (1 - a[0]))


@pytest.mark.parametrize("shape", [(7,), (3, 5), (64, 300), (2, 40_000)])
@pytest.mark.parametrize("dtype", [np.float32, np.float64])
def test_relu_against_the_shared_zeros_equals_max_with_zero(shape, dtype, monkeypatch):
    import engine.activations as acts
    monkeypatch.setattr(acts, "ZEROS_LIMIT", 50_000)         # the largest shape takes the scalar path
    z = np.random.default_rng(0).normal(size=shape).astype(dtype)
    z.flat[0] = -0.0
    out = ACTIVATIONS["relu"]().forward(z, out=np.full(shape, np.nan, dtype))
    assert out.dtype == dtype and np.array_equal(out, np.maximum(z, 0))
    for buf in acts._zeros.values():                           # the shared buffer is never written
        assert not buf.flags.writeable and not buf.any()
