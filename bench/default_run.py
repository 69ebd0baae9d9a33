"""The app's default run, timed as the app trains it, beside the previous default (a tool, not a test).

    python -m bench.default_run [--seeds 0,1,2] [--variants previous,current] [--set epochs=20 batch_size=256]

Each variant trains DIGIT_SPEC on DIGIT_DATASET with engine.training.fit (the Trainer the app's session drives),
with the app's BLAS threads (engine.threads.default_threads("app"): all cores but one) and, with augmentation
on, the prefetch thread beside it. Printed per run: wall and CPU seconds of training, MNIST test accuracy, and
accuracy on the held-out drawn digits (pendigits writers never used for training, read through the pad's path:
engine.drawn). Variants and seeds are interleaved (seed 0: A B, seed 1: A B, ...); the last lines are medians.
"""
from __future__ import annotations

import argparse
import dataclasses
import statistics
import sys
import time

import numpy as np

from engine import threads
from engine.config import TrainConfig
from engine.data import load_dataset
from engine.drawn import bundled_pendigits, load_drawn_eval
from engine.network import Network
from engine.presets import DIGIT_DATASET, digit_spec, preset
from engine.training import fit

# The default before issue 24, kept here to compare against
PREVIOUS = TrainConfig(optimizer="adam", lr=0.004, momentum=0.9, batch_size=128, epochs=40, weight_decay=0.0,
                       schedule="cosine", step_size=10, gamma=0.5, min_lr=0.0, val_fraction=0.1, patience=0, seed=0,
                       augment=True, probe_every=50)


def variant(name: str, overrides: dict) -> TrainConfig:
    cfg = PREVIOUS if name == "previous" else preset("app_digits")
    return dataclasses.replace(cfg, **overrides) if name == "custom" else cfg


def train_once(cfg: TrainConfig, seed: int, ds, drawn) -> dict:
    spec = digit_spec()
    spec["seed"] = seed
    net, cfg = Network.from_spec(spec), dataclasses.replace(cfg, seed=seed)
    wall, cpu = time.perf_counter(), time.process_time()
    fit(net, cfg, ds.x_train, ds.y_train)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    X, y, _ = drawn
    return {"seconds": wall, "cpu": cpu, "mnist": float(np.mean(net.predict(ds.x_test) == ds.y_test)),
            "drawn": float(np.mean(net.predict(X) == y))}


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--seeds", default="0,1,2")
    p.add_argument("--variants", default="previous,current",
                   help="previous (before issue 24), current (engine.presets), custom (current + --set)")
    p.add_argument("--set", nargs="*", default=[], metavar="KEY=VALUE",
                   help="TrainConfig fields for the custom variant (Python literals)")
    p.add_argument("--threads", type=int, default=threads.default_threads("app"))
    a = p.parse_args(argv)
    overrides = {k: _literal(v) for k, v in (kv.split("=", 1) for kv in a.set)}
    names = a.variants.split(",")
    threads.set_blas_threads(a.threads)
    ds = load_dataset(DIGIT_DATASET)
    drawn = load_drawn_eval(bundled_pendigits())
    print(f"{threads.cpu_count()} cores, {a.threads} BLAS thread(s); {DIGIT_DATASET}: {len(ds.x_train):,} training "
          f"digits; held-out drawn digits: {len(drawn[1]):,}")
    for name in names:
        print(f"  {name}: {variant(name, overrides)}")
    results = {name: [] for name in names}
    for seed in map(int, a.seeds.split(",")):
        for name in names:
            r = train_once(variant(name, overrides), seed, ds, drawn)
            results[name].append(r)
            print(f"{name:9s} seed {seed}: {r['seconds']:6.2f} s ({r['cpu']:5.1f} s CPU)  MNIST test "
                  f"{r['mnist']:.2%}  drawn {r['drawn']:.2%}", flush=True)
    for name, rs in results.items():
        med = {k: statistics.median(r[k] for r in rs) for k in rs[0]}
        low = {k: min(r[k] for r in rs) for k in ("mnist", "drawn")}
        print(f"{name:9s} median: {med['seconds']:6.2f} s ({med['cpu']:5.1f} s CPU)  MNIST test {med['mnist']:.2%} "
              f"(lowest {low['mnist']:.2%})  drawn {med['drawn']:.2%} (lowest {low['drawn']:.2%})")
    return 0


def _literal(text: str):
    import ast
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text


if __name__ == "__main__":
    sys.exit(main())
