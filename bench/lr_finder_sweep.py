"""The learning-rate finder measured against a sweep of fixed rates on the bundled digits sample.

For each optimizer (momentum SGD, Adam): train 784-128-10 (ReLU, softmax, cross-entropy) for 5 epochs,
batch 64, no augmentation, 10 % validation split, at every half-decade rate from 1e-4 to 1, for several seeds;
the sweep's best rate is the one with the lowest mean final validation loss (also shown: best by validation
accuracy). The finder runs from the same untrained network with the same settings, once per seed; its
suggestion is the geometric mean over seeds. Reported: suggestion / best, how many half-decades apart, and
what 5 epochs at each seed's own suggestion reach.

    OPENBLAS_NUM_THREADS=1 nice python -m bench.lr_finder_sweep [--seeds 3] [--json out.json] [--markdown]
"""
from __future__ import annotations

import argparse
import json
import math
import sys
import time

import numpy as np

from engine import Network, TrainConfig, fit
from engine.data import load_dataset
from engine.errors import DivergenceError
from engine.lr_finder import find_lr

SPEC = {"input_size": 784, "layers": [{"units": 128, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy"}
RATES = [10 ** (-4 + k / 2) for k in range(9)]          # 1e-4, 3.16e-4, ..., 1
OPTIMIZERS = {"momentum": {"optimizer": "momentum", "momentum": 0.9}, "adam": {"optimizer": "adam"}}
EPOCHS, BATCH = 5, 64


def config(opt: str, lr: float, seed: int) -> TrainConfig:
    return TrainConfig(lr=lr, batch_size=BATCH, epochs=EPOCHS, val_fraction=0.1, seed=seed, augment=False,
                       **OPTIMIZERS[opt])


def network(seed: int) -> Network:
    return Network({**SPEC, "seed": seed})


def train_once(data, opt: str, lr: float, seed: int) -> dict:
    """Final validation loss/accuracy and test accuracy of one fixed-rate run (a diverged run: inf loss)."""
    net = network(seed)
    try:
        hist = fit(net, config(opt, lr, seed), data.x_train, data.y_train)
    except DivergenceError:
        return {"val_loss": math.inf, "val_accuracy": 0.0, "test_accuracy": 0.0}
    last = hist[-1]
    test_acc = float(np.mean(net.predict(data.x_test) == data.y_test))
    val_loss = last["val_loss"] if math.isfinite(last["val_loss"]) else math.inf
    return {"val_loss": val_loss, "val_accuracy": last["val_accuracy"], "test_accuracy": test_acc}


def sweep(data, opt: str, seeds) -> list[dict]:
    """One row per rate: the mean over seeds of each measure."""
    rows = []
    for lr in RATES:
        runs = [train_once(data, opt, lr, s) for s in seeds]
        row = {"lr": lr}
        for key in ("val_loss", "val_accuracy", "test_accuracy"):
            row[key] = float(np.mean([r[key] for r in runs]))
        rows.append(row)
        print(f"  {opt:8s} lr {lr:<8.3g} val loss {row['val_loss']:.4f}  val acc {row['val_accuracy']:.4f}  "
              f"test acc {row['test_accuracy']:.4f}", file=sys.stderr, flush=True)
    return rows


def finder(data, opt: str, seeds) -> dict:
    """Each seed's suggestion and rate at the loss minimum, and their geometric means."""
    runs = []
    for s in seeds:
        r = find_lr(network(s), config(opt, 1e-3, s), data.x_train, data.y_train)
        runs.append({"suggestion": r.suggestion, "lr_at_min": r.lr_at_min, "steps": len(r.lrs), "reason": r.reason})
    geo = lambda key: float(np.exp(np.mean([math.log(r[key]) for r in runs])))
    trained = [train_once(data, opt, r["suggestion"], s) for r, s in zip(runs, seeds)]
    at = {key: float(np.mean([t[key] for t in trained])) for key in ("val_loss", "val_accuracy", "test_accuracy")}
    return {"runs": runs, "suggestion": geo("suggestion"), "lr_at_min": geo("lr_at_min"), "trained": at}


def compare(rows: list[dict], found: dict) -> dict:
    """The sweep's best rates and how far the suggestion is from them, in half-decades."""
    by_loss = min(rows, key=lambda r: r["val_loss"])
    by_acc = max(rows, key=lambda r: r["val_accuracy"])
    ratio = found["suggestion"] / by_loss["lr"]
    return {"best_lr": by_loss["lr"], "best_lr_by_accuracy": by_acc["lr"], "ratio": ratio,
            "half_decades": math.log10(ratio) * 2, "ratio_to_accuracy_best": found["suggestion"] / by_acc["lr"],
            "within_half_decade": abs(math.log10(ratio)) <= 0.5 + 1e-9}


def measure(seeds) -> dict:
    data = load_dataset("sample")
    out = {"data": repr(data), "epochs": EPOCHS, "batch_size": BATCH, "seeds": list(seeds), "optimizers": {}}
    for opt in OPTIMIZERS:
        t = time.perf_counter()
        rows = sweep(data, opt, seeds)
        found = finder(data, opt, seeds)
        out["optimizers"][opt] = {"sweep": rows, "finder": found, **compare(rows, found),
                                  "seconds": time.perf_counter() - t}
    return out


def markdown(result: dict) -> str:
    """The sweep tables and the summary, as docs/lr-finder.md shows them."""
    lines = []
    for opt, r in result["optimizers"].items():
        lines += [f"### {opt}", "", "| learning rate | val loss | val accuracy | test accuracy |", "|---:|---:|---:|---:|"]
        for row in r["sweep"]:
            mark = " **(best)**" if row["lr"] == r["best_lr"] else ""
            lines.append(f"| {row['lr']:.3g}{mark} | {row['val_loss']:.4f} | {100 * row['val_accuracy']:.2f} % | "
                         f"{100 * row['test_accuracy']:.2f} % |")
        per_seed = ", ".join(f"{x['suggestion']:.3g}" for x in r["finder"]["runs"])
        t = r["finder"]["trained"]
        lines += ["", f"Finder suggestion {r['finder']['suggestion']:.3g} (per seed: {per_seed}); "
                  f"loss minimum at {r['finder']['lr_at_min']:.3g}. Trained 5 epochs at each seed's suggestion: "
                  f"val loss {t['val_loss']:.4f}, val accuracy {100 * t['val_accuracy']:.2f} %, "
                  f"test accuracy {100 * t['test_accuracy']:.2f} %.", ""]
    lines += ["| optimizer | finder suggestion | sweep best (val loss) | ratio | half-decades | "
              "sweep best (val accuracy) | ratio |", "|---|---:|---:|---:|---:|---:|---:|"]
    for opt, r in result["optimizers"].items():
        lines.append(f"| {opt} | {r['finder']['suggestion']:.3g} | {r['best_lr']:.3g} | {r['ratio']:.2f} | "
                     f"{r['half_decades']:+.2f} | {r['best_lr_by_accuracy']:.3g} | {r['ratio_to_accuracy_best']:.2f} |")
    return "\n".join(lines) + "\n"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(prog="python -m bench.lr_finder_sweep", description=__doc__.splitlines()[0])
    p.add_argument("--seeds", type=int, default=3, help="seeds per rate (default 3)")
    p.add_argument("--json", help="also write the full result to this file")
    p.add_argument("--markdown", action="store_true", help="print Markdown tables instead of JSON")
    args = p.parse_args(argv)
    result = measure(range(args.seeds))
    if args.json:
        with open(args.json, "w", encoding="utf-8") as f:
            json.dump(result, f, indent=1)
    print(markdown(result) if args.markdown else json.dumps(result, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
