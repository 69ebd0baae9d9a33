"""The command line: train/evaluate/info/download/bench, --json output, and one-line errors with exit 2."""
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from engine.cli import main

ROOT = Path(__file__).resolve().parent.parent
FAST = ["--threads", "1", "--quiet"]


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def last_json(out):
    return json.loads(out.strip().splitlines()[-1])


def test_train_json_save_then_info_and_evaluate(capsys, tmp_path):
    model = tmp_path / "m.npz"
    code, out, err = run(capsys, "train", "--layers", "32", "--epochs", "2", "--json", "--save", str(model), *FAST)
    assert code == 0, err
    r = last_json(out)
    assert {"train_loss", "test_accuracy", "epochs", "seconds"} <= set(r)
    assert r["epochs"] == 2 and 0.8 < r["test_accuracy"] <= 1 and r["n_test"] == 10000
    assert model.is_file()

    code, out, err = run(capsys, "evaluate", str(model), "--json", "--threads", "1")
    assert code == 0, err
    e = last_json(out)
    cm = np.array(e["confusion_matrix"])
    assert cm.shape == (10, 10) and cm.sum() == 10000
    assert e["accuracy"] == pytest.approx(r["test_accuracy"]) == pytest.approx(np.trace(cm) / 10000)

    code, out, err = run(capsys, "evaluate", str(model), "--threads", "1")
    assert code == 0 and "recall" in out and f"{r['test_accuracy']:.2%}" in out
    assert len([l for l in out.splitlines() if l[:1].isdigit()]) == 10        # one table row per class

    code, out, err = run(capsys, "info", str(model))
    assert code == 0 and "784 -> 32 relu -> 10 softmax" in out and "25,450" in out and "2 epochs" in out
    code, out, err = run(capsys, "info", str(model), "--json")
    i = last_json(out)
    assert i["parameters"] == 25450 and i["epochs_trained"] == 2


def test_spec_file_and_a_folder_of_idx_files(capsys, tmp_path):
    from test_data_idx import write_set
    write_set(tmp_path / "fashion", np.random.default_rng(0), n_train=60, n_test=30)
    spec = {"input_size": 784, "layers": [{"units": 8, "activation": "tanh"}, {"units": 10, "activation": "softmax"}],
            "loss": "cross_entropy", "seed": 3}
    (tmp_path / "s.json").write_text(json.dumps(spec))
    code, out, err = run(capsys, "train", "--spec", str(tmp_path / "s.json"), "--dataset", str(tmp_path / "fashion"),
                         "--epochs", "1", "--json", *FAST)
    assert code == 0, err
    r = last_json(out)
    assert r["n_train"] == 60 and r["n_test"] == 30 and r["spec"]["layers"][0]["activation"] == "tanh"


def test_progress_goes_to_stderr_one_line_per_epoch(capsys):
    code, out, err = run(capsys, "train", "--layers", "8", "--epochs", "3", "--threads", "1")
    assert code == 0
    assert len([l for l in err.splitlines() if l.startswith("epoch")]) == 3
    assert out.startswith("test accuracy")


def bad_cases(tmp_path):
    (tmp_path / "bad.json").write_text("{not json")
    (tmp_path / "wrong.json").write_text(json.dumps({"input_size": 100, "layers": [
        {"units": 10, "activation": "softmax"}], "loss": "cross_entropy"}))
    (tmp_path / "bad.csv").write_text("1,2,x\n")
    (tmp_path / "notamodel.npz").write_bytes(b"PK\x03\x04garbage")
    return [
        ([], "command"),
        (["fly"], "invalid choice"),
        (["train", "--layers", "abc"], "layer sizes"),
        (["train", "--layers", "0,5"], "at least 1 unit"),
        (["train", "--epochs", "0"], "at least 1"),
        (["train", "--lr", "nan"], "finite"),
        (["train", "--lr", "-1"], "learning rate"),
        (["train", "--optimizer", "magic"], "invalid choice"),
        (["train", "--bogus"], "unrecognized"),
        (["train", "--dataset", str(tmp_path / "nothing-here")], "No data set"),
        (["train", "--dataset", str(tmp_path / "bad.csv")], "bad.csv"),
        (["train", "--spec", str(tmp_path / "bad.json")], "not valid JSON"),
        (["train", "--spec", str(tmp_path / "missing.json")], "cannot read"),
        (["train", "--spec", str(tmp_path / "wrong.json")], "100 inputs"),
        (["train", "--spec", str(tmp_path / "wrong.json"), "--layers", "5"], "either --spec"),
        (["train", "--threads", "0"], "at least 1"),
        (["evaluate", str(tmp_path / "notamodel.npz")], "notamodel.npz"),
        (["evaluate", str(tmp_path / "absent.npz")], "absent.npz"),
        (["info", str(tmp_path / "bad.csv")], "bad.csv"),
        (["download", "cifar"], "invalid choice"),
    ]


def test_every_bad_argument_or_file_is_one_line_and_exit_2(capsys, tmp_path):
    for argv, words in bad_cases(tmp_path):
        code, out, err = run(capsys, *argv, *(["--threads", "1"] if argv[:1] == ["train"] and "--threads" not in argv
                                              else []))
        lines = err.strip().splitlines()
        assert code == 2, (argv, err)
        assert len(lines) == 1 and lines[0].startswith("error: "), (argv, err)
        assert words in lines[0], (argv, lines[0])
        assert "Traceback" not in err and out == ""


def test_download_failure_is_explained_and_exits_1(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(tmp_path))
    code, out, err = run(capsys, "download", "mnist", "--mirror", "http://127.0.0.1:9/", "--quiet")
    assert code == 1
    assert err.strip().splitlines()[-1].startswith("error: Could not download train-images-idx3-ubyte.gz")
    assert not any(tmp_path.rglob("*.gz"))


def test_bench_is_reachable_through_the_cli(capsys):
    code, out, err = run(capsys, "bench", "--help")
    assert code == 0 and "bench" in out


def test_python_dash_m_engine_runs_without_traceback(tmp_path):
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    p = subprocess.run([sys.executable, "-m", "engine", "train", "--epochs", "0"], capture_output=True, text=True,
                       env=env, cwd=tmp_path, timeout=60)
    assert p.returncode == 2 and p.stderr.strip().startswith("error:") and "Traceback" not in p.stderr


@pytest.mark.slow
def test_augmented_training_on_the_sample_reaches_97_percent(capsys):
    # the README's command; one BLAS thread: steadier on a shared machine (the default uses every core)
    code, out, err = run(capsys, "train", "--dataset", "sample", "--layers", "256,128", "--augment", "--json",
                         "--threads", "1", "--quiet")
    assert code == 0, err
    r = last_json(out)
    assert r["epochs"] == 30 and r["optimizer"] == "adam" and r["augment"]
    assert r["test_accuracy"] >= 0.97, r
