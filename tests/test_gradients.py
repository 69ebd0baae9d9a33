"""Backprop vs central finite differences, float64, relative error < 1e-6, every activation x loss pair."""
import numpy as np
import pytest

from engine import Network
from conftest import numeric_grad

HIDDEN = ["sigmoid", "tanh", "relu", "leaky_relu", "linear"]
PAIRS = ([("cross_entropy", "softmax"), ("binary_cross_entropy", "sigmoid")]
         + [(loss, out) for loss in ("mse", "l1") for out in HIDDEN + ["softmax"]])


def _check(net, X, y):
    analytic = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in net.gradients(X, y)])
    numeric = numeric_grad(lambda: net.loss(X, y), net.params)
    err = np.linalg.norm(analytic - numeric) / max(np.linalg.norm(analytic) + np.linalg.norm(numeric), 1e-12)
    assert err < 1e-6, err


@pytest.mark.parametrize("hidden", HIDDEN)
@pytest.mark.parametrize("loss,out", PAIRS)
def test_gradient_check(hidden, loss, out, tiny_data):
    X, y = tiny_data
    X, y = X[:12], y[:12]
    k = 1 if loss == "binary_cross_entropy" else 3
    layer = {"units": 5, "activation": hidden, **({"alpha": 0.2} if hidden == "leaky_relu" else {})}
    spec = {"input_size": 6, "layers": [layer, {"units": 4, "activation": hidden}, {"units": k, "activation": out}],
            "loss": loss, "seed": 3}
    net = Network.from_spec(spec, dtype="float64")
    net.params[...] += np.random.default_rng(5).normal(scale=0.1, size=net.n_params)   # biases off zero
    labels = (y > 0).astype(int) if k == 1 else y
    _check(net, X, labels)


def test_gradient_check_with_soft_targets(tiny_data):
    X, _ = tiny_data
    Y = np.random.default_rng(0).dirichlet(np.ones(3), size=len(X))[:10]
    spec = {"input_size": 6, "layers": [{"units": 4, "activation": "tanh"}, {"units": 3, "activation": "softmax"}],
            "loss": "cross_entropy"}
    _check(Network.from_spec(spec, dtype="float64"), X[:10], Y)


def test_backprop_reads_like_the_course(tiny_data):
    X, y = tiny_data
    spec = {"input_size": 6, "layers": [{"units": 5, "activation": "relu"}, {"units": 3, "activation": "softmax"}],
            "loss": "cross_entropy"}
    net = Network.from_spec(spec, dtype="float64")
    bp = net.backprop(X, y)
    Y = np.eye(3)[y]
    assert np.allclose(bp.deltas[1], (bp.activations[2] - Y) / len(X))                 # output delta
    assert np.allclose(bp.grads[1][0], bp.activations[1].T @ bp.deltas[1])             # dW = z_i delta_j
    assert np.allclose(bp.deltas[0], (bp.deltas[1] @ net.layers[1].W.T) * (bp.zs[0] > 0))
    assert np.allclose(bp.grads[0][1], bp.deltas[0].sum(axis=0))
    assert np.isclose(bp.loss, net.loss(X, y))
