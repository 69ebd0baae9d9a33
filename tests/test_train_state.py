"""A network remembers how it was trained and where that stands (TrainState): the Trainer records the settings in
effect, the epochs done and the optimizer's memory; the model file (format 2) keeps all of it, still reads format 1
files (written here as the old code wrote them), and refuses a damaged record with a sentence."""
from __future__ import annotations

import json

import numpy as np
import pytest

from engine import Network, TrainConfig, fit
from engine.errors import ModelFileError
from engine.events import EpochStats, Finished
from engine.train_state import TrainState, after_step, optimizer_state
from engine.training import Trainer

SPEC = {"input_size": 6, "layers": [{"units": 5, "activation": "relu"}, {"units": 3, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 4}


@pytest.fixture
def data():
    rng = np.random.default_rng(0)
    return rng.random((60, 6)), rng.integers(0, 3, 60)


def run(net, cfg, data, stop_after=None, lr=None):
    trainer = Trainer(net, cfg, *data)
    finished = None
    for event in trainer.run():
        if isinstance(event, EpochStats) and lr is not None:
            trainer.set_lr(lr)
        if isinstance(event, EpochStats) and event.epoch == stop_after:
            trainer.stop()
        if isinstance(event, Finished):
            finished = event
    return trainer, finished


@pytest.mark.parametrize("optimizer, buffers", [("adam", {"m", "v", "t"}), ("momentum", {"v", "t"}),
                                                ("nesterov", {"v", "t"}), ("rmsprop", {"s", "t"}),
                                                ("minibatch", {"t"})])
def test_a_completed_run_records_its_settings_epochs_and_optimizer_memory(data, optimizer, buffers):
    cfg = TrainConfig(optimizer=optimizer, epochs=3, batch_size=16, val_fraction=0.2)
    net = Network.from_spec(SPEC)
    trainer, _ = run(net, cfg, data)
    state = net.train_state
    assert state.settings == cfg.to_dict() and state.epoch == 3 and set(state.memory) == buffers
    for name, value in optimizer_state(trainer.opt).items():
        np.testing.assert_array_equal(state.memory[name], value)
    if optimizer == "adam":
        assert state.memory["t"] == 3 * 3            # 48 training rows in batches of 16, three epochs


def test_a_stopped_run_records_the_epochs_it_completed_with_its_memory(data):
    net = Network.from_spec(SPEC)
    trainer, finished = run(net, TrainConfig(optimizer="adam", epochs=5, batch_size=16, val_fraction=0.0), data,
                            stop_after=2)
    assert finished.reason == "stopped" and net.train_state.epoch == 2
    assert net.train_state.memory["t"] == trainer.opt.t == 2 * 4


def test_the_learning_rate_set_while_running_is_the_one_recorded(data):
    net = Network.from_spec(SPEC)
    run(net, TrainConfig(optimizer="momentum", lr=0.05, epochs=2, min_lr=0.01, schedule="cosine"), data, lr=0.002)
    assert net.train_state.settings["lr"] == 0.002 and net.train_state.settings["min_lr"] == 0.002
    assert net.train_state.config.lr == 0.002                       # still a valid TrainConfig


def test_a_diverged_run_keeps_no_memory_for_the_weights_it_went_back_to(data):
    net = Network.from_spec(SPEC)
    _, finished = run(net, TrainConfig(optimizer="minibatch", lr=1e6, epochs=3), data)
    assert finished.reason == "diverged" and "epoch 2, batch 1" in finished.message
    assert net.train_state.epoch == 0 and net.train_state.memory is None    # back to the weights before epoch 1


def test_an_early_stop_records_the_epoch_whose_weights_it_kept(data):
    net = Network.from_spec(SPEC)
    _, finished = run(net, TrainConfig(optimizer="adam", lr=0.5, epochs=40, patience=1, val_fraction=0.3), data)
    assert finished.reason == "early_stopped"
    assert net.train_state.epoch == finished.best_epoch and net.train_state.memory is None


def test_a_step_keeps_the_epochs_done_and_takes_the_optimizers_memory_now(data):
    net = Network.from_spec(SPEC)
    trainer, _ = run(net, TrainConfig(optimizer="adam", epochs=2), data)
    trainer.opt.t += 1
    state = after_step(net.train_state, TrainConfig(optimizer="adam", epochs=1, lr=0.3), trainer.opt)
    assert (state.epoch, state.settings["lr"], state.memory["t"]) == (1, 0.3, trainer.opt.t)
    assert after_step(None, TrainConfig(), trainer.opt).epoch == 0


def test_the_model_file_keeps_the_record_and_copies_carry_it(tmp_path, data):
    net = Network.from_spec(SPEC, dtype="float64")
    fit(net, TrainConfig(optimizer="adam", epochs=2, batch_size=8, seed=3, schedule="step"), *data)
    net.save(tmp_path / "m.npz")
    back = Network.load(tmp_path / "m.npz")
    for other in (back, net.copy()):
        assert other.train_state.settings == net.train_state.settings and other.train_state.epoch == 2
        assert other.train_state.memory.keys() == net.train_state.memory.keys()
        for name in ("m", "v"):
            np.testing.assert_array_equal(other.train_state.memory[name], net.train_state.memory[name])
            assert other.train_state.memory[name].dtype == np.float64
        assert other.train_state.memory["t"] == net.train_state.memory["t"]
    assert net.copy().train_state.memory["m"] is not net.train_state.memory["m"]


def write_format_1(net, path):
    """The array set version 1 of the model file held (the code before format 2, verbatim)."""
    arrays = {"magic": np.array("mlp-studio-model"), "format_version": np.array(1),
              "spec": np.array(json.dumps(net.spec)), "dtype": np.array(str(net.dtype)),
              "history": np.array(json.dumps(net.history))}
    for i, layer in enumerate(net.layers):
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.W, layer.b
    with open(path, "wb") as f:
        np.savez(f, **arrays)


def test_a_format_1_file_still_opens_with_no_record(tmp_path, data):
    net = Network.from_spec(SPEC)
    fit(net, TrainConfig(epochs=1), *data)
    write_format_1(net, tmp_path / "old.npz")
    back = Network.load(tmp_path / "old.npz")
    np.testing.assert_array_equal(back.params, net.params)
    assert back.history == net.history and back.train_state is None


def _rewrite(path, **changes):
    with np.load(path, allow_pickle=False) as z:
        arrays = {k: z[k] for k in z.files}
    arrays.update(changes)
    with open(path, "wb") as f:
        np.savez(f, **{k: v for k, v in arrays.items() if v is not None})


@pytest.mark.parametrize("change, says", [
    (dict(train_state=np.array("{not json")), "training record is damaged"),
    (dict(train_state=np.array(json.dumps({"settings": {"lr": -1}, "epoch": 1, "t": 0, "memory": None}))),
     "training record is damaged"),
    (dict(train_state=np.array(json.dumps({"settings": {}, "epoch": 99, "t": 0, "memory": None}))),
     "out of range"),
    (dict(memory_m=np.zeros(3, np.float32)), "optimizer memory m is missing, misshapen or not finite"),
    (dict(memory_v=None), "optimizer memory v is missing"),
    (dict(train_state=np.array(json.dumps({"settings": {"optimizer": "adam"}, "epoch": 1, "t": 3,
                                           "memory": ["s"]}))), "not what adam keeps"),
])
def test_a_damaged_record_is_a_model_file_error(tmp_path, data, change, says):
    net = Network.from_spec(SPEC)
    fit(net, TrainConfig(optimizer="adam", epochs=1), *data)
    net.save(tmp_path / "m.npz")
    _rewrite(tmp_path / "m.npz", **change)
    with pytest.raises(ModelFileError, match=says):
        Network.load(tmp_path / "m.npz")


def test_an_untrained_network_saves_without_a_record(tmp_path):
    Network.from_spec(SPEC).save(tmp_path / "m.npz")
    assert Network.load(tmp_path / "m.npz").train_state is None
    with np.load(tmp_path / "m.npz") as z:
        assert "train_state" not in z.files


def test_train_state_config_is_a_validated_train_config():
    assert TrainState(TrainConfig(lr=0.3).to_dict(), 0).config == TrainConfig(lr=0.3)
