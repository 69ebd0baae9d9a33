"""The initialisers "zeros" and "normal" (with init_scale) as registry entries with label and formula; the seeded
class-balanced training subset; Compare varying weight decay, dropout and the initialiser; the CLI's --dropout and
--subset; a project keeps a spec with dropout and initialisers."""
from __future__ import annotations

import numpy as np
import pytest

from engine import TrainConfig, fit
from engine.compare import variants
from engine.errors import SpecError
from engine.initializers import INITIALIZERS
from engine.network import Network
from engine.spec import validate_spec
from engine.split import balanced_subset
from engine.train_rows import training_rows
from engine.training import Trainer

SIGMOID = {"input_size": 4, "layers": [{"units": 5, "activation": "sigmoid"}, {"units": 3, "activation": "softmax"}],
           "loss": "cross_entropy", "seed": 1}


def with_init(spec, name, **extra):
    return {**spec, "layers": [{**l, "init": name, **extra} for l in spec["layers"]]}


def data(n=60, seed=0):
    rng = np.random.default_rng(seed)
    X = rng.random((n, 4)).astype(np.float32)
    return X, (X[:, 0] > 0.5).astype(np.int64) + (X[:, 1] > 0.5)


def test_every_initialiser_has_a_label_and_a_formula():
    for name, cls in INITIALIZERS.items():
        assert cls.name == name and cls.label and "W" in cls.formula and cls.description.endswith(".")
    assert INITIALIZERS["normal"].uses_scale and not INITIALIZERS["zeros"].uses_scale


def test_zeros_and_normal_draw_what_they_say():
    net = Network.from_spec(with_init({**SIGMOID, "input_size": 400, "layers": [
        {"units": 300, "activation": "sigmoid"}, {"units": 3, "activation": "softmax"}]}, "normal", init_scale=0.7))
    W = net.layers[0].W
    assert abs(W.mean()) < 0.01 and W.std() == pytest.approx(0.7, rel=0.01)
    zero = Network.from_spec(with_init(SIGMOID, "zeros"))
    assert not zero.params.any()
    assert validate_spec(with_init(SIGMOID, "normal"))["layers"][0]["init_scale"] == 0.01


@pytest.mark.parametrize("layer, message", [
    ({"units": 3, "activation": "relu", "init": "ones"}, "unknown initialiser"),
    ({"units": 3, "activation": "relu", "init_scale": 0.1}, "set \"init\": \"normal\""),
    ({"units": 3, "activation": "relu", "init": "zeros", "init_scale": 0.1}, "only applies"),
    ({"units": 3, "activation": "relu", "init": "normal", "init_scale": 0}, "above 0"),
    ({"units": 3, "activation": "relu", "init": "normal", "init_scale": float("inf")}, "above 0"),
])
def test_a_bad_initialiser_is_a_sentence(layer, message):
    with pytest.raises(SpecError, match=message):
        validate_spec({"input_size": 2, "layers": [layer, {"units": 2, "activation": "softmax"}],
                       "loss": "cross_entropy"})


def test_zero_weights_keep_every_hidden_unit_the_same_while_they_change():
    X, y = data()
    net = Network.from_spec(with_init(SIGMOID, "zeros"))
    fit(net, TrainConfig(optimizer="adam", lr=0.05, batch_size=8, epochs=5, seed=0), X, y)
    W = net.layers[0].W
    assert np.abs(W).max() > 1e-2                              # the weights did change
    assert np.abs(W - W[:, :1]).max() < 1e-7                   # but every unit's incoming weights are one unit's
    assert np.ptp(net.layers[0].b) < 1e-7


