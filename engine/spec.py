"""Network specs: validate_spec(spec) -> normalised dict, parameter count, memory estimate, size limits.

A spec is a plain JSON-friendly dict:
  {"input_size": 784, "layers": [{"units": 128, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
   "loss": "cross_entropy", "seed": 0}
Layers may add "alpha" (leaky_relu slope, default 0.01), "init" (an INITIALIZERS name; "init_scale" is the
standard deviation of "normal", default 0.01) and, hidden layers only, "dropout": p (0 <= p < 1, the share of the
layer's units switched off in each training step; 0 is left out of the normalised spec).
Everything is checked before any array is allocated, so an absurd size is a SpecError, not a MemoryError.
"""
from __future__ import annotations

import copy
import math
import numbers

from .activations import ACTIVATIONS
from .errors import SpecError
from .initializers import DEFAULT_SCALE, INITIALIZERS
from .losses import LOSSES

MAX_PARAMS = 50_000_000
MAX_UNITS = 1_000_000
MAX_LAYERS = 100
MAX_MEMORY = 4 * 1024 ** 3       # bytes for params, grads, optimizer state and one batch's workspace
MAX_INIT_SCALE = 100.0           # a larger standard deviation only overflows: nothing left to learn from it


def _is_int(x) -> bool:
    return isinstance(x, numbers.Integral) and not isinstance(x, bool)


def _size(value, what: str) -> int:
    if not _is_int(value):
        raise SpecError(f"{what} must be a whole number, not {value!r}.")
    if value < 1:
        raise SpecError(f"{what} must be at least 1 (got {value}).")
    if value > MAX_UNITS:
        raise SpecError(f"{what} is {value:,}: more than the limit of {MAX_UNITS:,}.")
    return int(value)


def _real(x) -> bool:
    return isinstance(x, numbers.Real) and not isinstance(x, bool) and math.isfinite(x)


def _layer(i: int, layer, n_layers: int) -> dict:
    """Layer i (1-based) of n_layers checked and normalised; SpecError naming the layer if wrong."""
    if not isinstance(layer, dict):
        raise SpecError(f"Layer {i} must be a dict like {{'units': 10, 'activation': 'relu'}}.")
    extra = set(layer) - {"units", "activation", "alpha", "init", "init_scale", "dropout"}
    if extra:
        raise SpecError(f"Layer {i} has unknown key(s): {', '.join(sorted(map(str, extra)))}.")
    units = _size(layer.get("units"), f"The number of units of layer {i}")
    act = layer.get("activation")
    if not isinstance(act, str) or act not in ACTIVATIONS:
        raise SpecError(f"Layer {i}: unknown activation {act!r}; choose one of {', '.join(ACTIVATIONS)}.")
    if act == "softmax" and i != n_layers:
        raise SpecError(f"Layer {i}: softmax can only be the activation of the last (output) layer.")
    out = {"units": units, "activation": act}
    if act == "leaky_relu":
        alpha = layer.get("alpha", 0.01)
        if not _real(alpha) or not 0 <= alpha < 1:
            raise SpecError(f"Layer {i}: leaky_relu alpha must be a number in [0, 1) (got {alpha!r}).")
        out["alpha"] = float(alpha)
    elif "alpha" in layer:
        raise SpecError(f"Layer {i}: alpha only applies to leaky_relu, not {act}.")
    out.update(_init(i, layer))
    out.update(_dropout(i, layer, n_layers))
    return out


def _init(i: int, layer: dict) -> dict:
    """The layer's "init" and "init_scale" checked: a known initialiser; a scale only for one that uses it."""
    if "init" not in layer:
        if "init_scale" in layer:
            raise SpecError(f"Layer {i}: init_scale is the standard deviation of the \"normal\" initialiser; "
                            "set \"init\": \"normal\" with it.")
        return {}
    name = layer["init"]
    if not isinstance(name, str) or name not in INITIALIZERS:
        raise SpecError(f"Layer {i}: unknown initialiser {name!r}; choose one of {', '.join(INITIALIZERS)}.")
    if not INITIALIZERS[name].uses_scale:
        if "init_scale" in layer:
            raise SpecError(f"Layer {i}: init_scale only applies to the \"normal\" initialiser, not {name}.")
        return {"init": name}
    scale = layer.get("init_scale", DEFAULT_SCALE)
    if not _real(scale) or not 0 < scale <= MAX_INIT_SCALE:
        raise SpecError(f"Layer {i}: init_scale (the standard deviation of the weights) must be a number above 0 "
                        f"and at most {MAX_INIT_SCALE:g} (got {scale!r}).")
    return {"init": name, "init_scale": float(scale)}


