"""Export a Network to PyTorch: a stand-alone `.py` defining the same `nn.Sequential`, plus its weights (and an
optimizer's memory in the same layout, memory_tensors).

The weights file is written in PyTorch's own zip format (what `torch.save(state_dict)` writes), by hand, so
exporting needs no PyTorch here while `torch.load(path, weights_only=True)` reads it there. The format:
  archive/data.pkl      pickle protocol 2 of {name: torch._utils._rebuild_tensor_v2(storage, 0, shape,
                        stride, False, OrderedDict())}, each storage a persistent id
                        ("storage", torch.FloatStorage, key, "cpu", numel)
  archive/data/<key>    the storage's raw little-endian bytes, 64-byte aligned in the zip
  archive/byteorder, archive/version, archive/.format_version, archive/.storage_alignment
Engine layers compute z = a @ W + b with W of shape (fan_in, fan_out); nn.Linear stores W.T (out, in).
"""
from __future__ import annotations

import datetime as _dt
import io
import os
import struct
import zipfile
from pathlib import Path

import numpy as np

from ..activations import ACTIVATIONS
from ..atomic import atomic_write
from ..errors import SpecError
from ..version import __version__

ALIGNMENT = 64
_STORAGE_CLASS = {np.dtype(np.float32): "FloatStorage", np.dtype(np.float64): "DoubleStorage"}
_TORCH_DTYPE = {np.dtype(np.float32): "torch.float32", np.dtype(np.float64): "torch.float64"}

# Engine activation name -> the PyTorch module doing the same thing (None: no module, the identity).
TORCH_ACTIVATIONS = {
    "linear": lambda layer: None,
    "relu": lambda layer: "nn.ReLU()",
    "leaky_relu": lambda layer: f"nn.LeakyReLU(negative_slope={float(layer.get('alpha', 0.01))!r})",
    "sigmoid": lambda layer: "nn.Sigmoid()",
    "tanh": lambda layer: "nn.Tanh()",
    "softmax": lambda layer: "nn.Softmax(dim=1)",
}

# Engine optimizer -> {its memory buffer (train_state.py): the torch.optim state key holding the same numbers}
TORCH_MEMORY = {"momentum": {"v": "momentum_buffer"}, "nesterov": {"v": "momentum_buffer"},
                "rmsprop": {"s": "square_avg"}, "adam": {"m": "exp_avg", "v": "exp_avg_sq"}}
STEP_COUNTED = ("rmsprop", "adam")      # torch.optim keeps a "step" count in their state (Adam's bias correction)


# ---- PyTorch's zip format, written without PyTorch -------------------------------------------------------

def _p_str(s: str) -> bytes:
    b = s.encode("utf-8")
    return b"X" + struct.pack("<I", len(b)) + b


