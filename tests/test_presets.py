"""Training presets: one owner for each use's defaults, and TrainConfig.from_dict's checks."""
import dataclasses

import pytest

from engine.cli import build_parser, make_config
from engine.errors import SpecError
from engine.presets import DIGIT_SPEC, PRESETS, digit_spec, preset, starting_lr
from engine.spec import validate_spec
from engine.training import TrainConfig


def _cli(*argv):
    return make_config(build_parser().parse_args(["train", *argv]))


def test_app_digits_preset_is_the_first_start_recipe():
    c = PRESETS["app_digits"]
    assert (c.optimizer, c.lr, c.schedule, c.epochs, c.batch_size, c.augment) == ("adam", 0.004, "cosine", 40, 128, True)
    assert (c.val_fraction, c.probe_every, c.momentum, c.patience, c.seed) == (0.1, 50, 0.9, 0, 0)


def test_app_default_settings_equal_the_preset():
    state = pytest.importorskip("app.state")
    assert state.DEFAULT_SETTINGS == PRESETS["app_digits"].to_dict()


def test_cli_plain_run_uses_the_plain_preset():
    cfg = _cli()
    assert cfg == PRESETS["cli_plain"]
    assert (cfg.optimizer, cfg.lr, cfg.epochs, cfg.schedule, cfg.batch_size) == ("momentum", 0.05, 20, "constant", 64)
    assert (cfg.momentum, cfg.weight_decay, cfg.val_fraction, cfg.patience, cfg.min_lr, cfg.augment) == \
        (0.9, 0.0, 0.0, 0, 0.0, False)


def test_cli_augment_run_uses_the_augment_preset():
    cfg = _cli("--augment")
    assert cfg == PRESETS["cli_augment"]
    assert (cfg.optimizer, cfg.lr, cfg.epochs, cfg.schedule, cfg.augment) == ("adam", 1e-3, 30, "cosine", True)


def test_cli_options_override_the_preset():
    assert _cli("--optimizer", "rmsprop").lr == 1e-3 == starting_lr("rmsprop")
    assert _cli("--optimizer", "nesterov").lr == 0.05 == starting_lr("nesterov")
    assert _cli("--augment", "--optimizer", "sgd", "--lr", "0.2").lr == 0.2
    cfg = _cli("--epochs", "3", "--val-fraction", "0.2", "--patience", "2", "--seed", "7", "--momentum", "0.5")
    assert (cfg.epochs, cfg.val_fraction, cfg.patience, cfg.seed, cfg.momentum) == (3, 0.2, 2, 7, 0.5)


def test_preset_returns_a_copy():
    cfg = preset("app_digits")
    cfg.lr = 1.0
    assert PRESETS["app_digits"].lr == 0.004
    with pytest.raises(SpecError, match="Unknown preset 'nope'; choose one of app_digits"):
        preset("nope")


def test_digit_spec_is_valid_and_copied():
    assert validate_spec(DIGIT_SPEC)["layers"] == DIGIT_SPEC["layers"]
    spec = digit_spec()
    spec["layers"].append({"units": 3, "activation": "relu"})
    assert len(DIGIT_SPEC["layers"]) == 2


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_is_valid_and_round_trips(name):
    cfg = PRESETS[name]
    assert cfg.validate() is cfg
    assert TrainConfig.from_dict(cfg.to_dict()) == cfg


def test_from_dict_refuses_unknown_keys_with_a_sentence():
    with pytest.raises(SpecError, match=r"Unknown training setting\(s\): learning_rate; known: optimizer, lr"):
        TrainConfig.from_dict({"learning_rate": 0.1})


@pytest.mark.parametrize("key,value,words", [
    ("lr", "fast", "The learning rate must be a number above 0 (got 'fast')"),
    ("epochs", 2.5, "The number of epochs must be a whole number >= 1 (got 2.5)"),
    ("augment", "yes", "augment must be true or false (got 'yes')"),
    ("optimizer", ["adam"], "Unknown optimizer ['adam']"),
    ("batch_size", True, "The batch size must be a whole number >= 1 (got True)"),
])
def test_from_dict_refuses_wrong_types_with_a_sentence(key, value, words):
    with pytest.raises(SpecError) as err:
        TrainConfig.from_dict({key: value})
    assert words in str(err.value)


def test_from_dict_needs_a_dict():
    with pytest.raises(SpecError, match="Training settings must be a table"):
        TrainConfig.from_dict([("lr", 0.1)])


def test_from_dict_fills_in_the_rest_from_the_defaults():
    cfg = TrainConfig.from_dict({"lr": 0.2})
    assert cfg == dataclasses.replace(TrainConfig(), lr=0.2)
