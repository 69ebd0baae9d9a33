"""One training step in three phases: every recorded number against the engine's own backprop and the update
rules written out by hand; the gradient check against finite differences for every activation x loss pair."""
import numpy as np
import pytest

from engine import Network, TrainConfig
from engine.gradcheck import gradient_check
from engine.step import flat_index, make_step_optimizer, take_step, update_in_numbers


def _net(hidden="tanh", out="softmax", loss="cross_entropy", dtype="float32", seed=0):
    spec = {"input_size": 6, "layers": [{"units": 5, "activation": hidden}, {"units": 4, "activation": hidden},
                                        {"units": 3, "activation": out}], "loss": loss, "seed": seed}
    return Network.from_spec(spec, dtype)


def _batch(n=8, seed=1):
    rng = np.random.default_rng(seed)
    return rng.normal(size=(n, 6)).astype(np.float32), rng.integers(0, 3, n)


def test_phases_hold_the_engines_own_backprop_numbers():
    net, (X, y) = _net(), _batch()
    ref = net.copy().backprop(X, y)
    rec = take_step(net, make_step_optimizer(net, TrainConfig(optimizer="minibatch", lr=0.1)), X, y, lr=0.1,
                    sample=2)
    for a, b in zip(rec.activations, ref.activations):
        assert np.array_equal(a, b)
    for (dW, db), (rW, rb) in zip(rec.grads, ref.grads):
        assert np.array_equal(dW, rW) and np.array_equal(db, rb)
    assert rec.loss_before == pytest.approx(ref.loss)
    # dL/dW_{i->j} = sum over the batch of delta_j z_i (delta already carries the 1/n of the mean)
    assert rec.grads[1][0][3, 2] == pytest.approx(float(rec.deltas[1][:, 2] @ rec.activations[1][:, 3]), rel=1e-5)
    # the chosen sample's cross-entropy is -log of its probability on the true class
    assert rec.sample_loss == pytest.approx(-np.log(rec.activations[-1][2, y[2]]), rel=1e-5)
    # plain gradient descent: w <- w - lr g, everywhere
    flat_g = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in ref.grads])
    assert np.allclose(rec.change, -0.1 * flat_g, atol=1e-7)
    assert rec.loss_after == pytest.approx(net.loss(X, y))
    assert rec.loss_after < rec.loss_before


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "rmsprop", "adam"])
def test_the_update_in_numbers_ends_at_the_weight_the_optimizer_wrote(optimizer):
    net, (X, y) = _net(dtype="float64"), _batch()
    opt = make_step_optimizer(net, TrainConfig(optimizer=optimizer, lr=0.01, momentum=0.9))
    take_step(net, opt, X, y, lr=0.01)                 # a second step: the memory is no longer empty
    rec = take_step(net, opt, X, y, lr=0.01)
    text = update_in_numbers(rec, net, 1, 3, 2)
    w1 = float(rec.params_after[flat_index(net, 1, 3, 2)])
    assert text.endswith(f"{w1:.5g}")
    if optimizer != "sgd":
        assert rec.state_before != {} and rec.t_after == (2 if optimizer == "adam" else 0)


def test_adam_first_step_is_lr_sized_whatever_the_gradient():
    net, (X, y) = _net(dtype="float64"), _batch()
    rec = take_step(net, make_step_optimizer(net, TrainConfig(optimizer="adam", lr=0.001)), X, y, lr=0.001)
    moved = np.abs(rec.change)[np.abs(np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in rec.grads]))
                               > 1e-6]
    assert np.allclose(moved, 0.001, rtol=1e-2)          # m_hat / sqrt(v_hat) = sign(g) on step 1


def test_momentum_memory_carries_over_between_steps():
    net, (X, y) = _net(dtype="float64"), _batch()
    opt = make_step_optimizer(net, TrainConfig(optimizer="momentum", lr=0.05, momentum=0.9))
    first = take_step(net, opt, X, y, lr=0.05)
    second = take_step(net, opt, X, y, lr=0.05)
    g2 = np.concatenate([np.concatenate([dW.ravel(), db]) for dW, db in second.grads])
    assert np.allclose(second.state_after["v"], 0.9 * first.state_after["v"] + g2)
    assert np.allclose(second.change, -0.05 * second.state_after["v"])


PAIRS = [(h, out, loss) for h in ("sigmoid", "tanh", "relu", "leaky_relu", "linear")
         for out, loss in (("softmax", "cross_entropy"), ("sigmoid", "mse"), ("tanh", "l1"), ("linear", "mse"),
                           ("sigmoid", "binary_cross_entropy"))]


@pytest.mark.parametrize("hidden, out, loss", PAIRS)
def test_gradient_check_agrees_with_backprop_away_from_kinks(hidden, out, loss):
    net, (X, y) = _net(hidden, out, loss, seed=3), _batch(seed=4)
    if loss != "cross_entropy":
        y = np.random.default_rng(5).uniform(0.1, 0.9, (len(X), 3)) if loss != "l1" else \
            np.random.default_rng(5).uniform(-0.9, 0.9, (len(X), 3))
    checked = 0
    for layer, i, j in [(0, 1, 2), (1, 4, 3), (2, 0, 1), (2, 3, 2), (0, 5, 0)]:
        res = gradient_check(net, X, y, layer, i, j)
        if res.at_kink:
            continue
        checked += 1
        assert res.relative_error < 1e-6 or abs(res.backprop - res.numeric) < 1e-10, str(res)
    assert checked >= 3


