"""The exported train.py's parts against the engine's, imported in-process with real PyTorch (marked `export`): its
validation split holds out exactly the engine's rows, its fresh weights are the engine's bit for bit for every
initialiser, its schedule gives the engine's learning rates, its loss the engine's loss, and MLP Studio's optimizer
memory lands in torch.optim's state where the same numbers live."""
from __future__ import annotations

import numpy as np
import pytest

from engine import TrainConfig, fit
from engine.export import export_torch_folder
from engine.initializers import INITIALIZERS
from engine.network import Network
from engine.schedules import SCHEDULES
from engine.split import stratified_split
from helpers_export import TINY_SPEC, import_script

pytestmark = pytest.mark.export
torch = pytest.importorskip("torch")


def script_for(tmp_path, spec=TINY_SPEC, cfg=None, net=None):
    net = net if net is not None else Network.from_spec(spec)
    export_torch_folder(net, cfg if cfg is not None or net.train_state is not None else TrainConfig(), tmp_path)
    return import_script(tmp_path)


@pytest.mark.parametrize("fraction, seed", [(0.1, 0), (0.25, 7), (0.5, 3)])
def test_the_validation_split_is_the_engines_stratified_split(tmp_path, fraction, seed):
    script = script_for(tmp_path)
    rng = np.random.default_rng(seed)
    for labels in (rng.integers(0, 10, 503), np.repeat([0, 1], [90, 11]), rng.integers(0, 3, 40)):
        rows = np.arange(len(labels))
        tr, _, va, _ = stratified_split(rows, labels, fraction, seed)
        mine_tr, mine_va = script.stratified_split(labels, fraction, seed)
        np.testing.assert_array_equal(mine_tr, tr)
        np.testing.assert_array_equal(mine_va, va)


@pytest.mark.parametrize("init", sorted(INITIALIZERS))
def test_fresh_weights_are_the_engines_bit_for_bit_for_every_initialiser(tmp_path, init):
    scaled = {"init": "normal", "init_scale": 1.7} if INITIALIZERS[init].uses_scale else {}   # each layer's own σ
    spec = {"input_size": 7, "layers": [{"units": 6, "activation": "tanh", "init": init},
                                        {"units": 5, "activation": "relu", **scaled},
                                        {"units": 3, "activation": "softmax"}], "loss": "cross_entropy", "seed": 11}
    for dtype in ("float32", "float64"):
        net = Network.from_spec(spec, dtype=dtype)
        script = script_for(tmp_path / dtype, net=net, cfg=TrainConfig())
        model = script.build_model()
        script.initialise(model, spec["seed"])
        linears = [m for m in model if isinstance(m, torch.nn.Linear)]
        for layer, linear in zip(net.layers, linears):
            np.testing.assert_array_equal(linear.weight.detach().numpy(), layer.W.T)
            np.testing.assert_array_equal(linear.bias.detach().numpy(), layer.b)


@pytest.mark.parametrize("schedule", sorted(SCHEDULES))
def test_the_schedule_gives_the_engines_learning_rates(tmp_path, schedule):
    cfg = TrainConfig(schedule=schedule, lr=0.3, step_size=3, gamma=0.6, min_lr=0.01, epochs=10)
    script = script_for(tmp_path, cfg=cfg)
    for epochs in (10, 17):
        for epoch in range(1, epochs + 1):
            assert script.lr_at(epoch, epochs) == pytest.approx(
                SCHEDULES[schedule](0.3, epoch, epochs, 3, 0.6, 0.01), rel=1e-12)


@pytest.mark.parametrize("loss, output, units", [("cross_entropy", "softmax", 4), ("mse", "softmax", 4),
                                                  ("mse", "sigmoid", 1), ("l1", "linear", 3),
                                                  ("binary_cross_entropy", "sigmoid", 1),
                                                  ("binary_cross_entropy", "sigmoid", 3)])
def test_the_loss_is_the_engines_loss(tmp_path, loss, output, units):
    spec = {"input_size": 5, "layers": [{"units": 6, "activation": "tanh"}, {"units": units, "activation": output}],
            "loss": loss, "seed": 2}
    net = Network.from_spec(spec, dtype="float64")
    script = script_for(tmp_path, net=net, cfg=TrainConfig())
    rng = np.random.default_rng(1)
    x, y = rng.random((9, 5)), rng.integers(0, max(units, 2), 9)
    model = script.build_model()
    model.load_state_dict(torch.load(tmp_path / "weights.pt", weights_only=True))
    trained = model[:-1] if script.FUSED else model
    with torch.no_grad():
        value = float(script.loss_of(trained(torch.from_numpy(x)), torch.from_numpy(y)))
    assert value == pytest.approx(net.loss(x, y), rel=1e-9)


@pytest.mark.parametrize("optimizer", ["momentum", "nesterov", "rmsprop", "adam"])
def test_mlp_studios_optimizer_memory_lands_in_torch_optims_state(tmp_path, optimizer):
    net = Network.from_spec(TINY_SPEC)
    rng = np.random.default_rng(0)
    fit(net, TrainConfig(optimizer=optimizer, epochs=2, batch_size=8, val_fraction=0.0),
        rng.random((40, 6)), rng.integers(0, 3, 40))
    memory = net.train_state.memory
    script = script_for(tmp_path, net=net)
    model = script.build_model()
    trained = model[:-1] if script.FUSED else model
    opt = script.make_optimizer(trained.parameters())
    script.restore_memory(opt, trained)
    views = net.views(memory["v" if optimizer != "rmsprop" else "s"])
    key = {"momentum": "momentum_buffer", "nesterov": "momentum_buffer", "rmsprop": "square_avg",
           "adam": "exp_avg_sq"}[optimizer]
    for (W, b), linear in zip(views, [m for m in trained if isinstance(m, torch.nn.Linear)]):
        np.testing.assert_array_equal(opt.state[linear.weight][key].numpy(), W.T)
        np.testing.assert_array_equal(opt.state[linear.bias][key].numpy(), b)
        if optimizer == "adam":
            assert float(opt.state[linear.weight]["step"]) == memory["t"] == 10
