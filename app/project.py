"""The .mlpstudio project file: everything needed to pick up where you left off.

A zip (no pickle anywhere) holding
  project.json   {"format": "mlp-studio-project", "version": 1, "spec", "settings" (TrainConfig fields),
                  "dataset" (name), "dataset_params" (a generated set's n, noise, seed, test_fraction,
                  classes; or null), "handwriting" (folder of the personal digit set or null),
                  "history" (epoch stats, so the curves reappear), "trained", "dtype", "has_weights",
                  "results" (the network's test accuracy, n_test, dataset; or null),
                  "lesson" (a teacher's {"preset", "section", "note"}, or null)}
  weights.npz    W0, b0, W1, b1, ... as in engine Dense layers (W: fan_in x fan_out), read allow_pickle=False
Saved atomically; loading reads and checks everything before anything is handed to the app, so a damaged or
foreign file raises ModelFileError and changes nothing. No Qt here.
"""
from __future__ import annotations

import copy
import dataclasses
import io
import json
import math
import os
import struct
import zipfile
import zlib
from pathlib import Path

from engine.version import __version__

FORMAT = "mlp-studio-project"
VERSION = 1
SUFFIX = ".mlpstudio"
MAX_JSON_BYTES = 64 * 2**20
MAX_WEIGHT_BYTES = 2**30            # 50 M float64 parameters is 400 MB; anything far bigger is not ours
WEIGHT_MEMBER_OVERHEAD = 1024       # bytes per array in weights.npz beyond its numbers: .npy header, zip headers


@dataclasses.dataclass
class Project:
    spec: dict
    settings: dict = dataclasses.field(default_factory=dict)
    network: object | None = None          # engine Network (its .history is the training history)
    dataset: str = "sample"
    dataset_params: dict | None = None     # a generated set's size, noise, seed and split (None for files)
    handwriting: str | None = None         # folder of the personal handwriting set, if the user has one
    history: list = dataclasses.field(default_factory=list)
    trained: bool = False
    results: dict | None = None            # the network's test accuracy (AppState.results), if measured
    lesson: dict | None = None             # a teacher's lesson: preset to load, guide section, note

    def __repr__(self) -> str:
        sizes = [self.spec.get("input_size")] + [l.get("units") for l in self.spec.get("layers", [])]
        return (f"Project({'-'.join(map(str, sizes))}, dataset={self.dataset!r}, "
                f"weights={'yes' if self.network is not None else 'no'}, epochs={len(self.history)})")


def _error(path, why: str):
    from engine.errors import ModelFileError
    return ModelFileError(f"Could not open {Path(path).name}: {why}. Nothing was changed.")


def _json_safe(value):
    """History values as JSON: NaN/inf (a diverged epoch) become null; NumPy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def save_project(path: str | os.PathLike, project: Project) -> Path:
    """Write the project atomically (the old file stays whole if anything fails); raises SaveError."""
    import numpy as np

    from engine.atomic import atomic_write

    path = Path(path)
    net = project.network
    history = project.history if project.history else list(getattr(net, "history", None) or [])
    meta = {"format": FORMAT, "version": VERSION, "app": __version__,
            "spec": project.spec if net is None else net.to_spec(), "settings": project.settings,
            "dataset": project.dataset, "dataset_params": project.dataset_params,
            "handwriting": project.handwriting, "history": history,
            "trained": bool(project.trained and net is not None), "has_weights": net is not None,
            "results": project.results if net is not None else None, "lesson": _clean_lesson(project.lesson),
            "dtype": None if net is None else str(np.dtype(net.dtype))}
    meta_bytes = json.dumps(_json_safe(meta), indent=1, allow_nan=False).encode("utf-8")
    with atomic_write(path, "wb") as f:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("project.json", meta_bytes)
            if net is not None:
                arrays = {}
                for i, layer in enumerate(net.layers):
                    arrays[f"W{i}"], arrays[f"b{i}"] = np.asarray(layer.W), np.asarray(layer.b)
                buf = io.BytesIO()
                np.savez(buf, **arrays)
                zf.writestr("weights.npz", buf.getvalue(), compress_type=zipfile.ZIP_STORED)
    return path


def load_project(path: str | os.PathLike) -> Project:
    """Read and check a project file; ModelFileError (with a sentence) if it is damaged or foreign."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            meta = _read_meta(path, zf)
            net = _read_network(path, zf, meta) if meta.get("has_weights") else None
    except FileNotFoundError:
        raise _error(path, "the file does not exist") from None
    except IsADirectoryError:
        raise _error(path, "that is a folder") from None
    except PermissionError:
        raise _error(path, "you do not have permission to read it") from None
    except (zipfile.BadZipFile, EOFError):
        raise _error(path, "it is not an MLP Studio project (not a zip file), or it is damaged") from None
    except (OSError, ValueError, RuntimeError, struct.error, zlib.error, zipfile.LargeZipFile) as exc:
        # CRC mismatch, truncated or corrupted compressed data, encrypted members
        raise _error(path, f"it is damaged ({exc})") from None
    spec = net.to_spec() if net is not None else meta["spec"]
    if net is not None:
        net.history = list(meta.get("history") or [])
    settings = meta.get("settings") or {}
    if not isinstance(settings, dict):
        raise _error(path, "its training settings are not readable")
    return Project(spec=spec, settings=settings, network=net, dataset=str(meta.get("dataset") or "sample"),
                   dataset_params=_clean_params(meta.get("dataset_params")),
                   handwriting=meta.get("handwriting") or None, history=list(meta.get("history") or []),
                   trained=bool(meta.get("trained")) and net is not None,
                   results=_clean_results(meta.get("results")) if net is not None else None,
                   lesson=_clean_lesson(meta.get("lesson")))


