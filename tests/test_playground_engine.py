"""The engine side of the playground: regression is measured by MSE, each generated set has its preset, the CLI
trains a perceptron on XOR, and what a perceptron and an MLP reach on XOR and the spiral."""
import json

import numpy as np
import pytest

from engine import Network, TrainConfig, fit
from engine.activations import ACTIVATIONS
from engine.cli import main
from engine.data import load_dataset
from engine.data.toy import TOY_NAMES
from engine.events import BatchStats, EpochStats
from engine.presets import PLAYGROUND
from engine.spec import validate_spec
from engine.training import Trainer


def _sin_net(seed=0):
    return Network.from_spec(PLAYGROUND["sin"].spec(1, 1, seed))


def test_regression_reports_mse_never_an_accuracy():
    d = load_dataset("sin", n=100, noise=0.05)
    events = list(Trainer(_sin_net(), TrainConfig(optimizer="adam", lr=0.01, batch_size=16, epochs=3,
                                                  val_fraction=0.2), d.x_train, d.y_train).run())
    epochs = [e for e in events if isinstance(e, EpochStats)]
    batches = [e for e in events if isinstance(e, BatchStats)]
    assert all(e.train_accuracy is None and e.val_accuracy is None for e in epochs)
    assert all(b.accuracy is None for b in batches)
    # the loss reported is the mean squared error over the training rows
    assert epochs[-1].val_loss > 0 and np.isfinite(epochs[-1].train_loss)


def test_zero_one_labels_with_a_sigmoid_stay_a_classification():
    x = np.array([[0.0], [1.0], [2.0], [3.0]] * 10, np.float32)
    y = (x > 1.5).astype(np.float32)
    net = Network.from_spec({"input_size": 1, "layers": [{"units": 1, "activation": "sigmoid"}],
                             "loss": "binary_cross_entropy"})
    ev = [e for e in Trainer(net, TrainConfig(epochs=1, val_fraction=0), x, y).run() if isinstance(e, EpochStats)]
    assert ev[0].train_accuracy is not None


@pytest.mark.parametrize("name", TOY_NAMES)
def test_every_generated_set_has_a_preset_that_builds_and_trains(name):
    p = PLAYGROUND[name]
    d = load_dataset(name, n=p.points, noise=p.noise)
    spec = validate_spec(p.spec(d.n_features, d.n_classes))
    assert p.config.augment is False
    if d.task == "regression":
        assert (spec["layers"][-1]["activation"], spec["loss"]) == ("linear", "mse")
    else:
        assert (spec["layers"][-1]["activation"], spec["loss"]) == ("softmax", "cross_entropy")
    fit(Network.from_spec(spec), TrainConfig(**{**p.config.to_dict(), "epochs": 1}), d.x_train, d.y_train)


def test_linear_is_a_hidden_choice_and_linear_layers_stack_to_a_line():
    assert ACTIVATIONS["linear"].hidden_ok
    spec = {"input_size": 2, "layers": [{"units": 8, "activation": "linear"}, {"units": 8, "activation": "linear"},
                                        {"units": 2, "activation": "softmax"}], "loss": "cross_entropy"}
    net = Network.from_spec(validate_spec(spec))
    # two linear layers are one affine map: the logits' difference is affine in x
    x = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float64)
    z = net.forward_trace(x.astype(np.float32))[0][-1]
    diff = z[:, 0] - z[:, 1]
    A = np.c_[x, np.ones(len(x))]
    coef = np.linalg.lstsq(A, diff, rcond=None)[0]
    assert np.allclose(A @ coef, diff, atol=1e-4)


def _cli_json(capsys, *argv):
    assert main(["train", *argv, "--quiet", "--json"]) == 0
    return json.loads(capsys.readouterr().out.strip().splitlines()[-1])


@pytest.mark.parametrize("layers", ["0", ""])
def test_cli_trains_a_perceptron_on_xor(capsys, layers):
    r = _cli_json(capsys, "--dataset", "xor", "--points", "200", "--noise", "0.1", "--layers", layers,
                  "--epochs", "20")
    assert [l["units"] for l in r["spec"]["layers"]] == [2]
    assert r["n_train"] + r["n_test"] == 200 and r["test_accuracy"] <= 0.8


def test_cli_regression_reports_test_mse(capsys):
    r = _cli_json(capsys, "--dataset", "sin", "--layers", "16", "--activation", "tanh", "--epochs", "5")
    assert r["test_accuracy"] is None and r["train_accuracy"] is None
    d = load_dataset("sin")
    assert r["n_test"] == len(d.x_test) and r["test_mse"] == pytest.approx(r["test_loss"], rel=1e-5)
    assert r["spec"]["layers"][-1]["activation"] == "linear" and r["spec"]["loss"] == "mse"


def test_cli_refuses_generator_options_for_files(capsys):
    assert main(["train", "--dataset", "sample", "--noise", "0.2", "--quiet"]) == 2
    assert "Only generated" in capsys.readouterr().err


def _accuracy(name, layers, seed, epochs, points=200, noise=0.1):
    d = load_dataset(name, n=points, noise=noise, seed=seed)
    net = Network.from_spec({"input_size": 2, "layers": layers, "loss": "cross_entropy", "seed": seed})
    fit(net, TrainConfig(**{**PLAYGROUND[name].config.to_dict(), "epochs": epochs, "seed": seed}),
        d.x_train, d.y_train)
    return float((net.predict(d.x_test) == d.y_test).mean())


@pytest.mark.slow
def test_a_perceptron_stays_at_or_below_80_percent_on_xor_however_long():
    assert _accuracy("xor", [{"units": 2, "activation": "softmax"}], seed=0, epochs=2000) <= 0.80


@pytest.mark.slow
@pytest.mark.parametrize("seed", range(3))
def test_two_relu_layers_learn_the_spiral(seed):
    layers = [{"units": 16, "activation": "relu"}, {"units": 16, "activation": "relu"},
              {"units": 2, "activation": "softmax"}]
    assert _accuracy("spiral", layers, seed, epochs=500, points=400, noise=0.02) >= 0.95
