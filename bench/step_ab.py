"""A/B timing of the training step: this checkout's engine against another revision's (default: main), in one
process, blocks of steps interleaved A B A B so a drifting machine hits both alike (a tool, not a test).

    python -m bench.step_ab [--base main] [--rounds 7] [--steps 60] [--threads N] [--optimizers adam,...]

The base revision's engine/ is extracted with `git archive` into a temporary folder and imported as the package
`engine_base` beside this checkout's `engine`. Each run is the app's default training (engine.presets app_digits:
Trainer.run() on sample+drawn) with the optimizer and batch size swapped in, without augmentation (its helper
thread would add its own noise) and without a validation split. Reported per step, median over the rounds: the
whole step (gather, forward, loss, backward, update, as Trainer.run() yields it) and the optimizer's update
alone (opt.step timed in place), for each implementation, and new/base as the median of the paired ratios.
"""
from __future__ import annotations

import argparse
import dataclasses
import importlib
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

from engine import threads

ARCHS = {"784-256-10": [256], "784-256-128-10": [256, 128]}
OPTIMIZERS = ("adam", "rmsprop", "nesterov", "momentum", "minibatch")
BATCHES = (32, 128)
ROOT = Path(__file__).resolve().parent.parent


def load_base(rev: str, folder: Path):
    """Revision `rev`'s engine package, imported as engine_base from `folder`."""
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", rev, "engine"], check=True, capture_output=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    (folder / "engine").rename(folder / "engine_base")
    sys.path.insert(0, str(folder))
    return importlib.import_module("engine_base")


class Run:
    """One implementation's Trainer, stepped a block at a time; its optimizer's step() timed in place."""

    def __init__(self, pkg: str, hidden, optimizer: str, batch: int, data, clock=time.thread_time):
        presets = importlib.import_module(f"{pkg}.presets")
        network = importlib.import_module(f"{pkg}.network")
        training = importlib.import_module(f"{pkg}.training")
        spec = presets.digit_spec()
        spec["layers"] = [{"units": u, "activation": "relu"} for u in hidden] + [spec["layers"][-1]]
        cfg = dataclasses.replace(presets.preset("app_digits"), optimizer=optimizer, batch_size=batch, epochs=10_000,
                                  augment=False, val_fraction=0.0, lr=presets.starting_lr(optimizer))
        self.trainer = training.Trainer(network.Network.from_spec(spec), cfg, *data)
        self.update, self.clock = 0.0, clock
        step = self.trainer.opt.step

        def timed(*args, **kw):
            t = clock()
            step(*args, **kw)
            self.update += clock() - t
        self.trainer.opt.step = timed
        self.events = self.trainer.run()
        self.block(20)                                  # warm-up: buffers allocated, caches filled

    def block(self, steps: int) -> tuple[float, float]:
        """Seconds per step (whole step, update alone) over the next `steps` batches."""
        self.update, done = 0.0, 0
        t = self.clock()
        while done < steps:
            if type(next(self.events)).__name__ == "BatchStats":
                done += 1
        return (self.clock() - t) / steps, self.update / steps


def compare(hidden, optimizer, batch, data, rounds: int, steps: int, clock=time.thread_time) -> dict:
    runs = {name: Run(name, hidden, optimizer, batch, data, clock) for name in ("engine_base", "engine")}
    times = {name: [] for name in runs}
    for _ in range(rounds):
        for name, run in runs.items():                  # A B A B ...
            times[name].append(run.block(steps))
    out = {}
    for part, i in (("step", 0), ("update", 1)):
        base, new = ([t[i] for t in times[n]] for n in ("engine_base", "engine"))
        out[part] = (statistics.median(base), statistics.median(new),
                     statistics.median(b and n / b for b, n in zip(base, new)))
    return out


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--base", default="main", help="the git revision to compare against (default main)")
    p.add_argument("--rounds", type=int, default=41)
    p.add_argument("--steps", type=int, default=10, help="steps per block")
    p.add_argument("--wall", action="store_true", help="wall-clock time instead of the thread's CPU time")
    p.add_argument("--threads", type=int, default=threads.default_threads("app"),
                   help="BLAS threads (default: the app's, all cores but one)")
    p.add_argument("--optimizers", default=",".join(OPTIMIZERS))
    p.add_argument("--archs", default=",".join(ARCHS))
    p.add_argument("--batches", default=",".join(map(str, BATCHES)))
    a = p.parse_args(argv)
    threads.set_blas_threads(a.threads)
    with tempfile.TemporaryDirectory() as tmp:
        load_base(a.base, Path(tmp))
        from engine.data import load_dataset
        from engine.presets import DIGIT_DATASET
        ds = load_dataset(DIGIT_DATASET)
        data = (np.asarray(ds.x_train, np.float32), ds.y_train)
        clock = time.perf_counter if a.wall else time.thread_time
        print(f"base {a.base} vs this checkout; {a.threads} BLAS thread(s); {a.rounds} rounds of {a.steps} steps, "
              f"A B A B; median {'wall' if a.wall else 'CPU'} ms per step (new/base: median of the paired ratios)")
        print(f"{'network':16s} {'batch':>5s} {'optimizer':10s} {'step base':>9s} {'new':>7s} {'ratio':>6s}   "
              f"{'update base':>11s} {'new':>7s} {'ratio':>6s}")
        for arch in a.archs.split(","):
            for batch in map(int, a.batches.split(",")):
                for opt in a.optimizers.split(","):
                    r = compare(ARCHS[arch], opt, batch, data, a.rounds, a.steps, clock)
                    (sb, sn, sr), (ub, un, ur) = r["step"], r["update"]
                    print(f"{arch:16s} {batch:5d} {opt:10s} {sb * 1e3:9.3f} {sn * 1e3:7.3f} {sr:6.3f}   "
                          f"{ub * 1e3:11.3f} {un * 1e3:7.3f} {ur:6.3f}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
