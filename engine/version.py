"""The package version: from the installed metadata, else (a source checkout never installed) from pyproject.toml."""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

DIST_NAME = "mlp-studio"


def _from_pyproject() -> str:
    pyproject = Path(__file__).resolve().parent.parent / "pyproject.toml"
    match = re.search(r'^version\s*=\s*"([^"]+)"', pyproject.read_text(encoding="utf-8"), re.MULTILINE)
    if match is None:
        raise RuntimeError(f"{pyproject} names no version")
    return match.group(1)


def package_version() -> str:
    try:
        return metadata.version(DIST_NAME)
    except metadata.PackageNotFoundError:    # run from a checkout that pip never installed
        return _from_pyproject()


__version__ = package_version()
