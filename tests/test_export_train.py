"""The exported train.py trains the same spec with the same settings as MLP Studio: starting fresh, 5 epochs on the
bundled sample, with 1 process and with 2 (torchrun, DistributedDataParallel over gloo), it lands within 2 points
of the engine's own 5-epoch test accuracy. Marked `export` and `slow` (CPU PyTorch, a minute or two)."""
from __future__ import annotations

import json
import os
import subprocess
import sys

import numpy as np
import pytest

from engine import TrainConfig, fit
from engine.data.paths import sample_dir
from engine.export import export_torch_folder
from engine.network import Network

SPEC = {"input_size": 784, "layers": [{"units": 64, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 3}
CONFIG = TrainConfig(optimizer="adam", lr=1e-3, batch_size=64, epochs=5, schedule="cosine", val_fraction=0.0,
                     seed=1)
POINTS = 0.02


@pytest.fixture(scope="module")
def engine_accuracy(mnist_sample):
    net = Network.from_spec(SPEC)
    fit(net, CONFIG, mnist_sample.x_train, mnist_sample.y_train)
    return float(np.mean(net.predict(mnist_sample.x_test) == mnist_sample.y_test))


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("torch") / "export"
    export_torch_folder(Network.from_spec(SPEC), CONFIG, out)
    return out


def run_script(folder, processes: int, fresh: bool = True) -> dict:
    launch = [sys.executable] if processes == 1 else [sys.executable, "-m", "torch.distributed.run", "--standalone",
                                                       f"--nproc_per_node={processes}"]
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"} | {"OMP_NUM_THREADS": "1"}
    out = subprocess.run(["nice", *launch, str(folder / "train.py"), "--data", str(sample_dir()), "--epochs", "5",
                          *(["--fresh"] if fresh else [])], cwd=folder, env=env, capture_output=True, text=True, timeout=1200)
    assert out.returncode == 0, out.stderr[-3000:]
    return json.loads(out.stdout.strip().splitlines()[-1])


@pytest.mark.export
@pytest.mark.slow
@pytest.mark.parametrize("processes", [1, 2])
def test_exported_script_matches_the_engines_accuracy(folder, engine_accuracy, processes):
    result = run_script(folder, processes)
    assert result["epochs"] == 5 and result["processes"] == processes and result["fresh"] is True
    assert abs(result["test_accuracy"] - engine_accuracy) <= POINTS, (result, engine_accuracy)
    assert engine_accuracy > 0.85            # a real network, not two equally broken ones


@pytest.mark.export
def test_script_starts_from_the_exported_weights(tmp_path, mnist_sample):
    """Epochs at a tiny learning rate from a trained network keep (about) the trained accuracy."""
    net = Network.from_spec(SPEC)
    fit(net, CONFIG, mnist_sample.x_train, mnist_sample.y_train)
    trained = float(np.mean(net.predict(mnist_sample.x_test) == mnist_sample.y_test))
    export_torch_folder(net, TrainConfig(optimizer="minibatch", lr=1e-6, epochs=1, val_fraction=0.0), tmp_path)
    result = run_script(tmp_path, 1, fresh=False)
    assert result["fresh"] is False and abs(result["test_accuracy"] - trained) < 0.002


@pytest.mark.export
def test_script_says_in_one_line_when_the_data_is_missing(folder, tmp_path):
    out = subprocess.run([sys.executable, str(folder / "train.py"), "--data", str(tmp_path / "nothing-here")],
                         cwd=folder, capture_output=True, text=True, timeout=300)
    assert out.returncode == 1
    assert out.stderr.startswith("error: cannot read the data at") and "Traceback" not in out.stderr