def _p_int(n: int) -> bytes:
    if 0 <= n < 256:
        return b"K" + bytes([n])
    if 0 <= n < 65536:
        return b"M" + struct.pack("<H", n)
    if -2**31 <= n < 2**31:
        return b"J" + struct.pack("<i", n)
    raw = n.to_bytes((n.bit_length() + 8) // 8, "little", signed=True)
    return b"\x8a" + bytes([len(raw)]) + raw


def _p_tuple(items: tuple[int, ...]) -> bytes:
    return b"(" + b"".join(_p_int(i) for i in items) + b"t"


def state_dict_pickle(tensors: dict[str, np.ndarray]) -> bytes:
    """The data.pkl of a state dict whose i-th tensor lives in storage str(i)."""
    out = [b"\x80\x02}("]                                       # PROTO 2, EMPTY_DICT, MARK
    for key, (name, a) in enumerate(tensors.items()):
        stride = tuple(int(np.prod(a.shape[i + 1:])) for i in range(a.ndim))
        storage = (b"((" + _p_str("storage") + b"ctorch\n" + _STORAGE_CLASS[a.dtype].encode() + b"\n"
                   + _p_str(str(key)) + _p_str("cpu") + _p_int(a.size) + b"tQ")   # persistent id
        out.append(_p_str(name) + b"ctorch._utils\n_rebuild_tensor_v2\n" + storage + _p_int(0)
                   + _p_tuple(a.shape) + _p_tuple(stride) + b"\x89"      # requires_grad=False
                   + b"ccollections\nOrderedDict\n)R" + b"tR")           # backward_hooks=OrderedDict()
    out.append(b"u.")                                           # SETITEMS, STOP
    return b"".join(out)


def _aligned_entry(zf: zipfile.ZipFile, offset: int, name: str, data: bytes) -> None:
    """Store `data` uncompressed so that its first byte lands on a multiple of ALIGNMENT (torch can mmap it)."""
    info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
    info.compress_type = zipfile.ZIP_STORED
    header = 30 + len(name.encode())
    pad = (-(offset + header + 4)) % ALIGNMENT            # 4 bytes: the extra field's own id + length
    info.extra = b"FB" + struct.pack("<H", pad) + b"\0" * pad
    zf.writestr(info, data)


def torch_weights_bytes(tensors: dict[str, np.ndarray], archive: str = "archive") -> bytes:
    """What torch.save(state_dict) would write for these float32/float64 arrays."""
    tensors = {k: np.asarray(v, dtype=v.dtype.newbyteorder("<"), order="C") for k, v in tensors.items()}
    for name, a in tensors.items():
        if a.dtype not in _STORAGE_CLASS:
            raise SpecError(f"Cannot export {name}: PyTorch export supports float32 and float64 weights, "
                            f"not {a.dtype}.")
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        records = [("data.pkl", state_dict_pickle(tensors)), (".format_version", b"1"),
                   (".storage_alignment", str(ALIGNMENT).encode()), ("byteorder", b"little")]
        records += [(f"data/{key}", a.tobytes()) for key, a in enumerate(tensors.values())]
        records.append(("version", b"3\n"))
        for name, data in records:
            _aligned_entry(zf, buf.tell(), f"{archive}/{name}", data)
    return buf.getvalue()


# ---- the Network -> nn.Sequential script -----------------------------------------------------------------

def torch_layers(net) -> list[tuple[str, str, int]]:
    """[(module expression, comment, engine layer index)] in nn.Sequential order."""
    spec = net.to_spec()
    modules = []
    sizes = [spec["input_size"]] + [layer["units"] for layer in spec["layers"]]
    for i, layer in enumerate(spec["layers"]):
        name = layer["activation"]
        if name not in TORCH_ACTIVATIONS:
            supported = [a for a in ACTIVATIONS if a in TORCH_ACTIVATIONS]
            raise SpecError(f"Cannot export layer {i + 1} to PyTorch: its activation '{name}' has no PyTorch "
                            f"equivalent here (supported: {', '.join(supported)}).")
        role = "output layer" if i == len(spec["layers"]) - 1 else f"hidden layer {i + 1}"
        modules.append((f"nn.Linear({sizes[i]}, {sizes[i + 1]})", f"{role}: {sizes[i]} -> {sizes[i + 1]}", i))
        act = TORCH_ACTIVATIONS[name](layer)
        if act is not None:
            modules.append((act, name, -1))
        if layer.get("dropout", 0) > 0:            # inverted dropout, as the engine's: off in model.eval()
            modules.append((f"nn.Dropout(p={layer['dropout']!r})", "dropout: on in train(), off in eval()", -1))
    return modules


def _usage_note(spec: dict) -> str:
    note = _output_note(spec)
    if any(layer.get("dropout", 0) > 0 for layer in spec["layers"]):
        note += ("\nIts Dropout layers act as in MLP Studio: they switch units off only in model.train() mode; "
                 "load_model()\nreturns the model in eval() mode, where they pass everything through.")
    return note


def _output_note(spec: dict) -> str:
    last = spec["layers"][-1]["activation"]
    if last == "softmax":
        return ("The model ends in Softmax, as in MLP Studio, so it outputs probabilities. To keep training in\n"
                "PyTorch use nn.CrossEntropyLoss on logits: train `model[:-1]` and keep the softmax for predictions.")
    if last == "sigmoid":
        return ("The model ends in Sigmoid, as in MLP Studio. To keep training in PyTorch use\n"
                "nn.BCEWithLogitsLoss on `model[:-1]` (numerically safer than Sigmoid + BCELoss).")
    return f"Trained in MLP Studio with the loss '{spec.get('loss', '?')}'."


def script_text(net, weights_name: str, version: str = "", module: str | None = None) -> str:
    spec = net.to_spec()
    dtype = np.dtype(net.dtype)
    shape = "-".join(str(n) for n in [spec["input_size"]] + [l["units"] for l in spec["layers"]])
    body = "\n".join(f"        {expr},{' ' * max(1, 32 - len(expr))}# {comment}"
                     for expr, comment, _ in torch_layers(net))
    stamp = _dt.date.today().isoformat()
    return f'''"""A {shape} multi-layer perceptron exported from MLP Studio{' ' + version if version else ''} on {stamp}.

Plain PyTorch; MLP Studio is not needed:
    from {module or Path(weights_name).stem} import load_model
    model = load_model()              # weights from {weights_name} beside this file
    outputs = model(x)                # x: a {_TORCH_DTYPE[dtype]} tensor of shape (n, {spec["input_size"]})

Inputs are what MLP Studio trained on: images flattened row by row, pixels scaled to [0, 1].
{_usage_note(spec)}
"""
from pathlib import Path

import torch
from torch import nn

WEIGHTS = Path(__file__).with_name({weights_name!r})


def build_model() -> nn.Sequential:
    """The architecture, freshly initialised by PyTorch."""
    return nn.Sequential(
{body}
    ).to({_TORCH_DTYPE[dtype]})


def load_model(weights=WEIGHTS) -> nn.Sequential:
    """The architecture with MLP Studio's trained weights, in evaluation mode."""
    model = build_model()
    model.load_state_dict(torch.load(weights, map_location="cpu", weights_only=True))
    return model.eval()


if __name__ == "__main__":
    model = load_model()
    print(model)
    with torch.no_grad():
        print("output for a random input:", model(torch.rand(1, {spec["input_size"]}, dtype={_TORCH_DTYPE[dtype]})))
'''


def state_dict(net, flat=None) -> dict[str, np.ndarray]:
    """nn.Sequential parameter names -> arrays in PyTorch's layout (weight is W.T: out x in), of the network's
    parameters or of any flat buffer laid out like them (an optimizer's memory)."""
    views = net.views(net.params if flat is None else flat)
    tensors = {}
    for index, (_, _, layer_i) in enumerate(torch_layers(net)):
        if layer_i >= 0:
            W, b = views[layer_i]
            tensors[f"{index}.weight"] = np.ascontiguousarray(np.asarray(W).T)
            tensors[f"{index}.bias"] = np.ascontiguousarray(np.asarray(b))
    return tensors


def memory_tensors(net, optimizer: str, memory: dict) -> dict[str, np.ndarray]:
    """An engine optimizer's memory (train_state.py) as torch.optim state: "<parameter>.<state key>" tensors in
    PyTorch's layout, and "step" (a 0-d float32, as torch.optim keeps it) where torch counts steps."""
    tensors = {}
    for buffer, key in TORCH_MEMORY.get(optimizer, {}).items():
        tensors.update({f"{name}.{key}": a for name, a in state_dict(net, memory[buffer]).items()})
    if optimizer in STEP_COUNTED:
        tensors["step"] = np.array(memory.get("t", 0), np.float32)
    return tensors


def write_model(net, script_path: Path, weights_path: Path) -> tuple[Path, Path]:
    weights = torch_weights_bytes(state_dict(net), archive=weights_path.stem)
    script = script_text(net, weights_path.name, __version__, module=script_path.stem)
    with atomic_write(weights_path, "wb") as f:
        f.write(weights)
    with atomic_write(script_path, "w") as f:
        f.write(script)
    return script_path, weights_path


def export(net, folder: str | os.PathLike, name: str = "mlp_studio_model") -> tuple[Path, Path]:
    """Write folder/name.py and folder/name.pt (atomically); return (script_path, weights_path).

    Raises SpecError for an activation PyTorch lacks, SaveError if the folder cannot be written.
    """
    if not name.isidentifier():
        raise SpecError(f"'{name}' cannot be a Python module name; use letters, digits and underscores.")
    folder = Path(folder)
    return write_model(net, folder / f"{name}.py", folder / f"{name}.pt")
