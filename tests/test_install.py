"""Installs: the wheel builds without a setuptools warning; installed alone into a fresh virtual environment (what
pipx does) it runs both commands while another project's `app` and `engine` live elsewhere; installed into a fresh
--prefix it finds the bundled digits and icons with the source tree off sys.path; the editable install reads the
checkout's resources/; pyproject lists every package; the licenses travel in the wheel."""
from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import sysconfig
import venv
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
def build(tmp_path_factory) -> tuple[Path, str]:
    """The wheel pip builds (in its own build environment, as `pip install .` does) from a copy of the checkout,
    so the build leaves no build/ folder behind in the tree; and the build backend's output (-v shows it)."""
    source, out = tmp_path_factory.mktemp("src") / "mlp-studio", tmp_path_factory.mktemp("wheel")
    shutil.copytree(ROOT, source, ignore=SKIP_COPY)
    done = subprocess.run([sys.executable, "-m", "pip", "wheel", "-v", "--no-deps", "-w", str(out), str(source)],
                          capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stderr
    (path,) = out.glob("mlp_studio-*.whl")
    return path, done.stdout + done.stderr


@pytest.fixture(scope="module")
def wheel(build) -> Path:
    return build[0]


@pytest.mark.slow
def test_the_wheel_builds_without_setuptools_warnings(build):
    # setuptools' warnings are Python warnings (_Warning, SetuptoolsDeprecationWarning ...) framed by "!!" lines;
    # pip's own "WARNING: Location ... is ignored" lines come from this machine's pip configuration, not the build
    warnings = [line.strip() for line in build[1].splitlines() if "Warning" in line or line.strip() == "!!"]
    assert warnings == []


@pytest.mark.slow
def test_wheel_carries_the_resources_as_package_data_and_the_license(wheel):
    names = zipfile.ZipFile(wheel).namelist()
    for name in ("mlp_resources/__init__.py", "mlp_resources/mnist-sample/train-images-idx3-ubyte.gz",
                 "mlp_resources/mnist-sample/t10k-labels-idx1-ubyte.gz", "mlp_resources/icons/mlp-studio.svg",
                 "mlp_resources/icons/mlp-studio-48.png", "app/widgets/guide/course.txt"):
        assert name in names, name
    assert not [n for n in names if ".data/data/" in n], "deprecated data-files must not be used"
    assert any(n.endswith(".dist-info/licenses/LICENSE") or n.endswith(".dist-info/LICENSE") for n in names)
    assert not [n for n in names if n.endswith("render.py")], "the icon renderer is a tool, not part of the package"
    meta = next(n for n in names if n.endswith(".dist-info/METADATA"))
    metadata = zipfile.ZipFile(wheel).read(meta).decode()
    assert "License-Expression: MIT AND CC-BY-SA-3.0 AND CC-BY-4.0" in metadata.splitlines()
    for sources in ("resources/mnist-sample/SOURCES.md", "resources/pendigits/SOURCES.md"):
        assert f"License-File: {sources}" in metadata.splitlines()
        licensed = next(n for n in names if n.endswith(f".dist-info/licenses/{sources}"))
        assert zipfile.ZipFile(wheel).read(licensed) == (ROOT / sources).read_bytes()


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
    sections = (ROOT / "app" / "widgets" / "guide" / "course.txt").read_text(encoding="utf-8").count("\n## ")
    assert got["course"][:2] == ["network", "perceptron"] and len(got["course"]) == sections  # course.txt came along


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


def test_the_code_license_is_mit_and_listed_first():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License") and "2026 MLP Studio developers" in text
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'license = "MIT AND ' in pyproject and 'license-files = ["LICENSE", ' in pyproject


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"{name},sha256={digest},{len(data)}"


def other_project_wheel(folder: Path) -> Path:
    """A wheel of another application that, like this one, names its top-level packages `app` and `engine`."""
    files = {"app/__init__.py": b'WHO = "other-tool"\n', "engine/__init__.py": b'WHO = "other-tool"\n',
             "other_tool-1.0.dist-info/METADATA": b"Metadata-Version: 2.1\nName: other-tool\nVersion: 1.0\n",
             "other_tool-1.0.dist-info/WHEEL": b"Wheel-Version: 1.0\nGenerator: test\nRoot-Is-Purelib: true\n"
                                                b"Tag: py3-none-any\n"}
    record = "\n".join([_record_line(n, d) for n, d in files.items()] + ["other_tool-1.0.dist-info/RECORD,,"])
    path = folder / "other_tool-1.0-py3-none-any.whl"
    with zipfile.ZipFile(path, "w") as z:
        for name, data in files.items():
            z.writestr(name, data)
        z.writestr("other_tool-1.0.dist-info/RECORD", record + "\n")
    return path


def fresh_venv(folder: Path, wheel: Path, deps: bool = False) -> Path:
    """A new virtual environment holding only `wheel` (installed by this pip, run inside it, as pipx does); with
    deps, NumPy, PySide6 & co. come from this test's own environment (a .pth line) instead of the network."""
    venv.create(folder, with_pip=False)
    python = folder / ("Scripts" if os.name == "nt" else "bin") / "python"
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "-q", "--no-deps",
                           "--no-index", str(wheel)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    if deps:
        site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_path('purelib'))"],
                              capture_output=True, text=True, check=True).stdout.strip()
        # a plain path line: the .pth files in there (this checkout's editable install) are not run
        (Path(site) / "_test_dependencies.pth").write_text(sysconfig.get_path("purelib") + "\n")
    return python


