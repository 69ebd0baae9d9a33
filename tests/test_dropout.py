"""Inverted dropout per hidden layer: the spec's "dropout", the backward pass against central differences with a fixed
mask, nothing dropped at evaluation, seeded masks in training and Step, and (marked `export`) the same statistics
as PyTorch's nn.Dropout."""
from __future__ import annotations

import numpy as np
import pytest

from engine import TrainConfig, fit
from engine.dropout import Dropout, draw_masks, dropout_rng
from engine.errors import SpecError
from engine.gradcheck import gradient_check
from engine.network import Network
from engine.optimizers import make_optimizer
from engine.spec import describe, validate_spec
from engine.step import BatchOrder, next_step, take_step

SPEC = {"input_size": 5, "layers": [{"units": 7, "activation": "tanh", "dropout": 0.4},
                                    {"units": 6, "activation": "sigmoid", "dropout": 0.25},
                                    {"units": 3, "activation": "softmax"}], "loss": "cross_entropy", "seed": 2}


def data(n=40, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 5)).astype(np.float32)
    return X, (X[:, 0] + X[:, 1] > 1).astype(np.int64) + (X[:, 2] > 0.5)


def without_dropout(spec):
    return {**spec, "layers": [{k: v for k, v in l.items() if k != "dropout"} for l in spec["layers"]]}


def test_the_spec_keeps_a_hidden_layers_rate_and_leaves_zero_out():
    s = validate_spec(SPEC)
    assert [l.get("dropout") for l in s["layers"]] == [0.4, 0.25, None]
    zero = validate_spec({**SPEC, "layers": [{**SPEC["layers"][0], "dropout": 0}] + SPEC["layers"][1:]})
    assert "dropout" not in zero["layers"][0]
    assert describe(s).startswith("5 -> 7 tanh dropout 0.4 -> 6 sigmoid dropout 0.25 -> 3 softmax")


@pytest.mark.parametrize("layers, message", [
    ([{"units": 3, "activation": "relu"}, {"units": 2, "activation": "softmax", "dropout": 0.5}], "output layer"),
    ([{"units": 3, "activation": "relu", "dropout": 1.0}, {"units": 2, "activation": "softmax"}], "up to"),
    ([{"units": 3, "activation": "relu", "dropout": -0.1}, {"units": 2, "activation": "softmax"}], "up to"),
    ([{"units": 3, "activation": "relu", "dropout": "half"}, {"units": 2, "activation": "softmax"}], "up to"),
    ([{"units": 3, "activation": "relu", "dropout": float("nan")}, {"units": 2, "activation": "softmax"}], "up to"),
])
def test_a_bad_rate_is_a_sentence(layers, message):
    with pytest.raises(SpecError, match=message):
        validate_spec({"input_size": 4, "layers": layers, "loss": "cross_entropy"})


def test_evaluation_never_drops_out():
    X, y = data()
    net, plain = Network.from_spec(SPEC), Network.from_spec(without_dropout(SPEC))
    np.testing.assert_array_equal(net.params, plain.params)     # the rate does not change the draws
    np.testing.assert_array_equal(net.forward(X), plain.forward(X))
    assert net.loss(X, y) == plain.loss(X, y)


def test_masks_are_zero_or_one_over_keep_with_the_rate_as_share_of_zeros():
    masks = draw_masks(validate_spec(SPEC), 20_000, np.random.default_rng(0))
    for mask, p in zip(masks, (0.4, 0.25)):
        assert set(np.unique(mask)) == {0.0, np.float32(1 / (1 - p))}
        assert abs((mask == 0).mean() - p) < 0.01
        assert abs(mask.mean() - 1) < 0.02          # inverted: the expected output is unchanged
    assert masks[2] is None


@pytest.mark.parametrize("hidden", ["tanh", "sigmoid", "relu"])
def test_backprop_with_a_fixed_mask_matches_central_differences_for_every_weight(hidden):
    spec = {**SPEC, "layers": [{**l, "activation": hidden} for l in SPEC["layers"][:2]] + SPEC["layers"][2:]}
    net = Network.from_spec(spec, dtype="float64")
    X, y = data(9)
    X = X.astype(np.float64)
    masks = draw_masks(net.spec, len(X), np.random.default_rng(4), np.float64)
    assert all((m == 0).any() for m in masks[:2])               # some units really are switched off
    analytic = np.concatenate([np.concatenate([dW.ravel(), db.ravel()]) for dW, db in net.gradients(X, y, masks)])
    numeric, eps = np.empty_like(net.params), 1e-6
    for p in range(net.n_params):
        w = net.params[p]
        net.params[p] = w + eps
        plus = net.loss(X, y, masks)
        net.params[p] = w - eps
        numeric[p] = (plus - net.loss(X, y, masks)) / (2 * eps)
        net.params[p] = w
    np.testing.assert_allclose(analytic, numeric, atol=1e-7, rtol=1e-5)
    # and the mask is really used: without it the gradient is another one
    assert not np.allclose(analytic, np.concatenate([np.concatenate([dW.ravel(), db.ravel()])
                                                     for dW, db in net.gradients(X, y)]))


