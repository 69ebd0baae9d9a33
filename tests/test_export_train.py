"""The exported train.py run by real PyTorch (marked `export`): every optimizer family trains with 1 process and with
2 (torchrun, DistributedDataParallel over gloo) and, where the batches split evenly, both give the same weights and
print the same loss; stochastic GD with 2 processes says it takes 2 samples a step; a batch 2 processes cannot share
is refused; the script goes on from where MLP Studio's run stopped (its settings, optimizer memory and schedule
position) and lands on the weights MLP Studio would have reached; a run killed mid-way resumes from its checkpoint
to the weights of a run never stopped; fresh, 5 epochs on the bundled sample, it lands within 2 points of the
engine's own accuracy."""
from __future__ import annotations

import numpy as np
import pytest

from engine import TrainConfig, fit
from engine.cli import main as engine_cli
from engine.data.paths import sample_dir
from engine.events import EpochStats
from engine.export import export_torch_folder
from engine.network import Network
from engine.training import Trainer
from helpers_export import (TINY_SPEC, epoch_lines, epoch_losses, import_script, largest_difference, result_of,
                            run_in_process, run_script, script_env, tiny_data, torch_weights)

pytestmark = pytest.mark.export

# Each optimizer family for 3 epochs of 80 samples: batches of 16 (and the whole set) split evenly over 2 processes
FAMILIES = {
    "sgd": TrainConfig(optimizer="sgd", lr=0.05, epochs=2, val_fraction=0.0, seed=1),
    "bgd": TrainConfig(optimizer="bgd", lr=0.5, epochs=3, val_fraction=0.0, seed=1),
    "minibatch": TrainConfig(optimizer="minibatch", lr=0.2, batch_size=16, epochs=3, val_fraction=0.0, seed=1),
    "momentum": TrainConfig(optimizer="momentum", lr=0.05, batch_size=16, epochs=3, val_fraction=0.0, seed=1),
    "nesterov": TrainConfig(optimizer="nesterov", lr=0.05, batch_size=16, epochs=3, val_fraction=0.0, seed=1,
                            weight_decay=0.01),
    "rmsprop": TrainConfig(optimizer="rmsprop", lr=0.01, batch_size=16, epochs=3, val_fraction=0.0, seed=1,
                           schedule="step", step_size=1, gamma=0.5),
    "adam": TrainConfig(optimizer="adam", lr=0.01, batch_size=16, epochs=3, val_fraction=0.0, seed=1,
                        schedule="cosine"),
}
_runs: dict = {}


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    return tiny_data(tmp_path_factory.mktemp("data") / "tiny.npz")


@pytest.fixture(scope="module")
def family_run(tmp_path_factory, data):
    """family_run(name, processes) -> (folder, the run, its final weights): each run once per module."""
    def run(name: str, processes: int):
        if (name, processes) not in _runs:
            folder = tmp_path_factory.mktemp(name)
            export_torch_folder(Network.from_spec(TINY_SPEC), FAMILIES[name], folder)
            out = run_script(folder, processes, "--data", str(data), "--save", str(folder / "trained.pt"))
            _runs[name, processes] = folder, out, torch_weights(folder / "trained.pt")
        return _runs[name, processes]
    yield run
    _runs.clear()


@pytest.mark.parametrize("processes", [1, 2])
@pytest.mark.parametrize("name", list(FAMILIES))
def test_every_optimizer_family_trains_its_weights(family_run, name, processes):
    folder, out, trained = family_run(name, processes)
    start = torch_weights(folder / "weights.pt")
    assert largest_difference(trained, start) > 1e-3                  # it trained: the weights moved
    epochs = FAMILIES[name].epochs
    assert epoch_lines(out) == [f"{e}/{epochs}" for e in range(1, epochs + 1)]
    assert all(loss > 0 for loss in epoch_losses(out))
    assert result_of(out)["processes"] == processes


