"""Network -> PyTorch nn.Sequential script + weights: read back without torch, checked against a golden file that
real torch.save wrote, and (tests marked `export`, run by `pytest -m export` with torch installed) loaded into
PyTorch and compared with the engine's forward pass to 1e-5."""
import collections
import importlib.util
import os
import pickle
import subprocess
import sys
import zipfile

import numpy as np
import pytest

from engine.activations import ACTIVATIONS
from pathlib import Path

from engine.errors import SaveError, SpecError
from engine.export.torch_files import TORCH_ACTIVATIONS, export, state_dict, torch_weights_bytes
from engine.network import Network
from engine.version import __version__

GOLDEN = Path(__file__).parent / "data" / "torch_golden.pt"     # written by torch 2.13.0's torch.save


def make_net(hidden=("relu", "tanh"), out="softmax", loss="cross_entropy", dtype="float32", seed=3, alpha=None):
    layers = [{"units": u, "activation": a} for u, a in zip((13, 7, 9, 5), hidden)]
    if alpha is not None:
        for layer in layers:
            if layer["activation"] == "leaky_relu":
                layer["alpha"] = alpha
    spec = {"input_size": 11, "layers": layers + [{"units": 4, "activation": out}], "loss": loss, "seed": seed}
    net = Network.from_spec(spec, dtype=dtype)
    rng = np.random.default_rng(seed)
    for layer in net.layers:  # non-zero biases so a bias mix-up cannot hide
        layer.b = rng.normal(size=layer.b.shape)
    return net


class NumpyTorchUnpickler(pickle.Unpickler):
    """Reads the weights file the way torch.load(weights_only=True) does, but into NumPy (no torch needed)."""

    ALLOWED = {("torch._utils", "_rebuild_tensor_v2"), ("collections", "OrderedDict"),
               ("torch", "FloatStorage"), ("torch", "DoubleStorage")}

    def __init__(self, file, zf, prefix):
        super().__init__(file)
        self.zf, self.prefix = zf, prefix

    def find_class(self, module, name):
        assert (module, name) in self.ALLOWED, (module, name)  # exactly what weights_only permits
        if name == "_rebuild_tensor_v2":
            def rebuild(storage, offset, size, stride, requires_grad, hooks, *rest):
                assert offset == 0 and not requires_grad and not hooks
                return np.lib.stride_tricks.as_strided(storage, size, [s * storage.itemsize for s in stride])
            return rebuild
        if name == "OrderedDict":
            return collections.OrderedDict
        return {"FloatStorage": np.float32, "DoubleStorage": np.float64}[name]

    def persistent_load(self, pid):
        kind, dtype, key, location, numel = pid
        assert kind == "storage" and location == "cpu"
        data = np.frombuffer(self.zf.read(f"{self.prefix}/data/{key}"), dtype=np.dtype(dtype).newbyteorder("<"))
        assert data.size == numel
        return data


def read_weights(path):
    with zipfile.ZipFile(path) as zf:
        names = zf.namelist()
        prefix = names[0].split("/")[0]
        assert names[0] == f"{prefix}/data.pkl"
        assert zf.read(f"{prefix}/version") == b"3\n" and zf.read(f"{prefix}/byteorder") == b"little"
        for info in zf.infolist():  # stored, and data 64-byte aligned so torch can mmap it
            assert info.compress_type == zipfile.ZIP_STORED
            if "/data/" in info.filename:
                with open(path, "rb") as f:
                    f.seek(info.header_offset + 26)
                    n, m = np.frombuffer(f.read(4), "<u2")
                assert (info.header_offset + 30 + n + m) % 64 == 0
        with zf.open(f"{prefix}/data.pkl") as f:
            return NumpyTorchUnpickler(f, zf, prefix).load()


def test_weights_file_holds_linear_layers_in_pytorch_layout(tmp_path):
    net = make_net()
    script, weights = export(net, tmp_path)
    assert script == tmp_path / "mlp_studio_model.py" and weights == tmp_path / "mlp_studio_model.pt"
    sd = read_weights(weights)
    # Sequential: Linear, ReLU, Linear, Tanh, Linear, Softmax -> parameters at indices 0, 2, 4
    assert list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias", "4.weight", "4.bias"]
    for index, layer in zip((0, 2, 4), net.layers):
        np.testing.assert_array_equal(sd[f"{index}.weight"], layer.W.T)   # nn.Linear stores (out, in)
        np.testing.assert_array_equal(sd[f"{index}.bias"], layer.b)
        assert sd[f"{index}.weight"].dtype == np.float32


