"""Run names: what a run is, and what tells it apart from the runs shown beside it.

describe(spec, settings) lists a run's parts in order, each a short text: the network (sizes, hidden activations,
output activation, loss), the optimizer and its learning rate, the batch, then every other training setting.
run_label(spec, settings) is the one line for a run on its own, e.g.
    '784-64-32-10 tanh, Softmax output · Adam lr 0.001 · batch 64'
(the loss is named when the output activation does not imply it; the other settings are left out).
run_names(runs) names each of several runs (AppState.runs entries) by the parts in which they differ, so two runs
share a name only if they are the same run; run_titles(runs) gives each its full line plus those parts.
Labels come from the engine's registries (app.choices), never spelled here.
"""
from __future__ import annotations

from app import choices
from engine.losses import LOSSES

NETWORK = ("sizes", "hidden", "output", "loss")
CORE = (*NETWORK, "optimizer", "lr", "batch", "note")  # a run's whole line; the rest only where runs differ
USES_MOMENTUM = ("momentum", "nesterov")               # the optimizers whose update reads μ
FIXED_BATCH = {"sgd": "batch 1", "bgd": "full batch"}  # the optimizers whose name says their batch


def _hidden(layers: list[dict]) -> str:
    names = [choices.activation_label(l["activation"])
             + (f" α={l.get('alpha', 0.01):g}" if l["activation"] == "leaky_relu" else "") for l in layers]
    return names[0] if len(set(names)) == 1 else "/".join(names)


def _network(spec: dict) -> dict[str, str]:
    layers = spec["layers"]
    sizes = "-".join(str(n) for n in [spec["input_size"], *(layer["units"] for layer in layers)])
    loss = spec.get("loss", "cross_entropy")
    return {"sizes": sizes if len(layers) > 1 else f"perceptron {sizes}",
            "hidden": _hidden(layers[:-1]) if len(layers) > 1 else "",
            "output": f"{choices.activation_label(layers[-1]['activation'])} output",
            "loss": f"{choices.loss_label(loss)} loss",
            "init": _init(layers), "dropout": _dropout(layers[:-1])}


def _init(layers: list[dict]) -> str:
    """The initial weights, where runs differ in them: 'Zeros init', 'Normal σ=30 init', 'default init'."""
    names = [(choices.initializers().get(l["init"], l["init"]).split(" (")[0]     # 'Normal (fixed σ)': 'Normal'
              + (f" σ={l.get('init_scale', 0.01):g}" if l["init"] == "normal" else "")) if "init" in l
             else "default" for l in layers]
    return " / ".join(dict.fromkeys(names)) + " init"


def _dropout(hidden: list[dict]) -> str:
    rates = [float(l.get("dropout", 0.0)) for l in hidden]
    return "no dropout" if not any(rates) else "dropout " + "/".join(dict.fromkeys(f"{p:g}" for p in rates))


def _loss_implied(spec: dict) -> bool:
    """True if the output activation implies the loss (softmax: cross-entropy), so a run's line need not say it."""
    entry = LOSSES.get(spec.get("loss", "cross_entropy"))
    return entry is not None and entry.fused_with == spec["layers"][-1]["activation"]


def _schedule(s: dict) -> str:
    name = s.get("schedule", "constant")
    text = choices.schedules().get(name, name)
    if name == "step":
        return f"{text} ×{s.get('gamma', 0.5):g} every {s.get('step_size', 10)} epochs"
    if name == "cosine" and s.get("min_lr"):
        return f"{text} to {s['min_lr']:.3g}"
    return f"{text} lr" if name == "constant" else text


def _training(s: dict) -> dict[str, str]:
    opt = s["optimizer"]
    parts = {"optimizer": choices.optimizer_label(opt), "lr": f"lr {s['lr']:.3g}",
             "batch": FIXED_BATCH.get(opt, f"batch {s.get('batch_size')}"),
             "momentum": f"μ {s.get('momentum', 0.9):g}" if opt in USES_MOMENTUM else ""}
    optional = {"epochs": lambda v: f"{v} epoch{'s' * (v != 1)}", "schedule": lambda _: _schedule(s),
                "weight_decay": lambda v: f"weight decay {v:g}" if v else "no weight decay",
                "augment": lambda v: "augmented" if v else "not augmented",
                "val_fraction": lambda v: f"{100 * v:g}% validation",
                "patience": lambda v: f"early stop after {v}" if v else "no early stop",
                "seed": lambda v: f"seed {v}",
                "train_subset": lambda v: f"{v} training samples" if v else "all training samples"}
    parts.update({key: show(s[key]) for key, show in optional.items() if key in s})
    return parts


