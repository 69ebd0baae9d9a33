"""Fuzzed project files (.mlpstudio) and settings files, read by the engine-side loader and by the running app.

A project or settings file may be damaged, hand-edited or made by someone else: loading it raises ModelFileError
(project) or falls back to defaults (settings); opening it in the app never raises inside a Qt slot.
"""
from __future__ import annotations

import io
import json
import zipfile

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.project import Project, load_project, save_project
from engine.errors import EngineError, ModelFileError
from engine.network import Network
from helpers_app import make_window, quiet, settle
from helpers_fuzz import file_names, fuzz_settings, mutated, scratch_file

SPEC = {"input_size": 784, "layers": [{"units": 4, "activation": "relu"}, {"units": 10, "activation": "softmax"}],
        "loss": "cross_entropy", "seed": 0}
NET = Network.from_spec(SPEC)
GOOD_META = {"format": "mlp-studio-project", "version": 1, "spec": SPEC,
             "settings": {"optimizer": "adam", "lr": 0.01, "batch_size": 16, "epochs": 2},
             "dataset": "sample", "handwriting": None, "trained": True, "has_weights": True, "dtype": "float32",
             "history": [{"epoch": 1, "epochs": 2, "train_loss": 0.9, "train_accuracy": 0.6, "val_loss": 1.0,
                          "val_accuracy": 0.5, "lr": 0.01, "seconds": 0.1, "elapsed": 0.1, "is_best": True}]}

json_values = st.recursive(st.none() | st.booleans() | st.integers(-2**70, 2**70) |
                           st.floats(allow_nan=False) | st.text(max_size=10),
                           lambda inner: st.lists(inner, max_size=4) |
                           st.dictionaries(st.text(max_size=10), inner, max_size=4), max_leaves=10)
hostile_numbers = st.sampled_from([0, -1, 1e308, -1e-9, 10**12, 2**63, 0.5, "0.01", None, [], {}, True, "adam"])
setting_names = st.sampled_from(["optimizer", "lr", "momentum", "batch_size", "epochs", "weight_decay",
                                 "schedule", "step_size", "gamma", "min_lr", "val_fraction", "patience", "seed",
                                 "augment", "probe_every", "bogus"])


@st.composite
def forged_meta(draw):
    """The good description with one or two fields replaced by something hostile (or dropped)."""
    meta = json.loads(json.dumps(GOOD_META))
    for _ in range(draw(st.integers(1, 2))):
        how = draw(st.sampled_from(["settings", "settings", "history", "history", "spec", "field", "drop"]))
        if how == "settings":
            meta["settings"] = draw(st.dictionaries(setting_names, hostile_numbers | json_values, max_size=6))
        elif how == "history":
            meta["history"] = draw(st.lists(json_values | st.dictionaries(
                st.sampled_from(["epoch", "train_loss", "val_loss", "train_accuracy", "val_accuracy", "lr"]),
                hostile_numbers, max_size=6), max_size=5))
        elif how == "spec":
            meta["spec"] = {**SPEC, "layers": [{"units": draw(st.sampled_from([4, 0, 10**6])),
                                                "activation": draw(st.sampled_from(["relu", "softmax", "x"]))},
                                               SPEC["layers"][1]]}
        elif how == "field":
            meta[draw(st.sampled_from(list(GOOD_META) + ["extra"]))] = draw(json_values)
        else:
            meta.pop(draw(st.sampled_from(list(GOOD_META))), None)
    return meta


def weights_bytes(draw) -> bytes:
    arrays = {}
    for i, layer in enumerate(NET.layers):
        for key, a in ((f"W{i}", layer.W), (f"b{i}", layer.b)):
            kind = draw(st.sampled_from(["ok"] * 12 + ["nan", "shape", "missing", "str"]))
            if kind == "ok":
                arrays[key] = a
            elif kind == "nan":
                arrays[key] = np.full_like(a, np.nan)
            elif kind == "shape":
                arrays[key] = a.T.copy() if a.ndim == 2 else a[:-1]
            elif kind == "str":
                arrays[key] = np.array(["x"] * a.size)
    buf = io.BytesIO()
    np.savez(buf, **arrays)
    return buf.getvalue()


@st.composite
def forged_projects(draw) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("project.json", json.dumps(draw(forged_meta())))
        if draw(st.integers(0, 4)):
            zf.writestr("weights.npz", weights_bytes(draw))
    return buf.getvalue()


def good_project_bytes() -> bytes:
    with scratch_file("p.mlpstudio", b"") as p:
        net = NET.copy()
        net.history = GOOD_META["history"]
        save_project(p, Project(spec=SPEC, settings=GOOD_META["settings"], network=net, trained=True))
        return p.read_bytes()


GOOD_PROJECT = good_project_bytes()


def load_or_refuse(path):
    try:
        return load_project(path)
    except ModelFileError as e:
        assert str(e).strip()
        return None


