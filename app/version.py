"""MLP Studio's version: from the installed package, or from pyproject.toml when run from the source folder."""
from __future__ import annotations

import re
from pathlib import Path


def app_version() -> str:
    try:
        from importlib.metadata import version
        return version("mlp-studio")
    except Exception:  # run from the source folder, not pip-installed: read pyproject.toml
        try:
            text = (Path(__file__).resolve().parent.parent / "pyproject.toml").read_text(encoding="utf-8")
        except OSError:
            return "unknown"
        match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.M)
        return match.group(1) if match else "unknown"
