"""Model files: one .npz holding a format version, the JSON spec, the weights W0, b0, W1, b1, ... and the
training history (JSON). Written atomically (temp file + os.replace); read with allow_pickle=False, so a
model file can never run code. Any problem is a ModelFileError naming the file and what is wrong.

Format 2 adds the network's TrainState (train_state.py), when it has one: "train_state" (JSON: the settings it
was trained with, the epochs of that run done, adam's step count, the names of the optimizer's buffers) and
"memory_<name>" (each buffer, flat like the parameters). Format 1 files (no record) still load.
"""
from __future__ import annotations

import json
from pathlib import Path

import numpy as np

from .atomic import atomic_write
from .errors import EngineError, ModelFileError
from .safe_npz import NpzError, read_npz_or
from .train_state import from_arrays

FORMAT_VERSION = 2
MAGIC = "mlp-studio-model"
MAX_BYTES = 1 << 30       # 50 M float64 parameters are 400 MB; a file claiming more than this is damaged


def save_network(net, path) -> None:
    arrays = {"magic": np.array(MAGIC), "format_version": np.array(FORMAT_VERSION),
              "spec": np.array(json.dumps(net.spec)), "dtype": np.array(str(net.dtype)),
              "history": np.array(json.dumps(net.history, default=_jsonable))}
    for i, layer in enumerate(net.layers):
        arrays[f"W{i}"], arrays[f"b{i}"] = layer.W, layer.b
    if getattr(net, "train_state", None) is not None:
        arrays.update(net.train_state.to_arrays())
    with atomic_write(path, "wb") as f:
        np.savez(f, **arrays)


def _jsonable(x):
    if isinstance(x, np.generic):
        return x.item()
    if isinstance(x, np.ndarray):
        return x.tolist()
    raise TypeError(f"cannot store {type(x).__name__} in a model's history")


def load_network(path, network_cls):
    """The network stored at `path`, built as network_cls(spec, dtype, init=False) (Network.load passes itself,
    so this module needs no import of network.py)."""
    path = Path(path)
    name = path.name

    def bad(why):
        return ModelFileError(f"Cannot open model {name}: {why}.")

    if not path.exists():
        raise bad("the file does not exist")
    if path.is_dir():
        raise bad("that is a folder, not a model file")
    data = read_npz_or(path, MAX_BYTES, lambda exc: bad(
        f"the file is damaged or not an MLP Studio model (.npz): {exc}" if isinstance(exc, NpzError)
        else f"it could not be read ({exc.strerror or exc})"))
    if not isinstance(data, dict) or "format_version" not in data or "spec" not in data:
        raise bad("it is not an MLP Studio model")
    if "magic" in data and str(data["magic"]) != MAGIC:
        raise bad("it is not an MLP Studio model")
    try:
        version = int(data["format_version"])
    except (TypeError, ValueError) as exc:
        raise bad("its format version is unreadable") from exc
    if version > FORMAT_VERSION:
        raise bad(f"it was made by a newer version of MLP Studio (format {version}; this one reads up to "
                  f"{FORMAT_VERSION}). Update MLP Studio to open it")
    if version < 1:
        raise bad(f"unknown format version {version}")
    try:
        spec = json.loads(str(data["spec"]))
        history = json.loads(str(data["history"])) if "history" in data else []
        dtype = str(data["dtype"]) if "dtype" in data else "float32"
    except (ValueError, RecursionError) as exc:    # RecursionError: JSON nested thousands deep
        raise bad("its network description is damaged") from exc
    if dtype not in ("float32", "float64"):
        raise bad(f"its weights have an unsupported number type ({dtype[:20]!r})")
    try:
        net = network_cls(spec, dtype, init=False)
    except EngineError as exc:
        raise bad(f"its network description is invalid ({exc})") from exc
    for i, layer in enumerate(net.layers):
        for key, view in ((f"W{i}", layer.W), (f"b{i}", layer.b)):
            if key not in data:
                raise bad(f"the weights {key} are missing")
            arr = data[key]
            if arr.shape != view.shape or arr.dtype.kind != "f":
                raise bad(f"the weights {key} have shape {arr.shape} but the network needs {view.shape}")
            if not np.all(np.isfinite(arr)):
                raise bad(f"the weights {key} contain NaN or infinite values")
            view[...] = arr
    net.history = history if isinstance(history, list) else []
    try:
        net.train_state = from_arrays(data, net.n_params, net.dtype) if version >= 2 else None
    except ValueError as exc:
        raise bad(str(exc)) from None
    return net