def _dropout(i: int, layer: dict, n_layers: int) -> dict:
    """The layer's dropout rate checked: hidden layers only, 0 <= p < 1; p = 0 is no dropout (left out)."""
    if "dropout" not in layer:
        return {}
    p = layer["dropout"]
    if i == n_layers:
        raise SpecError(f"Layer {i} is the output layer: dropout applies to hidden layers only.")
    if not _real(p) or not 0 <= p < 1:
        raise SpecError(f"Layer {i}: the dropout rate is the share of units switched off in each training step, "
                        f"a number from 0 up to (not including) 1 (got {p!r}).")
    return {"dropout": float(p)} if p > 0 else {}


def validate_spec(spec) -> dict:
    """Check a spec and return a normalised copy (seed and leaky_relu alpha filled in); SpecError if wrong."""
    if not isinstance(spec, dict):
        raise SpecError("A network spec must be a dict with input_size, layers and loss.")
    unknown = set(spec) - {"input_size", "layers", "loss", "seed"}
    if unknown:
        raise SpecError(f"Unknown spec key(s): {', '.join(sorted(map(str, unknown)))}.")
    if "input_size" not in spec:
        raise SpecError("The spec needs an input_size (number of input features, e.g. 784).")
    input_size = _size(spec["input_size"], "The input size")
    layers = spec.get("layers")
    if not isinstance(layers, (list, tuple)) or not layers:
        raise SpecError("The network needs at least one layer.")
    if len(layers) > MAX_LAYERS:
        raise SpecError(f"The network has {len(layers)} layers: more than the limit of {MAX_LAYERS}.")
    out_layers = [_layer(i, layer, len(layers)) for i, layer in enumerate(layers, 1)]
    loss = spec.get("loss")
    if not isinstance(loss, str) or loss not in LOSSES:
        raise SpecError(f"Unknown loss {loss!r}; choose one of {', '.join(LOSSES)}.")
    last = out_layers[-1]["activation"]
    if loss == "cross_entropy" and last != "softmax":
        raise SpecError(f"cross_entropy needs a softmax output layer (the last layer is {last}).")
    if loss == "binary_cross_entropy" and last != "sigmoid":
        raise SpecError(f"binary_cross_entropy needs a sigmoid output layer (the last layer is {last}).")
    if last == "softmax" and out_layers[-1]["units"] < 2:
        raise SpecError("A softmax output needs at least 2 units (one per class).")
    seed = spec.get("seed", 0)
    if not _is_int(seed) or seed < 0:
        raise SpecError(f"The seed must be a whole number >= 0 (got {seed!r}).")
    norm = {"input_size": input_size, "layers": out_layers, "loss": loss, "seed": int(seed)}
    n = count_params(norm)
    if n > MAX_PARAMS:
        raise SpecError(f"This network has {n:,} parameters: more than the limit of {MAX_PARAMS:,}. "
                        "Use fewer or smaller layers.")
    check_memory(norm)
    return norm


def layer_sizes(spec) -> list[int]:
    return [int(spec["input_size"])] + [int(layer["units"]) for layer in spec["layers"]]


def count_params(spec) -> int:
    """sum over layers of fan_in * fan_out weights + fan_out biases."""
    sizes = layer_sizes(spec)
    return sum(a * b + b for a, b in zip(sizes[:-1], sizes[1:]))


def estimate_memory(spec, batch_size: int = 128, dtype: str = "float32") -> int:
    """Bytes for parameters, gradients, two optimizer state buffers and one batch's forward/backward workspace."""
    item = 8 if str(dtype) == "float64" else 4
    sizes = layer_sizes(spec)
    params = count_params(spec)
    # per layer the workspace keeps z, a, delta and scratch (a dropout layer also its mask and kept outputs);
    # plus the gathered input batch and its targets
    dropped = sum(l["units"] for l in spec["layers"] if l.get("dropout", 0) > 0)
    batch = batch_size * (sizes[0] + 4 * sum(sizes[1:]) + 2 * dropped + sizes[-1])
    return item * (4 * params + batch)


def check_memory(spec, batch_size: int = 128, dtype: str = "float32") -> int:
    need = estimate_memory(spec, batch_size, dtype)
    if need > MAX_MEMORY:
        raise SpecError(f"Training needs about {need / 1024 ** 3:.1f} GB of memory at batch size {batch_size:,} "
                        f"(limit {MAX_MEMORY / 1024 ** 3:.0f} GB): use fewer units or a smaller batch.")
    return need


def describe(spec) -> str:
    """'784 -> 128 relu -> 10 softmax, cross_entropy' ('128 relu dropout 0.5' for a layer with dropout)."""
    parts = [str(spec["input_size"])] + [f"{l['units']} {l['activation']}"
                                         + (f" dropout {l['dropout']:g}" if l.get("dropout") else "")
                                         for l in spec["layers"]]
    return " -> ".join(parts) + f", {spec['loss']}"


def copy_spec(spec) -> dict:
    return copy.deepcopy(spec)