def test_numpy_forward_through_exported_weights_matches_the_engine(tmp_path):
    net = make_net(hidden=("leaky_relu", "sigmoid"), out="softmax", alpha=0.2)
    sd = read_weights(export(net, tmp_path)[1])
    X = np.random.default_rng(0).random((6, 11), dtype=np.float32)
    a = X @ sd["0.weight"].T + sd["0.bias"]
    a = np.where(a > 0, a, 0.2 * a)
    a = 1 / (1 + np.exp(-(a @ sd["2.weight"].T + sd["2.bias"])))
    z = a @ sd["4.weight"].T + sd["4.bias"]
    p = np.exp(z - z.max(1, keepdims=True))
    np.testing.assert_allclose(p / p.sum(1, keepdims=True), net.forward(X), atol=1e-6)


def test_script_is_stand_alone_python_describing_the_architecture(tmp_path):
    script, _ = export(make_net(hidden=("relu", "linear"), out="sigmoid", loss="mse"), tmp_path, name="digits")
    text = script.read_text()
    compile(text, str(script), "exec")
    assert "nn.Linear(11, 13)" in text and "nn.Linear(13, 7)" in text and "nn.Linear(7, 4)" in text
    assert "nn.Sigmoid()" in text and "weights_only=True" in text and "digits.pt" in text
    assert "import engine" not in text and "from engine" not in text and "from app" not in text


def test_every_engine_activation_has_a_pytorch_equivalent():
    assert set(ACTIVATIONS) == set(TORCH_ACTIVATIONS)


def test_golden_file_from_real_torch_save_reads_like_our_export():
    """What torch.save really writes: the layout, records and pickle our hand-written weights imitate."""
    sd = read_weights(GOLDEN)
    assert isinstance(sd, collections.OrderedDict) and list(sd) == ["0.weight", "0.bias", "2.weight", "2.bias"]
    np.testing.assert_array_equal(sd["0.weight"], np.arange(6, dtype=np.float32).reshape(3, 2) / 4 - 0.5)
    np.testing.assert_array_equal(sd["2.bias"], np.array([-2.0, 7.0]))
    assert sd["0.bias"].dtype == np.float32 and sd["2.weight"].dtype == np.float64
    ours = torch_weights_bytes({k: np.ascontiguousarray(v) for k, v in sd.items()}, archive="golden")
    import io
    with zipfile.ZipFile(GOLDEN) as theirs, zipfile.ZipFile(io.BytesIO(ours)) as mine:
        their = {n.split("/", 1)[1]: theirs.read(n) for n in theirs.namelist()}
        our = {n.split("/", 1)[1]: mine.read(n) for n in mine.namelist()}
    assert set(our) == set(their) - {".data/serialization_id"}
    for record in ("version", "byteorder", ".format_version", ".storage_alignment", "data/0", "data/3"):
        assert our[record] == their[record], record


def test_script_carries_the_package_version(tmp_path):
    script, _ = export(make_net(), tmp_path)
    assert f"exported from MLP Studio {__version__} on" in script.read_text()


def test_unknown_activation_error_lists_only_engine_activations(tmp_path, monkeypatch):
    monkeypatch.delitem(TORCH_ACTIVATIONS, "tanh")
    with pytest.raises(SpecError) as info:
        export(make_net(), tmp_path)
    listed = str(info.value).split("supported: ")[1].rstrip(").").split(", ")
    assert listed == [a for a in ACTIVATIONS if a != "tanh"]


def test_unsupported_activation_and_bad_names_are_clear_errors(tmp_path, monkeypatch):
    net = make_net()
    with pytest.raises(SpecError, match="module name"):
        export(net, tmp_path, name="my model")
    monkeypatch.delitem(TORCH_ACTIVATIONS, "tanh")
    with pytest.raises(SpecError, match="layer 2 .*'tanh'"):
        export(net, tmp_path)
    assert list(tmp_path.iterdir()) == []  # nothing half-written