@pytest.mark.parametrize("name", [n for n in FAMILIES if n != "sgd"])
def test_one_and_two_processes_reach_the_same_weights_and_print_the_same_loss(family_run, name):
    """The two processes take disjoint halves of each global batch and average their gradients, so each step is
    the one-process step; the printed loss is reduced over both processes, not the first one's half."""
    _, one, w1 = family_run(name, 1)
    _, two, w2 = family_run(name, 2)
    assert largest_difference(w1, w2) <= 1e-5
    np.testing.assert_allclose(epoch_losses(two), epoch_losses(one), atol=1e-5)


def test_stochastic_gd_with_two_processes_takes_two_samples_a_step_and_says_so(family_run):
    _, out, _ = family_run("sgd", 2)
    assert "stochastic GD with 2 processes takes 2 samples per step, one per process" in out.stderr
    assert "1 sample(s) per process per step" in out.stderr


def test_a_batch_the_processes_cannot_share_evenly_is_refused_in_one_sentence(tmp_path, capsys, monkeypatch):
    export_torch_folder(Network.from_spec(TINY_SPEC), FAMILIES["minibatch"], tmp_path)
    script = import_script(tmp_path)
    assert script.batch_per_process(80, 2) == 8 and script.batch_per_process(80, 4) == 4
    with pytest.raises(SystemExit) as stop:
        script.batch_per_process(80, 3)
    err = capsys.readouterr().err
    assert stop.value.code == 2 and err.count("\n") == 1
    assert err == "error: a batch of 16 samples cannot be shared evenly by 3 processes; run a number of processes " \
                  "that divides 16.\n"


# ---- going on where MLP Studio stopped --------------------------------------------------------------------------

def stopped_after(net, cfg, x, y, epoch: int):
    """Train `net` with cfg and stop it once `epoch` epochs are done, as the app's Stop does."""
    trainer = Trainer(net, cfg, x, y)
    for event in trainer.run():
        if isinstance(event, EpochStats) and event.epoch == epoch:
            trainer.stop()
    return net


@pytest.mark.parametrize("optimizer", ["adam", "momentum", "rmsprop"])
def test_the_script_goes_on_where_mlp_studio_stopped(tmp_path, data, optimizer):
    """Stopped after 2 of 4 epochs and saved, the model exported by the command line trains epochs 3-4 in PyTorch
    and lands where MLP Studio's uninterrupted 4 epochs land: same settings, validation rows, optimizer memory,
    schedule position. Full batches, so the data order cannot differ."""
    cfg = TrainConfig(optimizer=optimizer, lr=0.05, batch_size=1000, epochs=4, val_fraction=0.25, seed=1,
                      schedule="step", step_size=1, gamma=0.7, weight_decay=0.01)
    with np.load(data) as d:
        x, y = d["x_train"], d["y_train"]
    whole = Network.from_spec(TINY_SPEC)
    fit(whole, cfg, x, y)
    stopped_after(Network.from_spec(TINY_SPEC), cfg, x, y, 2).save(tmp_path / "stopped.npz")
    assert engine_cli(["export", str(tmp_path / "stopped.npz"), "--to", "torch", "--out", str(tmp_path / "out")]) == 0
    out = run_in_process(tmp_path / "out", "--data", str(data), "--save", str(tmp_path / "trained.pt"))
    assert out.returncode == 0, out.stderr
    assert epoch_lines(out) == ["3/4", "4/4"]
    engine = {"0.weight": whole.layers[0].W.T, "0.bias": whole.layers[0].b,
              "2.weight": whole.layers[1].W.T, "2.bias": whole.layers[1].b}
    assert largest_difference(torch_weights(tmp_path / "trained.pt"), engine) <= 1e-6
    if optimizer == "adam":                 # without MLP Studio's memory the same two epochs land elsewhere
        (tmp_path / "out" / "optimizer.pt").unlink()
        script = (tmp_path / "out" / "train.py").read_text().replace("'memory': True", "'memory': False")
        (tmp_path / "out" / "train.py").write_text(script)
        forgot = run_in_process(tmp_path / "out", "--data", str(data), "--save", str(tmp_path / "forgot.pt"))
        assert forgot.returncode == 0, forgot.stderr
        assert largest_difference(torch_weights(tmp_path / "forgot.pt"), engine) > 1e-3


