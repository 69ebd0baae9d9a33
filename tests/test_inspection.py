"""engine.inspection: every number the look-inside views show, checked against the engine and against formulas."""
import numpy as np
import pytest

from conftest import numeric_grad
from engine.errors import DataError, SpecError
from engine.inspection import (dead_units, error_analysis, first_layer_images, gradient_norms, histogram_edges,
                            layer_activations, optimizer_step, weight_backprop, weight_histograms)
from engine.metrics import confusion_matrix, precision_recall
from engine.network import Network
from engine.optimizers import OPTIMIZERS

SPEC = {"input_size": 6, "layers": [{"units": 5, "activation": "tanh"}, {"units": 4, "activation": "leaky_relu",
        "alpha": 0.1}, {"units": 3, "activation": "softmax"}], "loss": "cross_entropy", "seed": 3}


@pytest.fixture
def net():
    return Network.from_spec(SPEC, dtype="float64")


def test_layer_activations_are_the_forward_trace_of_one_sample(net, tiny_data):
    X, _ = tiny_data
    trace = layer_activations(net, X[7])
    zs, acts = net.forward_trace(X)
    np.testing.assert_array_equal(trace.a_in, X[7])
    for l in range(3):
        np.testing.assert_allclose(trace.z[l], zs[l][7], rtol=1e-12)
        np.testing.assert_allclose(trace.a[l], acts[l + 1][7], rtol=1e-12)
    np.testing.assert_allclose(trace.a[1], np.where(trace.z[1] > 0, trace.z[1], 0.1 * trace.z[1]))
    assert len(trace.all_activations) == 4


@pytest.mark.parametrize("layer,i,j", [(0, 2, 4), (1, 0, 3), (1, 4, 1), (2, 3, 0), (2, 1, 2)])
def test_weight_backprop_is_delta_times_z_and_the_engines_gradient(net, tiny_data, layer, i, j):
    X, y = tiny_data
    r = weight_backprop(net, X[5], y[5], layer, i, j)
    dW = net.gradients(X[5:6], y[5:6])[layer][0][i, j]
    assert r.dW == pytest.approx(dW, abs=1e-6)
    assert r.product == pytest.approx(r.dW, abs=1e-12)               # dL/dW_{i->j} = delta_j * z_i
    # and the true derivative of the loss by finite differences
    W = net.layers[layer].W
    num = numeric_grad(lambda: net.loss(X[5:6], y[5:6]), W)[i, j]
    assert r.dW == pytest.approx(num, abs=1e-6)
    zs, acts = net.forward_trace(X[5:6])
    assert r.z_i == acts[layer][0, i]
    assert r.w == W[i, j]


def test_delta_is_explained_by_its_parts(net, tiny_data):
    X, y = tiny_data
    out = weight_backprop(net, X[0], y[0], 2, 1, 2)
    assert out.delta_j == pytest.approx(out.a_j - out.target_j, abs=1e-12)        # softmax + cross-entropy
    assert out.target_j == float(y[0] == 2)
    hidden = weight_backprop(net, X[0], y[0], 0, 1, 3)
    assert hidden.delta_j == pytest.approx(hidden.fprime_j * hidden.back_sum_j, abs=1e-12)
    assert hidden.fprime_j == pytest.approx(1 - hidden.a_j ** 2)                  # tanh' = 1 - a^2


