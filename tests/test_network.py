"""Network: spec round trip, seeded init, flat parameter views, forward, predict, copy, repr."""
import numpy as np
import pytest

from engine import Network
from engine.errors import DataError, SpecError

SPEC = {"input_size": 784, "layers": [{"units": 128, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 0}


def small(**kw):
    spec = {"input_size": 6, "layers": [{"units": 5, "activation": "tanh"}, {"units": 3, "activation": "softmax"}],
            "loss": "cross_entropy", "seed": 1}
    spec.update(kw)
    return spec


def test_from_spec_to_spec_and_facts():
    net = Network.from_spec(SPEC)
    assert net.to_spec() == SPEC
    assert net.dtype == np.float32 and net.params.dtype == np.float32
    assert net.n_params == 784 * 128 + 128 + 128 * 10 + 10 == net.params.size
    assert (net.input_size, net.n_outputs) == (784, 10)
    assert [l.W.shape for l in net.layers] == [(784, 128), (128, 10)]
    assert [l.b.shape for l in net.layers] == [(128,), (10,)]
    assert repr(net) == "Network(784 -> 128 relu -> 10 softmax, cross_entropy, 101,770 params)"
    assert repr(net.layers[0]) == "Dense(784 -> 128, relu)"


def test_same_seed_bit_identical_other_seed_differs():
    a, b = Network.from_spec(SPEC), Network.from_spec(SPEC)
    assert np.array_equal(a.params, b.params)
    c = Network.from_spec({**SPEC, "seed": 1})
    assert not np.array_equal(a.params, c.params)
    assert np.all(a.layers[0].b == 0)


def test_he_and_xavier_scales():
    net = Network.from_spec(SPEC, dtype="float64")
    assert net.layers[0].W.std() == pytest.approx(np.sqrt(2 / 784), rel=0.05)           # He
    assert net.layers[1].W.std() == pytest.approx(np.sqrt(2 / (128 + 10)), rel=0.1)     # Xavier
    named = Network.from_spec(small(layers=[{"units": 400, "activation": "tanh", "init": "he_normal"},
                                            {"units": 3, "activation": "softmax"}], input_size=300))
    assert named.layers[0].W.std() == pytest.approx(np.sqrt(2 / 300), rel=0.05)


def test_layers_are_views_and_assignment_copies_in():
    net = Network.from_spec(small())
    W = np.arange(30, dtype=np.float64).reshape(6, 5)
    net.layers[0].W = W
    assert np.array_equal(net.params[:30], W.ravel())
    W[0, 0] = 99                                  # the caller's array is not shared
    assert net.layers[0].W[0, 0] == 0
    net.params[30:35] = 7
    assert np.all(net.layers[0].b == 7)
    with pytest.raises(SpecError, match="shape"):
        net.layers[0].W = np.zeros((5, 6))


def test_forward_trace_and_predict(tiny_data):
    X, y = tiny_data
    net = Network.from_spec(small(), dtype="float64")
    zs, acts = net.forward_trace(X)
    assert len(zs) == 2 and len(acts) == 3 and acts[0] is not None
    assert np.allclose(zs[0], X @ net.layers[0].W + net.layers[0].b)
    assert np.allclose(acts[1], np.tanh(zs[0]))
    out = net.forward(X)
    assert out.shape == (40, 3) and np.allclose(out.sum(axis=1), 1)
    assert np.array_equal(net.predict(X), out.argmax(axis=1))
    assert np.array_equal(net.predict_proba(X), out)
    assert net.forward(X[0]).shape == (1, 3)             # a single sample works too


def test_copy_is_deep():
    net = Network.from_spec(small())
    net.history.append({"epoch": 1})
    twin = net.copy()
    twin.params[:] = 0
    twin.history.append({"epoch": 2})
    assert not np.all(net.params == 0) and len(net.history) == 1
    assert np.shares_memory(twin.layers[0].W, twin.params)


def test_wrong_input_size_is_a_clear_error():
    net = Network.from_spec(small())
    with pytest.raises(DataError, match="expects 6 inputs"):
        net.forward(np.zeros((2, 5)))
    with pytest.raises(DataError, match="3 samples but 2 labels"):
        net.loss(np.zeros((3, 6)), [0, 1])


def test_float64_on_request_and_bad_dtype():
    assert Network.from_spec(small(), dtype="float64").params.dtype == np.float64
    with pytest.raises(SpecError):
        Network.from_spec(small(), dtype="int32")


def test_sigmoid_single_output_predicts_0_or_1():
    net = Network.from_spec(small(layers=[{"units": 1, "activation": "sigmoid"}], loss="binary_cross_entropy"))
    p = net.predict(np.random.default_rng(0).normal(size=(10, 6)))
    assert set(p) <= {0, 1}