def _clean_lesson(lesson) -> dict | None:
    """A lesson's three fields as short strings (a hand-edited file may hold anything); None when empty."""
    if not isinstance(lesson, dict):
        return None
    def text(key, limit):
        value = lesson.get(key)
        return value[:limit] if isinstance(value, str) and value.strip() else None
    clean = {"preset": text("preset", 100), "section": text("section", 100), "note": text("note", 5000) or ""}
    return clean if any(clean.values()) else None


GENERATOR_PARAMS = {"n": int, "noise": float, "seed": int, "test_fraction": float, "classes": int}


def _clean_params(params) -> dict | None:
    """A generated set's saved parameters, the known ones of the right kind (the generator checks their range)."""
    if not isinstance(params, dict):
        return None
    clean = {}
    for key, kind in GENERATOR_PARAMS.items():
        v = params.get(key)
        if isinstance(v, (int, float)) and not isinstance(v, bool) and math.isfinite(v) and (kind is float
                                                                                           or v == int(v)):
            clean[key] = kind(v)
    return clean or None


def _clean_results(results) -> dict | None:
    """The saved test accuracy (or a regression's test MSE), if it is one (a hand-edited file may hold anything)."""
    if not isinstance(results, dict):
        return None
    mse = results.get("test_mse")
    if results.get("test_accuracy") is None and isinstance(mse, (int, float)) and not isinstance(mse, bool) \
            and math.isfinite(mse) and mse >= 0:
        n = results.get("n_test")
        return {"test_accuracy": None, "test_mse": float(mse),
                "n_test": n if isinstance(n, int) and not isinstance(n, bool) else 0,
                "dataset": str(results["dataset"]) if results.get("dataset") else None}
    acc = results.get("test_accuracy")
    if isinstance(acc, bool) or not isinstance(acc, (int, float)) or not 0 <= acc <= 1:
        return None
    n = results.get("n_test")
    return {"test_accuracy": float(acc), "n_test": n if isinstance(n, int) and not isinstance(n, bool) else 0,
            "dataset": str(results["dataset"]) if results.get("dataset") else None}


