"""Render resources/icons/mlp-studio.svg to the PNG sizes desktops ask for: `python tools/render_icons.py`.

Re-run after editing the SVG; tests/test_desktop_icons.py checks the PNGs exist, have the right size and
match a fresh render.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1] / "resources" / "icons"     # a tool beside the package, not in it
SVG = HERE / "mlp-studio.svg"
SIZES = (16, 22, 24, 32, 48, 64, 128, 256)


def png_path(size: int) -> Path:
    return HERE / f"mlp-studio-{size}.png"


def render(size: int):
    """The SVG drawn antialiased on a transparent size x size QImage."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main() -> int:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    app = QGuiApplication.instance() or QGuiApplication(sys.argv[:1])  # noqa: F841  (QImage text needs it)
    for size in SIZES:
        if not render(size).save(str(png_path(size)), "PNG"):
            print(f"Could not write {png_path(size)}", file=sys.stderr)
            return 1
        print(png_path(size).name)
    return 0


if __name__ == "__main__":
    sys.exit(main())
