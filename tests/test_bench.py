"""The benchmark: JSON fields of a tiny run, FLOP counts vs the formula and vs the matrix products the engine
really does, the naive floor's gradients vs the engine's. No timing assertions."""
import io
import json
import statistics
from contextlib import redirect_stdout

import numpy as np
import pytest

from bench import main as bench_main
from bench.measure import flops_per_epoch
from bench.naive import NaiveMLP
from bench.runners import ARCHS
from engine.network import Network
from engine.training import TrainConfig, Trainer


def run_bench(*args):
    buf = io.StringIO()
    with redirect_stdout(buf):
        assert bench_main.main(list(args)) == 0
    return buf.getvalue()


@pytest.fixture(scope="module")
def quick():
    return json.loads(run_bench("--quick", "--json", "--impl", "ours,naive", "--threads", "1"))


def test_flops_per_epoch_match_the_issue():
    n = 60_000
    assert flops_per_epoch([784, 128, 10], n) / 1e9 == pytest.approx(24.5, abs=0.05)
    assert flops_per_epoch([784, 256, 128, 10], n) / 1e9 == pytest.approx(60.4, abs=0.05)
    assert flops_per_epoch([784, 800, 10], n) / 1e9 == pytest.approx(153.4, abs=0.05)
    # forward 2n*fi*fo + dW 2n*fi*fo per layer, + the delta 2n*fi*fo passed below every layer but the first
    assert flops_per_epoch([3, 5, 2], 7) == 2 * 7 * (2 * (15 + 10) + 10)


def test_flop_formula_counts_the_matrix_products_the_trainer_really_does(monkeypatch):
    sizes, n = [20, 16, 8, 4], 96
    rng = np.random.default_rng(0)
    X, y = rng.random((n, sizes[0]), dtype=np.float32), rng.integers(0, 4, n)
    spec = {"input_size": 20, "loss": "cross_entropy", "seed": 0,
            "layers": [{"units": 16, "activation": "relu"}, {"units": 8, "activation": "relu"},
                       {"units": 4, "activation": "softmax"}]}
    net = Network.from_spec(spec)
    events = Trainer(net, TrainConfig(optimizer="momentum", batch_size=32, epochs=1, val_fraction=0), X, y).run()
    counted, real = [0], np.matmul

    def counting(a, b, *args, **kw):
        if np.ndim(a) == 2 and np.ndim(b) == 2:                # matrix x matrix (bias sums are vectors)
            counted[0] += 2 * a.shape[0] * a.shape[1] * b.shape[1]
        return real(a, b, *args, **kw)

    monkeypatch.setattr(np, "matmul", counting)
    list(events)
    assert counted[0] == flops_per_epoch(sizes, n)


def test_quick_json_has_every_field(quick):
    assert quick["data"]["samples"] == bench_main.QUICK["samples"]
    assert quick["machine"]["threads"] == 1 and quick["machine"]["cores"] >= 1
    g = quick["gemm"]
    assert g["gflops"] > 0
    # the peak is timed inside the epoch rotation, once per timed round of every table row, and its median used
    assert len(g["beside"]) == len(quick["results"]) * quick["epochs"]
    assert g["gflops"] == pytest.approx(statistics.median(g["beside"]))
    assert g["best"] >= max(g["beside"] + [g["before"], g["after"]])
    rows = {(r["arch"], r["batch"]) for r in quick["results"]}
    assert rows == {(a, b) for a in ARCHS for b in bench_main.QUICK["batches"]}
    for r in quick["results"]:
        assert r["flops"] == flops_per_epoch(ARCHS[r["arch"]], quick["data"]["samples"])
        for name in ("ours", "naive"):
            m = r["impl"][name]
            assert len(m["times"]) == quick["epochs"] and m["seconds"] > 0
            assert m["gflops"] == pytest.approx(r["flops"] / m["seconds"] / 1e9)
            assert m["pct_peak"] == pytest.approx(100 * m["gflops"] / quick["gemm"]["gflops"])
            assert m["pct_best"] == pytest.approx(100 * m["gflops"] / g["best"])
        assert r["ratios"]["naive/ours"] == pytest.approx(r["impl"]["naive"]["seconds"] / r["impl"]["ours"]["seconds"])
    assert quick["latency_us"]["arch"] == "784-256-128-10" and quick["latency_us"]["ours"] > 0


def test_quick_memory_probe_measures_the_engines_loop(quick):
    ours, = [m for m in quick["memory"] if m["impl"] == "ours"]
    assert "error" not in ours, ours
    assert ours["peak_rss_mb"] > ours["data_mb"] > 0
    assert ours["params"] == 784 * 800 + 800 + 800 * 10 + 10
    assert ours["loop_batches"] >= 4
    # the steady-state batch loop allocates no arrays: far less than one batch of inputs
    assert ours["loop_transient_bytes"] < ours["batch"] * 784 * 4
    names = [t["target"] for t in quick["targets"]]
    assert any("no allocation" in t for t in names) and any("peak memory" in t for t in names)


