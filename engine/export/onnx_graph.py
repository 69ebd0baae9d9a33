"""Export a Network to ONNX (opens in Netron, runs in ONNX Runtime): Gemm per layer (y = x W + b, W kept as
fan_in x fan_out) followed by the activation's own ONNX operator. Needs the optional package `onnx`."""
from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from ..activations import ACTIVATIONS
from ..atomic import atomic_write
from ..errors import SpecError
from ..version import __version__

OPSET = 17                 # Gemm, Softmax(axis) and LeakyRelu as every current runtime and Netron read them
IR_VERSION = 8             # the IR of opset 17: older runtimes refuse newer IR numbers
ONNX_ACTIVATIONS = {"relu": "Relu", "sigmoid": "Sigmoid", "tanh": "Tanh", "leaky_relu": "LeakyRelu",
                    "softmax": "Softmax", "linear": None}


def require_onnx():
    """The onnx package; SpecError with how to get it when it is not installed (ask before anything else)."""
    try:
        import onnx                    # optional dependency: only this export needs it
    except ImportError:
        raise SpecError("Exporting to ONNX needs the optional package onnx: install it with "
                        "pip install onnx, then export again.") from None
    return onnx


def _activation_node(helper, layer: dict, i: int, src: str, dst: str):
    name = layer["activation"]
    if name not in ONNX_ACTIVATIONS:
        supported = [a for a in ACTIVATIONS if a in ONNX_ACTIVATIONS]
        raise SpecError(f"Cannot export layer {i + 1} to ONNX: its activation '{name}' has no ONNX operator here "
                        f"(supported: {', '.join(supported)}).")
    op = ONNX_ACTIVATIONS[name]
    attrs = {"alpha": float(layer.get("alpha", 0.01))} if op == "LeakyRelu" else {"axis": 1} if op == "Softmax" else {}
    return helper.make_node(op, [src], [dst], name=f"{op.lower()}{i}", **attrs) if op else None


def onnx_model(net):
    """The Network as an onnx.ModelProto with input "input" (batch, inputs) and output "output"."""
    onnx = require_onnx()
    from onnx import TensorProto, helper, numpy_helper
    spec = net.to_spec()
    elem = {np.dtype(np.float32): TensorProto.FLOAT, np.dtype(np.float64): TensorProto.DOUBLE}[np.dtype(net.dtype)]
    nodes, inits, src = [], [], "input"
    for i, (layer, dense) in enumerate(zip(spec["layers"], net.layers)):
        z = f"z{i}"
        inits += [numpy_helper.from_array(np.ascontiguousarray(dense.W), f"W{i}"),
                  numpy_helper.from_array(np.ascontiguousarray(dense.b), f"b{i}")]
        nodes.append(helper.make_node("Gemm", [src, f"W{i}", f"b{i}"], [z], name=f"dense{i}"))
        act = _activation_node(helper, layer, i, z, f"a{i}")
        if act is not None:
            nodes.append(act)
        src = f"a{i}" if act is not None else z
    nodes.append(helper.make_node("Identity", [src], ["output"], name="output"))
    graph = helper.make_graph(
        nodes, "mlp_studio", [helper.make_tensor_value_info("input", elem, ["batch", spec["input_size"]])],
        [helper.make_tensor_value_info("output", elem, ["batch", spec["layers"][-1]["units"]])], inits)
    model = helper.make_model(graph, producer_name="MLP Studio", producer_version=__version__,
                              opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    onnx.checker.check_model(model)
    return model


def export_onnx(net, path: str | os.PathLike) -> Path:
    """Write the network as an ONNX file (atomically); SpecError without onnx or for an unsupported layer."""
    data = onnx_model(net).SerializeToString()
    path = Path(path)
    with atomic_write(path, "wb") as f:
        f.write(data)
    return path
