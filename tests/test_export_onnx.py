"""ONNX export: `python -m engine export MODEL.npz --to onnx --out net.onnx`; ONNX Runtime computes what
Network.forward computes, to 1e-5 (tests marked `export`: `pytest -m export` with onnx and onnxruntime)."""
from __future__ import annotations

import sys

import numpy as np
import pytest

from engine.cli import main
from engine.errors import SpecError
from engine.export import export_onnx
from engine.network import Network


def make_net(hidden, out, loss, dtype="float32", seed=2):
    layers = [{"units": u, "activation": a} for u, a in zip((17, 9, 6), hidden)]
    for layer in layers:
        if layer["activation"] == "leaky_relu":
            layer["alpha"] = 0.1
    net = Network.from_spec({"input_size": 12, "layers": layers + [{"units": 5, "activation": out}], "loss": loss,
                             "seed": seed}, dtype=dtype)
    rng = np.random.default_rng(seed)
    for layer in net.layers:                  # non-zero biases so a bias mix-up cannot hide
        layer.b = rng.normal(size=layer.b.shape)
    return net


def run_onnx(path, x):
    import onnxruntime
    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(["output"], {"input": x})[0]


@pytest.mark.export
@pytest.mark.parametrize("hidden, out, loss, dtype", [
    (("relu", "tanh"), "softmax", "cross_entropy", "float32"),
    (("leaky_relu", "sigmoid", "linear"), "linear", "mse", "float32"),
    (("tanh",), "sigmoid", "binary_cross_entropy", "float64"),
])
def test_onnx_runtime_matches_network_forward(tmp_path, hidden, out, loss, dtype):
    net = make_net(hidden, out, loss, dtype)
    path = export_onnx(net, tmp_path / "net.onnx")
    x = np.random.default_rng(5).random((33, 12)).astype(dtype)
    got = run_onnx(path, x)
    assert got.dtype == np.dtype(dtype) and got.shape == (33, 5)
    np.testing.assert_allclose(got, net.forward(x), atol=1e-5, rtol=0)


@pytest.mark.export
def test_cli_exports_onnx_that_checks_and_runs(tmp_path, capsys):
    import onnx
    net = make_net(("relu",), "softmax", "cross_entropy")
    net.save(tmp_path / "m.npz")
    assert main(["export", str(tmp_path / "m.npz"), "--to", "onnx", "--out", str(tmp_path / "net.onnx")]) == 0
    assert capsys.readouterr().out.strip() == str(tmp_path / "net.onnx")
    model = onnx.load(tmp_path / "net.onnx")
    onnx.checker.check_model(model, full_check=True)
    assert [n.op_type for n in model.graph.node] == ["Gemm", "Relu", "Gemm", "Softmax", "Identity"]
    x = np.random.default_rng(0).random((4, 12), dtype=np.float32)
    np.testing.assert_allclose(run_onnx(tmp_path / "net.onnx", x), net.forward(x), atol=1e-5, rtol=0)


def test_without_onnx_the_export_says_what_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "onnx", None)          # import onnx now raises ImportError
    with pytest.raises(SpecError, match="pip install onnx"):
        export_onnx(make_net(("relu",), "softmax", "cross_entropy"), tmp_path / "net.onnx")
    assert not (tmp_path / "net.onnx").exists()


@pytest.mark.export
def test_a_network_with_dropout_exports_its_evaluation_forward(tmp_path):
    net = make_net(("relu", "sigmoid"), "softmax", "cross_entropy")
    spec = net.to_spec()
    spec["layers"][0]["dropout"] = 0.5
    dropped = Network.from_spec(spec)
    dropped.params[...] = net.params
    x = np.random.default_rng(5).random((33, 12)).astype(np.float32)
    np.testing.assert_allclose(run_onnx(export_onnx(dropped, tmp_path / "d.onnx"), x), dropped.forward(x),
                               atol=1e-5, rtol=0)
