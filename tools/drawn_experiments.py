"""Experiments for the drawn-digits defaults (a tool, not the library): train the app's default (or a variant),
read the evaluation writers' pendigits digits through the pad's path, print per-digit accuracy, MNIST test
accuracy, wall and CPU time, and append the result to a JSON-lines log.

    nice python tools/drawn_experiments.py [--dataset sample] [--hidden 128] [--set lr=0.003 batch_size=64]
                                           [--aug shear=15 rotation=15] [--save MODEL.npz]

The rendered evaluation digits are cached in /tmp (rendering them takes about 20 s).
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import time
from pathlib import Path

import numpy as np

from engine.data import load_dataset
from engine.data.augment import Augmenter
from engine.drawn import drawn_report, load_drawn_eval
from engine.network import Network
from engine.presets import DIGIT_DATASET, digit_spec, preset
from engine.training import Trainer

CACHE = Path("/tmp/drawn_eval_cache.npz")


def eval_set():
    if CACHE.exists():
        z = np.load(CACHE)
        return z["X"], z["y"], int(z["writers"])
    from engine.drawn import bundled_pendigits
    X, y, writers = load_drawn_eval(bundled_pendigits())
    np.savez_compressed(CACHE, X=X, y=y, writers=writers)
    return X, y, writers


def run(dataset: str, spec: dict, cfg, aug: dict):
    ds = load_dataset(dataset)
    net = Network.from_spec(spec)
    augmenter = Augmenter(seed=cfg.seed, **aug) if cfg.augment and aug else None
    wall, cpu = time.perf_counter(), time.process_time()
    for _ in Trainer(net, cfg.validate(), ds.x_train, ds.y_train, augmenter=augmenter).run():
        pass
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    X, y, writers = eval_set()
    report = drawn_report(y, net.predict(X), writers)
    mnist = float((net.predict(ds.x_test) == ds.y_test).mean())
    return net, report, mnist, wall, cpu


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--dataset", default=DIGIT_DATASET)
    p.add_argument("--hidden", type=int)
    p.add_argument("--aug", nargs="*", default=[], help="Augmenter keyword=value (python literal)")
    p.add_argument("--set", nargs="*", default=[], help="TrainConfig keyword=value (python literal)")
    p.add_argument("--save", help="save the model here")
    p.add_argument("--log", default="/tmp/drawn_runs.jsonl")
    a = p.parse_args()
    spec, cfg = digit_spec(), preset("app_digits")
    if a.hidden:
        spec["layers"][0]["units"] = a.hidden
    cfg = dataclasses.replace(cfg, **{k: eval(v) for k, v in (kv.split("=", 1) for kv in a.set)})
    aug = {k: eval(v) for k, v in (kv.split("=", 1) for kv in a.aug)}
    net, report, mnist, wall, cpu = run(a.dataset, spec, cfg, aug)
    print(report.table())
    print(f"MNIST test {mnist:.2%}   training {wall:.1f} s wall, {cpu:.1f} s CPU")
    if a.save:
        net.save(a.save)
    with open(a.log, "a") as f:
        f.write(json.dumps({"dataset": a.dataset, "spec": spec, "cfg": cfg.to_dict(), "aug": aug,
                            "drawn": report.accuracy, "per_class": [r["accuracy"] for r in report.rows()],
                            "mnist": mnist, "wall": wall, "cpu": cpu}) + "\n")


if __name__ == "__main__":
    main()