def run_in(python: Path, argv: list, cwd: Path, **env) -> subprocess.CompletedProcess:
    """argv run as from a shell whose PATH has that environment's bin/ (as pipx's ~/.local/bin) and no other."""
    clean = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME", "VIRTUAL_ENV")}
    clean.update(env, PATH=os.pathsep.join([str(python.parent), "/usr/bin", "/bin"]))
    return subprocess.run([str(a) for a in argv], cwd=cwd, env=clean, capture_output=True, text=True, timeout=300)


@pytest.mark.slow
@pytest.mark.skipif(os.name == "nt", reason="the venv layout and launchers below are POSIX's")
def test_pipx_style_install_runs_both_commands_beside_another_app_package(wheel, tmp_path):
    other = other_project_wheel(tmp_path)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    # a shared environment: the last install owns app/ and engine/, and pip says nothing
    shared = fresh_venv(tmp_path / "shared", other)
    done = subprocess.run([sys.executable, "-m", "pip", "--python", str(shared), "install", "-q", "--no-deps",
                           "--no-index", str(wheel)], capture_output=True, text=True, timeout=600)
    assert done.returncode == 0, done.stderr
    assert run_in(shared, [shared, "-c", "import app; print(app.WHO)"], elsewhere).returncode != 0   # other-tool broken

    # pipx's way: each application alone in an environment of its own
    user = fresh_venv(tmp_path / "user", other)
    mlp = fresh_venv(tmp_path / "mlp-studio", wheel, deps=True)
    bindir = mlp.parent
    assert run_in(user, [user, "-c", "import app, engine; print(app.WHO, engine.WHO)"], elsewhere).stdout.split() == \
        ["other-tool", "other-tool"]
    got = run_in(mlp, [mlp, "-c", PROBE], elsewhere)
    assert got.returncode == 0, got.stderr
    probe = json.loads(got.stdout.strip().splitlines()[-1])
    assert Path(probe["engine"]).resolve().is_relative_to((tmp_path / "mlp-studio").resolve())
    assert probe["sample"] == "(5000, 784)" and probe["svg_ok"] and probe["version"] == _pyproject_version()
    train = run_in(mlp, ["mlp-train", "--help"], elsewhere)
    assert train.returncode == 0 and "train" in train.stdout and (bindir / "mlp-train").read_text().startswith(
        f"#!{mlp}")
    menu = run_in(mlp, ["mlp-studio", "--install-desktop-entry"], elsewhere,
                  XDG_DATA_HOME=str(tmp_path / "share"))
    assert menu.returncode == 0, menu.stderr
    entry = (tmp_path / "share" / "applications" / "mlp-studio.desktop").read_text()
    assert f"Exec={bindir / 'mlp-studio'} %F" in entry.splitlines()     # the menu starts the isolated launcher
