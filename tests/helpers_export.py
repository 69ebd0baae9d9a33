"""Running an exported train.py in the export tests: as a program (1 process, or N under torchrun over gloo), or
imported in-process to call its functions; tiny data sets as the .npz it reads; its saved weights as NumPy."""
from __future__ import annotations

import contextlib
import importlib.util
import io
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np

TINY_SPEC = {"input_size": 6, "layers": [{"units": 5, "activation": "relu"}, {"units": 3, "activation": "softmax"}],
             "loss": "cross_entropy", "seed": 3}


def tiny_data(path: Path, n_train: int = 80, n_test: int = 30, seed: int = 0) -> Path:
    """n_train / n_test samples of 6 features in [0, 1] and 3 classes (learnable), as train.py's .npz."""
    rng = np.random.default_rng(seed)
    arrays = {}
    for split, n in (("train", n_train), ("test", n_test)):
        x = rng.random((n, 6)).astype(np.float32)
        arrays["x_" + split] = x
        arrays["y_" + split] = ((x[:, 0] + x[:, 1] > 1).astype(np.int64) + (x[:, 2] > 0.5)).astype(np.int64)
    np.savez(path, **arrays)
    return path


def launch(processes: int, torchrun: bool | None = None) -> list[str]:
    """One plain process (python train.py, as the script's header says), or torchrun with N processes (also 1)."""
    if not (processes > 1 if torchrun is None else torchrun):
        return [sys.executable]
    return [sys.executable, "-m", "torch.distributed.run", "--standalone", f"--nproc_per_node={processes}"]


def script_env(**extra) -> dict:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "RANK", "WORLD_SIZE", "LOCAL_RANK")}
    return env | {"OMP_NUM_THREADS": "1"} | extra


def run_script(folder: Path, processes: int, *args: str, check: bool = True, env: dict | None = None,
               torchrun: bool | None = None, timeout: int = 600) -> subprocess.CompletedProcess:
    out = subprocess.run(["nice", *launch(processes, torchrun), str(folder / "train.py"), *args], cwd=folder,
                         env=env or script_env(), capture_output=True, text=True, timeout=timeout)
    if check:
        assert out.returncode == 0, out.stderr[-3000:]
    return out


def run_in_process(folder: Path, *args: str) -> subprocess.CompletedProcess:
    """train.py's main(args) in this process (one process; torch is imported already, so it takes a moment),
    with what it printed and its exit code as a subprocess run would give them."""
    script = import_script(folder)
    out, err, code = io.StringIO(), io.StringIO(), 0
    cwd = os.getcwd()
    try:
        os.chdir(folder)
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            script.main(list(args))
    except SystemExit as stop:
        code = stop.code if isinstance(stop.code, int) else 1
    finally:
        os.chdir(cwd)
    return subprocess.CompletedProcess(["train.py", *args], code, out.getvalue(), err.getvalue())


def result_of(out: subprocess.CompletedProcess) -> dict:
    """The JSON object train.py prints last."""
    return json.loads(out.stdout.strip().splitlines()[-1])


def epoch_lines(out: subprocess.CompletedProcess) -> list[str]:
    """The "k/N" of each "epoch k/N  loss X ..." line train.py printed."""
    return [line.split()[1] for line in out.stderr.splitlines() if line.startswith("epoch ")]


def epoch_losses(out: subprocess.CompletedProcess) -> list[float]:
    """The loss of each "epoch k/N  loss X ..." line train.py printed."""
    return [float(line.split("loss")[1].split()[0]) for line in out.stderr.splitlines() if line.startswith("epoch ")]


def torch_weights(path: Path) -> dict[str, np.ndarray]:
    import torch
    return {k: v.numpy() for k, v in torch.load(path, map_location="cpu", weights_only=True).items()}


def largest_difference(a: dict, b: dict) -> float:
    assert a.keys() == b.keys()
    return max(float(np.max(np.abs(a[k].astype(np.float64) - b[k]))) for k in a)


def import_script(folder: Path):
    """The folder's train.py as a module (its own model.py beside it), without running main()."""
    sys.modules.pop("model", None)
    sys.path.insert(0, str(folder))
    try:
        spec = importlib.util.spec_from_file_location(f"train_{abs(hash(str(folder)))}", folder / "train.py")
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
    finally:
        sys.path.remove(str(folder))
        sys.modules.pop("model", None)
    return module
