"""The exported train.py: the network's spec and MLP Studio's training settings as a plain PyTorch script that
runs on CPU or CUDA, alone or under `torchrun --nproc_per_node=N` with DistributedDataParallel.

The settings map one to one: momentum/nesterov/rmsprop/adam are torch.optim's SGD (momentum, nesterov), RMSprop
(alpha = rho) and Adam with the engine's constants; sgd/bgd/minibatch are plain SGD with batch 1 / the whole
training set / the batch size; schedules use the engine's formulas per epoch; losses are means over the batch
of the per-sample sums, as in engine.losses. Augmentation and early stopping are not exported (the script says so).
"""
from __future__ import annotations

from ..errors import SpecError

LOSS_CODE = {  # out: logits when the output activation is fused into the loss, else the model's outputs
    ("cross_entropy", True): "nn.functional.cross_entropy(out, y)",
    ("cross_entropy", False): "-(target * torch.log(out.clamp_min(1e-12))).sum(1).mean()",
    ("binary_cross_entropy", True): "nn.functional.binary_cross_entropy_with_logits(out, target, reduction='sum') / len(out)",
    ("binary_cross_entropy", False): "nn.functional.binary_cross_entropy(out.clamp(1e-7, 1 - 1e-7), target, reduction='sum') / len(out)",
    ("mse", False): "((out - target) ** 2).sum(1).mean()",
    ("l1", False): "(out - target).abs().sum(1).mean()",
}
FUSED = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}


def settings_for(net, cfg) -> dict:
    """The TrainConfig fields train.py uses, with the batch size each plain-GD variant really takes."""
    batch = {"sgd": 1, "bgd": None}.get(cfg.optimizer, cfg.batch_size)        # None: the whole training set
    return {"optimizer": cfg.optimizer, "lr": cfg.lr, "momentum": cfg.momentum, "weight_decay": cfg.weight_decay,
            "schedule": cfg.schedule, "step_size": cfg.step_size, "gamma": cfg.gamma, "min_lr": cfg.min_lr,
            "batch_size": batch, "epochs": cfg.epochs, "seed": cfg.seed, "val_fraction": cfg.val_fraction,
            "loss": net.spec["loss"], "augment_in_mlp_studio": bool(cfg.augment),
            "patience_in_mlp_studio": cfg.patience, "dtype": str(net.dtype)}


def train_script_text(net, cfg, version: str) -> str:
    spec = net.to_spec()
    loss, last = spec["loss"], spec["layers"][-1]["activation"]
    fused = FUSED.get(loss) == last
    if (loss, fused) not in LOSS_CODE:
        raise SpecError(f"Cannot export the training script: the loss '{loss}' has no PyTorch version here.")
    cfg.validate()
    settings = settings_for(net, cfg)
    return (TEMPLATE.replace("__VERSION__", version)
            .replace("__SPEC__", repr(spec))
            .replace("__SETTINGS__", repr(settings))
            .replace("__FUSED__", repr(fused))
            .replace("__LOSS__", LOSS_CODE[(loss, fused)]))


