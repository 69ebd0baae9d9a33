"""`python -m engine bench` (or `python -m bench`): the engine's training speed side by side with PyTorch CPU
and scikit-learn.

For each architecture and batch size: one epoch over 60,000 digits (full MNIST if downloaded, else the bundled
5,000 training digits tiled), SGD with momentum (lr 0.05, mu 0.9), float32, the same threads for everyone.
Epochs are interleaved between the implementations (after a warm-up epoch each) and the median is reported.
Also measured: the float32 GEMM rate (2048^3) and the share of it each implementation reaches, single-sample
forward latency (the drawing pad's path), and peak memory of training (in a fresh process per implementation).
"""
from __future__ import annotations

import argparse
import json
import platform
import statistics
import sys

import numpy as np

from engine import threads
from engine.errors import EngineError

from .measure import (GEMM, GemmProbe, flops_per_epoch, gemm_rate, latency_us, load_average, memory_measurable,
                      memory_probe, run_memory_probe, time_epochs)
from .report import BATCHES, HEADER, _read_results, _row_text, markdown, report, targets
from .runners import ARCHS, IMPLS, REQUIRES, RUNNERS, Digits, available

N_SAMPLES = 60_000
LATENCY_ARCH = "784-256-128-10"
MEMORY_ARCH, MEMORY_BATCH = "784-800-10", 512     # the largest network and batch: the worst case
QUICK = dict(samples=512, batches=(32, 128), epochs=1, warmup=0, gemm_n=256, latency_calls=50)
FULL = dict(samples=N_SAMPLES, batches=BATCHES, epochs=3, warmup=1, gemm_n=2048, latency_calls=2000)


def benchmark(archs, batches, impls, epochs, warmup, n, n_threads, gemm_n, latency_calls, log=print,
              memory=True) -> dict:
    impls, missing = available(impls)
    threads.set_blas_threads(n_threads)
    if "torch" in impls:
        import torch
        torch.set_num_threads(n_threads)
    info = {"cores": threads.cpu_count(), "threads": n_threads, "python": platform.python_version(),
            "numpy": np.__version__, "blas": threads.blas_info(), "load_before": load_average()}
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
    if memory and not memory_measurable():
        log("peak memory: skipped, this system does not report a process's peak memory")
        memory = False
    memory = [run_memory_probe(name, MEMORY_ARCH, probe_batch, n, n_threads)
              for name in impls if memory and name != "naive"]
    info["load_after"] = load_average()
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


def _parser():
    p = argparse.ArgumentParser(prog="python -m engine bench", description="the engine's training speed side by side with PyTorch CPU and scikit-learn")
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
