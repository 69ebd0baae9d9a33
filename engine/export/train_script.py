"""The exported train.py: train_template.py's text filled in with the network's spec, the settings it was trained
with, where that training stands (the epochs of its run done, whether optimizer.pt holds the optimizer's memory),
the spec's initialisers and the loss, and a header that says all of it.

The settings map one to one: momentum/nesterov/rmsprop/adam are torch.optim's SGD (momentum, nesterov), RMSprop
(alpha = rho) and Adam with the engine's constants; sgd/bgd/minibatch are plain SGD with batch 1 / the whole
training set / the batch size; schedules use the engine's formulas per epoch; losses are means over the batch
of the per-sample sums, as in engine.losses. Augmentation and early stopping are not exported (the script says so).
"""
from __future__ import annotations

from ..errors import SpecError
from ..initializers import INITIALIZERS, layer_initializer
from .torch_files import TORCH_MEMORY, torch_layers
from .train_template import TEMPLATE

# (loss, output activation fused into it) -> (needs the labels as rows like the outputs, the loss expression)
LOSS_CODE = {
    ("cross_entropy", True): (False, "nn.functional.cross_entropy(out, y)"),
    ("cross_entropy", False): (True, "-(target * torch.log(out.clamp_min(1e-12))).sum(1).mean()"),
    ("binary_cross_entropy", True): (True, "nn.functional.binary_cross_entropy_with_logits(out, target, "
                                           "reduction='sum') / len(out)"),
    ("binary_cross_entropy", False): (True, "nn.functional.binary_cross_entropy(out.clamp(1e-7, 1 - 1e-7), target, "
                                            "reduction='sum') / len(out)"),
    ("mse", False): (True, "((out - target) ** 2).sum(1).mean()"),
    ("l1", False): (True, "(out - target).abs().sum(1).mean()"),
}
FUSED = {"cross_entropy": "softmax", "binary_cross_entropy": "sigmoid"}

# Engine initialiser name -> the body of train.py's function of that name, which draws W (fan_in x fan_out) from
# NumPy's generator `rng` bit for bit as engine/initializers.py does. A new engine initialiser needs its line here
# (the export tests check each one against the engine); a name missing here is refused at export, never approximated.
INIT_CODE = {
    "xavier_uniform": ["r = np.sqrt(6.0 / (fan_in + fan_out))", "return rng.uniform(-r, r, size=(fan_in, fan_out))"],
    "xavier_normal": ["return rng.normal(0.0, np.sqrt(2.0 / (fan_in + fan_out)), size=(fan_in, fan_out))"],
    "he_uniform": ["r = np.sqrt(6.0 / fan_in)", "return rng.uniform(-r, r, size=(fan_in, fan_out))"],
    "he_normal": ["return rng.normal(0.0, np.sqrt(2.0 / fan_in), size=(fan_in, fan_out))"],
    "normal": ["return rng.normal(0.0, scale, size=(fan_in, fan_out))"],       # scale: the layer's init_scale
    "zeros": ["return np.zeros((fan_in, fan_out))"],                            # draws nothing, like the engine
}
INIT_CODE["glorot_uniform"], INIT_CODE["glorot_normal"] = INIT_CODE["xavier_uniform"], INIT_CODE["xavier_normal"]

OPTIMIZER_TEXT = {   # each optimizer as torch.optim runs it, for the header
    "sgd": "stochastic GD (torch.optim.SGD)",
    "bgd": "batch GD (torch.optim.SGD)",
    "minibatch": "mini-batch GD (torch.optim.SGD)",
    "momentum": "momentum {momentum} (torch.optim.SGD)",
    "nesterov": "Nesterov momentum {momentum} (torch.optim.SGD, nesterov=True)",
    "rmsprop": "RMSprop, alpha 0.9, eps 1e-8 (torch.optim.RMSprop)",
    "adam": "Adam, betas (0.9, 0.999), eps 1e-8 (torch.optim.Adam)",
}
MEMORY_TEXT = {"momentum": "the velocity v", "nesterov": "the velocity v", "rmsprop": "the running mean s of g²",
               "adam": "Adam's m, v and step count t = {t}"}


def settings_for(net, cfg) -> dict:
    """The TrainConfig fields train.py uses, with the batch size each plain-GD variant really takes."""
    batch = {"sgd": 1, "bgd": None}.get(cfg.optimizer, cfg.batch_size)        # None: the whole training set
    return {"optimizer": cfg.optimizer, "lr": cfg.lr, "momentum": cfg.momentum, "weight_decay": cfg.weight_decay,
            "schedule": cfg.schedule, "step_size": cfg.step_size, "gamma": cfg.gamma, "min_lr": cfg.min_lr,
            "batch_size": batch, "epochs": cfg.epochs, "seed": cfg.seed, "val_fraction": cfg.val_fraction,
            "train_subset": cfg.train_subset,
            "loss": net.spec["loss"], "augment_in_mlp_studio": bool(cfg.augment),
            "patience_in_mlp_studio": cfg.patience, "dtype": str(net.dtype)}