@fuzz_settings(500)
@given(content=st.one_of(forged_projects(), mutated(GOOD_PROJECT), st.binary(max_size=200)), name=file_names)
def test_project_loader_refuses_with_model_file_error_only(content, name):
    with scratch_file(name + ".mlpstudio", content) as p:
        project = load_or_refuse(p)
    if project is not None:
        assert isinstance(project.settings, dict) and isinstance(project.history, list)
        if project.network is not None:
            assert all(np.isfinite(l.W).all() for l in project.network.layers)


# ---- the same files opened in the running app ---------------------------------------------------------------
@pytest.fixture
def window(tmp_path, monkeypatch, qtbot):
    return make_window(qtbot, tmp_path, monkeypatch, show=False)


@fuzz_settings(150)
@given(content=st.one_of(forged_projects(), mutated(GOOD_PROJECT)))
def test_app_opens_forged_projects_without_an_error_in_any_slot(window, qtbot, content):
    """Whatever the file holds, opening it shows it or says why; the app stays able to build a config."""
    with scratch_file("forged.mlpstudio", content) as p, qtbot.capture_exceptions() as errors:
        window.document.open_path(p, ask=False)
        qtbot.wait(1)
    assert not errors, "".join(f"{type(e).__name__}: {e}\n" for _, e, _ in errors)
    try:
        window.state.config().validate()
    except EngineError as e:      # hostile settings are refused when training starts, with a sentence
        assert str(e).strip()


# ---- settings -------------------------------------------------------------------------------------------
ini_values = st.sampled_from(['{"input_size": 784}', "[1, 2", "@ByteArray(\\0\\xff)", "@Invalid()", "dark",
                              "solarized", "", "null", "[]", '["/tmp/x.mlpstudio", 3, null]', "1e999",
                              json.dumps(GOOD_META["settings"]), json.dumps(SPEC), '{"lr": "fast"}',
                              '{"batch_size": 1e12, "epochs": -5}', '"just a string"', "\u00e9\u00e8\u2603"])
ini_keys = st.sampled_from(["recentFiles", "theme", "lastSpec", "lastSettings", "lastFolder", "window/geometry",
                            "window/state"])


@st.composite
def ini_files(draw) -> bytes:
    lines = ["[General]"]
    for key, value in draw(st.dictionaries(ini_keys, ini_values | st.text(max_size=30), max_size=7)).items():
        lines.append(f"{key}={value}")
    text = "\n".join(lines) + "\n"
    return draw(st.one_of(st.just(text.encode()), mutated(text.encode()), st.binary(max_size=120)))


@fuzz_settings(600)
@given(content=ini_files())
def test_settings_file_of_any_content_gives_sane_values(content, monkeypatch):
    from app.settings import THEMES, Settings
    with scratch_file("settings.ini", content) as p:
        monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(p))
        s = Settings()
        assert all(isinstance(f, str) for f in s.recent_files())
        assert s.theme() in THEMES
        spec, settings = s.last_session()
        assert spec is None or isinstance(spec, dict)
        assert settings is None or isinstance(settings, dict)
        assert isinstance(s.last_folder(), str)


@fuzz_settings(8)
@given(content=ini_files())
def test_app_starts_with_any_settings_file(content, qtbot, tmp_path_factory, monkeypatch):
    """A damaged or hand-edited settings file never stops the app from starting and training."""
    from app.main_window import MainWindow
    folder = tmp_path_factory.mktemp("ini")
    (folder / "settings.ini").write_bytes(content)
    monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(folder / "settings.ini"))
    monkeypatch.setenv("MLP_STUDIO_DATA_DIR", str(folder / "data"))
    with qtbot.capture_exceptions() as errors:
        w = quiet(MainWindow())
        w.show()
        qtbot.wait(1)
        try:
            w.state.config().validate()
        except EngineError:
            pass
        settle(w)
        w.close()
        w.deleteLater()
    assert not errors, "".join(f"{type(e).__name__}: {e}\n" for _, e, _ in errors)


@pytest.mark.parametrize("history", [[{"epoch": 2**63}], [{"epoch": 1, "train_loss": 2**63}], [{"epoch": -1}]])
def test_a_history_with_numbers_no_run_makes_opens_without_an_error(window, qtbot, tmp_path, history):
    """Hypothesis found it: an epoch of 2**63 in the file reached a Qt signal and overflowed its conversion (an
    exception in a slot). Such rows or values are dropped; the rest of the project opens."""
    import json
    import zipfile
    good = tmp_path / "good.mlpstudio"
    good.write_bytes(GOOD_PROJECT)
    with zipfile.ZipFile(good) as z:
        files = {name: z.read(name) for name in z.namelist()}
    meta = json.loads(files["project.json"])
    meta["history"] = history
    files["project.json"] = json.dumps(meta).encode()
    forged = tmp_path / "forged.mlpstudio"
    with zipfile.ZipFile(forged, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
    with qtbot.capture_exceptions() as errors:
        window.document.open_path(forged, ask=False)
        qtbot.wait(1)
    assert not errors, "".join(f"{type(e).__name__}: {e}\n" for _, e, _ in errors)
    assert all(abs(v) < 2**53 for row in window.state.network.history for v in row.values()
               if isinstance(v, (int, float)) and v is not None)
