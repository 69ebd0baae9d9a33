"""`python -m engine bench`: the engine's training speed side by side with PyTorch CPU and scikit-learn (issue 4).

For each architecture and batch size: one epoch over 60,000 digits (full MNIST if downloaded, else the bundled
5,000 training digits tiled), SGD with momentum (lr 0.05, mu 0.9), float32, the same threads for everyone.
Epochs are interleaved between the implementations (after a warm-up epoch each) and the median is reported.
"ours" is the engine's real fast path, the one the app drives: Trainer(net, TrainConfig(optimizer="momentum")).
"naive" is engine/naive.py, a textbook float64 trainer with fresh arrays per step: the floor.
Also measured: the float32 GEMM rate (2048^3) and the share of it each implementation reaches, single-sample
forward latency (the drawing pad's path), and peak memory of training (in a fresh process per implementation).

FLOPs of one epoch over n samples, per layer of fan_in x fan_out: forward 2 n fi fo, dL/dW 2 n fi fo, and the
delta passed down 2 n fi fo (all layers but the first: nobody needs dL/dx). 784-128-10: 24.5 GFLOP.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from . import threads
from .errors import EngineError
from .naive import NaiveMLP

ARCHS = {"784-128-10": [784, 128, 10], "784-256-128-10": [784, 256, 128, 10], "784-800-10": [784, 800, 10]}
BATCHES = (32, 128, 512)
IMPLS = ("ours", "torch", "sklearn", "naive")
GEMM = "gemm"              # the GEMM probe's name in the epoch rotation
LR, MU, SEED = 0.05, 0.9, 0
N_SAMPLES = 60_000
LATENCY_ARCH = "784-256-128-10"
MEMORY_ARCH, MEMORY_BATCH = "784-800-10", 512     # the largest network and batch: the worst case
QUICK = dict(samples=512, batches=(32, 128), epochs=1, warmup=0, gemm_n=256, latency_calls=50)
FULL = dict(samples=N_SAMPLES, batches=BATCHES, epochs=3, warmup=1, gemm_n=2048, latency_calls=2000)
ROOT = Path(__file__).resolve().parent.parent


def flops_per_epoch(sizes, n) -> int:
    """Forward + dL/dW + the delta passed down (not below the first layer), 2 FLOPs per multiply-add."""
    pairs = [fi * fo for fi, fo in zip(sizes[:-1], sizes[1:])]
    return 2 * n * (2 * sum(pairs) + sum(pairs[1:]))


# --- data ------------------------------------------------------------------------------------------------------
class Digits:
    """n training digits (float32 (n, 784), int64 labels); the float64 copy for the naive floor made on demand."""

    def __init__(self, n):
        from .data import load_dataset, mnist_available
        ds = load_dataset("mnist" if mnist_available() else "sample")
        x, y = ds.x_train, ds.y_train
        reps = -(-n // len(x))
        self.source = ds.name if reps == 1 else f"{ds.name}: {len(x):,} digits tiled x{reps}"
        self.X = np.ascontiguousarray(np.tile(x, (reps, 1))[:n]) if reps > 1 else np.ascontiguousarray(x[:n])
        self.y = np.ascontiguousarray(np.tile(y, reps)[:n], dtype=np.int64)
        self._x64 = None

    @property
    def x64(self):
        if self._x64 is None:
            self._x64 = self.X.astype(np.float64)
        return self._x64


# --- one runner per implementation: epoch() trains one epoch, predict_one(x) is single-sample inference ----------
class Ours:
    def __init__(self, sizes, batch, data):
        from .network import Network
        from .training import TrainConfig, Trainer
        spec = {"input_size": sizes[0], "seed": SEED, "loss": "cross_entropy",
                "layers": [{"units": u, "activation": "relu"} for u in sizes[1:-1]]
                + [{"units": sizes[-1], "activation": "softmax"}]}
        self.net = Network.from_spec(spec)
        cfg = TrainConfig(optimizer="momentum", lr=LR, momentum=MU, batch_size=batch, epochs=100_000,
                          val_fraction=0.0, seed=SEED)
        self.events = Trainer(self.net, cfg, data.X, data.y).run()

    def epoch(self):
        from .training import EpochStats, Finished
        for event in self.events:
            if isinstance(event, EpochStats):
                return
            if isinstance(event, Finished):
                raise EngineError(f"The benchmark's training ended early: {event.message}")

    def batches_until_epoch_end(self):
        """Drive the batches of the current epoch but its last one (the steady-state loop, no epoch end)."""
        for event in self.events:
            if event.batch >= event.n_batches - 1:
                return

    def predict_one(self, x):
        return self.net.forward(x)


class Torch:
    def __init__(self, sizes, batch, data):
        import torch
        from torch import nn
        torch.manual_seed(SEED)
        layers = []
        for i, (fi, fo) in enumerate(zip(sizes[:-1], sizes[1:])):
            layers += [nn.Linear(fi, fo)] + ([nn.ReLU()] if i < len(sizes) - 2 else [])
        self.torch, self.model, self.batch = torch, nn.Sequential(*layers), batch
        self.opt = torch.optim.SGD(self.model.parameters(), lr=LR, momentum=MU)
        self.X, self.y = torch.from_numpy(data.X), torch.from_numpy(data.y)
        self.gen = torch.Generator().manual_seed(SEED)

    def epoch(self):
        torch, F = self.torch, self.torch.nn.functional
        perm, total = torch.randperm(len(self.X), generator=self.gen), 0.0
        for s in range(0, len(self.X), self.batch):
            idx = perm[s:s + self.batch]
            loss = F.cross_entropy(self.model(self.X[idx]), self.y[idx])
            self.opt.zero_grad(set_to_none=True)
            loss.backward()
            self.opt.step()
            total += loss.item()
        return total

    def predict_one(self, x):
        with self.torch.inference_mode():
            return self.model(self.torch.from_numpy(x)).softmax(1)


class Sklearn:
    def __init__(self, sizes, batch, data):
        from sklearn.neural_network import MLPClassifier
        self.X, self.y = data.X, data.y
        self.clf = MLPClassifier(hidden_layer_sizes=tuple(sizes[1:-1]), activation="relu", solver="sgd",
                                 alpha=0.0, batch_size=batch, learning_rate_init=LR, momentum=MU,
                                 nesterovs_momentum=False, max_iter=1, warm_start=True, shuffle=True,
                                 random_state=SEED, tol=0.0, n_iter_no_change=10**9)

    def epoch(self):
        from sklearn.exceptions import ConvergenceWarning
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)    # max_iter=1 is one epoch on purpose
            self.clf.fit(self.X, self.y)

    def predict_one(self, x):
        if not hasattr(self.clf, "coefs_"):     # scikit-learn cannot predict before a fit: one on a few digits
            self.clf.set_params(warm_start=False).partial_fit(self.X[:256], self.y[:256], classes=np.arange(10))
        return self.clf.predict_proba(x)


class Naive:
    def __init__(self, sizes, batch, data):
        self.mlp, self.batch, self.data = NaiveMLP(sizes, SEED), batch, data
        self.rng = np.random.default_rng(SEED)

    def epoch(self):
        self.mlp.train_epoch(self.data.x64, self.data.y, self.batch, LR, MU, self.rng)

    def predict_one(self, x):
        return self.mlp.forward(x.astype(np.float64))[1][-1]


RUNNERS = {"ours": Ours, "torch": Torch, "sklearn": Sklearn, "naive": Naive}
REQUIRES = {"torch": "torch", "sklearn": "sklearn"}


def available(impls):
    """(runnable implementations, {name: why not}) - torch and scikit-learn are the optional `bench` extra."""
    ok, missing = [], {}
    for name in impls:
        module = REQUIRES.get(name)
        if module is not None:
            try:
                __import__(module)
            except ImportError:
                missing[name] = f"{module} is not installed (pip install -e '.[bench]')"
                continue
        ok.append(name)
    return ok, missing


# --- measurements ------------------------------------------------------------------------------------------------
def gemm_rate(n=2048, repeats=5) -> float:
    """float32 GEMM GFLOP/s (n x n times n x n), median of `repeats` after a warm-up."""
    repeats = max(repeats, (2048 // n) ** 3 // 4)       # a small n (--quick) needs more runs to be steady
    rng = np.random.default_rng(0)
    A, B = rng.random((n, n), np.float32), rng.random((n, n), np.float32)
    C = np.empty((n, n), np.float32)
    times = []
    for _ in range(repeats + 1):
        t = time.perf_counter()
        np.matmul(A, B, out=C)
        times.append(time.perf_counter() - t)
    return 2 * n ** 3 / statistics.median(times[1:]) / 1e9


SETTLE_S = 0.5


class GemmProbe:
    """The machine's GEMM rate, timed inside the epoch rotation (same settle, same moments) as one more runner:
    on a shared machine the rate drifts by 10-20% within a minute, so a share of the peak compares the epochs
    with the peak measured beside them, not at another time."""

    def __init__(self, n):
        self.n, self.rates = n, []

    def epoch(self):
        self.rates.append(gemm_rate(self.n))


def time_epochs(runners, epochs, warmup):
    """{name: [seconds per timed epoch]}; epochs interleaved, the starting implementation rotated each round."""
    names, times = list(runners), {name: [] for name in runners}
    for e in range(warmup + epochs):
        k = e % len(names)
        for name in names[k:] + names[:k]:
            gc.collect()
            # PyTorch's OpenMP threads spin ~0.2 s after their last parallel region: let them fall asleep,
            # or they steal the cores from whichever implementation is timed next
            time.sleep(SETTLE_S)
            t = time.perf_counter()
            runners[name].epoch()
            if e >= warmup:
                times[name].append(time.perf_counter() - t)
    return times


def latency_us(runner, calls) -> float:
    """Median microseconds of one single-sample forward pass."""
    x = np.random.default_rng(1).random((1, 784), dtype=np.float32)
    for _ in range(min(calls, 50)):
        runner.predict_one(x)
    times = []
    for _ in range(calls):
        t = time.perf_counter()
        runner.predict_one(x)
        times.append(time.perf_counter() - t)
    return statistics.median(times) * 1e6


def memory_probe(impl, arch, batch, n, n_threads) -> dict:
    """Run in a fresh process (`--memory-probe`): peak RSS of loading + training, and for the engine what the
    steady-state batch loop allocates (tracemalloc sees every NumPy array)."""
    import tracemalloc
    threads.set_blas_threads(n_threads)
    if impl == "torch":
        import torch
        torch.set_num_threads(n_threads)
    data = Digits(n)
    runner = RUNNERS[impl](ARCHS[arch], batch, data)
    load_peak = _peak_rss_mb()
    reset = _reset_peak_rss()
    runner.epoch()                                        # warm-up: buffers are allocated here
    out = {"impl": impl, "arch": arch, "batch": batch, "samples": n, "data_mb": _mb(data.X.nbytes + data.y.nbytes),
           "load_peak_rss_mb": load_peak, "peak_rss_mb": _peak_rss_mb(), "peak_is_training_only": reset}
    if impl == "ours":
        next(runner.events)                               # first batch of the next epoch: its order is drawn
        tracemalloc.start()
        base = tracemalloc.get_traced_memory()[0]
        runner.batches_until_epoch_end()
        current, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out |= {"loop_batches": -(-n // batch) - 2, "loop_transient_bytes": peak - base,
                "loop_retained_bytes": current - base, "params": runner.net.n_params}
    return out


def _mb(nbytes) -> float:
    """MiB (the *_mb fields are all MiB, like the kernel's peak-RSS figure)."""
    return round(nbytes / 2**20, 1)


def _peak_rss_mb() -> float:
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return round(int(line.split()[1]) / 1024, 1)
    except OSError:
        pass
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _reset_peak_rss() -> bool:
    """Linux: restart the peak-RSS mark (so it measures training, not loading). False if not possible."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def run_memory_probe(impl, arch, batch, n, n_threads) -> dict:
    cmd = [sys.executable, "-m", "engine.bench", "--memory-probe", "--impl", impl, "--arch", arch,
           "--batch", str(batch), "--samples", str(n), "--threads", str(n_threads)]
    env = dict(os.environ, PYTHONPATH=os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])))
    try:
        proc = subprocess.run(cmd, capture_output=True, text=True, timeout=600, env=env, cwd=ROOT)
        return json.loads(proc.stdout.strip().splitlines()[-1])
    except (subprocess.SubprocessError, OSError, ValueError, IndexError) as exc:
        return {"impl": impl, "error": f"memory probe failed: {exc}"}


def memory_budget_mb(probe) -> float:
    """The issue's limit in MiB: the float32 data set + 3x the parameters + 100 MB (10^8 bytes)."""
    return round(probe["data_mb"] + (3 * probe["params"] * 4 + 100e6) / 2**20, 1)


# --- the whole benchmark ------------------------------------------------------------------------------------------
def benchmark(archs, batches, impls, epochs, warmup, n, n_threads, gemm_n, latency_calls, log=print,
              memory=True) -> dict:
    impls, missing = available(impls)
    threads.set_blas_threads(n_threads)
    if "torch" in impls:
        import torch
        torch.set_num_threads(n_threads)
    info = {"cores": threads.cpu_count(), "threads": n_threads, "python": platform.python_version(),
            "numpy": np.__version__, "blas": threads.blas_info(), "load_before": os.getloadavg()}
    for name in impls:
        module = REQUIRES.get(name)
        if module:
            info[module] = sys.modules[module].__version__
    log(f"loading {n:,} digits ...")
    data = Digits(n)
    first = gemm_rate(gemm_n)
    log(f"float32 GEMM {gemm_n}^3: {first:.1f} GFLOP/s")
    results, probe, beside = [], GemmProbe(gemm_n), []
    for arch in archs:
        for batch in batches:
            runners = {name: RUNNERS[name](ARCHS[arch], batch, data) for name in impls}
            k = len(probe.rates)
            times = time_epochs({**runners, GEMM: probe}, epochs, warmup)
            beside += probe.rates[k + warmup:]                                # the timed rounds only
            flops = flops_per_epoch(ARCHS[arch], n)
            row = {"arch": arch, "batch": batch, "flops": flops, "impl": {}}
            for name in impls:
                med = statistics.median(times[name])
                row["impl"][name] = {"seconds": med, "times": times[name], "gflops": flops / med / 1e9}
            _add_shares(row, first, first)
            row["ratios"] = _ratios(row["impl"])
            results.append(row)
            log(_row_text(row, impls))
            del runners
    last = gemm_rate(gemm_n)
    peak = statistics.median(beside or [first, last])   # the limit the epochs met: measured beside them
    best = max(first, last, *probe.rates)   # the best single measurement of the run
    for row in results:
        _add_shares(row, peak, best)
    latency = {}
    for name in impls:
        latency[name] = latency_us(RUNNERS[name](ARCHS[LATENCY_ARCH], 1, data), latency_calls)
    probe_batch = MEMORY_BATCH if n >= 8 * MEMORY_BATCH else max(1, n // 8)   # a few batches even in --quick
    memory = [run_memory_probe(name, MEMORY_ARCH, probe_batch, n, n_threads)
              for name in impls if memory and name != "naive"]
    info["load_after"] = os.getloadavg()
    out = {"machine": info, "data": {"source": data.source, "samples": n}, "epochs": epochs, "warmup": warmup,
           "gemm": {"n": gemm_n, "gflops": peak, "best": best, "before": first, "after": last,
                    "beside": beside}, "results": results, "missing": missing,
           "latency_us": {"arch": LATENCY_ARCH, **latency}, "memory": memory}
    out["targets"] = targets(out)
    return out


def _add_shares(row, peak, best):
    for m in row["impl"].values():
        m["pct_peak"] = 100 * m["gflops"] / peak
        m["pct_best"] = 100 * m["gflops"] / best


def _ratios(impl) -> dict:
    ours = impl.get("ours", {}).get("seconds")
    r = {}
    for other in ("torch", "sklearn"):
        if ours and other in impl:
            r[f"ours/{other}"] = ours / impl[other]["seconds"]
    if ours and "naive" in impl:
        r["naive/ours"] = impl["naive"]["seconds"] / ours
    return r


def targets(out) -> list:
    """The issue's targets, each {"target", "value", "met"} (met None when it could not be measured)."""
    rows = {(r["arch"], r["batch"]): r for r in out["results"]}
    got = []

    def ratio(arch, batch, key, limit, text):
        r = rows.get((arch, batch), {}).get("ratios", {}).get(key)
        got.append({"target": text, "value": None if r is None else round(r, 3),
                    "met": None if r is None else r <= limit})

    for arch in ("784-128-10", "784-256-128-10"):
        ratio(arch, 128, "ours/torch", 0.8, f"{arch} batch 128: ours/torch <= 0.8")
        ratio(arch, 128, "ours/sklearn", 0.8, f"{arch} batch 128: ours/sklearn <= 0.8")
        ratio(arch, 32, "ours/torch", 0.6, f"{arch} batch 32: ours/torch <= 0.6")
    for batch in BATCHES:
        ratio("784-800-10", batch, "ours/torch", 1.0, f"784-800-10 batch {batch}: ours/torch <= 1.0")
    for arch in ("784-256-128-10", "784-800-10"):
        pct = rows.get((arch, 512), {}).get("impl", {}).get("ours", {}).get("pct_peak")
        best = rows.get((arch, 512), {}).get("impl", {}).get("ours", {}).get("pct_best")
        got.append({"target": f"{arch} batch 512: >= 50% of the GEMM peak (measured beside the epochs)",
                    "value": None if pct is None else f"{pct:.1f} ({best:.1f} of the best single GEMM run)",
                    "met": None if pct is None else pct >= 50})
    ours = next((m for m in out["memory"] if m.get("impl") == "ours" and "error" not in m), None)
    if ours is not None:
        per_batch = ours["loop_transient_bytes"] / max(ours["loop_batches"], 1)
        got.append({"target": "steady-state loop: no allocation beyond O(1) small objects per batch "
                              "(transient peak over the loop <= 64 KiB)",
                    "value": f"{ours['loop_transient_bytes']:,} B peak over {ours['loop_batches']} batches "
                             f"({per_batch:.0f} B/batch), {ours['loop_retained_bytes']:,} B retained",
                    "met": ours["loop_transient_bytes"] <= 64 * 1024})
        budget = memory_budget_mb(ours)
        got.append({"target": f"peak memory training {ours['arch']} batch {ours['batch']} <= data + 3x params "
                              f"+ 100 MB = {budget} MiB", "value": ours["peak_rss_mb"],
                    "met": ours["peak_rss_mb"] <= budget})
    return got


# --- text output ------------------------------------------------------------------------------------------------
def _row_text(row, impls) -> str:
    cells = [f"{row['arch']:<15}{row['batch']:>6}{row['flops'] / 1e9:>7.1f}"]
    cells += [f"{row['impl'][n]['seconds']:>10.3f}" if n in row["impl"] else f"{'-':>10}" for n in IMPLS]
    r = row["ratios"]
    cells += [f"{r[k]:>9.2f}" if k in r else f"{'-':>9}" for k in ("ours/torch", "ours/sklearn", "naive/ours")]
    cells += [f"{row['impl'][n]['gflops']:>7.1f} ({row['impl'][n]['pct_peak']:>3.0f}%)" if n in row["impl"]
              else f"{'-':>14}" for n in ("ours", "torch", "sklearn")]
    return "".join(cells)


HEADER = (f"{'arch':<15}{'batch':>6}{'GFLOP':>7}" + "".join(f"{n + ' s':>10}" for n in IMPLS)
          + f"{'o/torch':>9}{'o/sklrn':>9}{'naive/o':>9}"
          + "".join(f"{n + ' GF/s':>14}" for n in ("ours", "torch", "sklearn")))


def report(out) -> str:
    m, lines = out["machine"], []
    lines.append(f"MLP Studio bench: {out['data']['samples']:,} samples ({out['data']['source']}), "
                 f"{m['threads']} thread(s) on {m['cores']} cores, median of {out['epochs']} epoch(s) "
                 f"after {out['warmup']} warm-up, SGD momentum lr {LR} mu {MU}, float32 (naive: float64)")
    g = out["gemm"]
    how = (f"median of {len(g['beside'])} runs timed between the epochs; best single run {g['best']:.1f}, "
           if "beside" in g else "the better of ")         # a file from before the GEMM rate was timed beside
    lines.append(f"load average before {_load(m['load_before'])}, after {_load(m['load_after'])}; "
                 f"float32 GEMM {g['n']}^3: {g['gflops']:.1f} GFLOP/s ({how}"
                 f"before {g['before']:.1f}, after {g['after']:.1f})")
    for name, why in out["missing"].items():
        lines.append(f"{name}: skipped, {why}")
    lines += ["", HEADER] + [_row_text(row, list(row["impl"])) for row in out["results"]]
    lat = out["latency_us"]
    lines += ["", f"single-sample forward {lat['arch']}: " + ", ".join(
        f"{k} {v:.0f} us" for k, v in lat.items() if k != "arch")]
    for p in out["memory"]:
        if "error" in p:
            lines.append(f"peak memory {p['impl']}: {p['error']}")
            continue
        lines.append(f"peak memory {p['impl']} training {p['arch']} batch {p['batch']}: {p['peak_rss_mb']:.0f} MiB "
                     f"(loading {p['load_peak_rss_mb']:.0f} MiB; data {p['data_mb']:.0f} MiB)")
    lines += ["", "targets (issue 4):"]
    for t in out["targets"]:
        mark = "n/a    " if t["met"] is None else "met    " if t["met"] else "NOT met"
        lines.append(f"  [{mark}] {t['target']}: {t['value']}")
    return "\n".join(lines)


def markdown(out) -> str:
    """The epoch-time table as Markdown (for the README)."""
    impls = [n for n in IMPLS if any(n in r["impl"] for r in out["results"])]
    head = ["network", "batch", "GFLOP/epoch"] + [f"{n} s" for n in impls] + ["ours/torch", "ours/sklearn",
                                                                               "naive/ours", "ours % of GEMM peak (of best run)"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for r in out["results"]:
        cells = [r["arch"], str(r["batch"]), f"{r['flops'] / 1e9:.1f}"]
        cells += [f"{r['impl'][n]['seconds']:.3f}" if n in r["impl"] else "-" for n in impls]
        cells += [f"{r['ratios'][k]:.2f}" if k in r["ratios"] else "-" for k in ("ours/torch", "ours/sklearn",
                                                                                 "naive/ours")]
        ours = r["impl"].get("ours")
        cells.append("-" if ours is None else f"{ours['pct_peak']:.0f}%" + (f" ({ours['pct_best']:.0f}%)"
                                                                          if "pct_best" in ours else ""))
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _load(avg) -> str:
    return "/".join(f"{x:.2f}" for x in avg)


# --- command line -------------------------------------------------------------------------------------------------
def _parser():
    p = argparse.ArgumentParser(prog="python -m engine bench", description=__doc__.split("\n")[0])
    p.add_argument("--epochs", type=int, help="timed epochs per implementation (median reported; default 3)")
    p.add_argument("--warmup", type=int, help="untimed warm-up epochs first (default 1)")
    p.add_argument("--threads", type=int, default=threads.default_threads("cli"),
                   help="BLAS / PyTorch threads (default: all cores)")
    p.add_argument("--quick", action="store_true", help="tiny sizes: a smoke test in seconds")
    p.add_argument("--json", action="store_true", help="print the results as JSON instead of a table")
    p.add_argument("--markdown", action="store_true", help="also print the epoch-time table as Markdown")
    p.add_argument("--load", metavar="FILE", help="show the results saved by an earlier --json run")
    p.add_argument("--impl", default=",".join(IMPLS), help=f"comma-separated subset of {','.join(IMPLS)}")
    p.add_argument("--arch", default=",".join(ARCHS), help=f"comma-separated subset of {','.join(ARCHS)}")
    p.add_argument("--batch", help="comma-separated batch sizes (default 32,128,512)")
    p.add_argument("--samples", type=int, help=f"training samples per epoch (default {N_SAMPLES:,})")
    p.add_argument("--no-memory", action="store_true", help="skip the peak-memory runs (fresh processes)")
    p.add_argument("--memory-probe", action="store_true", help=argparse.SUPPRESS)
    return p


def _parse(argv):
    p = _parser()
    a = p.parse_args(argv)
    preset = QUICK if a.quick else FULL
    impls, archs = a.impl.split(","), a.arch.split(",")
    bad = [x for x in impls if x not in RUNNERS] + [x for x in archs if x not in ARCHS]
    if bad:
        p.error(f"unknown implementation or architecture: {', '.join(bad)}")
    try:
        batches = tuple(int(b) for b in a.batch.split(",")) if a.batch else preset["batches"]
    except ValueError:
        p.error(f"--batch takes whole numbers separated by commas, not {a.batch!r}")
    a.impls, a.archs, a.batches = impls, archs, batches
    a.epochs = preset["epochs"] if a.epochs is None else a.epochs
    a.warmup = preset["warmup"] if a.warmup is None else a.warmup
    a.samples = preset["samples"] if a.samples is None else a.samples
    if a.epochs < 1 or a.warmup < 0 or a.samples < 1 or min(batches) < 1 or a.threads < 1:
        p.error("--epochs, --samples, --batch and --threads must be >= 1 and --warmup >= 0")
    a.gemm_n, a.latency_calls = preset["gemm_n"], preset["latency_calls"]
    return a


def main(argv=None) -> int:
    a = _parse(argv)
    try:
        if a.load:
            out = _read_results(a.load)
            print(json.dumps(out, indent=1) if a.json else report(out))
            if a.markdown:
                print("\n" + markdown(out))
            return 0
        if a.memory_probe:
            print(json.dumps(memory_probe(a.impls[0], a.archs[0], a.batches[0], a.samples, a.threads)))
            return 0
        log = lambda s: print(s, file=sys.stderr, flush=True)    # progress; the result goes to stdout
        log(HEADER)
        out = benchmark(a.archs, a.batches, a.impls, a.epochs, a.warmup, a.samples, a.threads, a.gemm_n,
                        a.latency_calls, log=log, memory=not a.no_memory)
    except EngineError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(out, indent=1) if a.json else "\n" + report(out))
    if a.markdown and not a.json:
        print("\n" + markdown(out))
    return 0


def _read_results(path) -> dict:
    try:
        out = json.loads(Path(path).read_text())
        out["results"], out["targets"]
        return out
    except (OSError, ValueError, KeyError, TypeError) as exc:
        raise EngineError(f"{path} is not a result file of python -m engine bench --json ({exc}).") from exc


if __name__ == "__main__":
    sys.exit(main())
