"""MLP Studio's version, the one source for the engine and the app; it never raises.

In order: the installed package's metadata, else pyproject.toml beside a checkout that pip never installed, else
UNKNOWN (a frozen bundle or a copied folder may have neither).
"""
from __future__ import annotations

import re
from importlib import metadata
from pathlib import Path

DIST_NAME = "mlp-studio"
UNKNOWN = "0+unknown"      # a valid PEP 440 version, so tools that parse it do not choke


def _from_metadata() -> str | None:
    try:
        return metadata.version(DIST_NAME) or None
    except Exception:      # not installed, or a damaged .dist-info: the next source answers
        return None


def _from_pyproject(folder: Path) -> str | None:
    try:
        text = (folder / "pyproject.toml").read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    match = re.search(r'^version\s*=\s*"([^"]+)"', text, re.MULTILINE)
    return match.group(1) if match else None


def package_version() -> str:
    return _from_metadata() or _from_pyproject(Path(__file__).resolve().parent.parent) or UNKNOWN


__version__ = package_version()