TEMPLATE = r'''"""Train the network exported from MLP Studio __VERSION__ with PyTorch, with the settings it was given there.

    python train.py --data PATH [--epochs N] [--fresh] [--save trained.pt]
    torchrun --nproc_per_node=N train.py --data PATH ...

PATH: a folder of MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
t10k-labels-idx1-ubyte, each optionally .gz) or an .npz holding x_train, y_train, x_test, y_test. Images are
flattened row by row and 0..255 pixels scaled to [0, 1], as MLP Studio does.
Runs on CUDA when available, else on the CPU. Under torchrun each process trains a DistributedDataParallel copy
(NCCL on GPUs, one GPU per process; gloo on the CPU); the global batch stays SETTINGS["batch_size"], each of N
processes taking batch/N of it, so N processes follow the same recipe as one.
Starts from the exported weights (weights.pt beside model.py) unless --fresh re-initialises with the spec's
initialisers (He for ReLU layers, Xavier otherwise, or the layer's "init") and seed, as MLP Studio does.
Not exported: data augmentation (this script trains on the images as they are) and early stopping.
The last line printed is one JSON object: {"test_accuracy": ..., "epochs": ..., ...}.
"""
import argparse
import gzip
import json
import math
import os
import sys
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn

from model import WEIGHTS, build_model

SPEC = __SPEC__
SETTINGS = __SETTINGS__
FUSED = __FUSED__        # True: the output activation is folded into the loss, training works on logits
IDX_NAMES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
             "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def read_idx(path):
    with (gzip.open if path.suffix == ".gz" else open)(path, "rb") as f:
        data = f.read()
    ndim = data[3]
    shape = np.frombuffer(data, ">u4", ndim, 4)
    return np.frombuffer(data, IDX_DTYPES[data[2]], offset=4 + 4 * ndim).reshape(shape)


def load_data(path):
    """x_train, y_train, x_test, y_test as float32 pixels in [0, 1] (one row per image) and int64 labels."""
    path = Path(path)
    if path.is_dir():
        found = {}
        for key, name in IDX_NAMES.items():
            files = [path / name, path / (name + ".gz")]
            found[key] = read_idx(next((f for f in files if f.exists()), files[0]))
    else:
        with np.load(path, allow_pickle=False) as npz:
            found = {key: npz[key] for key in IDX_NAMES}
    out = []
    for split in ("train", "test"):
        x = found["x_" + split].reshape(len(found["x_" + split]), -1).astype(np.float32)
        out += [x / 255 if x.max(initial=0) > 1 else x, found["y_" + split].astype(np.int64).reshape(-1)]
    return out


def initialise(model, seed):
    """The spec's initialisers with NumPy's generator and the spec's seed: the weights MLP Studio starts from."""
    rng = np.random.default_rng(seed)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for layer, linear in zip(SPEC["layers"], linears):
        name = layer.get("init") or ("he_uniform" if layer["activation"] in ("relu", "leaky_relu") else "xavier_uniform")
        fan_in, fan_out = linear.in_features, linear.out_features
        var = 2.0 / fan_in if name.startswith("he") else 2.0 / (fan_in + fan_out)
        if name.endswith("uniform"):
            w = rng.uniform(-math.sqrt(3 * var), math.sqrt(3 * var), size=(fan_in, fan_out))
        else:
            w = rng.normal(0.0, math.sqrt(var), size=(fan_in, fan_out))
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T.copy()))
            linear.bias.zero_()


def lr_at(epoch, epochs):
    s, lr0 = SETTINGS, SETTINGS["lr"]
    if s["schedule"] == "step":
        return lr0 * s["gamma"] ** ((epoch - 1) // max(1, s["step_size"]))
    if s["schedule"] == "cosine":
        return s["min_lr"] + (lr0 - s["min_lr"]) * (1 + math.cos(math.pi * (epoch - 1) / max(1, epochs))) / 2
    return lr0


def make_optimizer(params):
    s = SETTINGS
    name, lr, wd = s["optimizer"], s["lr"], s["weight_decay"]
    if name in ("momentum", "nesterov"):
        return torch.optim.SGD(params, lr, momentum=s["momentum"], nesterov=name == "nesterov", weight_decay=wd)
    if name == "rmsprop":
        return torch.optim.RMSprop(params, lr, alpha=0.9, eps=1e-8, weight_decay=wd)
    if name == "adam":
        return torch.optim.Adam(params, lr, betas=(0.9, 0.999), eps=1e-8, weight_decay=wd)
    return torch.optim.SGD(params, lr, weight_decay=wd)          # sgd, bgd, minibatch: w -= lr g


def loss_of(out, y, n_outputs):
    target = nn.functional.one_hot(y, n_outputs).to(out.dtype) if n_outputs > 1 else y.to(out.dtype)[:, None]
    return __LOSS__


def predict(net, x, n_outputs):
    out = net(x)
    if n_outputs > 1:
        return out.argmax(1)
    return (out[:, 0] > (0.0 if FUSED else 0.5)).long()


def accuracy(net, x, y, n_outputs):
    with torch.no_grad():
        return float(torch.cat([predict(net, xb, n_outputs) == yb
                                for xb, yb in zip(x.split(4096), y.split(4096))]).float().mean()) if len(x) else None


def setup():
    """(rank, world size, device): DistributedDataParallel under torchrun, one plain process otherwise."""
    world = int(os.environ.get("WORLD_SIZE", "1"))
    cuda = torch.cuda.is_available()
    local = int(os.environ.get("LOCAL_RANK", "0"))
    device = torch.device(f"cuda:{local}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group("nccl" if cuda else "gloo")
    return (dist.get_rank() if world > 1 else 0), world, device


def split_validation(x, y, fraction, seed):
    n_val = int(round(len(x) * fraction))
    order = np.random.default_rng(seed).permutation(len(x))
    return x[order[n_val:]], y[order[n_val:]], x[order[:n_val]], y[order[:n_val]]


def train(args, rank, world, device):
    try:
        x_train, y_train, x_test, y_test = load_data(args.data)
    except (OSError, KeyError, ValueError, IndexError) as exc:      # missing, foreign or damaged data files
        sys.exit(f"error: cannot read the data at {args.data}: {exc}")
    x_train, y_train, x_val, y_val = split_validation(x_train, y_train, SETTINGS["val_fraction"], SETTINGS["seed"])
    dtype = getattr(torch, SETTINGS["dtype"])
    tensors = [torch.from_numpy(a).to(device) for a in (x_train, y_train, x_val, y_val, x_test, y_test)]
    x_train, y_train, x_val, y_val, x_test, y_test = [t.to(dtype) if t.is_floating_point() else t for t in tensors]
    model = build_model()
    if args.fresh:
        initialise(model, SPEC["seed"])
    else:
        model.load_state_dict(torch.load(WEIGHTS, map_location="cpu", weights_only=True))
    model = model.to(device)
    net = model[:-1] if FUSED else model                   # trains on logits when the loss owns the activation
    n_outputs = SPEC["layers"][-1]["units"]
    ddp = nn.parallel.DistributedDataParallel(net) if world > 1 else net
    optimizer = make_optimizer(ddp.parameters())
    batch = SETTINGS["batch_size"] or len(x_train)
    epochs = args.epochs or SETTINGS["epochs"]
    order = torch.Generator().manual_seed(SETTINGS["seed"])     # the same shuffle on every process
    for epoch in range(1, epochs + 1):
        for group in optimizer.param_groups:
            group["lr"] = lr_at(epoch, epochs)
        ddp.train()
        total, seen = 0.0, 0
        for idx in torch.randperm(len(x_train), generator=order).split(batch):
            if len(idx) < world:                                  # too few samples left to give each process one
                continue
            mine = idx.tensor_split(world)[rank].to(device)       # this process's share of the global batch
            loss = loss_of(ddp(x_train[mine]), y_train[mine], n_outputs)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            optimizer.step()
            total, seen = total + loss.item() * len(mine), seen + len(mine)
        net.eval()
        if rank == 0:
            val = accuracy(net, x_val, y_val, n_outputs)
            print(f"epoch {epoch}/{epochs}  loss {total / max(seen, 1):.4f}  lr {lr_at(epoch, epochs):.3g}"
                  + (f"  val acc {val:.2%}" if val is not None else ""), file=sys.stderr, flush=True)
    return model, net, n_outputs, epochs, (x_test, y_test)


def main(argv=None):
    p = argparse.ArgumentParser(description="Train the network exported from MLP Studio.")
    p.add_argument("--data", required=True, help="a folder of MNIST IDX files or an .npz (x_train, y_train, ...)")
    p.add_argument("--epochs", type=int, help=f"epochs (default {SETTINGS['epochs']}, as in MLP Studio)")
    p.add_argument("--fresh", action="store_true", help="start from freshly initialised weights, not weights.pt")
    p.add_argument("--save", help="write the trained weights here (torch.save of the state dict)")
    args = p.parse_args(argv)
    rank, world, device = setup()
    if rank == 0 and SETTINGS["augment_in_mlp_studio"]:
        print("note: MLP Studio trained with augmentation, which is not exported; this script trains on the "
              "images as they are.", file=sys.stderr)
    model, net, n_outputs, epochs, (x_test, y_test) = train(args, rank, world, device)
    if rank == 0:
        if args.save:
            torch.save(model.state_dict(), args.save)
        print(json.dumps({"test_accuracy": accuracy(net, x_test, y_test, n_outputs), "epochs": epochs,
                          "processes": world, "device": str(device), "fresh": args.fresh}), flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''
