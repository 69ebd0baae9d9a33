"""Light and dark: follow the system palette (or the user's choice), and make pyqtgraph plots follow too.

"system" keeps the platform's palette and tracks its changes (QStyleHints.colorSchemeChanged); "light"/"dark" set an explicit Fusion palette. Plots get the palette's base colour as background and
its text colour for axes and legends, now and for plots created later (pg.setConfigOptions).
"""
from __future__ import annotations

import shiboken6
from PySide6.QtCore import QObject, Qt, QTimer, Signal, Slot
from PySide6.QtGui import QColor, QGuiApplication, QPalette

MODES = ("system", "light", "dark")


def dark_palette() -> QPalette:
    """Fusion's usual dark palette (text contrast >= 7:1 on window and base colours)."""
    p = QPalette()
    R = QPalette.ColorRole
    colors = {R.Window: "#2b2d30", R.WindowText: "#e6e6e6", R.Base: "#1e1f22", R.AlternateBase: "#2b2d30",
              R.ToolTipBase: "#3c3f41", R.ToolTipText: "#e6e6e6", R.PlaceholderText: "#8c8c8c",
              R.Text: "#e6e6e6", R.Button: "#3c3f41", R.ButtonText: "#e6e6e6", R.BrightText: "#ff6b6b",
              R.Light: "#4a4d50", R.Midlight: "#404346", R.Mid: "#35373a", R.Dark: "#1b1c1e", R.Shadow: "#000000",
              R.Highlight: "#3d7fe0", R.HighlightedText: "#ffffff", R.Link: "#6ea8ff", R.LinkVisited: "#b48cff"}
    for role, color in colors.items():
        p.setColor(role, QColor(color))
    for role in (R.WindowText, R.Text, R.ButtonText):
        p.setColor(QPalette.ColorGroup.Disabled, role, QColor("#7a7a7a"))
    return p


def light_palette() -> QPalette:
    from PySide6.QtWidgets import QStyleFactory
    style = QStyleFactory.create("Fusion")
    return style.standardPalette()


def is_dark(palette: QPalette | None = None) -> bool:
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Window).lightness() < 128


def plot_colors(palette: QPalette | None = None) -> tuple[QColor, QColor]:
    """(background, foreground) for plots under this palette."""
    palette = palette or QGuiApplication.palette()
    return palette.color(QPalette.ColorRole.Base), palette.color(QPalette.ColorRole.Text)


def _luminance(color: QColor) -> float:
    def lin(c: float) -> float:
        return c / 12.92 if c <= 0.04045 else ((c + 0.055) / 1.055) ** 2.4
    return 0.2126 * lin(color.redF()) + 0.7152 * lin(color.greenF()) + 0.0722 * lin(color.blueF())


def contrast_ratio(a: QColor, b: QColor) -> float:
    """WCAG 2 contrast ratio of two colours (1 to 21; text wants at least 4.5)."""
    la, lb = sorted((_luminance(a), _luminance(b)), reverse=True)
    return (la + 0.05) / (lb + 0.05)


def legible(color: QColor, background: QColor, ratio: float = 4.5) -> QColor:
    """`color`, darkened on a light background or lightened on a dark one until text in it reads (WCAG AA)."""
    h, s, l, _ = QColor(color).getHslF()
    darken = _luminance(background) > 0.18
    out = QColor(color)
    while contrast_ratio(out, background) < ratio and 0.0 < l < 1.0:
        l = max(0.0, l - 0.02) if darken else min(1.0, l + 0.02)
        out = QColor.fromHslF(max(h, 0.0), s, l)
    return out


def text_on(fill: QColor) -> QColor:
    """Black or white, whichever reads better on `fill` (either gives at least 4.58:1)."""
    black, white = QColor(0, 0, 0), QColor(255, 255, 255)
    return black if contrast_ratio(black, fill) >= contrast_ratio(white, fill) else white


def style_plots(app, roots=None) -> None:
    """Recolour the pyqtgraph views under `roots` (default: every window) and set the defaults for new ones."""
    import pyqtgraph as pg

    background, foreground = plot_colors(app.palette())
    pg.setConfigOptions(background=background, foreground=foreground)
    roots = app.topLevelWidgets() if roots is None else roots
    views = [r for r in roots if isinstance(r, pg.GraphicsView)]
    views += [w for root in roots for w in root.findChildren(pg.GraphicsView)]
    for widget in views:
        widget.setBackground(background)
        for item in widget.scene().items():
            if isinstance(item, pg.AxisItem):
                item.setPen(foreground)
                item.setTextPen(foreground)
                item.enableAutoSIPrefix(False)      # a loss of 0.69 read "690 (x0.001)": numbers as they are
            elif isinstance(item, pg.LegendItem):
                item.setLabelTextColor(foreground)
            elif isinstance(item, pg.LabelItem):            # titles and legend entries: re-render their HTML
                item.setAttr("color", foreground)
                item.setText(item.text)


class Theme(QObject):
    """Owns the app's light/dark state; `changed(bool dark)` after every switch."""
    changed = Signal(bool)

    def __init__(self, app, mode: str = "system", parent: QObject | None = None, window=None):
        super().__init__(parent if parent is not None else app)
        self.app = app
        self.window = window              # restyle this window's plots (None: every window's)
        self.mode = "system"
        hints = app.styleHints()
        if hasattr(hints, "colorSchemeChanged"):
            hints.colorSchemeChanged.connect(self._system_changed)
        self.set_mode(mode)

    def is_dark(self) -> bool:
        return is_dark(self.app.palette())

    def set_mode(self, mode: str) -> None:
        if mode not in MODES:
            raise ValueError(f"Unknown theme {mode!r}; choose one of {', '.join(MODES)}.")
        self.mode = mode
        hints = self.app.styleHints()
        if mode == "system":
            if hasattr(hints, "unsetColorScheme"):
                hints.unsetColorScheme()
            self.app.setPalette(QPalette())  # an empty palette resets to the platform's, which tracks the system
        else:
            if hasattr(hints, "setColorScheme"):  # Qt >= 6.8: native parts (title bars) follow too
                hints.setColorScheme(Qt.ColorScheme.Dark if mode == "dark" else Qt.ColorScheme.Light)
            self.app.setPalette(dark_palette() if mode == "dark" else light_palette())
        self._restyle()

    @Slot()
    def _restyle(self) -> None:
        if self.window is not None and not shiboken6.isValid(self.window):
            return  # the window is gone; this theme is about to be
        style_plots(self.app, None if self.window is None else [self.window])
        self.changed.emit(self.is_dark())

    @Slot()
    def _system_changed(self):
        if self.mode == "system":
            # The platform updates its palette around this signal: restyle once events settle.
            QTimer.singleShot(0, self, self._restyle)