def python_literal(d: dict) -> str:
    """A dict as readable Python source: one key per line, a long list one item per line."""
    lines = []
    for key, value in d.items():
        if isinstance(value, list) and len(repr(value)) > 80:
            items = "".join(f"        {item!r},\n" for item in value)
            lines.append(f"    {key!r}: [\n{items}    ],")
        else:
            lines.append(f"    {key!r}: {value!r},")
    return "{\n" + "\n".join(lines) + "\n}"


def layer_inits(spec: dict) -> list[str]:
    """Each layer's initialiser: the spec's "init", else the engine's default for its activation."""
    return [layer_initializer(layer) for layer in spec["layers"]]


def initialiser_code(spec: dict) -> str:
    """A function per initialiser the spec uses, named as the spec names it, and INITIALISERS: one per layer (a
    scaled one, like normal, called with the layer's init_scale)."""
    names = layer_inits(spec)
    for i, name in enumerate(names):
        if name not in INIT_CODE:
            raise SpecError(f"Cannot export the training script: layer {i + 1}'s initialiser '{name}' has no "
                            f"PyTorch version here (exportable: {', '.join(INIT_CODE)}).")
    scaled = {name: INITIALIZERS[name].uses_scale for name in names}
    functions = [f"def {name}(rng, fan_in, fan_out{', scale' if scaled[name] else ''}):\n"
                 + "\n".join(f"    {line}" for line in INIT_CODE[name]) for name in dict.fromkeys(names)]
    per_layer = [f"lambda rng, fan_in, fan_out: {name}(rng, fan_in, fan_out, {layer['init_scale']!r})"
                 if scaled[name] else name for name, layer in zip(names, spec["layers"])]
    return ("\n\n\n".join(functions) + "\n\n\n"
            f"INITIALISERS = [{', '.join(per_layer)}]    # per layer: its \"init\" in the spec, else its "
            "activation's default")


def loss_function(spec: dict, fused: bool) -> str:
    needs_target, expression = LOSS_CODE[(spec["loss"], fused)]
    n_outputs = spec["layers"][-1]["units"]
    logits = " on the logits" if fused else ""
    lines = ["def loss_of(out, y):",
             f'    """MLP Studio\'s {spec["loss"]}{logits}: the mean over the batch of each sample\'s sum."""']
    if needs_target:
        rows = f"nn.functional.one_hot(y, {n_outputs}).to(out.dtype)" if n_outputs > 1 else "y.to(out.dtype)[:, None]"
        lines.append(f"    target = {rows}        # the labels as rows like the outputs")
    lines.append(f"    return {expression}")
    return "\n".join(lines)


def _settings_lines(net, cfg, settings, fused) -> list[str]:
    s = settings
    batch = ("the whole training set per step (N processes: each its share)" if s["batch_size"] is None else
             "1 sample per step (N processes: N samples per step, one each)" if cfg.optimizer == "sgd" else
             f"{s['batch_size']} samples per step (N processes: {s['batch_size']}/N each)")
    schedule = {"constant": "constant", "step": f"step decay: x{s['gamma']} every {s['step_size']} epochs",
                "cosine": f"cosine down to {s['min_lr']}"}[s["schedule"]]
    val = (f"{s['val_fraction']:.0%} of each class held out with seed {s['seed']}, as MLP Studio splits it"
           if s["val_fraction"] else "none (every training sample trains)")
    inits = ", ".join(layer_inits(net.spec))
    subset = (f"; {s['train_subset']:,} of the rows left train (a class-balanced subset, seed {s['seed']})"
              if s["train_subset"] else "")
    dropped = [f"{layer['dropout']:g} after hidden layer {i + 1}" for i, layer in enumerate(net.spec["layers"])
               if layer.get("dropout", 0) > 0]
    return [f"    optimizer    {OPTIMIZER_TEXT[cfg.optimizer].format(momentum=cfg.momentum)}; lr {s['lr']}, "
            f"weight decay {s['weight_decay']}",
            f"    batch        {batch}",
            f"    schedule     {schedule}, over {s['epochs']} epochs (--epochs N: over N)",
            f"    validation   {val}{subset}",
            *([f"    dropout      {', '.join(dropped)} (model.py's nn.Dropout: on while training, off for "
               "accuracy)"] if dropped else []),
            f"    data order   a new shuffle each epoch from seed {s['seed']} and the epoch number",
            f"    loss         {s['loss']}" + (" on the logits (the output activation folded in)" if fused else ""),
            f"    weights      {s['dtype']}; --fresh draws them as MLP Studio does: {inits}, seed {net.spec['seed']}"]


