"""`--install-desktop-entry` / `--uninstall-desktop-entry` against a temporary XDG_DATA_HOME."""
import configparser
import os
import shlex
import shutil
import struct
import subprocess
import sys
from pathlib import Path

import pytest

from app import desktop_entry
from app.desktop_entry import APP_ID, ICON_SIZES, handle_cli

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def xdg(tmp_path, monkeypatch):
    home = tmp_path / "share"
    monkeypatch.setenv("XDG_DATA_HOME", str(home))
    return home


def png_size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()[:24]
    assert data[:8] == b"\x89PNG\r\n\x1a\n" and data[12:16] == b"IHDR"
    return struct.unpack(">II", data[16:24])


def read_desktop(path: Path) -> configparser.SectionProxy:
    parser = configparser.ConfigParser(interpolation=None, strict=True)
    parser.optionxform = str  # keys are case-sensitive in .desktop files
    parser.read(path, encoding="utf-8")
    return parser["Desktop Entry"]


def exec_argv(exec_value: str) -> list[str]:
    # Undo the string-level escape, then split like a shell (the Exec quoting rules are a subset).
    return shlex.split(exec_value.replace("\\\\", "\\"))


def test_install_writes_menu_entry_icons_and_mime_type(xdg, capsys):
    assert handle_cli([desktop_entry.INSTALL_FLAG]) == 0
    assert "applications menu" in capsys.readouterr().out

    entry = read_desktop(xdg / "applications" / f"{APP_ID}.desktop")
    assert entry["Type"] == "Application" and entry["Name"] == "MLP Studio"
    assert entry["Icon"] == APP_ID and entry["Terminal"] == "false"
    assert "application/x-mlpstudio;" == entry["MimeType"]
    argv = exec_argv(entry["Exec"])
    assert argv[-1] == "%F"
    assert os.access(argv[0], os.X_OK), argv  # the launcher (or Python) really exists
    if argv[1:3] == ["-m", "app"]:
        assert (Path(entry["Path"]) / "app" / "__main__.py").parent.is_dir()

    hicolor = xdg / "icons" / "hicolor"
    svg = hicolor / "scalable" / "apps" / f"{APP_ID}.svg"
    assert svg.read_bytes() == (ROOT / "resources" / "icons" / f"{APP_ID}.svg").read_bytes()
    for size in ICON_SIZES:
        assert png_size(hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png") == (size, size)
    mime = (xdg / "mime" / "packages" / f"{APP_ID}.xml").read_text()
    assert 'glob pattern="*.mlpstudio"' in mime and "application/x-mlpstudio" in mime


def test_install_twice_then_uninstall_removes_everything_it_wrote(xdg, capsys):
    written = desktop_entry.install(refresh=False)
    assert desktop_entry.install(refresh=False) == written  # idempotent: same files, replaced in place
    assert handle_cli([desktop_entry.UNINSTALL_FLAG]) == 0
    assert not any(p.exists() for p in written)
    assert not list(xdg.rglob(f"{APP_ID}*.desktop")) and not list(xdg.rglob(f"{APP_ID}.png"))
    capsys.readouterr()
    assert handle_cli([desktop_entry.UNINSTALL_FLAG]) == 0
    assert "was not installed" in capsys.readouterr().out


def test_unwritable_data_home_is_a_one_line_error_not_a_traceback(tmp_path, monkeypatch, capsys):
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where the data folder should be")
    monkeypatch.setenv("XDG_DATA_HOME", str(blocker))
    assert handle_cli([desktop_entry.INSTALL_FLAG]) == 1
    err = capsys.readouterr().err.strip()
    assert err and "Traceback" not in err and "\n" not in err
    assert blocker.read_text().startswith("a file")


def test_relative_or_missing_xdg_data_home_falls_back_to_local_share():
    home = Path.home() / ".local" / "share"
    assert desktop_entry.data_home({}) == home
    assert desktop_entry.data_home({"XDG_DATA_HOME": "relative/path"}) == home
    assert desktop_entry.data_home({"XDG_DATA_HOME": "/x/y"}) == Path("/x/y")


@pytest.mark.parametrize("arg, expected", [
    ("/usr/bin/mlp-studio", "/usr/bin/mlp-studio"),
    ("/home/a b/python", '"/home/a b/python"'),
    ('/odd"dir/py', '"/odd\\\\"dir/py"'),
    ("/100%/py", "/100%%/py"),
])
def test_exec_arguments_are_quoted_per_desktop_entry_spec(arg, expected):
    assert desktop_entry.quote_exec_arg(arg) == expected


def test_exec_line_round_trips_a_python_path_with_spaces(tmp_path):
    text = desktop_entry.desktop_file_text(["/opt/my apps/python3", "-m", "app"], workdir=tmp_path)
    path = tmp_path / "x.desktop"
    path.write_text(text)
    entry = read_desktop(path)
    assert exec_argv(entry["Exec"]) == ["/opt/my apps/python3", "-m", "app", "%F"]
    assert entry["Path"] == str(tmp_path)


def test_other_arguments_are_left_to_the_app():
    assert handle_cli([]) is None
    assert handle_cli(["project.mlpstudio"]) is None


def test_flag_handling_never_loads_qt(tmp_path):
    code = ("import sys; from app.desktop_entry import handle_cli; rc = handle_cli(['--install-desktop-entry']);"
            "assert rc == 0, rc; bad = [m for m in ('PySide6', 'pyqtgraph') if m in sys.modules];"
            "assert not bad, bad")
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path))
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "applications" / f"{APP_ID}.desktop").is_file()


