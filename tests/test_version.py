"""One version for the engine and the app (engine.version), which never raises: installed metadata, else the
checkout's pyproject.toml, else "0+unknown" (a frozen bundle or a copied folder has neither)."""
from __future__ import annotations

import re
import shutil
import subprocess
import sys
from importlib import metadata
from pathlib import Path

from engine import version

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT_VERSION = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)


def version_of_a_copy(tmp_path: Path, pyproject: str | None) -> str:
    """__version__ of engine/version.py copied into a folder (with or without a pyproject.toml beside it), imported
    by an interpreter that sees no installed packages (-I -S), as in a frozen bundle."""
    (tmp_path / "engine").mkdir()
    shutil.copy(ROOT / "engine" / "version.py", tmp_path / "engine" / "version.py")
    if pyproject is not None:
        (tmp_path / "pyproject.toml").write_text(pyproject)
    code = (f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
            "from engine.version import __version__; print(__version__)")
    out = subprocess.run([sys.executable, "-I", "-S", "-c", code], capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    return out.stdout.strip()


def test_without_metadata_or_pyproject_the_version_is_unknown_not_an_error(tmp_path):
    assert version_of_a_copy(tmp_path, None) == version.UNKNOWN == "0+unknown"


def test_a_pyproject_without_a_version_or_unreadable_gives_unknown(tmp_path):
    assert version_of_a_copy(tmp_path, "[project]\nname = 'x'\n") == version.UNKNOWN
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "pyproject.toml").write_bytes(b'version = "\xff\xfe"\n')
    assert version._from_pyproject(bad) is None


def test_a_checkout_that_pip_never_installed_reads_its_pyproject(tmp_path):
    assert version_of_a_copy(tmp_path, '[project]\nname = "mlp-studio"\nversion = "7.1.2"\n') == "7.1.2"


def test_metadata_comes_first_and_a_damaged_one_falls_through(monkeypatch):
    monkeypatch.setattr(metadata, "version", lambda name: "9.9.9")
    assert version.package_version() == "9.9.9"

    def broken(name):
        raise ValueError("malformed METADATA")
    monkeypatch.setattr(metadata, "version", broken)
    assert version.package_version() == PYPROJECT_VERSION          # this checkout's pyproject.toml
    monkeypatch.setattr(metadata, "version", lambda name: None)    # a .dist-info without a Version field
    assert version.package_version() == PYPROJECT_VERSION


def test_the_app_has_no_version_module_of_its_own_and_shows_the_engines(qapp):
    import engine
    from app.dialogs import about_text
    assert not (ROOT / "app" / "version.py").exists()
    assert engine.__version__ == version.__version__ == PYPROJECT_VERSION
    assert f"MLP Studio {engine.__version__}" in about_text()


def test_a_saved_project_records_the_engines_version(tmp_path):
    import json
    import zipfile

    from app.project import Project, save_project
    spec = {"input_size": 4, "layers": [{"units": 2, "activation": "softmax"}], "loss": "cross_entropy", "seed": 0}
    path = save_project(tmp_path / "p.mlpstudio", Project(spec=spec))
    assert json.loads(zipfile.ZipFile(path).read("project.json"))["app"] == version.__version__