def test_the_balanced_subset_is_seeded_balanced_and_leaves_the_validation_rows_alone():
    labels = np.repeat(np.arange(4), [50, 30, 8, 40])
    rows = balanced_subset(labels, 30, 7)
    assert np.array_equal(rows, balanced_subset(labels, 30, 7)) and np.all(np.diff(rows) > 0)
    counts = np.bincount(labels[rows], minlength=4)
    assert counts.sum() == 30 and counts.max() - counts.min() <= 1
    counts = np.bincount(labels[balanced_subset(labels, 60, 7)], minlength=4)
    assert counts[2] == 8 and sorted(counts[[0, 1, 3]]) == [17, 17, 18]  # a small class gives all it has
    _, val_all, _ = training_rows(labels, TrainConfig(val_fraction=0.2))
    train, val, notice = training_rows(labels, TrainConfig(val_fraction=0.2, train_subset=20))
    assert np.array_equal(val, val_all) and len(train) == 20 and not set(train) & set(val) and notice == ""
    _, _, notice = training_rows(labels, TrainConfig(val_fraction=0.2, train_subset=10_000))
    assert "not smaller" in notice


def test_a_trainer_trains_on_the_subset_only():
    X, y = data(200)
    t = Trainer(Network.from_spec(SIGMOID), TrainConfig(val_fraction=0.25, train_subset=40), X, y)
    assert t.n_train == 40 and 45 <= len(t.val[0]) <= 55         # stratified: about a quarter


def test_compare_varies_weight_decay_dropout_and_the_initialiser():
    spec, cfg = validate_spec(SIGMOID), TrainConfig()
    wd = variants(spec, cfg, "weight_decay", [0, 0.001])
    assert [v.cfg.weight_decay for v in wd] == [0, 0.001] and [v.label for v in wd] == ["0", "0.001"]
    drop = variants(spec, cfg, "dropout", [0, 0.5])
    assert [v.spec["layers"][0].get("dropout") for v in drop] == [None, 0.5]
    assert "dropout" not in drop[1].spec["layers"][1]
    init = variants(spec, cfg, "init", ["zeros", ("normal", 3.0), "xavier_uniform"])
    assert [v.label for v in init] == ["Zeros", "Normal σ = 3", "Xavier uniform"]
    assert init[1].spec["layers"][0]["init_scale"] == 3.0 and "init_scale" not in init[0].spec["layers"][0]
    with pytest.raises(SpecError, match="Unknown initialiser"):
        variants(spec, cfg, "init", ["zeros", "ones"])
    with pytest.raises(SpecError, match="dropout"):
        variants(spec, cfg, "dropout", [0, 1.5])


def test_the_cli_trains_with_dropout_on_a_subset(capsys):
    from engine.cli import main
    code = main(["train", "--dataset", "sample", "--layers", "16", "--dropout", "0.3", "--subset", "200",
                 "--epochs", "1", "--json", "--threads", "1", "--quiet"])
    out, err = capsys.readouterr()
    assert code == 0, err
    import json
    r = json.loads(out.strip().splitlines()[-1])
    assert r["spec"]["layers"][0]["dropout"] == 0.3 and r["n_trained"] == 200
    assert main(["train", "--dataset", "sample", "--layers", "16", "--dropout", "1", "--quiet"]) == 2
    assert "dropout rate" in capsys.readouterr().err


def test_a_project_keeps_dropout_and_the_initialisers(tmp_path):
    from app.project import Project, load_project, save_project
    spec = validate_spec({**with_init(SIGMOID, "normal", init_scale=2.0),
                          "layers": [{"units": 5, "activation": "sigmoid", "dropout": 0.5, "init": "zeros"},
                                     {"units": 3, "activation": "softmax", "init": "normal", "init_scale": 2.0}]})
    settings = {"weight_decay": 0.001, "train_subset": 300}
    net = Network.from_spec(spec)
    loaded = load_project(save_project(tmp_path / "p.mlpstudio", Project(spec=spec, settings=settings, network=net)))
    assert loaded.spec == spec and loaded.network.to_spec() == spec and loaded.settings == settings
    draft = load_project(save_project(tmp_path / "d.mlpstudio", Project(spec=spec, settings=settings)))
    assert draft.spec == spec
