"""The .mlpstudio project file: everything needed to pick up where you left off, in both modes.

A zip (no pickle anywhere) holding
  project.json   {"format": "mlp-studio-project", "version": 2, "mode" ("digits" | "playground": the one shown),
                  the shown workspace's part: "spec", "settings" (TrainConfig fields), "dataset" (name),
                  "dataset_params" (a generated set's n, noise, seed, test_fraction, classes; or null),
                  "history" (epoch stats, so the curves reappear), "trained", "dtype", "has_weights",
                  "results" (the network's test accuracy, n_test, dataset; or null), "runs" (the results table),
                  "other": the other mode's workspace as the same fields (or absent),
                  "handwriting" (folder of the personal digit set or null),
                  "lesson" (a teacher's {"preset", "section", "note"}, or null)}
  weights.npz    W0, b0, W1, b1, ... of the shown workspace's network (W: fan_in x fan_out), allow_pickle=False
  weights-other.npz  the other workspace's, if it has a network
Version 1 files (one workspace, no "mode") still open: their data set says which mode they belong to.
Saved atomically; loading reads and checks everything before anything is handed to the app, so a damaged or
foreign file raises ModelFileError and changes nothing. No Qt here.
"""
from __future__ import annotations

import copy
import dataclasses
import io
import json
import os
import struct
import zipfile
import zlib
from pathlib import Path

from app.project_parts import (check_part, clean_lesson, clean_params, clean_results, clean_runs, error,
                               json_safe, read_network)
from engine.version import __version__

FORMAT = "mlp-studio-project"
VERSION = 2
SUFFIX = ".mlpstudio"
MAX_JSON_BYTES = 64 * 2**20
MODES = ("digits", "playground")
OTHER_WEIGHTS = "weights-other.npz"


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
    mode: str = ""                         # the workspace this part is ('' : the data set says)
    runs: list = dataclasses.field(default_factory=list)   # the results table's runs of this workspace
    other: "Project | None" = None         # the other mode's workspace (its own handwriting/lesson unused)

    def __post_init__(self):
        if self.mode not in MODES:
            from engine.data.toy import TOY_NAMES
            self.mode = "playground" if str(self.dataset).lower() in TOY_NAMES else "digits"

    def __repr__(self) -> str:
        sizes = [self.spec.get("input_size")] + [l.get("units") for l in self.spec.get("layers", [])]
        return (f"Project({self.mode}: {'-'.join(map(str, sizes))}, dataset={self.dataset!r}, "
                f"weights={'yes' if self.network is not None else 'no'}, epochs={len(self.history)}"
                f"{', and the other mode' if self.other is not None else ''})")


def _part_meta(project: Project) -> dict:
    import numpy as np
    net = project.network
    history = project.history if project.history else list(getattr(net, "history", None) or [])
    return {"spec": project.spec if net is None else net.to_spec(), "settings": project.settings,
            "dataset": project.dataset, "dataset_params": project.dataset_params, "history": history,
            "trained": bool(project.trained and net is not None), "has_weights": net is not None,
            "results": project.results if net is not None else None, "runs": project.runs,
            "dtype": None if net is None else str(np.dtype(net.dtype))}


def _weights_bytes(net) -> bytes:
    import numpy as np
    arrays = {}
    for i, layer in enumerate(net.layers):
        arrays[f"W{i}"], arrays[f"b{i}"] = np.asarray(layer.W), np.asarray(layer.b)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