def describe(spec: dict, settings: dict, note: str = "") -> dict[str, str]:
    """Every part of a run in order, key -> text ('' where the part does not apply); `note` says how it ran."""
    return {**_network(spec), **_training(settings), "note": note}


def _segments(parts: dict[str, str]) -> list[tuple[tuple[str, ...], str]]:
    """The pieces of a line, in order, each (its keys, its text): the network's parts together ('784-64-10 tanh,
    Softmax output'), the optimizer with its rate ('Adam lr 0.001'), then each other part on its own."""
    net = parts.get("sizes", "")
    for key, sep in (("hidden", " "), ("output", ", "), ("loss", ", ")):
        if parts.get(key):
            net = f"{net}{sep}{parts[key]}" if net else parts[key]
    opt = " ".join(p for p in (parts.get("optimizer"), parts.get("lr")) if p)
    rest = [((key,), text) for key, text in parts.items() if key not in (*NETWORK, "optimizer", "lr")]
    return [(NETWORK, net), (("optimizer", "lr"), opt), *rest]


def _join(parts: dict[str, str], rank=None) -> str:
    """The parts as one line, the pieces by ' · ' (in order, or those with the higher rank(keys) first)."""
    pieces = [(keys, text) for keys, text in _segments(parts) if text]
    if rank is not None:
        pieces.sort(key=lambda piece: -rank(piece[0]))
    return " · ".join(text for _, text in pieces)


def _whole(spec: dict, parts: dict[str, str], extra=frozenset()) -> str:
    """A run's whole line (CORE, the loss only if the output does not imply it) and the `extra` parts."""
    said = set(CORE) - ({"loss"} if _loss_implied(spec) else set())
    return _join({k: v for k, v in parts.items() if k in said or k in extra})


def run_label(spec: dict, settings: dict) -> str:
    return _whole(spec, describe(spec, settings))


def _parts(run: dict) -> dict[str, str]:
    """An AppState.runs entry's parts, with how it ran beyond its settings: its label past run_label ('one epoch
    at a time'), a fine-tuning's own label; nothing for a compared run (its settings say it all)."""
    label, full = str(run.get("label", "")), run_label(run["spec"], run["settings"])
    note = "" if run.get("kind") == "compare" else label[len(full):].lstrip(" ·") if label.startswith(full) else label
    return describe(run["spec"], run["settings"], note)


def _said_by_optimizer(key: str, settings: dict) -> bool:
    """True if the optimizer's name already says this part (SGD: batch 1) or its update ignores it (Adam: μ), so
    it tells this run from no other: two runs that differ in it differ in their optimizers."""
    opt = settings["optimizer"]
    return (key == "batch" and opt in FIXED_BATCH) or (key == "momentum" and opt not in USES_MOMENTUM)


def _distinct(runs: list[dict], parts: list[dict[str, str]]) -> list[set[str]]:
    """Per run, the keys of its parts that differ between the runs (compared where they tell runs apart)."""
    telling = [{k: v for k, v in p.items() if not _said_by_optimizer(k, run["settings"])}
               for p, run in zip(parts, runs)]
    keys = {key for p in telling for key in p}
    differ = {key for key in keys if len({p[key] for p in telling if key in p}) > 1}
    if differ & set(NETWORK):
        differ.add("sizes")                 # the network's parts read as one: '784-64-10 tanh'
    return [differ & set(p) for p in telling]


def run_names(runs: list[dict]) -> list[str]:
    """Each run named by the parts in which the runs differ (the network's sizes beside a differing network
    part), the piece with the most different values first (it tells the most runs apart, and an elided name
    keeps its start), else in the usual order; a run alone, or one whose differing part is empty (no note), by its whole line."""
    parts = [_parts(run) for run in runs]
    shown = [{k: v for k, v in p.items() if k in keys} for p, keys in zip(parts, _distinct(runs, parts))]

    def rank(keys) -> int:
        return len({tuple(s.get(k, "") for k in keys) for s in shown} - {("",) * len(keys)})
    return [_join(s, rank) or _whole(run["spec"], p) for run, p, s in zip(runs, parts, shown)]


def run_titles(runs: list[dict]) -> list[str]:
    """Each run's whole line (run_label and how it ran) plus the other parts in which the runs differ."""
    parts = [_parts(run) for run in runs]
    return [_whole(run["spec"], p, keys) for run, p, keys in zip(runs, parts, _distinct(runs, parts))]
