"""The only place in the app that knows where the bundled resources/ folder is."""
from __future__ import annotations

from pathlib import Path

from engine.data.paths import resources_dir

RESOURCES = resources_dir()
ICONS = RESOURCES / "icons"
SAMPLE = RESOURCES / "mnist-sample"


def icon_path(size: int | None = None) -> Path:
    """The app icon: the SVG, or the PNG of the given pixel size."""
    return ICONS / ("mlp-studio.svg" if size is None else f"mlp-studio-{size}.png")


def resource(*parts: str) -> Path:
    return RESOURCES.joinpath(*parts)
