"""WCAG 2 contrast, computed here independently of the app (the oracle for the readability tests).

contrast_ratio(a, b): (L1 + 0.05) / (L2 + 0.05) of the relative luminances; AA asks >= 4.5 for normal text.
Also: the colours pyqtgraph items actually render their text with, and the text colours of rendered pixels.
"""
from __future__ import annotations

import re
from collections import Counter

from PySide6.QtGui import QColor

AA = 4.5


def _linear(channel: int) -> float:
    c = channel / 255
    return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4


def relative_luminance(color: QColor) -> float:
    return 0.2126 * _linear(color.red()) + 0.7152 * _linear(color.green()) + 0.0722 * _linear(color.blue())


def contrast_ratio(a: QColor, b: QColor) -> float:
    la, lb = sorted((relative_luminance(QColor(a)), relative_luminance(QColor(b))), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def html_colors(html: str) -> list[QColor]:
    """Every `color:` in an HTML fragment (span styles, Qt's toHtml output), as opaque QColors."""
    out = []
    for value in re.findall(r"(?<![-\w])color\s*:\s*(#[0-9a-fA-F]{6,8}|rgb\([^)]*\))", html):
        if value.startswith("rgb"):
            out.append(QColor(*[int(float(v)) for v in value[4:-1].split(",")][:3]))
        elif len(value) == 9:                        # pyqtgraph writes #AARRGGBB
            out.append(QColor("#" + value[3:]))
        else:
            out.append(QColor(value))
    return out


def text_span_colors(html: str) -> list[QColor]:
    """Colours of the spans that hold text; a span of only a swatch glyph (■) is a graphic, not text."""
    out = []
    for style, content in re.findall(r"<span style=['\"]([^'\"]*)['\"]>(.*?)</span>", html, flags=re.S):
        if re.search(r"\w", re.sub(r"<[^>]+>", "", content)):
            out += html_colors(style)
    return out


def plot_texts(plot_widget) -> dict[str, QColor]:
    """What a pyqtgraph PlotWidget draws as text -> the colour it is drawn in (title, axis labels, ticks, legend)."""
    import pyqtgraph as pg
    item = plot_widget.getPlotItem()
    texts = {}
    title = item.titleLabel
    if title.isVisible() and title.text:
        texts[f"title {title.text!r}"] = html_colors(title.item.toHtml())[-1]
    for name in ("left", "bottom", "right", "top"):
        axis = item.getAxis(name)
        if not axis.isVisible():
            continue
        texts[f"{name} ticks"] = axis.textPen().color()
        if axis.label.isVisible() and axis.labelText:
            texts[f"{name} label {axis.labelText!r}"] = html_colors(axis.label.toHtml())[-1]
    legend = item.legend
    if isinstance(legend, pg.LegendItem):
        for _, label in legend.items:
            texts[f"legend {label.text!r}"] = html_colors(label.item.toHtml())[-1]
    return texts


def plot_background(plot_widget) -> QColor:
    return plot_widget.backgroundBrush().color()


def ink_contrast(image, rect, background: QColor) -> float:
    """The highest contrast of any pixel in `rect` of a QImage against `background`: the text's core colour
    (antialiased edges only lower it). 1.0 when the rect holds no text."""
    best = 1.0
    seen = Counter()
    for y in range(max(0, rect.top()), min(image.height(), rect.bottom() + 1)):
        for x in range(max(0, rect.left()), min(image.width(), rect.right() + 1)):
            seen[image.pixel(x, y)] += 1
    for rgb in seen:
        best = max(best, contrast_ratio(QColor.fromRgb(rgb), background))
    return best