def _read_meta(path: Path, zf: zipfile.ZipFile) -> dict:
    from engine.errors import SpecError
    from engine.spec import validate_spec

    try:
        info = zf.getinfo("project.json")
    except KeyError:
        raise _error(path, "it is a zip file but not an MLP Studio project (no project.json inside)") from None
    if info.file_size > MAX_JSON_BYTES:
        raise _error(path, "its project description is implausibly large")
    try:
        meta = json.loads(zf.read(info).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise _error(path, "its project description is not valid JSON; the file is damaged") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise _error(path, "it is not an MLP Studio project")
    version = meta.get("version")
    if not isinstance(version, int) or version < 1:
        raise _error(path, "its format version is missing")
    if version > VERSION:
        raise _error(path, f"it was saved by a newer MLP Studio (project format {version}; this version reads "
                           f"up to {VERSION}). Please update MLP Studio")
    if not isinstance(meta.get("history", []), list):
        raise _error(path, "its training history is not readable")
    meta["history"] = _clean_history(meta.get("history") or [])
    if not isinstance(meta.get("handwriting"), (str, type(None))):
        meta["handwriting"] = None
    try:
        meta["spec"] = validate_spec(meta.get("spec"))
    except SpecError as exc:
        raise _error(path, f"its network description is invalid ({exc})") from None
    except (TypeError, KeyError, AttributeError, ValueError):
        raise _error(path, "its network description is invalid") from None
    return meta


def _clean_history(rows: list) -> list[dict]:
    """Epoch rows as dicts of numbers (a hand-edited file may hold anything): other rows and values are dropped."""
    def number(v):
        return v is None or isinstance(v, bool) or (isinstance(v, (int, float)) and math.isfinite(v))
    return [{str(k): v for k, v in row.items() if number(v)} for row in rows
            if isinstance(row, dict) and isinstance(row.get("epoch"), int) and not isinstance(row["epoch"], bool)]


def _read_network(path: Path, zf: zipfile.ZipFile, meta: dict):
    import numpy as np

    from engine.network import Network

    try:
        info = zf.getinfo("weights.npz")
    except KeyError:
        raise _error(path, "its weights are missing") from None
    dtype = meta.get("dtype") or "float32"
    if dtype not in ("float32", "float64"):
        raise _error(path, f"its weights have an unsupported type ({dtype})")
    from engine.safe_npz import NpzError, read_npz
    from engine.spec import count_params
    # The network's own size bounds the member before a byte is inflated (a zip bomb claims far more).
    weight_bytes = count_params(meta["spec"]) * np.dtype(dtype).itemsize
    budget = min(weight_bytes + 2 * len(meta["spec"]["layers"]) * WEIGHT_MEMBER_OVERHEAD, MAX_WEIGHT_BYTES)
    if info.file_size > budget:
        raise _error(path, f"its weights take {info.file_size:,} bytes but its network needs at most {budget:,}; "
                           "the file is damaged or was not made by MLP Studio")
    try:
        # read_npz, not np.load: np.load allocates whatever shape a (damaged) header claims
        arrays = read_npz(io.BytesIO(_read_bounded(zf, info, budget)), budget)
    except (NpzError, OSError):
        raise _error(path, "its weights are damaged") from None
    net = Network.from_spec(meta["spec"], dtype=dtype)
    for i, layer in enumerate(net.layers):
        for name, want in ((f"W{i}", (layer.fan_in, layer.units)), (f"b{i}", (layer.units,))):
            a = arrays.get(name)
            if a is None or a.shape != want or a.dtype.kind != "f":
                got = "missing" if a is None else f"{a.dtype} {a.shape}"
                raise _error(path, f"its weights do not fit the network (layer {i + 1}: {name} should be "
                                   f"{want}, found {got})")
            if not np.all(np.isfinite(a)):
                raise _error(path, f"its weights contain NaN or infinite values (layer {i + 1})")
        layer.W, layer.b = arrays[f"W{i}"], arrays[f"b{i}"]
    if len(arrays) != 2 * len(net.layers):
        raise _error(path, "its weights do not fit the network (extra arrays)")
    return net


def _read_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, budget: int) -> bytes:
    """The member's bytes, inflated in chunks and never more than budget (whatever its header says)."""
    data = bytearray()
    with zf.open(info) as member:
        while chunk := member.read(min(1 << 20, budget + 1 - len(data))):
            data += chunk
            if len(data) > budget:
                raise OSError("the member holds more than its size says")
    return bytes(data)


# ---- AppState <-> Project ----------------------------------------------------------------------------------

def from_state(state, handwriting: str | os.PathLike | None = None) -> Project:
    """Snapshot of the app's model (a copy: later training does not change a saved project)."""
    net = state.network.copy() if state.network is not None else None
    history = list(getattr(net, "history", None) or [])
    return Project(spec=copy.deepcopy(state.spec), settings=dict(state.settings), network=net,
                   dataset=state.dataset_name, dataset_params=_generated_params(state),
                   handwriting=None if handwriting is None else str(handwriting),
                   history=history, trained=bool(getattr(state, "trained", False)),
                   results=getattr(state, "results", None))


def _generated_params(state) -> dict | None:
    """The current data set's generator parameters if it is a generated one (None for files and MNIST)."""
    ds = getattr(state, "dataset", None)
    params = getattr(ds, "params", None)
    return dict(params) if params and getattr(ds, "key", None) == state.dataset_name else None


def apply_to_state(project: Project, state) -> None:
    """Make the app show the project: settings, spec, then weights (with their history) last."""
    state.load(project.spec, project.settings, project.network, trained=project.trained, results=project.results)
