"""The PNG icons are the SVG rendered at each size (re-run tools/render_icons.py after editing the SVG)."""
import importlib.util
from pathlib import Path

import pytest

from app.desktop_entry import ICON_SIZES

ROOT = Path(__file__).resolve().parent.parent
ICONS = ROOT / "resources" / "icons"


def load_renderer():
    spec = importlib.util.spec_from_file_location("render_icons", ROOT / "tools" / "render_icons.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_render_script_and_desktop_entry_agree_on_sizes():
    assert tuple(load_renderer().SIZES) == tuple(ICON_SIZES)


@pytest.mark.parametrize("size", [16, 48, 256])
def test_png_matches_a_fresh_render_of_the_svg(qapp, size):
    from PySide6.QtGui import QImage

    fresh = load_renderer().render(size).convertToFormat(QImage.Format.Format_ARGB32)
    stored = QImage(str(ICONS / f"mlp-studio-{size}.png")).convertToFormat(QImage.Format.Format_ARGB32)
    assert (stored.width(), stored.height()) == (size, size)
    # Same picture: every pixel within 2 levels per channel (PNG is lossless; allow rasteriser drift).
    worst = max(abs(a - b) for y in range(size) for x in range(size)
                for a, b in zip(stored.pixelColor(x, y).getRgb(), fresh.pixelColor(x, y).getRgb()))
    assert worst <= 2


def test_icon_is_opaque_in_the_middle_and_transparent_in_the_corner(qapp):
    from PySide6.QtGui import QImage

    image = QImage(str(ICONS / "mlp-studio-64.png"))
    assert image.pixelColor(0, 0).alpha() == 0  # rounded tile: corners see the desktop through
    assert image.pixelColor(32, 32).alpha() == 255