def test_missing_folder_is_a_save_error(tmp_path):
    with pytest.raises(SaveError, match="does not exist"):
        export(make_net(), tmp_path / "nope")


def test_large_tensors_use_wide_integers_in_the_pickle():
    a = np.zeros((70000, 2), np.float32)  # numel 140000 > 65535: needs the 4-byte int opcode
    data = torch_weights_bytes({"w": a})
    import io
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        with zf.open("archive/data.pkl") as f:
            sd = NumpyTorchUnpickler(f, zf, "archive").load()
    assert sd["w"].shape == (70000, 2)


# ---- the real thing: PyTorch loads it -------------------------------------------------------------------

@pytest.mark.export
@pytest.mark.parametrize("hidden, out, loss, dtype", [
    (("relu", "tanh"), "softmax", "cross_entropy", "float32"),
    (("leaky_relu", "sigmoid"), "linear", "mse", "float32"),
    (("sigmoid", "relu"), "sigmoid", "mse", "float64"),
])
def test_pytorch_loads_the_export_and_computes_the_same_outputs(tmp_path, hidden, out, loss, dtype):
    import torch
    net = make_net(hidden=hidden, out=out, loss=loss, dtype=dtype, alpha=0.05)
    script, weights = export(net, tmp_path, name=f"m_{out}")
    spec = importlib.util.spec_from_file_location(f"m_{out}", script)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    model = module.load_model()
    assert isinstance(model, torch.nn.Sequential)
    assert sum(p.numel() for p in model.parameters()) == net.n_params
    X = np.random.default_rng(1).random((32, 11)).astype(dtype)
    with torch.no_grad():
        got = model(torch.from_numpy(X)).numpy()
    assert got.dtype == np.dtype(dtype)
    np.testing.assert_allclose(got, net.forward(X), atol=1e-5, rtol=0)
    # and the file alone, the way the docs say to read it
    sd = torch.load(weights, weights_only=True, mmap=True)
    assert torch.equal(sd["0.weight"], torch.from_numpy(np.ascontiguousarray(net.layers[0].W.T)))


@pytest.mark.export
def test_exported_script_runs_without_mlp_studio_on_the_path(tmp_path):
    script, _ = export(make_net(), tmp_path)
    code = ("import runpy, sys; runpy.run_path(sys.argv[1], run_name='__main__');"
            "assert not [m for m in sys.modules if m.split('.')[0] in ('engine', 'app')]")
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    result = subprocess.run([sys.executable, "-c", code, str(script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "Sequential" in result.stdout and "output for a random input" in result.stdout


def test_state_dict_names_skip_identity_activations():
    net = make_net(hidden=("linear", "relu"), out="softmax")
    # Linear(identity) adds no module: Linear, Linear, ReLU, Linear, Softmax
    assert list(state_dict(net)) == ["0.weight", "0.bias", "1.weight", "1.bias", "3.weight", "3.bias"]


@pytest.mark.export
def test_a_network_with_dropout_exports_nn_dropout_that_is_off_in_eval(tmp_path):
    import torch
    net = make_net(hidden=("relu", "tanh"))
    spec = net.to_spec()
    spec["layers"][0]["dropout"], spec["layers"][1]["dropout"] = 0.5, 0.2
    dropped = Network.from_spec(spec)
    dropped.params[...] = net.params
    script, _ = export(dropped, tmp_path, name="m_drop")
    assert "nn.Dropout(p=0.5)" in script.read_text() and "nn.Dropout(p=0.2)" in script.read_text()
    module_spec = importlib.util.spec_from_file_location("m_drop", script)
    module = importlib.util.module_from_spec(module_spec)
    module_spec.loader.exec_module(module)
    model = module.load_model()
    assert [type(m).__name__ for m in model].count("Dropout") == 2 and not model.training
    X = np.random.default_rng(1).random((32, 11)).astype(np.float32)
    with torch.no_grad():
        np.testing.assert_allclose(model(torch.from_numpy(X)).numpy(), dropped.forward(X), atol=1e-5, rtol=0)
        model.train()                                   # and in training mode it does drop units
        assert not np.allclose(model(torch.from_numpy(X)).numpy(), dropped.forward(X), atol=1e-3)