@pytest.mark.parametrize("name", ["sgd", "minibatch", "momentum", "nesterov", "rmsprop", "adam"])
def test_optimizer_step_is_what_the_engines_optimizer_does_to_that_weight(net, tiny_data, name):
    X, y = tiny_data
    cfg = {"optimizer": name, "lr": 0.05, "momentum": 0.8, "weight_decay": 0.01}
    opt = OPTIMIZERS[name](net.n_params, net.dtype, momentum=0.8)
    rng = np.random.default_rng(1)
    for _ in range(3):                                       # build up real optimizer state first
        g = rng.normal(size=net.n_params)
        opt.step(net.params, g, 0.05, 0.01)
    layer, i, j = 1, 2, 3
    k = int(np.flatnonzero(net.params == net.layers[layer].W[i, j])[0])
    state = {key: getattr(opt, key)[k] for key in ("v", "s", "m") if isinstance(getattr(opt, key, None), np.ndarray)}
    state["t"] = opt.t
    g = rng.normal(size=net.n_params)
    before = net.params[k]
    step, rule = optimizer_step(float(g[k]), float(before), cfg, state)
    opt.step(net.params, g.copy(), 0.05, 0.01)
    assert step == pytest.approx(net.params[k] - before, rel=1e-9, abs=1e-15)
    assert rule


def test_weight_backprop_step_without_state_is_plain_gradient_descent(net, tiny_data):
    X, y = tiny_data
    r = weight_backprop(net, X[1], y[1], 0, 0, 0, {"optimizer": "sgd", "lr": 0.1})
    assert r.step == pytest.approx(-0.1 * r.dW)
    adam = weight_backprop(net, X[1], y[1], 0, 0, 0, {"optimizer": "adam", "lr": 0.01})
    assert adam.step == pytest.approx(-0.01 * np.sign(adam.dW), rel=1e-4)   # Adam's first step is ~lr * sign(g)
    assert "first step" in adam.rule


def test_bad_requests_are_clear_errors(net, tiny_data):
    X, y = tiny_data
    with pytest.raises(SpecError, match="no layer 4"):
        weight_backprop(net, X[0], y[0], 3, 0, 0)
    with pytest.raises(SpecError, match="no weight 6 -> 0"):
        weight_backprop(net, X[0], y[0], 0, 6, 0)
    with pytest.raises(DataError, match="expects 6 inputs"):
        layer_activations(net, np.zeros(5))
    with pytest.raises(SpecError, match="optimizer"):
        optimizer_step(0.1, 0.0, {"optimizer": "lbfgs"})
    with pytest.raises(SpecError, match="28x28"):
        first_layer_images(net)


def test_gradient_norms_and_dead_units(net, tiny_data):
    X, y = tiny_data
    grads = net.gradients(X, y)
    norms = gradient_norms(grads)
    for (dW, db), n in zip(grads, norms):
        assert n == pytest.approx(np.linalg.norm(np.concatenate([dW.ravel(), db.ravel()])))
    relu = Network.from_spec({**SPEC, "layers": [{"units": 5, "activation": "relu"},
                                                 {"units": 3, "activation": "softmax"}]}, dtype="float64")
    relu.layers[0].b = np.array([-1e3, 0.0, -1e3, 0.0, 0.0])       # units 0 and 2 can never fire
    _, acts = relu.forward_trace(X)
    expected = int(np.sum(np.all(acts[1] == 0, axis=0)))
    assert dead_units(acts) == [expected] and expected >= 2
    _, tanh_acts = net.forward_trace(X)
    assert dead_units(tanh_acts) == [0, 0]                          # tanh/leaky ReLU outputs are never all 0


def test_weight_histograms_match_numpy_on_shared_fixed_bins(net):
    init = Network.from_spec(SPEC, dtype="float64")
    for layer in net.layers:
        layer.W = layer.W * 3 + 0.1                                 # "trained": wider and shifted
    hists = weight_histograms(net, init, bins=20)
    for h, now, then in zip(hists, net.layers, init.layers):
        assert len(h["edges"]) == 21
        assert h["edges"][0] == -h["edges"][-1] == -max(np.abs(now.W).max(), np.abs(then.W).max())
        np.testing.assert_array_equal(h["now"], np.histogram(now.W, h["edges"])[0])
        np.testing.assert_array_equal(h["init"], np.histogram(then.W, h["edges"])[0])
        assert h["now"].sum() == h["init"].sum() == now.W.size
    assert weight_histograms(net)[0]["init"] is None
    assert np.array_equal(histogram_edges([np.zeros(3)], 4), np.linspace(-1, 1, 5))