def test_a_switched_off_unit_gets_no_gradient_on_its_incoming_weights():
    net = Network.from_spec(SPEC, dtype="float64")
    X, y = data(6)
    masks = [np.ones((6, 7)) / 0.6, None, None]
    masks[0][:, 3] = 0                                          # unit 4 of layer 1 off for the whole batch
    dW, db = net.gradients(X, y, masks)[0]
    assert not dW[:, 3].any() and db[3] == 0 and dW[:, 2].any()


def test_training_with_dropout_is_seeded_and_differs_from_training_without():
    X, y = data(120)
    cfg = TrainConfig(optimizer="adam", lr=0.01, batch_size=16, epochs=3, seed=5)
    runs = []
    for spec in (SPEC, SPEC, without_dropout(SPEC)):
        net = Network.from_spec(spec)
        fit(net, cfg, X, y)
        runs.append(net.params.copy())
    np.testing.assert_array_equal(runs[0], runs[1])
    assert not np.allclose(runs[0], runs[2])


def test_a_trainer_step_uses_the_masks_it_draws(monkeypatch):
    """The Trainer's first step equals take_step with the first masks of the run's generator (same batch)."""
    X, y = data(16)
    cfg = TrainConfig(optimizer="minibatch", lr=0.5, batch_size=16, epochs=1, seed=3, val_fraction=0)
    net = Network.from_spec(SPEC)
    fit(net, cfg, X, y)
    ref = Network.from_spec(SPEC)
    order = np.random.default_rng(3).permutation(16)
    masks = draw_masks(ref.spec, 16, dropout_rng(3), ref.dtype)
    take_step(ref, make_optimizer("minibatch", ref.n_params, ref.dtype), X[order], y[order], 0.5, masks=masks)
    np.testing.assert_allclose(net.params, ref.params, atol=1e-6)


def test_step_records_its_masks_and_the_gradient_check_uses_them():
    X, y = data(30)
    net = Network.from_spec(SPEC)
    cfg = TrainConfig(optimizer="minibatch", batch_size=10, seed=1)
    before = Network.from_spec(SPEC)
    rec = next_step(net, make_optimizer("minibatch", net.n_params, net.dtype), BatchOrder(cfg, net, y), X, y, 0.1)
    assert rec.masks is not None and rec.masks[0].shape == (10, 7) and rec.masks[2] is None
    assert rec.loss_after < rec.loss_before                   # the same thinned network, measured after the step
    Xb, yb = X[rec.indices], y[rec.indices]
    with_masks = gradient_check(before, Xb, yb, 0, 1, 2, masks=rec.masks)
    assert with_masks.relative_error < 1e-6
    assert with_masks.backprop == pytest.approx(float(rec.grads[0][0][1, 2]), rel=1e-4)


def test_a_rate_of_zero_takes_the_plain_path_bit_for_bit():
    X, y = data(64)
    cfg = TrainConfig(optimizer="adam", lr=0.01, batch_size=16, epochs=2, seed=5)
    zero = {**SPEC, "layers": [{**l, "dropout": 0.0} for l in SPEC["layers"][:2]] + SPEC["layers"][2:]}
    a, b = Network.from_spec(zero), Network.from_spec(without_dropout(SPEC))
    fit(a, cfg, X, y)
    fit(b, cfg, X, y)
    np.testing.assert_array_equal(a.params, b.params)
    assert Dropout.allocate(validate_spec(zero), 16, np.float32) is None


@pytest.mark.export
def test_the_masks_have_pytorchs_nn_dropout_statistics():
    """Same rate: the same share switched off (within binomial noise) and the same value for the units kept."""
    torch = pytest.importorskip("torch")
    n, units = 4000, 50
    for p in (0.1, 0.5, 0.8):
        spec = validate_spec({"input_size": 2, "layers": [{"units": units, "activation": "relu", "dropout": p},
                                                          {"units": 2, "activation": "softmax"}], "loss": "cross_entropy"})
        mine = draw_masks(spec, n, np.random.default_rng(1))[0]
        torch.manual_seed(1)
        layer = torch.nn.Dropout(p)
        layer.train()
        theirs = layer(torch.ones(n, units)).numpy()
        assert set(np.unique(mine)) == set(np.unique(theirs))    # 0 and 1 / (1 - p), the same float32 value
        sd = np.sqrt(p * (1 - p) / mine.size)
        assert abs((mine == 0).mean() - (theirs == 0).mean()) < 5 * np.sqrt(2) * sd
        assert abs((mine == 0).mean() - p) < 5 * sd and abs((theirs == 0).mean() - p) < 5 * sd
        layer.eval()
        assert torch.equal(layer(torch.ones(3, units)), torch.ones(3, units))   # off at evaluation, as ours
