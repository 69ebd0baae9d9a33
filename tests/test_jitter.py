"""Augmentation for inputs that are not images: Gaussian input jitter scaled to each feature's spread, chosen by the
Trainer for points and table columns (warps stay for images), seeded, and what it is for: on the overfitting
lesson's few noisy points it shrinks the gap between training and validation loss."""
import json

import numpy as np
import pytest

from engine.cli import main
from engine.config import TrainConfig
from engine.data import Augmenter, Jitter
from engine.data.jitter import JITTER
from engine.data.toy import split_toy
from engine.network import Network
from engine.training import Trainer, fit


def test_noise_has_zero_mean_and_the_share_of_each_features_spread():
    rng = np.random.default_rng(0)
    X = np.c_[rng.normal(3.0, 2.0, 5000), rng.normal(-1.0, 0.1, 5000), np.full(5000, 7.0)].astype(np.float32)
    jitter = Jitter.fitted(X)
    xb = np.repeat(X[:1], 200_000, axis=0)
    noise = jitter(xb, np.random.default_rng(1)) - xb
    np.testing.assert_allclose(noise.mean(axis=0), 0.0, atol=0.005)
    np.testing.assert_allclose(noise.std(axis=0), JITTER * X.std(axis=0), rtol=0.01)    # a constant column: 0
    assert noise.dtype == np.float32 and noise[:, 2].max() == 0


def test_seeded_and_the_batch_is_left_as_it_was():
    X = np.random.default_rng(0).normal(size=(64, 2)).astype(np.float32)
    before = X.copy()
    jitter = Jitter.fitted(X)
    a, b = jitter(X, np.random.default_rng(5)), jitter(X, np.random.default_rng(5))
    np.testing.assert_array_equal(a, b)
    np.testing.assert_array_equal(X, before)
    assert not np.array_equal(a, jitter(X, np.random.default_rng(6)))


def spec(inputs, hidden=((64, "relu"), (64, "relu")), outputs=2, out="softmax", loss="cross_entropy"):
    layers = [{"units": u, "activation": a} for u, a in hidden] + [{"units": outputs, "activation": out}]
    return {"input_size": inputs, "layers": layers, "loss": loss, "seed": 0}


@pytest.mark.parametrize("inputs, kind", [(2, Jitter), (1, Jitter), (4, Jitter), (784, Augmenter)])
def test_the_trainer_warps_images_and_jitters_everything_else(inputs, kind):
    X = np.random.default_rng(0).random((40, inputs)).astype(np.float32)
    y = np.arange(40) % 2
    trainer = Trainer(Network.from_spec(spec(inputs, ((4, "tanh"),))), TrainConfig(augment=True, epochs=1), X, y)
    assert type(trainer.augmenter) is kind
    assert Trainer(Network.from_spec(spec(inputs, ((4, "tanh"),))), TrainConfig(epochs=1), X, y).augmenter is None


def test_the_jitter_is_scaled_to_the_training_rows_only():
    X = np.r_[np.zeros((30, 2)), np.full((10, 2), 100.0)].astype(np.float32)   # validation rows far away
    y = np.arange(40) % 2
    cfg = TrainConfig(augment=True, epochs=1, val_fraction=0.25, seed=0)
    trainer = Trainer(Network.from_spec(spec(2, ((4, "tanh"),))), cfg, X, y)
    rows = np.take(X, trainer.train_idx, axis=0)
    np.testing.assert_allclose(trainer.augmenter.sigma.ravel(), JITTER * rows.std(axis=0), rtol=1e-6)


def overfit_gap(augment: bool) -> float:
    d = split_toy("moons", n=100, noise=0.35, seed=2)
    cfg = TrainConfig(optimizer="adam", lr=0.01, batch_size=16, epochs=300, schedule="constant", val_fraction=0.3,
                      seed=0, augment=augment)
    last = fit(Network.from_spec(spec(2)), cfg, d["x_train"], d["y_train"])[-1]
    return last["val_loss"] - last["train_loss"]


def test_jitter_shrinks_the_overfitting_gap():
    plain, jittered = overfit_gap(False), overfit_gap(True)
    assert plain > 0.5 and jittered < 0.5 * plain          # measured: 0.98 -> 0.16


def test_the_cli_augments_points_with_jitter(capsys):
    args = ["train", "--dataset", "moons", "--points", "100", "--layers", "16", "--epochs", "3", "--quiet", "--json"]
    assert main([*args, "--augment"]) == 0
    r = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert r["augment"] is True and r["n_train"] + r["n_test"] == 100