def test_a_complete_run_is_not_trained_again_without_more_epochs(tmp_path, data):
    net = Network.from_spec(TINY_SPEC)
    fit(net, FAMILIES["adam"], *_xy(data))
    export_torch_folder(net, None, tmp_path)
    out = run_in_process(tmp_path, "--data", str(data))
    assert out.returncode == 2
    assert out.stderr == "error: epoch 3 of 3 is done already; pass --epochs N with N above 3 to train further, " \
                         "or --fresh to start again.\n"
    more = run_in_process(tmp_path, "--data", str(data), "--epochs", "4")
    assert more.returncode == 0
    assert "training epochs 4-4, from MLP Studio's weights and optimizer memory (epoch 3 of its run done)" in more.stderr


def _xy(path):
    with np.load(path) as d:
        return d["x_train"], d["y_train"]


# ---- a kill and --resume ------------------------------------------------------------------------------------

# Placed, not timed: on the killed run's PYTHONPATH, an audit hook SIGKILLs the process at its second os.replace
# into DIR, between writing checkpoint.pt.tmp and replacing checkpoint.pt: the test never depends on machine speed.
KILL_HOOK = """
import os, signal, sys

_dir, _at, _seen = os.environ["KILL_IN_DIR"], int(os.environ["KILL_AT_REPLACE"]), [0]


def _kill_at_the_nth_replace(event, args):
    if event == "os.rename" and os.fspath(args[1]).startswith(_dir):     # os.replace raises "os.rename"
        _seen[0] += 1
        if _seen[0] == _at:
            os.kill(os.getpid(), signal.SIGKILL)


sys.addaudithook(_kill_at_the_nth_replace)
"""


@pytest.mark.parametrize("processes", [1, 2])
def test_a_killed_run_resumes_and_ends_where_an_unbroken_run_ends(tmp_path, family_run, data, processes):
    """--checkpoint DIR writes the weights, optimizer state and epoch atomically after each epoch. Killed (SIGKILL,
    as an out-of-memory killer or a lost node does) just before its second checkpoint is committed, the same command
    with --resume goes on from the first and ends within 1e-6 of the run that was never stopped (torchrun both)."""
    folder, unbroken, unbroken_weights = family_run("adam", processes)
    hook, ckpt, saved = tmp_path / "hook", tmp_path / "ckpt", tmp_path / "resumed.pt"
    hook.mkdir()
    (hook / "sitecustomize.py").write_text(KILL_HOOK)
    command = ["--data", str(data), "--checkpoint", str(ckpt), "--save", str(saved)]
    killed = run_script(folder, processes, *command, torchrun=True, check=False,
                        env=script_env(PYTHONPATH=str(hook), KILL_IN_DIR=str(ckpt), KILL_AT_REPLACE="2"))
    assert killed.returncode != 0 and epoch_lines(killed) == ["1/3"]
    assert (ckpt / "checkpoint.pt").exists() and (ckpt / "checkpoint.pt.tmp").exists()   # epoch 2 never committed
    assert not saved.exists()

    resumed = run_script(folder, processes, *command, "--resume", torchrun=True)
    assert f"from the checkpoint in {ckpt} (epoch 1 done)" in resumed.stderr
    assert epoch_lines(resumed) == ["2/3", "3/3"]
    difference = largest_difference(torch_weights(saved), unbroken_weights)
    print(f"{processes} process(es): resumed vs unbroken, largest weight difference {difference:.3g}")
    assert difference <= 1e-6
    assert result_of(resumed)["test_accuracy"] == result_of(unbroken)["test_accuracy"]


def test_resume_without_a_checkpoint_yet_starts_the_run(tmp_path, data):
    """The same command works on the first launch too (as torchrun --max_restarts relaunches it)."""
    export_torch_folder(Network.from_spec(TINY_SPEC), FAMILIES["adam"], tmp_path / "export")
    out = run_in_process(tmp_path / "export", "--data", str(data), "--epochs", "1", "--checkpoint",
                         str(tmp_path / "c"), "--resume")
    assert out.returncode == 0, out.stderr
    assert "training epochs 1-1, from MLP Studio's weights" in out.stderr
    assert (tmp_path / "c" / "checkpoint.pt").exists() and not (tmp_path / "c" / "checkpoint.pt.tmp").exists()