def test_table_shows_ratios_and_targets():
    text = run_bench("--quick", "--impl", "ours,naive", "--arch", "784-128-10", "--batch", "32", "--threads", "1")
    assert "784-128-10" in text and "naive/o" in text and "speed and memory targets:" in text
    assert "GEMM" in text and "single-sample forward" in text


def test_bad_arguments_give_a_usage_message(capsys):
    with pytest.raises(SystemExit) as exc:
        bench_main.main(["--impl", "tensorflow"])
    assert exc.value.code == 2
    assert "unknown implementation" in capsys.readouterr().err


@pytest.mark.export    # needs torch and scikit-learn: the export group installs them (.ci/run)
@pytest.mark.slow      # importing torch and scikit-learn alone takes ~5-15 s on this machine
def test_with_torch_and_sklearn_the_ratios_are_reported():
    pytest.importorskip("torch")
    pytest.importorskip("sklearn")
    out = bench_main.benchmark(["784-128-10"], [64], ["ours", "torch", "sklearn"], epochs=1, warmup=0, n=256,
                          n_threads=1, gemm_n=128, latency_calls=5, log=lambda s: None, memory=False)
    r = out["results"][0]
    assert set(r["ratios"]) == {"ours/torch", "ours/sklearn"}
    assert r["ratios"]["ours/torch"] == pytest.approx(r["impl"]["ours"]["seconds"] / r["impl"]["torch"]["seconds"])
    assert {"ours", "torch", "sklearn"} <= set(out["latency_us"])


def test_naive_floor_computes_the_engines_gradients():
    sizes = [12, 9, 7, 5]
    rng = np.random.default_rng(3)
    X, y = rng.random((30, 12)), rng.integers(0, 5, 30)
    naive = NaiveMLP(sizes, seed=1)
    spec = {"input_size": 12, "loss": "cross_entropy", "seed": 0,
            "layers": [{"units": 9, "activation": "relu"}, {"units": 7, "activation": "relu"},
                       {"units": 5, "activation": "softmax"}]}
    net = Network.from_spec(spec, dtype="float64")
    for layer, W, b in zip(net.layers, naive.weights, naive.biases):
        layer.W, layer.b = W, b + rng.normal(size=b.shape)
    naive.biases = [layer.b.copy() for layer in net.layers]
    loss, nabla_w, nabla_b = naive.backprop(X, y)
    assert loss == pytest.approx(net.loss(X, y), rel=1e-10)
    for (dW, db), nw, nb in zip(net.gradients(X, y), nabla_w, nabla_b):
        np.testing.assert_allclose(nw, dW, rtol=1e-10, atol=1e-12)
        np.testing.assert_allclose(nb, db, rtol=1e-10, atol=1e-12)


def test_naive_epoch_is_sgd_with_momentum_and_learns():
    rng = np.random.default_rng(0)
    centers = rng.normal(size=(3, 10)) * 3
    y = rng.integers(0, 3, 300)
    X = centers[y] + rng.normal(size=(300, 10))
    naive = NaiveMLP([10, 16, 3], seed=0)
    first = naive.train_epoch(X, y, 32, 0.05, 0.9, np.random.default_rng(0))
    for _ in range(5):
        last = naive.train_epoch(X, y, 32, 0.05, 0.9, np.random.default_rng(0))
    assert last < first / 2 and np.mean(naive.predict(X) == y) > 0.9


def test_saved_results_render_as_a_table_and_markdown(quick, tmp_path):
    saved = tmp_path / "bench.json"
    saved.write_text(json.dumps(quick))
    text = run_bench("--load", str(saved), "--markdown")
    assert "speed and memory targets:" in text
    assert "| network | batch | GFLOP/epoch | ours s | naive s |" in text
    row = next(r for r in quick["results"] if r["arch"] == "784-128-10" and r["batch"] == 32)
    assert f"| 784-128-10 | 32 | {row['flops'] / 1e9:.1f} | {row['impl']['ours']['seconds']:.3f} |" in text


def test_results_saved_before_the_gemm_rate_was_timed_beside_the_epochs_still_render(quick, tmp_path):
    old = json.loads(json.dumps(quick))
    del old["gemm"]["beside"], old["gemm"]["best"]
    for r in old["results"]:
        for m in r["impl"].values():
            del m["pct_best"]
    saved = tmp_path / "old.json"
    saved.write_text(json.dumps(old))
    text = run_bench("--load", str(saved), "--markdown")
    assert "(the better of before" in text and "runs timed between the epochs" not in text
    row = old["results"][0]
    assert f"| {row['impl']['ours']['pct_peak']:.0f}% |" in text


def test_a_damaged_results_file_is_one_line_error(tmp_path, capsys):
    bad = tmp_path / "bench.json"
    bad.write_text("{not json")
    assert bench_main.main(["--load", str(bad)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "bench.json is not a result file" in err and err.count("\n") == 1
