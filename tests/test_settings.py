"""QSettings persistence (a temporary ini file) and the light/dark theme, including pyqtgraph plots."""
import pyqtgraph as pg
import pytest
from PySide6.QtCore import QSettings
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import QMainWindow

from app import theme as theme_mod
from app.settings import MAX_RECENT, Settings
from app.theme import Theme


@pytest.fixture
def ini(tmp_path, monkeypatch):
    path = tmp_path / "settings.ini"
    monkeypatch.setenv("MLP_STUDIO_SETTINGS", str(path))
    return path


def fresh(ini):
    """A new Settings reading the same file, as the next app start would."""
    return Settings()


def test_env_var_points_settings_at_an_ini_file(ini):
    s = Settings()
    assert s.q.format() == QSettings.Format.IniFormat and s.q.fileName() == str(ini)
    s.set_theme("dark")
    s.sync()
    assert ini.is_file() and "theme=dark" in ini.read_text()


def test_recent_files_newest_first_unique_and_capped(ini, tmp_path):
    s = Settings()
    paths = [tmp_path / f"p{i}.mlpstudio" for i in range(MAX_RECENT + 3)]
    for p in paths:
        s.add_recent(p)
    s.add_recent(paths[2])  # reopening moves it to the top, once
    s.sync()
    recent = fresh(ini).recent_files()
    assert recent[0] == str(paths[2]) and recent.count(str(paths[2])) == 1
    assert recent[1:] == [str(p) for p in reversed(paths)][:MAX_RECENT - 1]
    s.remove_recent(paths[2])
    assert str(paths[2]) not in s.recent_files()
    s.clear_recent()
    assert s.recent_files() == []


def test_a_single_recent_file_stays_a_list(ini, tmp_path):
    s = Settings()
    s.add_recent(tmp_path / "only.mlpstudio")
    s.sync()
    assert fresh(ini).recent_files() == [str(tmp_path / "only.mlpstudio")]


def test_last_spec_and_settings_survive_a_restart(ini):
    spec = {"input_size": 784, "layers": [{"units": 32, "activation": "tanh"},
                                          {"units": 10, "activation": "softmax"}], "loss": "cross_entropy"}
    Settings().set_last_session(spec, {"lr": 0.01, "optimizer": "sgd", "augment": False})
    assert fresh(ini).last_session() == (spec, {"lr": 0.01, "optimizer": "sgd", "augment": False})


def test_hand_edited_garbage_falls_back_to_defaults(ini):
    ini.write_text("[General]\nrecentFiles=[oops\nlastSpec=42\ntheme=purple\n")
    s = Settings()
    assert s.recent_files() == [] and s.last_session() == (None, None) and s.theme() == "system"
    with pytest.raises(ValueError):
        s.set_theme("purple")


def test_window_geometry_round_trips(ini, qtbot):
    w = QMainWindow()
    qtbot.addWidget(w)
    w.setGeometry(40, 50, 700, 480)
    w.show()
    qtbot.waitExposed(w)
    s = Settings()
    assert not s.restore_window(w)  # first run: nothing stored
    s.save_window(w)
    s.sync()
    w2 = QMainWindow()
    qtbot.addWidget(w2)
    assert fresh(ini).restore_window(w2)
    assert (w2.width(), w2.height()) == (700, 480)


# ---- theme ------------------------------------------------------------------------------------------------

@pytest.fixture(autouse=True)
def keep_pyqtgraph_defaults():
    # The theme sets global pyqtgraph defaults: give other test files the ones they started with.
    saved = {k: pg.getConfigOption(k) for k in ("background", "foreground")}
    yield
    pg.setConfigOptions(**saved)


def window_color(app):
    return app.palette().color(QPalette.ColorRole.Window)


def test_dark_and_light_modes_set_the_palette_and_restyle_plots(qapp, qtbot):
    plot = pg.PlotWidget()
    qtbot.addWidget(plot)
    plot.addLegend()
    plot.plot([0, 1, 2], [1, 0, 1], name="loss")
    theme = Theme(qapp, "system")
    try:
        with qtbot.waitSignal(theme.changed) as blocker:
            theme.set_mode("dark")
        assert blocker.args == [True] and theme.is_dark() and window_color(qapp).lightness() < 80
        bg, fg = theme_mod.plot_colors(qapp.palette())
        assert plot.backgroundBrush().color() == bg and bg.lightness() < 80
        axis = plot.getPlotItem().getAxis("left")
        assert axis.textPen().color() == fg and fg.lightness() > 180  # readable text on the dark plot
        # a plot created after the switch starts dark too
        later = pg.PlotWidget()
        qtbot.addWidget(later)
        assert later.backgroundBrush().color() == bg

        theme.set_mode("light")
        assert not theme.is_dark() and window_color(qapp).lightness() > 180
        assert plot.backgroundBrush().color().lightness() > 200
    finally:
        theme.set_mode("system")
        theme.setParent(None)


def test_system_mode_returns_to_the_platform_palette(qapp):
    platform = QPalette().color(QPalette.ColorRole.Window)
    theme = Theme(qapp, "dark")
    try:
        theme.set_mode("system")
        assert window_color(qapp) == platform
        with pytest.raises(ValueError, match="Unknown theme"):
            theme.set_mode("sepia")
    finally:
        theme.setParent(None)


def test_system_colour_scheme_change_restyles_plots(qapp, qtbot):
    theme = Theme(qapp, "system")
    try:
        with qtbot.waitSignal(theme.changed, timeout=2000):
            qapp.styleHints().colorSchemeChanged.emit(qapp.styleHints().colorScheme())
        theme.set_mode("dark")
        with qtbot.assertNotEmitted(theme.changed, wait=50):  # an explicit choice ignores the system
            qapp.styleHints().colorSchemeChanged.emit(qapp.styleHints().colorScheme())
    finally:
        theme.set_mode("system")
        theme.setParent(None)