def _position_lines(cfg, epoch, memory, source) -> list[str]:
    if source == "default":
        return ["    position     none recorded (a model file saved before format 2, or never trained): a new run",
                "                 with the engine's default settings, from epoch 0"]
    if source == "given":
        return ["    position     a new run with the settings given at export, from epoch 0"]
    goes_on = (f"train.py goes on with epoch {epoch + 1}" if epoch < cfg.epochs else
               f"the run is complete; --epochs N trains epochs {epoch + 1} to N")
    if cfg.optimizer not in TORCH_MEMORY:
        kept = "none (plain gradient descent keeps none)"
    elif memory is None:
        kept = ("not kept with these weights (a diverged run, an early stop or an export mid-run): the optimizer "
                "starts afresh")
    else:
        kept = f"optimizer.pt holds {MEMORY_TEXT[cfg.optimizer].format(t=memory['t'])}, in torch.optim's state"
    return [f"    position     epoch {epoch} of {cfg.epochs} done in MLP Studio: {goes_on}",
            f"    memory       {kept}"]


def header(net, cfg, settings, epoch, memory, source, version, fused) -> str:
    """The docstring: how to run it, what it carries from MLP Studio and what it does not."""
    carried = {"trained": "the settings MLP Studio trained this network with",
               "given": "the settings given at export", "default": "the engine's defaults"}[source]
    lines = [f'r"""Train the network exported from MLP Studio{" " + version if version else ""} further with PyTorch.',
             "",
             "    python train.py --data PATH [--epochs N] [--fresh] [--device auto|cpu|cuda]",
             "                    [--checkpoint DIR [--resume]] [--save FILE]",
             "    torchrun --nproc_per_node=N train.py --data PATH ...          # N processes on this machine",
             "    # the same line on each of M machines, HOST being one of them:",
             "    torchrun --nnodes=M --nproc_per_node=N --rdzv_backend=c10d --rdzv_endpoint=HOST:29400 \\",
             "        --rdzv_id=JOB --max_restarts=3 train.py --data PATH --checkpoint DIR --resume",
             "",
             f"Carried from MLP Studio ({carried}):",
             *_settings_lines(net, cfg, settings, fused),
             *_position_lines(cfg, epoch, memory, source),
             "Not carried: data augmentation" + (" (MLP Studio trained with it)" if cfg.augment else "")
             + " and early stopping" + (f" (patience {cfg.patience})" if cfg.patience else "") + ".",
             "", *USAGE.splitlines(), '"""']
    return "\n".join(lines)


USAGE = """\
PATH: a folder of MNIST IDX files (train-images-idx3-ubyte, train-labels-idx1-ubyte, t10k-images-idx3-ubyte,
t10k-labels-idx1-ubyte, each optionally .gz) or an .npz holding x_train, y_train, x_test, y_test. Images are
flattened row by row and 0..255 pixels scaled to [0, 1], as MLP Studio does.
--epochs N trains until epoch N of the run (the schedule spans N epochs); it starts after the epochs already done.
--device auto (the default) takes CUDA when PyTorch sees it, else the CPU; cpu and cuda insist. MLP Studio tests
the CPU path only (its test machines have no GPU); the CUDA path is plain PyTorch but untested there.
Under torchrun each process trains a DistributedDataParallel copy (gloo on the CPU, NCCL on GPUs, one GPU per
process) on its own share of every epoch (DistributedSampler); the per-process batch is the global batch divided
by the number of processes, which must divide it. The printed loss is the mean over every process's samples.
--checkpoint DIR writes DIR/checkpoint.pt (weights, optimizer state, epoch) atomically after every epoch; run the
same command with --resume to go on from it after a kill or a crash (torchrun --max_restarts does so by itself).
On several machines DIR must be a folder they all see (a shared filesystem).
The last line printed is one JSON object: {"test_accuracy": ..., "epochs": ..., "train_loss": ..., ...}."""


def train_script_text(net, cfg, version: str, epoch: int = 0, memory: dict | None = None,
                      source: str = "given") -> str:
    """train.py for `net` with the settings `cfg` (a TrainConfig), `epoch` epochs of its run done and the engine
    optimizer memory `memory` (None: none); source: "trained" | "given" | "default" (where cfg came from)."""
    spec = net.to_spec()
    loss, last = spec["loss"], spec["layers"][-1]["activation"]
    fused = FUSED.get(loss) == last
    if (loss, fused) not in LOSS_CODE:
        raise SpecError(f"Cannot export the training script: the loss '{loss}' has no PyTorch version here.")
    cfg.validate()
    torch_layers(net)
    settings = settings_for(net, cfg)
    keys = tuple(TORCH_MEMORY.get(cfg.optimizer, {}).values()) if memory is not None else ()
    start = {"epoch": int(epoch), "memory": memory is not None and bool(keys)}
    return (TEMPLATE.replace("__HEADER__", header(net, cfg, settings, epoch, memory, source, version, fused))
            .replace("__SPEC__", python_literal(spec))
            .replace("__SETTINGS__", python_literal(settings))
            .replace("__START__", repr(start))
            .replace("__FUSED__", repr(fused))
            .replace("__MEMORY_KEYS__", repr(keys))
            .replace("__INITIALISERS__", initialiser_code(spec))
            .replace("__LOSS__", loss_function(spec, fused)))
