"""The text of the exported train.py, with __NAME__ placeholders that train_script.py fills in (the header, the
spec, the settings, where training stands, the initialisers and the loss). The script is plain PyTorch: a
TensorDataset read through a DataLoader with a DistributedSampler, DistributedDataParallel under torchrun, and
torch.optim's own optimizers; it never imports MLP Studio.
"""

TEMPLATE = r'''__HEADER__
import argparse
import gzip
import json
import math
import os
import pickle
import sys
from pathlib import Path

import numpy as np
import torch
import torch.distributed as dist
from torch import nn
from torch.utils.data import DataLoader, DistributedSampler, TensorDataset

from model import WEIGHTS, build_model

SPEC = __SPEC__
SETTINGS = __SETTINGS__
START = __START__
FUSED = __FUSED__        # True: the output activation is folded into the loss, training works on logits
MEMORY = Path(__file__).with_name("optimizer.pt")     # MLP Studio's optimizer memory: "<parameter>.<buffer>" tensors
MEMORY_KEYS = __MEMORY_KEYS__      # the torch.optim state that memory fills in, per parameter
CHECKPOINT = "checkpoint.pt"
IDX_NAMES = {"x_train": "train-images-idx3-ubyte", "y_train": "train-labels-idx1-ubyte",
             "x_test": "t10k-images-idx3-ubyte", "y_test": "t10k-labels-idx1-ubyte"}
IDX_DTYPES = {0x08: ">u1", 0x09: ">i1", 0x0B: ">i2", 0x0C: ">i4", 0x0D: ">f4", 0x0E: ">f8"}


def fail(message):
    """End with one sentence on stderr (from the first process only; every process stops) and exit code 2."""
    if int(os.environ.get("RANK", "0")) == 0:
        print(f"error: {message}", file=sys.stderr, flush=True)
    sys.exit(2)


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


def stratified_split(labels, fraction, seed):
    """(training rows, validation rows): about `fraction` of each class held out, drawn with `seed` exactly as
    MLP Studio draws them (engine/split.py), so the same data gives the same validation set."""
    rng = np.random.default_rng(seed)
    held_out = np.zeros(len(labels), bool)
    for c in np.unique(labels):
        rows = np.flatnonzero(labels == c)
        held_out[rng.choice(rows, size=int(round(len(rows) * fraction)), replace=False)] = True
    return np.flatnonzero(~held_out), np.flatnonzero(held_out)


def balanced_subset(labels, n, seed):
    """Positions of n of the rows, as many of each class as there is, drawn with `seed` exactly as MLP Studio
    draws its training subset (engine/split.py): each class shuffled and ranked, rank 0 of every class first."""
    if n >= len(labels):
        return np.arange(len(labels))
    rng = np.random.default_rng(seed)
    classes = np.unique(labels)
    rank = np.empty(len(labels), np.int64)
    for c in classes:
        rows = np.flatnonzero(labels == c)
        rank[rng.permutation(rows)] = np.arange(len(rows))
    priority = rng.permutation(len(classes))[np.searchsorted(classes, labels)]
    return np.sort(np.lexsort((priority, rank))[:n])


def read_data(path):
    """The training, validation and test sets as tensors, the validation set split off as MLP Studio splits it."""
    try:
        x_train, y_train, x_test, y_test = load_data(path)
    except (OSError, KeyError, ValueError, IndexError) as exc:      # missing, foreign or damaged data files
        fail(f"cannot read the data at {path}: {exc}")
    rows, val = np.arange(len(y_train)), np.arange(0)
    if SETTINGS["val_fraction"] > 0:
        rows, val = stratified_split(y_train, SETTINGS["val_fraction"], SETTINGS["seed"])
        if len(rows) == 0 or len(val) == 0:
            fail(f"too few samples ({len(y_train)}) to hold {SETTINGS['val_fraction']:.0%} out for validation.")
    if SETTINGS["train_subset"]:      # after the split, as in MLP Studio: the validation rows stay the same
        rows = rows[balanced_subset(y_train[rows], SETTINGS["train_subset"], [SETTINGS["seed"], 3])]
    dtype = getattr(torch, SETTINGS["dtype"])
    xs = [torch.from_numpy(x).to(dtype) for x in (x_train[rows], x_train[val], x_test)]
    ys = [torch.from_numpy(y) for y in (y_train[rows], y_train[val], y_test)]
    return xs[0], ys[0], xs[1], ys[1], xs[2], ys[2]


# The spec's initialisers: W (fan_in x fan_out) drawn from NumPy's generator exactly as MLP Studio draws it
__INITIALISERS__


def initialise(model, seed):
    """Fresh weights as MLP Studio draws them: the layers' initialisers in turn from one generator, biases zero."""
    rng = np.random.default_rng(seed)
    linears = [m for m in model if isinstance(m, nn.Linear)]
    for draw, linear in zip(INITIALISERS, linears):
        w = draw(rng, linear.in_features, linear.out_features)
        with torch.no_grad():
            linear.weight.copy_(torch.from_numpy(w.T.copy()))
            linear.bias.zero_()


def lr_at(epoch, epochs):
    """The learning rate of epoch `epoch` (1-based) of `epochs`, by MLP Studio's schedule formulas."""
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


def restore_memory(optimizer, net):
    """MLP Studio's optimizer memory from optimizer.pt, so the next step is the one MLP Studio would have taken."""
    saved = torch.load(MEMORY, map_location="cpu", weights_only=True)
    for name, p in net.named_parameters():
        state = optimizer.state[p]
        for key in MEMORY_KEYS:
            state[key] = saved[f"{name}.{key}"].to(p.device, p.dtype)
        if "step" in saved:
            state["step"] = saved["step"].clone()


__LOSS__


def accuracy(net, x, y, device):
    """The share of rows whose predicted class is the label (one output: above 0.5, or 0 for logits); None if empty."""
    if len(x) == 0:
        return None
    net.eval()
    hits = 0
    with torch.no_grad():
        for xb, yb in zip(x.split(4096), y.split(4096)):
            out = net(xb.to(device))
            pred = out.argmax(1) if out.shape[1] > 1 else (out[:, 0] > (0.0 if FUSED else 0.5)).long()
            hits += int((pred == yb.to(device)).sum())
    return hits / len(x)


def setup(choice):
    """(rank, world size, device): one process of a DistributedDataParallel run under torchrun (which sets RANK,
    WORLD_SIZE and LOCAL_RANK), or a plain single process. auto: CUDA when PyTorch sees it, else the CPU."""
    rank, world = int(os.environ.get("RANK", "0")), int(os.environ.get("WORLD_SIZE", "1"))
    if choice == "cuda" and not torch.cuda.is_available():
        fail("--device cuda was asked for, but PyTorch sees no CUDA device here.")
    cuda = choice == "cuda" or (choice == "auto" and torch.cuda.is_available())
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', '0'))}" if cuda else "cpu")
    if cuda:
        torch.cuda.set_device(device)
    if world > 1:
        dist.init_process_group("nccl" if cuda else "gloo")
    return rank, world, device


def batch_per_process(n_train, world):
    """The global batch (SETTINGS) shared evenly by the processes; any other batch is refused."""
    batch = SETTINGS["batch_size"]
    if batch is None:                 # batch GD: each process takes its whole share of the training set per step
        return math.ceil(n_train / world)
    if SETTINGS["optimizer"] == "sgd":
        return 1                      # stochastic GD: one sample per process, N processes take N per step
    if batch % world:
        fail(f"a batch of {batch} samples cannot be shared evenly by {world} processes; "
             f"run a number of processes that divides {batch}.")
    return batch // world


def make_loader(x, y, batch, rank, world):
    """This process's share of every epoch in batches: DistributedSampler shuffles the training set with the seed
    and the epoch, and deals it out in `world` disjoint shares (repeating a few samples to make them equal)."""
    data = TensorDataset(x, y)
    sampler = DistributedSampler(data, num_replicas=world, rank=rank, shuffle=True, seed=SETTINGS["seed"])
    return DataLoader(data, batch_size=batch, sampler=sampler), sampler


def train_epoch(ddp, loader, optimizer, device, world):
    """One pass over this process's share; returns the mean loss over every process's samples."""
    ddp.train()
    total = torch.zeros(2, dtype=torch.float64, device=device)     # loss sum, sample count
    for x, y in loader:
        x, y = x.to(device, non_blocking=True), y.to(device, non_blocking=True)
        loss = loss_of(ddp(x), y)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        total[0] += loss.detach().double() * len(y)
        total[1] += len(y)
    if world > 1:
        dist.all_reduce(total)
    return float(total[0] / total[1])


def save_checkpoint(folder, model, optimizer, epoch):
    """folder/checkpoint.pt: the weights, the optimizer's state and the epoch just done, replaced atomically (a
    kill while writing leaves the previous checkpoint whole)."""
    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    tmp = folder / (CHECKPOINT + ".tmp")
    with open(tmp, "wb") as f:
        torch.save({"model": model.state_dict(), "optimizer": optimizer.state_dict(), "epoch": epoch}, f)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, folder / CHECKPOINT)


def load_checkpoint(folder, model, optimizer):
    """The epoch folder/checkpoint.pt was written after, its weights and optimizer state loaded; None if none."""
    path = Path(folder) / CHECKPOINT
    if not path.exists():
        return None
    try:
        saved = torch.load(path, map_location="cpu", weights_only=True)
        model.load_state_dict(saved["model"])
        optimizer.load_state_dict(saved["optimizer"])
        return int(saved["epoch"])
    except (OSError, RuntimeError, KeyError, ValueError, pickle.UnpicklingError) as exc:   # damaged or foreign
        fail(f"cannot resume from {path}: {str(exc).splitlines()[0] if str(exc) else type(exc).__name__}")


def start_from(args, model, net, optimizer):
    """(epochs done, where from): the checkpoint's state (--resume), fresh weights (--fresh), or MLP Studio's
    weights and optimizer memory at the epoch its run had reached."""
    if args.resume:
        done = load_checkpoint(args.checkpoint, model, optimizer)
        if done is not None:
            return done, f"the checkpoint in {args.checkpoint} (epoch {done} done)"
    if args.fresh:
        initialise(model, SPEC["seed"])
        return 0, "fresh weights"
    model.load_state_dict(torch.load(WEIGHTS, map_location="cpu", weights_only=True))
    if START["memory"]:
        restore_memory(optimizer, net)
    memory = " and optimizer memory" if START["memory"] else ""
    return START["epoch"], f"MLP Studio's weights{memory} (epoch {START['epoch']} of its run done)"


def train(args, data, batch, rank, world, device):
    """Epochs after the starting point up to the last; returns (model, net, last epoch, last mean loss)."""
    x_train, y_train, x_val, y_val = data[:4]
    model = build_model().to(device)
    net = model[:-1] if FUSED else model                 # trains on logits when the loss owns the activation
    optimizer = make_optimizer(net.parameters())
    done, source = start_from(args, model, net, optimizer)
    epochs = args.epochs or SETTINGS["epochs"]
    if done >= epochs and not args.resume:
        fail(f"epoch {done} of {epochs} is done already; pass --epochs N with N above {done} to train further, "
             f"or --fresh to start again.")
    loader, sampler = make_loader(x_train, y_train, batch, rank, world)
    ddp = net
    if world > 1:
        ddp = nn.parallel.DistributedDataParallel(net, device_ids=[device] if device.type == "cuda" else None)
    if rank == 0:
        plan = f"epochs {done + 1}-{epochs}" if done < epochs else "nothing: that is the last epoch"
        print(f"training {plan}, from {source}: {world} process(es) on {device}, "
              f"{batch} sample(s) per process per step", file=sys.stderr, flush=True)
    loss = None
    for epoch in range(done + 1, epochs + 1):
        sampler.set_epoch(epoch)                          # each epoch its own shuffle, the same on every process
        for group in optimizer.param_groups:
            group["lr"] = lr_at(epoch, epochs)
        loss = train_epoch(ddp, loader, optimizer, device, world)
        if rank == 0:
            if args.checkpoint:
                save_checkpoint(args.checkpoint, model, optimizer, epoch)
            val = accuracy(net, x_val, y_val, device)
            print(f"epoch {epoch}/{epochs}  loss {loss:.4f}  lr {lr_at(epoch, epochs):.3g}"
                  + (f"  val acc {val:.2%}" if val is not None else ""), file=sys.stderr, flush=True)
    return model, net, epochs, loss


def parse_args(argv):
    p = argparse.ArgumentParser(description="Train the network exported from MLP Studio further with PyTorch.")
    p.add_argument("--data", required=True, help="a folder of MNIST IDX files or an .npz (x_train, y_train, ...)")
    p.add_argument("--epochs", type=int, help=f"train until this epoch of the run (default {SETTINGS['epochs']}, "
                   "as in MLP Studio); the schedule spans it")
    p.add_argument("--fresh", action="store_true", help="start from freshly initialised weights at epoch 0")
    p.add_argument("--device", choices=["auto", "cpu", "cuda"], default="auto",
                   help="auto (default): CUDA when PyTorch sees it, else the CPU")
    p.add_argument("--checkpoint", metavar="DIR", help="write DIR/checkpoint.pt after every epoch (atomically)")
    p.add_argument("--resume", action="store_true", help="go on from DIR/checkpoint.pt if it exists")
    p.add_argument("--save", help="write the trained weights here (torch.save of the state dict)")
    args = p.parse_args(argv)
    if args.epochs is not None and args.epochs < 1:
        p.error("--epochs must be 1 or more")
    if args.resume and not args.checkpoint:
        p.error("--resume needs --checkpoint DIR")
    return args


def main(argv=None):
    args = parse_args(argv)
    data = read_data(args.data)
    batch = batch_per_process(len(data[0]), int(os.environ.get("WORLD_SIZE", "1")))    # refused before any setup
    rank, world, device = setup(args.device)
    if rank == 0 and SETTINGS["optimizer"] == "sgd" and world > 1:
        print(f"note: stochastic GD with {world} processes takes {world} samples per step, one per process "
              f"(MLP Studio took 1).", file=sys.stderr, flush=True)
    if rank == 0 and SETTINGS["augment_in_mlp_studio"]:
        print("note: MLP Studio trained with augmentation, which is not exported; this script trains on the "
              "images as they are.", file=sys.stderr, flush=True)
    model, net, epochs, loss = train(args, data, batch, rank, world, device)
    if rank == 0:
        if args.save:
            torch.save(model.state_dict(), args.save)
        print(json.dumps({"test_accuracy": accuracy(net, data[4], data[5], device), "epochs": epochs,
                          "train_loss": loss, "processes": world, "device": str(device), "fresh": args.fresh}),
              flush=True)
    if world > 1:
        dist.barrier()               # rank 0 may still be saving: a rank leaving first aborted in gloo's teardown
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
'''
