"""`python -m engine export MODEL.npz --to torch --out DIR` and File > Export's folder: DIR/model.py, weights.pt,
train.py, requirements.txt and (with the optimizer's memory) optimizer.pt, with the names the generated imports use;
train.py carries the settings the network was trained with and where that run stopped (not the engine's defaults),
says which in its header, draws exactly the spec's initialisers (an unknown one is refused, never approximated) and
holds no code it does not use; one-line errors for bad input."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine import TrainConfig, fit
from engine.cli import main
from engine.errors import SaveError, SpecError
from engine.export import export_torch_folder
from engine.export.folder import TESTED_TORCH
from engine.network import Network

SPEC = {"input_size": 784, "layers": [{"units": 32, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 4}
TINY = {"input_size": 6, "layers": [{"units": 5, "activation": "relu"}, {"units": 3, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 3}
ROOT = Path(__file__).resolve().parents[1]


def module_constant(path: Path, name: str):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not in {path.name}")


def trained_tiny(cfg: TrainConfig) -> Network:
    rng = np.random.default_rng(0)
    net = Network.from_spec(TINY)
    fit(net, cfg, rng.random((60, 6)), rng.integers(0, 3, 60))
    return net


def test_folder_holds_model_weights_train_script_and_requirements_with_matching_imports(tmp_path):
    cfg = TrainConfig(optimizer="adam", lr=0.002, batch_size=32, epochs=7, schedule="cosine", seed=9, augment=True)
    paths = export_torch_folder(Network.from_spec(SPEC), cfg, tmp_path / "out")
    assert {k: p.name for k, p in paths.items()} == {"model": "model.py", "weights": "weights.pt",
                                                     "train": "train.py", "requirements": "requirements.txt"}
    model, train = paths["model"].read_text(), paths["train"].read_text()
    assert "WEIGHTS = Path(__file__).with_name('weights.pt')" in model and "from model import" in model
    assert "from model import WEIGHTS, build_model" in train
    settings = module_constant(paths["train"], "SETTINGS")
    assert {k: settings[k] for k in ("optimizer", "lr", "batch_size", "epochs", "schedule", "seed", "loss")} == \
        {"optimizer": "adam", "lr": 0.002, "batch_size": 32, "epochs": 7, "schedule": "cosine", "seed": 9,
         "loss": "cross_entropy"}
    assert module_constant(paths["train"], "SPEC") == Network.from_spec(SPEC).to_spec()
    assert module_constant(paths["train"], "START") == {"epoch": 0, "memory": False}
    assert "augmentation (MLP Studio trained with it)" in train and "torchrun --nproc_per_node=N" in train
    assert "gloo" in train and "nccl" in train and "DistributedDataParallel" in train
    assert "DistributedSampler" in train and "DataLoader" in train
    compile(train, "train.py", "exec")


def test_requirements_name_what_the_scripts_import_and_the_torch_ci_tests(tmp_path):
    paths = export_torch_folder(Network.from_spec(SPEC), TrainConfig(), tmp_path)
    needs = [line.split(">=")[0] for line in paths["requirements"].read_text().splitlines()
             if line and not line.startswith("#")]
    assert needs == ["torch", "numpy"]
    assert f"torch=={TESTED_TORCH}" in (ROOT / ".ci" / "run").read_text()


def test_the_settings_the_network_was_trained_with_go_to_train_py_with_where_the_run_stopped(tmp_path):
    cfg = TrainConfig(optimizer="momentum", lr=0.03, momentum=0.8, batch_size=12, epochs=3, val_fraction=0.2,
                      seed=5, schedule="step", step_size=2)
    paths = export_torch_folder(trained_tiny(cfg), None, tmp_path)
    settings = module_constant(paths["train"], "SETTINGS")
    assert {k: settings[k] for k in ("optimizer", "lr", "momentum", "batch_size", "epochs", "val_fraction", "seed",
                                     "schedule", "step_size")} == \
        {"optimizer": "momentum", "lr": 0.03, "momentum": 0.8, "batch_size": 12, "epochs": 3, "val_fraction": 0.2,
         "seed": 5, "schedule": "step", "step_size": 2}
    assert module_constant(paths["train"], "START") == {"epoch": 3, "memory": True}
    assert module_constant(paths["train"], "MEMORY_KEYS") == ("momentum_buffer",)
    assert paths["optimizer"].name == "optimizer.pt" and paths["optimizer"].stat().st_size > 0
    header = ast.get_docstring(ast.parse(paths["train"].read_text()))
    assert "Carried from MLP Studio (the settings MLP Studio trained this network with):" in header
    for says in ("momentum 0.8 (torch.optim.SGD); lr 0.03", "12 samples per step (N processes: 12/N each)",
                 "step decay: x0.5 every 2 epochs, over 3 epochs", "20% of each class held out with seed 5",
                 "epoch 3 of 3 done in MLP Studio", "optimizer.pt holds the velocity v"):
        assert says in header, says


def test_settings_given_at_export_start_a_new_run_and_drop_an_old_optimizer_file(tmp_path):
    export_torch_folder(trained_tiny(TrainConfig(optimizer="adam", epochs=2)), None, tmp_path)
    assert (tmp_path / "optimizer.pt").exists()
    paths = export_torch_folder(trained_tiny(TrainConfig(optimizer="adam", epochs=2)), TrainConfig(lr=0.5), tmp_path)
    assert module_constant(paths["train"], "START") == {"epoch": 0, "memory": False}
    assert module_constant(paths["train"], "SETTINGS")["lr"] == 0.5
    assert "optimizer" not in paths and not (tmp_path / "optimizer.pt").exists()


@pytest.mark.parametrize("optimizer, batch", [("sgd", 1), ("bgd", None), ("minibatch", 16)])
def test_plain_gradient_descent_keeps_its_own_batch(tmp_path, optimizer, batch):
    paths = export_torch_folder(Network.from_spec(SPEC), TrainConfig(optimizer=optimizer, batch_size=16), tmp_path)
    assert module_constant(paths["train"], "SETTINGS")["batch_size"] == batch
    assert module_constant(paths["train"], "MEMORY_KEYS") == ()


def test_a_fused_loss_builds_no_one_hot_targets_it_would_not_use(tmp_path):
    fused = export_torch_folder(Network.from_spec(SPEC), TrainConfig(), tmp_path / "ce")["train"].read_text()
    assert "one_hot" not in fused and "target" not in fused.split("def loss_of")[1].split("\ndef ")[0]
    mse = export_torch_folder(Network.from_spec({**SPEC, "loss": "mse"}), TrainConfig(), tmp_path / "mse")
    assert "target = nn.functional.one_hot(y, 10).to(out.dtype)" in mse["train"].read_text()


def test_the_initialisers_are_the_specs_each_layer_by_name(tmp_path):
    spec = {**SPEC, "layers": [{"units": 32, "activation": "relu", "init": "glorot_normal"},
                               {"units": 10, "activation": "softmax"}]}
    train = export_torch_folder(Network.from_spec(spec), TrainConfig(), tmp_path)["train"].read_text()
    assert "def glorot_normal(rng, fan_in, fan_out):\n    return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), " \
           "size=(fan_in, fan_out))\n" in train
    assert "def xavier_uniform(rng, fan_in, fan_out):\n" in train and "he_uniform" not in train
    assert "INITIALISERS = [glorot_normal, xavier_uniform]" in train


def test_an_initialiser_with_no_exported_draw_is_refused_not_approximated(tmp_path, monkeypatch):
    """A new engine initialiser must get its own entry in INIT_CODE; until then export says so."""
    from engine import initializers

    class HeZeros(initializers.Zeros):
        name = "he_zeros"
    monkeypatch.setitem(initializers.INITIALIZERS, "he_zeros", HeZeros)
    spec = {**SPEC, "layers": [{"units": 32, "activation": "relu", "init": "he_zeros"},
                               {"units": 10, "activation": "softmax"}]}
    with pytest.raises(SpecError, match="layer 1's initialiser 'he_zeros' has no PyTorch version here"):
        export_torch_folder(Network.from_spec(spec), TrainConfig(), tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_folder_whose_parent_is_missing_is_a_save_error(tmp_path):
    with pytest.raises(SaveError, match="does not exist"):
        export_torch_folder(Network.from_spec(SPEC), TrainConfig(), tmp_path / "no" / "out")


def test_cli_export_carries_the_models_own_training_not_the_engines_defaults(tmp_path, capsys):
    cfg = TrainConfig(optimizer="rmsprop", lr=0.004, batch_size=10, epochs=3, val_fraction=0.0, seed=8)
    trained_tiny(cfg).save(tmp_path / "m.npz")
    assert main(["export", str(tmp_path / "m.npz"), "--to", "torch", "--out", str(tmp_path / "dir")]) == 0
    printed = capsys.readouterr().out.split()
    assert [Path(p).name for p in printed] == ["model.py", "weights.pt", "train.py", "requirements.txt",
                                               "optimizer.pt"]
    settings = module_constant(tmp_path / "dir" / "train.py", "SETTINGS")
    assert (settings["optimizer"], settings["lr"], settings["epochs"], settings["val_fraction"], settings["seed"]) == \
        ("rmsprop", 0.004, 3, 0.0, 8)
    assert module_constant(tmp_path / "dir" / "train.py", "START") == {"epoch": 3, "memory": True}


def test_cli_export_of_a_model_without_a_record_says_it_uses_the_defaults(tmp_path, capsys):
    Network.from_spec(SPEC).save(tmp_path / "m.npz")
    assert main(["export", str(tmp_path / "m.npz"), "--to", "torch", "--out", str(tmp_path / "dir")]) == 0
    assert "holds no record of its training" in capsys.readouterr().err
    assert module_constant(tmp_path / "dir" / "train.py", "SETTINGS")["epochs"] == TrainConfig().epochs
    assert "none recorded" in (tmp_path / "dir" / "train.py").read_text()


def test_cli_export_writes_the_folder_with_the_given_settings(tmp_path, capsys):
    model = tmp_path / "m.npz"
    Network.from_spec(SPEC).save(model)
    (tmp_path / "s.json").write_text(json.dumps({"optimizer": "nesterov", "lr": 0.01, "epochs": 3}))
    assert main(["export", str(model), "--to", "torch", "--out", str(tmp_path / "dir"),
                 "--settings", str(tmp_path / "s.json")]) == 0
    printed = capsys.readouterr().out.split()
    assert [Path(p).name for p in printed] == ["model.py", "weights.pt", "train.py", "requirements.txt"]
    settings = module_constant(tmp_path / "dir" / "train.py", "SETTINGS")
    assert (settings["optimizer"], settings["lr"], settings["epochs"]) == ("nesterov", 0.01, 3)


@pytest.mark.parametrize("argv, says", [
    (["export", "missing.npz", "--to", "torch", "--out", "d"], "Cannot open model missing.npz"),
    (["export", "MODEL", "--to", "keras", "--out", "d"], "invalid choice: 'keras'"),
    (["export", "MODEL", "--to", "torch", "--out", "d", "--settings", "bad.json"], "not valid JSON"),
    (["export", "MODEL", "--to", "torch", "--out", "d", "--settings", "unknown.json"], "Unknown training setting"),
])
def test_cli_export_errors_are_one_line(tmp_path, capsys, monkeypatch, argv, says):
    monkeypatch.chdir(tmp_path)
    Network.from_spec(SPEC).save(tmp_path / "m.npz")
    (tmp_path / "bad.json").write_text("{")
    (tmp_path / "unknown.json").write_text('{"warp": 9}')
    assert main([a.replace("MODEL", "m.npz") for a in argv]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and says in err and err.count("\n") == 1 and "Traceback" not in err


def test_python_dash_m_engine_export_runs(tmp_path):
    Network.from_spec(SPEC).save(tmp_path / "m.npz")
    out = subprocess.run([sys.executable, "-m", "engine", "export", "m.npz", "--to", "torch", "--out", "dir"],
                         cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert sorted(p.name for p in (tmp_path / "dir").iterdir()) == ["model.py", "requirements.txt", "train.py",
                                                                    "weights.pt"]
