"""`python -m engine` / `mlp-train`: train, evaluate, download, info and bench from the command line.

Output discipline: progress and notes go to stderr; results to stdout (with --json the last stdout line is
one JSON object). Any bad argument or bad file is one "error: ..." line on stderr and exit status 2; a
failed download or a diverged run exits 1; never a Python traceback.
"""
from __future__ import annotations

import argparse
import dataclasses
import json
import math
import sys
import time

import numpy as np

from .errors import DownloadError, EngineError
from .progress import Progress, show_progress
from .export import cli as export_cli


class UsageError(Exception):
    """A bad command line: reported as one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def error(self, message):                 # argparse prints usage + exits 2; we want one line, no usage dump
        raise UsageError(message)


def _positive_int(text):
    try:
        n = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if n < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return n


def _number(text):
    try:
        x = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if not math.isfinite(x):
        raise argparse.ArgumentTypeError(f"{text!r} is not a finite number")
    return x


def _layers(text):
    if text.strip() in ("", "0"):              # no hidden layer: the inputs feed the output layer (a perceptron)
        return []
    try:
        sizes = [int(s) for s in text.replace(" ", "").split(",") if s != ""]
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a comma-separated list of layer sizes like 256,128") from None
    if any(n < 1 for n in sizes):
        raise argparse.ArgumentTypeError(f"every layer needs at least 1 unit (got {text!r})")
    return sizes


def build_parser() -> Parser:
    from .activations import ACTIVATIONS
    from .losses import LOSSES
    from .optimizers import OPTIMIZERS
    from .schedules import SCHEDULES
    p = Parser(prog="python -m engine", description="MLP Studio's engine on the command line.")
    sub = p.add_subparsers(dest="command", metavar="{train,evaluate,download,info,bench,export}")
    sub.required = True
    t = sub.add_parser("train", help="train a network and report its test accuracy")
    t.add_argument("--dataset", default="sample", help="sample (bundled, default), mnist (downloaded), a generated "
                   "set (xor, circles, spiral, blobs, moons; sin, abs, step) or a path: a folder of IDX files, an "
                   "IDX file, an .npz or a .csv")
    t.add_argument("--points", type=_positive_int, help="generated sets: how many points (200)")
    t.add_argument("--noise", type=_number, help="generated sets: std of the Gaussian jitter (0.1)")
    t.add_argument("--test-fraction", type=_number, help="generated sets: share kept for testing (0.3)")
    t.add_argument("--classes", type=_positive_int, help="spiral and blobs: how many arms or blobs (2)")
    t.add_argument("--spec", metavar="FILE.json", help="network spec as JSON (instead of --layers/--activation/--loss)")
    t.add_argument("--layers", type=_layers, help="hidden layer sizes, e.g. 256,128 (default 128); 0 or '' for "
                   "none (a perceptron)")
    t.add_argument("--activation", choices=[a for a in ACTIVATIONS if a != "softmax"], help="hidden activation (relu)")
    t.add_argument("--loss", choices=list(LOSSES), help="loss (cross_entropy)")
    t.add_argument("--optimizer", choices=list(OPTIMIZERS), help="momentum (default), adam with --augment")
    t.add_argument("--lr", type=_number, help="learning rate (0.05; 0.001 for adam/rmsprop)")
    t.add_argument("--momentum", type=_number, help="momentum's mu (0.9)")
    t.add_argument("--batch-size", type=_positive_int, help="samples per step (64)")
    t.add_argument("--epochs", type=_positive_int, help="20, or 30 with --augment")
    t.add_argument("--schedule", choices=list(SCHEDULES), help="constant, or cosine with --augment")
    t.add_argument("--min-lr", type=_number, help="cosine schedule's final learning rate (0)")
    t.add_argument("--weight-decay", type=_number, help="L2 weight decay (0)")
    t.add_argument("--dropout", type=_number, metavar="P", help="dropout rate of every hidden layer, 0 <= P < 1 "
                   "(0: none); with --spec it replaces the file's hidden layers' rates")
    t.add_argument("--subset", type=int, metavar="N", help="train on N samples only: a seeded, class-balanced "
                   "subset of the training set (after the validation split); 0: all (default)")
    t.add_argument("--val-fraction", type=_number, help="share of the training set kept for "
                   "validation (default 0: train on all of it; the test set is always separate)")
    t.add_argument("--patience", type=int, help="early stopping after N epochs without improvement (0: never)")
    t.add_argument("--augment", action="store_true", help="random shifts, rotations, scaling, shear, elastic "
                   "distortion and stroke width on every training batch of images; Gaussian jitter of other inputs")
    t.add_argument("--seed", type=int, help="random seed (0)")
    t.add_argument("--dtype", choices=["float32", "float64"], default="float32")
    t.add_argument("--save", metavar="MODEL.npz", help="save the trained model here")
    _common(t)
    e = sub.add_parser("evaluate", help="accuracy and confusion matrix of a saved model")
    e.add_argument("model", metavar="MODEL.npz")
    e.add_argument("--dataset", default="sample")
    e.add_argument("--drawn", nargs="?", const="bundled", metavar="PATH", help="instead: per-digit accuracy on "
                   "pen-drawn digits (a pendigits file; the bundled one without PATH), evaluation writers only")
    _common(e)
    d = sub.add_parser("download", help="download the full MNIST (60,000 training digits)")
    d.add_argument("what", choices=["mnist"])
    d.add_argument("--mirror", action="append", metavar="URL", help="try this mirror (repeatable) instead of the "
                   "built-in list")
    d.add_argument("--quiet", action="store_true", help="no progress bar")
    i = sub.add_parser("info", help="spec, parameter count and training history of a saved model")
    i.add_argument("model", metavar="MODEL.npz")
    i.add_argument("--json", action="store_true")
    sub.add_parser("bench", help="training speed vs PyTorch and scikit-learn (python -m engine bench --help)",
                   add_help=False)
    export_cli.add_parser(sub)
    return p


def _common(p):
    p.add_argument("--json", action="store_true", help="print the result as one JSON object (last stdout line)")
    p.add_argument("--threads", type=_positive_int, help="BLAS threads (default: all cores; one fewer with --augment)")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


def main(argv=None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        if not argv:
            raise UsageError("choose a command: train, evaluate, download, info or bench "
                             "(python -m engine --help)")
        if argv[:1] == ["bench"]:
            return _bench(argv[1:])
        args = build_parser().parse_args(argv)
        return {"train": cmd_train, "evaluate": cmd_evaluate, "download": cmd_download,
                "info": cmd_info, "export": export_cli.run}[args.command](args)
    except UsageError as exc:
        return _fail(str(exc), 2)
    except DownloadError as exc:
        return _fail(str(exc), 1)
    except EngineError as exc:
        return _fail(str(exc), 2)
    except KeyboardInterrupt:
        return _fail("interrupted.", 130)
    except SystemExit as exc:                  # --help: argparse exits 0 after printing
        return exc.code if isinstance(exc.code, int) else 0
    except Exception as exc:                   # a bug, still reported on one line
        return _fail(f"unexpected {type(exc).__name__}: {exc}", 1)


def _fail(message: str, code: int) -> int:
    print(f"error: {' '.join(str(message).split())}", file=sys.stderr)
    return code


def _note(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def _bench(rest) -> int:
    from bench.main import main as bench_main      # a tool beside the engine: loaded only for this command
    return bench_main(rest)


def _threads(n, augment=False) -> None:
    from .threads import default_threads, set_blas_threads
    if n is None:
        # augmentation runs on its own thread: leave it a core rather than have BLAS threads spin against it
        n = max(1, default_threads("cli") - 1) if augment else default_threads("cli")
    set_blas_threads(n)


# --- train ------------------------------------------------------------------------------------------------
def make_spec(args, ds) -> dict:
    """The network spec from --spec or from --layers/--activation/--loss, checked against the data set."""
    from .spec import validate_spec
    if args.spec:
        if args.layers or args.activation or args.loss:
            raise UsageError("use either --spec or --layers/--activation/--loss, not both")
        spec = _read_spec_file(args.spec)
    else:
        toy = _playground(ds)
        loss = args.loss or (toy.loss if toy else "cross_entropy")
        numbers = ds.task == "regression" and loss != "cross_entropy"
        out_act = "softmax" if loss == "cross_entropy" else "linear" if numbers else "sigmoid"
        sizes = args.layers if args.layers is not None else [128]
        hidden = [{"units": n, "activation": args.activation or "relu"} for n in sizes]
        spec = {"input_size": ds.n_features, "layers": hidden + [{"units": ds.n_classes, "activation": out_act}],
                "loss": loss}
    if args.seed is not None or "seed" not in spec:
        spec["seed"] = args.seed or 0
    _set_dropout(spec, args.dropout)
    spec = validate_spec(spec)
    if spec["input_size"] != ds.n_features:
        raise UsageError(f"the network takes {spec['input_size']} inputs but {ds.name} images have "
                         f"{ds.n_features} pixels")
    if spec["layers"][-1]["units"] != ds.n_classes:
        raise UsageError(f"the network has {spec['layers'][-1]['units']} outputs but {ds.name} has "
                         f"{ds.n_classes} classes")
    return spec


def _set_dropout(spec: dict, p) -> None:
    """--dropout P on every hidden layer of the spec (validate_spec then checks P)."""
    if p is None:
        return
    layers = spec.get("layers")
    if not isinstance(layers, list) or len(layers) < 2:
        raise UsageError("--dropout needs a hidden layer: dropout switches hidden units off, and this network "
                         "has none")
    for layer in layers[:-1]:
        if isinstance(layer, dict):
            layer["dropout"] = p


def _read_spec_file(path) -> dict:
    try:
        with open(path, encoding="utf-8") as f:
            spec = json.load(f)
    except OSError as exc:
        raise UsageError(f"cannot read the spec file {path}: {exc.strerror or exc}") from exc
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise UsageError(f"the spec file {path} is not valid JSON ({exc})") from exc
    if not isinstance(spec, dict):
        raise UsageError(f"the spec file {path} must hold a JSON object like "
                         '{"input_size": 784, "layers": [...], "loss": "cross_entropy"}')
    return spec


def _playground(ds):
    """The preset of a generated set (None for files and MNIST)."""
    from .presets import PLAYGROUND
    return PLAYGROUND.get(getattr(ds, "key", ""))


def _generated(args) -> dict:
    """The generator options given on the command line (load_dataset refuses them for files)."""
    given = {"n": args.points, "noise": args.noise, "test_fraction": args.test_fraction, "seed": args.seed,
             "classes": args.classes}
    from .data.toy import TOY_NAMES
    if str(args.dataset).strip().lower() not in TOY_NAMES:
        given.pop("seed")                       # --seed also seeds training: not a generator option for files
    return {k: v for k, v in given.items() if v is not None}


def make_config(args, ds=None):
    """The TrainConfig of a `train` command line: the cli_plain or cli_augment preset (a generated set's own
    preset), overridden by options."""
    from .presets import preset, starting_lr
    toy = _playground(ds) if ds is not None else None
    base = dataclasses.replace(toy.config) if toy else preset("cli_augment" if args.augment else "cli_plain")
    chosen = {"optimizer": args.optimizer, "lr": args.lr, "momentum": args.momentum,
              "batch_size": args.batch_size, "epochs": args.epochs, "weight_decay": args.weight_decay,
              "schedule": args.schedule, "min_lr": args.min_lr, "val_fraction": args.val_fraction,
              "patience": args.patience, "seed": args.seed, "train_subset": args.subset}
    chosen = {k: v for k, v in chosen.items() if v is not None}
    if args.optimizer is not None and args.lr is None:
        chosen["lr"] = starting_lr(args.optimizer)     # the preset's rate belongs to the preset's optimizer
    return dataclasses.replace(base, **chosen).validate()


def cmd_train(args) -> int:
    from .data import Augmenter, load_dataset
    from .network import Network
    from .training import Trainer
    _threads(args.threads, augment=args.augment)
    ds = load_dataset(args.dataset, **_generated(args))
    if ds.notice:
        _note(f"note: {ds.notice}")
    spec = make_spec(args, ds)
    cfg = make_config(args, ds)
    images = len(ds.image_shape) == 2                 # points and table columns: the Trainer's jitter instead
    augmenter = Augmenter(image_shape=ds.image_shape, seed=cfg.seed) if args.augment and images else None
    cfg = cfg if augmenter else dataclasses.replace(cfg, augment=bool(args.augment))
    net = Network.from_spec(spec, dtype=args.dtype)
    _note(f"{ds!r}\n{net!r}\n{cfg.optimizer} lr={cfg.lr:g} batch={cfg.batch_size} epochs={cfg.epochs} "
          f"schedule={cfg.schedule}{' augment' if args.augment else ''}")
    trainer = Trainer(net, cfg, ds.x_train, ds.y_train, augmenter=augmenter, task=ds.task)
    if trainer.notice:                          # e.g. a batch larger than the data set, clamped to it
        _note(f"note: {trainer.notice}")
    t0 = time.perf_counter()
    last, finished = show_progress(trainer.run(), cfg, Progress(enabled=not args.quiet))
    seconds = time.perf_counter() - t0
    if finished is not None and finished.reason == "diverged":
        return _fail(finished.message, 1)
    if finished is not None and finished.reason != "completed":
        _note(finished.message)
    test_loss = float(net.loss(ds.x_test, ds.y_test))
    regression = ds.task == "regression"
    test_acc = None if regression else float(np.mean(net.predict(ds.x_test) == ds.y_test))
    if args.save:
        net.save(args.save)
        _note(f"saved the model to {args.save}")
    result = {"train_loss": last.train_loss if last else None, "train_accuracy": last.train_accuracy if last else None,
              "test_loss": test_loss, "test_accuracy": test_acc, "epochs": last.epoch if last else 0,
              "seconds": round(seconds, 3), "dataset": ds.name, "n_train": len(ds.x_train),
              "n_trained": trainer.n_train,
              "n_test": len(ds.x_test), "spec": spec, "optimizer": cfg.optimizer, "lr": cfg.lr,
              "augment": bool(args.augment), "saved": args.save}
    if last and last.val_loss is not None:
        result.update(val_loss=last.val_loss, val_accuracy=last.val_accuracy)
    if regression:
        result["test_mse"] = float(np.mean((net.forward(ds.x_test) - ds.y_test) ** 2))
    what = "points" if len(ds.image_shape) == 1 else "images"
    score = f"test MSE {result['test_mse']:.4g}" if regression else f"test accuracy {test_acc:.2%}"
    summary = (f"{score} on {len(ds.x_test):,} {ds.name} test {what} after "
               f"{result['epochs']} epoch{'s' if result['epochs'] != 1 else ''} ({seconds:.1f} s)")
    if args.json:
        _note(summary)
        print(json.dumps(result))
    else:
        print(summary)
    return 0


# --- evaluate / info / download -----------------------------------------------------------------------------
def _load_model(path):
    from .network import Network
    return Network.load(path)


def cmd_evaluate(args) -> int:
    from .data import load_dataset
    from .metrics import confusion_matrix
    _threads(args.threads)
    net = _load_model(args.model)
    if args.drawn:
        from .drawn import run_drawn_evaluation
        return run_drawn_evaluation(net, args.drawn, args.json, args.model)
    ds = load_dataset(args.dataset)
    if ds.notice:
        _note(f"note: {ds.notice}")
    if net.input_size != ds.n_features:
        raise UsageError(f"{args.model} takes {net.input_size} inputs but {ds.name} images have {ds.n_features} pixels")
    k = max(net.n_outputs, ds.n_classes)
    pred = net.predict(ds.x_test)
    cm = confusion_matrix(ds.y_test, pred, k)
    acc = float(np.trace(cm) / cm.sum())
    result = {"accuracy": acc, "n": int(cm.sum()), "dataset": ds.name, "confusion_matrix": cm.tolist(),
              "model": str(args.model)}
    if args.json:
        print(json.dumps(result))
    else:
        print(f"accuracy {acc:.2%} on {int(cm.sum()):,} {ds.name} test images\n")
        print(confusion_table(cm, ds.class_names))
    return 0


def confusion_table(cm, names) -> str:
    """Rows: true class; columns: predicted class; last column: per-class recall."""
    names = list(names) + [str(i) for i in range(len(names), len(cm))]
    w = max(5, len(str(int(cm.max()))) + 1, max(len(n) for n in names) + 1)
    head = "true\\pred".ljust(10) + "".join(n.rjust(w) for n in names) + "  recall"
    rows = [head]
    for i, row in enumerate(cm):
        recall = row[i] / row.sum() if row.sum() else float("nan")
        rows.append(names[i].ljust(10) + "".join(str(int(v)).rjust(w) for v in row) + f"  {recall:6.1%}")
    return "\n".join(rows)


def cmd_info(args) -> int:
    from .spec import describe
    net = _load_model(args.model)
    hist = net.history
    best = [h for h in hist if h.get("val_accuracy") is not None]
    info = {"model": str(args.model), "spec": net.to_spec(), "parameters": int(net.n_params),
            "dtype": str(net.dtype), "epochs_trained": len(hist),
            "last_epoch": hist[-1] if hist else None,
            "best_val_accuracy": max(h["val_accuracy"] for h in best) if best else None}
    if args.json:
        print(json.dumps(info, default=float))
        return 0
    print(f"{args.model}: {describe(net.to_spec())}")
    print(f"parameters: {net.n_params:,} ({net.dtype})")
    if hist:
        h = hist[-1]
        print(f"trained for {len(hist)} epochs; last: loss {h.get('train_loss', float('nan')):.4f}, "
              f"accuracy {h.get('train_accuracy', float('nan')):.2%}")
        if best:
            print(f"best validation accuracy: {info['best_val_accuracy']:.2%}")
    else:
        print("not trained yet (no history)")
    return 0


def cmd_download(args) -> int:
    from .data import download_mnist, mnist_dir
    bar = Progress(enabled=not args.quiet)
    mb = 1 / 1e6
    folder = download_mnist(progress=lambda d, t: bar.update(d, t, f"{d * mb:.1f} / {t * mb:.1f} MB"),
                            mirrors=args.mirror, notify=lambda m: bar.line(f"note: {m}"))
    bar.line("")
    print(f"full MNIST is ready in {folder}" if folder else f"full MNIST is ready in {mnist_dir()}")
    return 0