def test_first_layer_images_are_the_normalised_weight_columns():
    big = Network.from_spec({"input_size": 784, "layers": [{"units": 7, "activation": "relu"},
                             {"units": 10, "activation": "softmax"}], "loss": "cross_entropy", "seed": 0})
    big.layers[0].W[:, 4] = 0                                         # an all-zero unit stays 0, not NaN
    images = first_layer_images(big)
    assert images.shape == (7, 28, 28)
    for j in range(7):
        col = big.layers[0].W[:, j]
        peak = np.abs(col).max() or 1.0
        np.testing.assert_allclose(images[j], col.reshape(28, 28) / peak, rtol=1e-6)
    assert np.abs(images).max() == pytest.approx(1.0)
    assert not np.isnan(images).any()
    init = big.copy()
    big.layers[0].W[300, 2] += 0.5                                    # training moved one weight of unit 2
    change = first_layer_images(big, init=init)
    assert change[2][10, 20] == pytest.approx(1.0) and np.count_nonzero(change[2]) == 1
    assert not change[[0, 1, 3]].any()


def test_error_analysis_matches_engine_metrics(net, tiny_data):
    X, y = tiny_data
    ea = error_analysis(net, X, y, batch=16)                          # several batches
    pred = net.predict(X)
    np.testing.assert_array_equal(ea.pred, pred)
    np.testing.assert_allclose(ea.probs, net.predict_proba(X))
    np.testing.assert_array_equal(ea.confusion, confusion_matrix(y, pred, 3))
    assert ea.confusion.sum() == len(X)
    p, r = precision_recall(y, pred, 3)
    np.testing.assert_allclose(ea.precision, p)
    np.testing.assert_allclose(ea.recall, r)
    assert ea.accuracy == pytest.approx(np.mean(pred == y))
    for t in range(3):
        for q in range(3):
            idx = ea.cell(t, q, y)
            assert len(idx) == ea.confusion[t, q]
            assert np.all(y[idx] == t) and np.all(pred[idx] == q)
            assert np.all(np.diff(ea.probs[idx, q]) <= 0)             # most confident first
    wrong = ea.confident_mistakes(y, k=100)
    assert len(wrong) == np.sum(pred != y)
    conf = ea.probs[wrong, pred[wrong]]
    assert np.all(np.diff(conf) <= 0) and np.all(pred[wrong] != y[wrong])


def test_the_trainers_probes_cost_under_5_percent_of_training_at_the_default_rate():
    """One step with and without the probe (gradient norms + dead units), interleaved, fastest of 40 each."""
    import time

    from threadpoolctl import threadpool_limits

    from engine.training import TrainConfig, Trainer
    rng = np.random.default_rng(0)
    X = rng.random((256, 784), dtype=np.float32)
    y = rng.integers(0, 10, 256)
    spec = {"input_size": 784, "layers": [{"units": 64, "activation": "relu"}] * 4
            + [{"units": 10, "activation": "softmax"}], "loss": "cross_entropy", "seed": 0}
    cfg = TrainConfig(optimizer="momentum", lr=0.01, batch_size=64, epochs=1, val_fraction=0.0)
    trainer = Trainer(Network.from_spec(spec), cfg, X, y)
    idx, times = np.arange(64), {False: [], True: []}
    with threadpool_limits(1):                    # 2 BLAS threads on a busy machine spin and swamp the timing
        for _ in range(40):
            for probe in (False, True):
                t0 = time.perf_counter()
                loss, hits, norms, dead = trainer._step(idx, 64, 64, 0.01, None, probe)
                times[probe].append(time.perf_counter() - t0)
                assert (norms is not None) == probe
    extra = max(min(times[True]) - min(times[False]), 0.0)
    assert extra / (cfg.probe_every * min(times[False])) < 0.05        # measured here: ~0.2%
