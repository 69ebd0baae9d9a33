"""`python -m engine export MODEL.npz --to torch --out DIR`: DIR/model.py, DIR/weights.pt, DIR/train.py, with the
names the generated imports use, the training settings written in, and one-line errors for bad input."""
from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

from engine import TrainConfig
from engine.cli import main
from engine.errors import SaveError
from engine.export import export_torch_folder
from engine.network import Network

SPEC = {"input_size": 784, "layers": [{"units": 32, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 4}


def module_constant(path: Path, name: str):
    for node in ast.parse(path.read_text()).body:
        if isinstance(node, ast.Assign) and node.targets[0].id == name:
            return ast.literal_eval(node.value)
    raise AssertionError(f"{name} not in {path.name}")


def test_folder_holds_model_weights_and_train_script_with_matching_imports(tmp_path):
    cfg = TrainConfig(optimizer="adam", lr=0.002, batch_size=32, epochs=7, schedule="cosine", seed=9, augment=True)
    paths = export_torch_folder(Network.from_spec(SPEC), cfg, tmp_path / "out")
    assert {k: p.name for k, p in paths.items()} == {"model": "model.py", "weights": "weights.pt",
                                                     "train": "train.py"}
    model, train = paths["model"].read_text(), paths["train"].read_text()
    assert "WEIGHTS = Path(__file__).with_name('weights.pt')" in model and "from model import" in model
    assert "from model import WEIGHTS, build_model" in train
    settings = module_constant(paths["train"], "SETTINGS")
    assert {k: settings[k] for k in ("optimizer", "lr", "batch_size", "epochs", "schedule", "seed", "loss")} == \
        {"optimizer": "adam", "lr": 0.002, "batch_size": 32, "epochs": 7, "schedule": "cosine", "seed": 9,
         "loss": "cross_entropy"}
    assert module_constant(paths["train"], "SPEC") == Network.from_spec(SPEC).to_spec()
    assert "augmentation" in train and "torchrun --nproc_per_node=N" in train and "gloo" in train
    assert "nccl" in train and "DistributedDataParallel" in train
    compile(train, "train.py", "exec")


@pytest.mark.parametrize("optimizer, batch", [("sgd", 1), ("bgd", None), ("minibatch", 16)])
def test_plain_gradient_descent_keeps_its_own_batch(tmp_path, optimizer, batch):
    paths = export_torch_folder(Network.from_spec(SPEC), TrainConfig(optimizer=optimizer, batch_size=16), tmp_path)
    assert module_constant(paths["train"], "SETTINGS")["batch_size"] == batch


def test_folder_whose_parent_is_missing_is_a_save_error(tmp_path):
    with pytest.raises(SaveError, match="does not exist"):
        export_torch_folder(Network.from_spec(SPEC), TrainConfig(), tmp_path / "no" / "out")


def test_cli_export_writes_the_folder_with_the_given_settings(tmp_path, capsys):
    model = tmp_path / "m.npz"
    Network.from_spec(SPEC).save(model)
    (tmp_path / "s.json").write_text(json.dumps({"optimizer": "nesterov", "lr": 0.01, "epochs": 3}))
    assert main(["export", str(model), "--to", "torch", "--out", str(tmp_path / "dir"),
                 "--settings", str(tmp_path / "s.json")]) == 0
    printed = capsys.readouterr().out.split()
    assert [Path(p).name for p in printed] == ["model.py", "weights.pt", "train.py"]
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
    assert sorted(p.name for p in (tmp_path / "dir").iterdir()) == ["model.py", "train.py", "weights.pt"]