def test_a_damaged_checkpoint_is_one_sentence_not_a_traceback(tmp_path, data):
    export_torch_folder(Network.from_spec(TINY_SPEC), FAMILIES["adam"], tmp_path / "export")
    (tmp_path / "c").mkdir()
    for damage in (b"not a checkpoint" * 8, b"PK\x03\x04" + bytes(100)):
        (tmp_path / "c" / "checkpoint.pt").write_bytes(damage)
        out = run_in_process(tmp_path / "export", "--data", str(data), "--checkpoint", str(tmp_path / "c"), "--resume")
        assert out.returncode == 2 and out.stderr.count("\n") == 1, out.stderr
        assert out.stderr.startswith(f"error: cannot resume from {tmp_path / 'c' / 'checkpoint.pt'}: ")


# ---- devices and data ---------------------------------------------------------------------------------------

def test_device_auto_is_the_cpu_here_and_cuda_without_a_gpu_is_one_sentence(family_run, data):
    """Only the CPU path can run on this machine (no GPU): auto picks it, and asking for CUDA says why not."""
    folder, out, _ = family_run("adam", 1)
    assert result_of(out)["device"] == "cpu"
    cuda = run_in_process(folder, "--data", str(data), "--device", "cuda")
    assert cuda.returncode == 2
    assert cuda.stderr == "error: --device cuda was asked for, but PyTorch sees no CUDA device here.\n"


def test_script_says_in_one_line_when_the_data_is_missing(family_run, tmp_path):
    folder, _, _ = family_run("adam", 1)
    out = run_in_process(folder, "--data", str(tmp_path / "nothing-here"))
    assert out.returncode == 2 and out.stderr.count("\n") == 1
    assert out.stderr.startswith("error: cannot read the data at") and "Traceback" not in out.stderr


# ---- the real thing: MNIST digits ---------------------------------------------------------------------------

SPEC = {"input_size": 784, "layers": [{"units": 64, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 3}
CONFIG = TrainConfig(optimizer="adam", lr=1e-3, batch_size=64, epochs=5, schedule="cosine", val_fraction=0.0,
                     seed=1)
POINTS = 0.02


@pytest.fixture(scope="module")
def digit_net(mnist_sample):
    """SPEC trained by the engine with CONFIG, and its test accuracy."""
    net = Network.from_spec(SPEC)
    fit(net, CONFIG, mnist_sample.x_train, mnist_sample.y_train)
    return net, float(np.mean(net.predict(mnist_sample.x_test) == mnist_sample.y_test))


@pytest.fixture(scope="module")
def engine_accuracy(digit_net):
    return digit_net[1]


@pytest.mark.slow
@pytest.mark.parametrize("processes", [1, 2])
def test_exported_script_matches_the_engines_accuracy(tmp_path, engine_accuracy, processes):
    export_torch_folder(Network.from_spec(SPEC), CONFIG, tmp_path)
    result = result_of(run_script(tmp_path, processes, "--data", str(sample_dir()), "--epochs", "5", "--fresh"))
    assert result["epochs"] == 5 and result["processes"] == processes and result["fresh"] is True
    assert abs(result["test_accuracy"] - engine_accuracy) <= POINTS, (result, engine_accuracy)
    assert engine_accuracy > 0.85            # a real network, not two equally broken ones


def test_script_starts_from_the_exported_weights(tmp_path, digit_net):
    """Epochs at a tiny learning rate from a trained network keep (about) the trained accuracy."""
    net, trained = digit_net
    export_torch_folder(net, TrainConfig(optimizer="minibatch", lr=1e-6, epochs=1, val_fraction=0.0), tmp_path)
    result = result_of(run_in_process(tmp_path, "--data", str(sample_dir())))
    assert result["fresh"] is False and abs(result["test_accuracy"] - trained) < 0.002
