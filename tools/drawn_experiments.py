"""Experiments for the drawn-digits defaults (a tool, not the library): train a config, read the evaluation
writers' pendigits digits through the pad's path, and print per-digit accuracy and MNIST test accuracy.

    nice python tools/drawn_experiments.py [--epochs N] [--extra] [--aug key=value ...]

The rendered pendigits images are cached in /tmp (rendering all 7,494 digits takes about a minute).
"""
from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

import numpy as np

from engine.data import load_dataset
from engine.data.augment import Augmenter
from engine.data.pendigits import load_drawn_training, load_pendigits
from engine.drawn import EVAL_WRITERS, drawn_report, render_digits
from engine.network import Network
from engine.training import TrainConfig, Trainer

PENDIGITS = Path(__file__).resolve().parents[1].parent / "shared/datasets/pendigits-train/pendigits-orig.tra.gz"
CACHE = Path("/tmp/drawn_cache.npz")
APP_SPEC = {"input_size": 784, "layers": [{"units": 128, "activation": "relu"},
                                          {"units": 10, "activation": "softmax"}], "loss": "cross_entropy", "seed": 0}
APP_CONFIG = dict(optimizer="adam", lr=0.003, momentum=0.9, batch_size=64, epochs=40, weight_decay=0.0,
                  schedule="cosine", step_size=10, gamma=0.5, min_lr=0.0, val_fraction=0.1, patience=0,
                  seed=0, augment=True, probe_every=50)


def rendered(path=PENDIGITS):
    if CACHE.exists():
        z = np.load(CACHE)
        return z["X"], z["y"], z["writer"]
    digits = load_pendigits(path)
    X, y = render_digits(digits)
    writer = np.array([d.writer for d in digits])
    np.savez_compressed(CACHE, X=X, y=y, writer=writer)
    return X, y, writer


def run(cfg: dict, spec: dict, aug: dict, extra: bool, verbose=True) -> dict:
    ds = load_dataset("sample")
    X, y, w = rendered()
    ev = np.isin(w, EVAL_WRITERS)
    xtr, ytr = ds.x_train, ds.y_train
    if extra:
        xd, yd = load_drawn_training()                 # the bundled, uint8-rounded renders of the other writers
        keep = np.random.default_rng(1).permutation(len(yd))[:extra if extra > 1 else len(yd)]
        xtr, ytr = np.vstack([xtr, xd[keep]]), np.concatenate([ytr, yd[keep]])
    net = Network.from_spec(spec)
    conf = TrainConfig.from_dict(cfg).validate()
    augmenter = Augmenter(seed=conf.seed, **aug) if conf.augment else None
    t0 = time.perf_counter()
    fin = None
    for event in Trainer(net, conf, xtr, ytr, augmenter=augmenter).run():
        fin = event
    seconds = time.perf_counter() - t0
    rep = drawn_report(y[ev], net.predict(X[ev]), writers=len(set(w[ev])))
    mnist = float((net.predict(ds.x_test) == ds.y_test).mean())
    out = {"drawn": rep.accuracy, "per_class": [round(r["accuracy"], 4) for r in rep.rows()],
           "mnist": mnist, "seconds": round(seconds, 1), "cfg": cfg, "aug": aug, "extra": extra, "spec": spec}
    if verbose:
        print(rep.table())
        print(f"MNIST test {mnist:.2%}   training {seconds:.1f} s")
    return out, net


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--epochs", type=int)
    p.add_argument("--hidden", type=int)
    p.add_argument("--extra", nargs="?", type=int, const=1, default=0,
                   help="train also on the non-evaluation writers' digits (all, or this many)")
    p.add_argument("--aug", nargs="*", default=[], help="Augmenter keyword=value (python literal)")
    p.add_argument("--set", nargs="*", default=[], help="TrainConfig keyword=value")
    p.add_argument("--save", help="save the model here")
    p.add_argument("--log", default="/tmp/drawn_runs.jsonl")
    a = p.parse_args()
    cfg, spec = dict(APP_CONFIG), json.loads(json.dumps(APP_SPEC))
    if a.epochs:
        cfg["epochs"] = a.epochs
    if a.hidden:
        spec["layers"][0]["units"] = a.hidden
    for kv in a.set:
        k, v = kv.split("=", 1)
        cfg[k] = eval(v)
    aug = {k: eval(v) for k, v in (kv.split("=", 1) for kv in a.aug)}
    out, net = run(cfg, spec, aug, a.extra)
    if a.save:
        net.save(a.save)
    with open(a.log, "a") as f:
        f.write(json.dumps(out) + "\n")


if __name__ == "__main__":
    main()