def save_project(path: str | os.PathLike, project: Project) -> Path:
    """Write the project atomically (the old file stays whole if anything fails); raises SaveError."""
    from engine.atomic import atomic_write

    path = Path(path)
    meta = {"format": FORMAT, "version": VERSION, "app": __version__, "mode": project.mode,
            **_part_meta(project), "handwriting": project.handwriting, "lesson": clean_lesson(project.lesson)}
    members = {"weights.npz": project.network}
    if project.other is not None:
        meta["other"] = {"mode": project.other.mode, **_part_meta(project.other)}
        members[OTHER_WEIGHTS] = project.other.network
    meta_bytes = json.dumps(json_safe(meta), indent=1, allow_nan=False).encode("utf-8")
    with atomic_write(path, "wb") as f:
        with zipfile.ZipFile(f, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr("project.json", meta_bytes)
            for name, net in members.items():
                if net is not None:
                    zf.writestr(name, _weights_bytes(net), compress_type=zipfile.ZIP_STORED)
    return path


def load_project(path: str | os.PathLike) -> Project:
    """Read and check a project file; ModelFileError (with a sentence) if it is damaged or foreign."""
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as zf:
            meta = _read_meta(path, zf)
            project = _read_part(path, zf, meta, "weights.npz")
            other = meta.get("other")
            if isinstance(other, dict) and meta["version"] >= 2:
                project.other = _read_part(path, zf, check_part(path, dict(other)), OTHER_WEIGHTS)
    except FileNotFoundError:
        raise error(path, "the file does not exist") from None
    except IsADirectoryError:
        raise error(path, "that is a folder") from None
    except PermissionError:
        raise error(path, "you do not have permission to read it") from None
    except (zipfile.BadZipFile, EOFError):
        raise error(path, "it is not an MLP Studio project (not a zip file), or it is damaged") from None
    except (OSError, ValueError, RuntimeError, struct.error, zlib.error, zipfile.LargeZipFile) as exc:
        # CRC mismatch, truncated or corrupted compressed data, encrypted members
        raise error(path, f"it is damaged ({exc})") from None
    project.handwriting = meta.get("handwriting") or None
    project.lesson = clean_lesson(meta.get("lesson"))
    if project.other is not None and project.other.mode == project.mode:
        project.other = None                        # two parts for one mode: the file was edited; keep the shown one
    return project


def _read_part(path: Path, zf: zipfile.ZipFile, part: dict, member: str) -> Project:
    net = read_network(path, zf, part, member) if part.get("has_weights") else None
    spec = net.to_spec() if net is not None else part["spec"]
    if net is not None:
        net.history = list(part.get("history") or [])
    mode = part.get("mode") if part.get("mode") in MODES else ""
    return Project(spec=spec, settings=part["settings"], network=net, dataset=str(part.get("dataset") or "sample"),
                   dataset_params=clean_params(part.get("dataset_params")), history=list(part.get("history") or []),
                   trained=bool(part.get("trained")) and net is not None,
                   results=clean_results(part.get("results")) if net is not None else None,
                   mode=mode, runs=clean_runs(part.get("runs")))


def _read_meta(path: Path, zf: zipfile.ZipFile) -> dict:
    try:
        info = zf.getinfo("project.json")
    except KeyError:
        raise error(path, "it is a zip file but not an MLP Studio project (no project.json inside)") from None
    if info.file_size > MAX_JSON_BYTES:
        raise error(path, "its project description is implausibly large")
    try:
        meta = json.loads(zf.read(info).decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise error(path, "its project description is not valid JSON; the file is damaged") from None
    if not isinstance(meta, dict) or meta.get("format") != FORMAT:
        raise error(path, "it is not an MLP Studio project")
    version = meta.get("version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise error(path, "its format version is missing")
    if version > VERSION:
        raise error(path, f"it was saved by a newer MLP Studio (project format {version}; this version reads "
                          f"up to {VERSION}). Please update MLP Studio")
    if not isinstance(meta.get("handwriting"), (str, type(None))):
        meta["handwriting"] = None
    return check_part(path, meta)


# ---- AppState <-> Project ----------------------------------------------------------------------------------

def _part_from(ws) -> Project:
    """One workspace as a project part (a copy: later training does not change a saved project)."""
    net = ws.network.copy() if ws.network is not None else None
    ds, params = ws.dataset, ws.dataset_params
    generated = dict(params) if params and getattr(ds, "key", ws.dataset_name) == ws.dataset_name else None
    return Project(spec=copy.deepcopy(ws.spec), settings=dict(ws.settings), network=net, dataset=ws.dataset_name,
                   dataset_params=generated, history=list(getattr(net, "history", None) or []),
                   trained=bool(ws.trained), results=ws.results, mode=ws.mode,
                   runs=json_safe([{k: r.get(k) for k in ("id", "label", "kind", "spec", "settings", "results",
                                                          "record")} for r in ws.runs]))


def from_state(state, handwriting: str | os.PathLike | None = None) -> Project:
    """The app's model as a project: the shown workspace, and the other one if it was used."""
    project = _part_from(state.ws)
    project.handwriting = None if handwriting is None else str(handwriting)
    other = state.workspaces[MODES[1 - MODES.index(state.mode)]]
    if other.visited or other.network is not None or other.runs:
        project.other = _part_from(other)
    return project


def apply_to_state(project: Project, state) -> None:
    """Make the app show the project: both workspaces (settings, spec, data set, then weights with their history,
    results and runs), the saved mode shown."""
    parts = {project.mode: project}
    if project.other is not None:
        parts[project.other.mode] = project.other
    state.open_workspaces(project.mode, {mode: dict(spec=p.spec, settings=p.settings, network=p.network,
                                                    trained=p.trained, results=p.results, runs=p.runs,
                                                    dataset=p.dataset, dataset_params=p.dataset_params or {})
                                         for mode, p in parts.items()})
