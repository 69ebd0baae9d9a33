"""Installs: a built wheel installed into a fresh --prefix finds the bundled digits and icons with the source tree
off sys.path; the editable install reads the checkout's resources/; pyproject lists every package; the LICENSE."""
from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest
from setuptools import find_packages

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys
from pathlib import Path
import engine
from engine.data import load_dataset
from app.paths import icon_path
from app.widgets.guide.sections import SECTIONS
ds = load_dataset("sample")
print(json.dumps({"engine": engine.__file__, "version": engine.__version__, "sample": str(ds.x_train.shape),
                  "test": len(ds.x_test), "svg": str(icon_path()), "svg_ok": icon_path().is_file(),
                  "png_ok": icon_path(48).is_file(), "path": sys.path,
                  "course": [s.key for s in SECTIONS]}))
"""


def _pyproject_version() -> str:
    return re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def _run_probe(env_path: list[str], cwd: Path) -> dict:
    # -S: no site processing, so the venv's editable-install finder (which maps engine to the checkout) is off
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONSAFEPATH")}
    env["PYTHONPATH"] = os.pathsep.join(env_path)
    out = subprocess.run([sys.executable, "-S", "-c", PROBE], cwd=cwd, env=env, capture_output=True, text=True,
                         timeout=300)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


SKIP_COPY = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache")


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """The wheel pip builds (in its own build environment, as `pip install .` does) from a copy of the checkout,
    so the build leaves no build/ folder behind in the tree."""
    source, out = tmp_path_factory.mktemp("src") / "mlp-studio", tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, source, ignore=SKIP_COPY)
    build = subprocess.run([sys.executable, "-m", "pip", "wheel", "-q", "--no-deps", "-w", str(out), str(source)],
                           capture_output=True, text=True, timeout=900)
    assert build.returncode == 0, build.stderr
    (path,) = out.glob("mlp_studio-*.whl")
    return path


@pytest.mark.slow
def test_wheel_carries_the_resources_as_package_data_and_the_license(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("mlp_resources/__init__.py", "mlp_resources/mnist-sample/train-images-idx3-ubyte.gz",
                 "mlp_resources/mnist-sample/t10k-labels-idx1-ubyte.gz", "mlp_resources/icons/mlp-studio.svg",
                 "mlp_resources/icons/mlp-studio-48.png", "app/widgets/guide/course.txt"):
        assert name in names, name
    assert not [n for n in names if ".data/data/" in n], "deprecated data-files must not be used"
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names)
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    assert "License-Expression: MIT" in zipfile.ZipFile(wheel).read(meta).decode()


@pytest.mark.slow
def test_wheel_installed_into_a_fresh_prefix_loads_the_sample_and_icons(wheel, tmp_path):
    prefix = tmp_path / "prefix"
    # --ignore-installed: without it pip removes the venv's own (editable) mlp-studio before installing
    install = subprocess.run([sys.executable, "-m", "pip", "install", "-q", "--no-deps", "--no-index",
                              "--ignore-installed", "--prefix", str(prefix), str(wheel)],
                             capture_output=True, text=True, timeout=600)
    assert install.returncode == 0, install.stderr
    site = Path(sysconfig.get_path("purelib", vars={"base": str(prefix), "platbase": str(prefix)}))
    assert (site / "engine").is_dir()
    deps = sysconfig.get_path("purelib")          # numpy & co. from the venv, without its .pth files
    cwd = tmp_path / "elsewhere"
    cwd.mkdir()
    got = _run_probe([str(site), deps], cwd)
    assert Path(got["engine"]).resolve().is_relative_to(site.resolve())
    assert not [p for p in got["path"] if p and Path(p).resolve() == ROOT]
    assert got["sample"] == "(5000, 784)" and got["test"] == 10_000
    assert got["svg_ok"] and got["png_ok"] and Path(got["svg"]).resolve().is_relative_to(site.resolve())
    assert got["version"] == _pyproject_version()
    assert got["course"][:2] == ["network", "perceptron"] and len(got["course"]) == 9     # course.txt came along


def test_editable_install_reads_the_checkouts_resources(tmp_path):
    code = ("import json; from engine.data.paths import resources_dir; import engine;"
            "print(json.dumps([str(resources_dir()), engine.__version__]))")
    out = subprocess.run([sys.executable, "-c", code], cwd=tmp_path, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    folder, version = json.loads(out.stdout)
    assert Path(folder).resolve() == ROOT / "resources"
    assert version == _pyproject_version()


def test_pyproject_lists_every_package_folder():
    listed = re.search(r"^packages = \[(.*?)\]", (ROOT / "pyproject.toml").read_text(), re.M | re.S).group(1)
    listed = set(re.findall(r'"([^"]+)"', listed))
    on_disk = set(find_packages(str(ROOT), include=["engine*", "app*", "bench*"]))
    assert on_disk - listed == set(), "add these packages to [tool.setuptools] packages in pyproject.toml"
    assert "mlp_resources" in listed


def test_license_is_mit_and_named_in_pyproject():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "2026 MLP Studio developers" in text
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'license = "MIT"' in pyproject and 'license-files = ["LICENSE"]' in pyproject
