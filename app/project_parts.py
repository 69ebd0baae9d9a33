"""One workspace's part of a project file, read and checked: its network description, weights, history, results,
runs and a generated data set's parameters (a hand-edited or damaged file may hold anything: what is not ours is
dropped or refused with a sentence). Also the lesson's fields. No Qt here.
"""
from __future__ import annotations

import io
import math
import zipfile
from pathlib import Path

MAX_WEIGHT_BYTES = 2**30            # 50 M float64 parameters is 400 MB; anything far bigger is not ours
WEIGHT_MEMBER_OVERHEAD = 1024       # bytes per array in a weights member beyond its numbers: .npy header, zip headers
MAX_RUNS = 500                      # rows of the results table kept with a workspace


def error(path, why: str):
    from engine.errors import ModelFileError
    return ModelFileError(f"Could not open {Path(path).name}: {why}. Nothing was changed.")


def json_safe(value):
    """History values as JSON: NaN/inf (a diverged epoch) become null; NumPy scalars become Python numbers."""
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_safe(v) for v in value]
    if hasattr(value, "item") and not isinstance(value, (str, bytes)):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def clean_lesson(lesson) -> dict | None:
    """A lesson's three fields as short strings (a hand-edited file may hold anything); None when empty."""
    if not isinstance(lesson, dict):
        return None
    def text(key, limit):
        value = lesson.get(key)
        return value[:limit] if isinstance(value, str) and value.strip() else None
    clean = {"preset": text("preset", 100), "section": text("section", 100), "note": text("note", 5000) or ""}
    return clean if any(clean.values()) else None


GENERATOR_PARAMS = {"n": int, "noise": float, "seed": int, "test_fraction": float, "classes": int}


def clean_params(params) -> dict | None:
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


def clean_results(results) -> dict | None:
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


MAX_EPOCH = 2**31 - 1     # what a spin box, a progress bar and Qt's int hold
MAX_EXACT = 2**53         # beyond it an int is no count a run could have made (and no C++ integer holds 2**63)


def _clean_history(rows: list) -> list[dict]:
    """Epoch rows as dicts of numbers (a hand-edited file may hold anything): other rows and values are dropped."""
    def number(v):
        if isinstance(v, int) and not isinstance(v, bool):
            return abs(v) <= MAX_EXACT
        return v is None or isinstance(v, bool) or (isinstance(v, float) and math.isfinite(v))
    return [{str(k): v for k, v in row.items() if number(v)} for row in rows
            if isinstance(row, dict) and isinstance(row.get("epoch"), int) and not isinstance(row["epoch"], bool)
            and 0 <= row["epoch"] <= MAX_EPOCH]


def clean_runs(runs) -> list[dict]:
    """The results table's runs as saved: each a dict with a label and plain JSON values (anything else dropped)."""
    if not isinstance(runs, list):
        return []
    keep = []
    for run in runs[:MAX_RUNS]:
        if isinstance(run, dict) and isinstance(run.get("label"), str) and isinstance(run.get("id"), int):
            keep.append({k: run.get(k) for k in ("id", "label", "kind", "spec", "settings", "results", "record")
                         if isinstance(run.get(k), (str, int, dict, type(None)))})
    return keep


def check_part(path, part: dict) -> dict:
    """A workspace's description with its spec validated and its history cleaned; a sentence if it is unusable."""
    from engine.errors import SpecError
    from engine.spec import validate_spec

    if not isinstance(part.get("history", []), list):
        raise error(path, "its training history is not readable")
    part["history"] = _clean_history(part.get("history") or [])
    try:
        part["spec"] = validate_spec(part.get("spec"))
    except SpecError as exc:
        raise error(path, f"its network description is invalid ({exc})") from None
    except (TypeError, KeyError, AttributeError, ValueError):
        raise error(path, "its network description is invalid") from None
    settings = part.get("settings") or {}
    if not isinstance(settings, dict):
        raise error(path, "its training settings are not readable")
    part["settings"] = settings
    return part


def read_network(path: Path, zf: zipfile.ZipFile, meta: dict, member: str = "weights.npz"):
    import numpy as np

    from engine.network import Network

    try:
        info = zf.getinfo(member)
    except KeyError:
        raise error(path, "its weights are missing") from None
    dtype = meta.get("dtype") or "float32"
    if dtype not in ("float32", "float64"):
        raise error(path, f"its weights have an unsupported type ({dtype})")
    from engine.safe_npz import NpzError, read_npz
    from engine.spec import count_params
    # The network's own size bounds the member before a byte is inflated (a zip bomb claims far more).
    weight_bytes = count_params(meta["spec"]) * np.dtype(dtype).itemsize
    budget = min(weight_bytes + 2 * len(meta["spec"]["layers"]) * WEIGHT_MEMBER_OVERHEAD, MAX_WEIGHT_BYTES)
    if info.file_size > budget:
        raise error(path, f"its weights take {info.file_size:,} bytes but its network needs at most {budget:,}; "
                           "the file is damaged or was not made by MLP Studio")
    try:
        # read_npz, not np.load: np.load allocates whatever shape a (damaged) header claims
        arrays = read_npz(io.BytesIO(_read_bounded(zf, info, budget)), budget)
    except (NpzError, OSError):
        raise error(path, "its weights are damaged") from None
    net = Network.from_spec(meta["spec"], dtype=dtype)
    for i, layer in enumerate(net.layers):
        for name, want in ((f"W{i}", (layer.fan_in, layer.units)), (f"b{i}", (layer.units,))):
            a = arrays.get(name)
            if a is None or a.shape != want or a.dtype.kind != "f":
                got = "missing" if a is None else f"{a.dtype} {a.shape}"
                raise error(path, f"its weights do not fit the network (layer {i + 1}: {name} should be "
                                   f"{want}, found {got})")
            if not np.all(np.isfinite(a)):
                raise error(path, f"its weights contain NaN or infinite values (layer {i + 1})")
        layer.W, layer.b = arrays[f"W{i}"], arrays[f"b{i}"]
    if len(arrays) != 2 * len(net.layers):
        raise error(path, "its weights do not fit the network (extra arrays)")
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