def test_gradient_check_flags_a_relu_kink():
    spec = {"input_size": 1, "layers": [{"units": 1, "activation": "relu"}, {"units": 1, "activation": "linear"}],
            "loss": "mse", "seed": 0}
    net = Network.from_spec(spec, "float64")
    net.layers[0].W[...] = 1.0
    net.layers[0].b[...] = 0.0
    net.layers[1].W[...] = 1.0
    res = gradient_check(net, np.array([[0.0]]), np.array([[1.0]]), 0, 0, 0, eps=1e-6)
    assert not res.at_kink                              # x = 0: W has no effect on z, no crossing
    net.layers[0].b[...] = 1e-7                         # z = W x + b with x = 1 crosses 0 when W moves by 1e-6
    net.layers[0].W[...] = -1e-7 - 0.0
    res = gradient_check(net, np.array([[1.0]]), np.array([[1.0]]), 0, 0, 0, eps=1e-6)
    assert res.at_kink and "kink" in str(res)


# ---- the optimizer keeps its memory; Step takes the batch a run would take ----------------------------------

def _digits_run(optimizer="adam", **kw):
    from engine.data import load_dataset
    ds = load_dataset("sample")
    spec = {"input_size": 784, "layers": [{"units": 16, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
            "loss": "cross_entropy", "seed": 0}
    cfg = TrainConfig(optimizer=optimizer, lr=0.003, batch_size=64, epochs=1, val_fraction=0.1, **kw)
    return ds, Network.from_spec(spec), cfg


@pytest.mark.parametrize("optimizer", ["adam", "minibatch", "momentum", "nesterov", "rmsprop"])
def test_steps_take_the_trainers_batches_in_its_seeded_order(optimizer):
    from engine.step import BatchOrder, next_step
    from engine.training import Trainer
    ds, net, cfg = _digits_run(optimizer)
    stepped = net.copy()
    gen = Trainer(net, cfg, ds.x_train, ds.y_train).run()
    for _ in range(3):
        next(gen)
    order, opt = BatchOrder(cfg, stepped, ds.y_train), make_step_optimizer(stepped, cfg)
    recs = [next_step(stepped, opt, order, ds.x_train, ds.y_train, cfg.lr) for _ in range(3)]
    assert np.array_equal(stepped.params, net.params)          # same batches, same steps, bit for bit
    assert [r.batch for r in recs] == [1, 2, 3] and recs[-1].epoch == 1 and opt.t == (3 if optimizer == "adam" else 0)
    assert recs[0].batch_size == 64 and recs[-1].n_batches == -(-len(order.rows) // 64)


@pytest.mark.parametrize("optimizer, size", [("sgd", 1), ("bgd", None), ("minibatch", 64)])
def test_a_step_is_one_sample_a_mini_batch_or_the_whole_training_set(optimizer, size):
    from engine.step import BatchOrder, next_step
    ds, net, cfg = _digits_run(optimizer)
    order = BatchOrder(cfg, net, ds.y_train)
    rec = next_step(net, make_step_optimizer(net, cfg), order, ds.x_train, ds.y_train, cfg.lr)
    assert rec.batch_size == (size or len(order.rows)) and len(order.rows) == 4500


def test_an_epoch_continues_the_optimizer_it_is_given():
    import copy
    from engine.errors import SpecError
    from engine.training import Trainer
    ds, net, cfg = _digits_run("momentum", momentum=0.5)
    opt = make_step_optimizer(net, cfg)
    take_step(net, opt, ds.x_train[:64], ds.y_train[:64], lr=cfg.lr)
    v = np.array(opt.v, copy=True)
    trainer = Trainer(net, cfg, ds.x_train, ds.y_train, optimizer=copy.deepcopy(opt))
    assert np.array_equal(trainer.opt.v, v) and trainer.opt.momentum == 0.5
    adam = make_step_optimizer(net, TrainConfig(optimizer="adam"))
    with pytest.raises(SpecError, match="fresh optimizer"):
        Trainer(net, cfg, ds.x_train, ds.y_train, optimizer=adam)


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "nesterov", "rmsprop", "adam", "bgd"])
def test_step_works_on_the_two_input_playground_data(optimizer):
    from engine.data import load_dataset
    from engine.step import BatchOrder, next_step
    ds = load_dataset("xor")
    spec = {"input_size": 2, "layers": [{"units": 4, "activation": "tanh"}, {"units": 2, "activation": "softmax"}],
            "loss": "cross_entropy", "seed": 0}
    net = Network.from_spec(spec)
    cfg = TrainConfig(optimizer=optimizer, lr=0.05, batch_size=16, val_fraction=0.0)
    order, opt = BatchOrder(cfg, net, ds.y_train), make_step_optimizer(net, cfg)
    ref = net.copy()
    rec = next_step(net, opt, order, ds.x_train, ds.y_train, cfg.lr)
    Xb, yb = ds.x_train[rec.indices], ds.y_train[rec.indices]
    assert rec.loss_before == pytest.approx(ref.loss(Xb, yb), rel=1e-6)
    assert rec.loss_after == pytest.approx(net.loss(Xb, yb), rel=1e-6)
    text = update_in_numbers(rec, net, 0, 1, 2)
    assert text.endswith(f"{float(net.layers[0].W[1, 2]):.5g}")