def test_mlp_studio_flags_through_python_m_app_never_open_a_window(tmp_path):
    env = dict(os.environ, XDG_DATA_HOME=str(tmp_path), QT_QPA_PLATFORM="offscreen")
    install = subprocess.run([sys.executable, "-m", "app", "--install-desktop-entry"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=60)
    assert install.returncode == 0, install.stderr
    assert (tmp_path / "applications" / f"{APP_ID}.desktop").is_file()
    remove = subprocess.run([sys.executable, "-m", "app", "--uninstall-desktop-entry"], cwd=ROOT, env=env,
                            capture_output=True, text=True, timeout=60)
    assert remove.returncode == 0 and "removed" in remove.stdout
    assert not (tmp_path / "applications" / f"{APP_ID}.desktop").exists()


@pytest.mark.skipif(shutil.which("desktop-file-validate") is None,
                    reason="desktop-file-validate is not installed (apt install desktop-file-utils)")
@pytest.mark.parametrize("command", [["/usr/bin/mlp-studio"], [sys.executable, "-m", "app"],
                                     ["/opt/MLP Studio/bin/mlp-studio"]])
def test_the_written_entry_passes_desktop_file_validate(tmp_path, command):
    """No error, warning or hint: a known Version and one main category (the app appears once in menus)."""
    desktop_entry.install(tmp_path, command=command, refresh=False)
    path = tmp_path / "applications" / f"{APP_ID}.desktop"
    result = subprocess.run(["desktop-file-validate", str(path)], capture_output=True, text=True, timeout=30)
    assert result.returncode == 0 and not (result.stdout + result.stderr).strip(), result.stdout + result.stderr
    main = {"AudioVideo", "Audio", "Video", "Development", "Education", "Game", "Graphics", "Network", "Office",
            "Science", "Settings", "System", "Utility"}
    categories = [c for c in read_desktop(path)["Categories"].split(";") if c]
    assert [c for c in categories if c in main] == ["Education"]


def test_a_frozen_bundle_points_the_entry_at_its_own_executable_not_the_path(tmp_path, monkeypatch):
    """A bundle's menu entry starts that bundle, even with a pip-installed `mlp-studio` earlier on the PATH."""
    elsewhere = tmp_path / "venv-bin" / APP_ID
    elsewhere.parent.mkdir()
    elsewhere.write_text("#!/bin/sh\n")
    elsewhere.chmod(0o755)
    bundle_exe = tmp_path / "unpacked here" / "mlp-studio" / APP_ID
    monkeypatch.setenv("PATH", str(elsewhere.parent))
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    monkeypatch.setattr(sys, "executable", str(bundle_exe))
    assert desktop_entry.launch_command() == [str(bundle_exe)]
    desktop_entry.install(tmp_path / "share", refresh=False)
    entry = read_desktop(tmp_path / "share" / "applications" / f"{APP_ID}.desktop")
    assert exec_argv(entry["Exec"]) == [str(bundle_exe), "%F"] and entry["TryExec"] == str(bundle_exe)
