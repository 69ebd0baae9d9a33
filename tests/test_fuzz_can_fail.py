"""Tests of the fuzz tests: each one, run on a valid file against a deliberately broken reader, must fail.

A fuzz test whose checks are never asserted passes whatever the reader returns; these keep that from coming back.
"""
from __future__ import annotations

import types

import numpy as np
import pytest

import test_fuzz_project as project_fuzz
import test_fuzz_readers as readers
from engine.network import Network
from helpers_fuzz import scratch_file

NAN_X = np.full((2, 16), np.nan, np.float32)
Y = np.zeros(2, np.int64)


def nan_network(*_):
    net = Network.from_spec(readers.SPEC)
    net.layers[0].W[...] = np.nan
    return net


def body(test):
    """The plain function under @given, called with one chosen example."""
    return test.hypothesis.inner_test


def test_a_false_check_fails_instead_of_reporting_accepted():
    with scratch_file("train-images-idx3-ubyte", readers.IDX_IMAGES) as p:
        with pytest.raises(AssertionError, match="accepted the file"):
            readers.only_engine_errors(readers.read_idx, lambda a: False, p)
        assert readers.only_engine_errors(readers.read_idx, lambda a: True, p) == "accepted"


BROKEN = [  # (fuzz test, what to replace in its module, the broken reader, one valid example)
    ("test_idx_headers_with_wrong_or_huge_sizes", "read_idx", lambda p: np.zeros(10**6, np.uint8),
     dict(content=readers.IDX_IMAGES, gz=False)),
    ("test_idx_random_and_mutated_bytes", "read_idx", lambda p: "garbage", dict(content=readers.IDX_IMAGES_GZ)),
    ("test_idx_pairs_with_bad_labels_and_pixels", "load_idx_pair", lambda *a: (NAN_X, Y),
     dict(labels=[0, 1], code=0x08, pixels="uint8")),
    ("test_npz_data_sets_with_hostile_values", "load_dataset",
     lambda p: types.SimpleNamespace(x_train=NAN_X, y_train=Y, x_test=NAN_X, y_test=Y, n_classes=10),
     dict(content=readers.DATA_NPZ, name="d")),
    ("test_npz_random_and_mutated_bytes", "load_npz", lambda p: (NAN_X, Y, NAN_X, Y), dict(content=readers.DATA_NPZ)),
    ("test_csv_hostile_text", "load_csv", lambda p: (NAN_X * 0 + 2, -Y - 1), dict(content=readers.CSV_TEXT, name="d")),
]


@pytest.mark.parametrize("name,attr,broken,example", BROKEN, ids=[b[0] for b in BROKEN])
def test_reader_fuzz_test_fails_on_a_broken_reader(monkeypatch, name, attr, broken, example):
    test = getattr(readers, name)
    body(test)(**example)                        # the real reader passes on the valid example
    monkeypatch.setattr(readers, attr, broken)
    with pytest.raises(AssertionError):
        body(test)(**example)


@pytest.mark.parametrize("name", ["test_model_files_with_forged_contents", "test_model_random_and_mutated_bytes"])
def test_model_fuzz_test_fails_on_a_broken_loader(monkeypatch, name):
    test = getattr(readers, name)
    example = dict(content=readers.MODEL_NPZ, **({"name": "m"} if "forged" in name else {}))
    body(test)(**example)
    monkeypatch.setattr(Network, "load", staticmethod(nan_network))
    with pytest.raises(AssertionError):
        body(test)(**example)


def test_project_fuzz_test_fails_on_a_broken_loader(monkeypatch):
    test = body(project_fuzz.test_project_loader_refuses_with_model_file_error_only)
    test(content=project_fuzz.GOOD_PROJECT, name="p")
    broken = project_fuzz.Project(spec=project_fuzz.SPEC, network=nan_network())
    monkeypatch.setattr(project_fuzz, "load_project", lambda p: broken)
    with pytest.raises(AssertionError):
        test(content=project_fuzz.GOOD_PROJECT, name="p")


def test_settings_fuzz_test_fails_on_a_broken_reader(monkeypatch):
    from app.settings import Settings
    test = body(project_fuzz.test_settings_file_of_any_content_gives_sane_values)
    content = b"[General]\ntheme=dark\n"
    test(content=content, monkeypatch=monkeypatch)
    monkeypatch.setattr(Settings, "theme", lambda self: "no such theme")
    with pytest.raises(AssertionError):
        test(content=content, monkeypatch=monkeypatch)


@pytest.mark.parametrize("ci, derandomized", [("1", True), (None, False)])
def test_hypothesis_is_reproducible_under_ci_and_names_the_replay_elsewhere(ci, derandomized):
    import os
    import subprocess
    import sys
    from pathlib import Path
    code = ("import conftest, helpers_fuzz; s = helpers_fuzz.fuzz_settings(5);"
            "print(s.derandomize, s.print_blob, s.database)")
    env = {k: v for k, v in os.environ.items() if k != "CI"} | ({} if ci is None else {"CI": ci})
    out = subprocess.run([sys.executable, "-c", code], cwd=Path(__file__).parent, env=env, capture_output=True,
                         text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(derandomized), "True", "None"]
