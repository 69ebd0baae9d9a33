"""`mlp-studio --install-desktop-entry` / `--uninstall-desktop-entry`: put MLP Studio in the Linux app menu.

Writes, under $XDG_DATA_HOME (default ~/.local/share), the files the freedesktop specs look for:
  applications/mlp-studio.desktop              the menu entry (opens .mlpstudio project files too)
  icons/hicolor/scalable/apps/mlp-studio.svg   the icon, plus icons/hicolor/NxN/apps/mlp-studio.png
  mime/packages/mlp-studio.xml                 the application/x-mlpstudio type for *.mlpstudio files
This module imports no Qt and no NumPy: `handle_cli` runs before the window code is even loaded.
"""
from __future__ import annotations

import os
import sys
from pathlib import Path

APP_ID = "mlp-studio"
MIME_TYPE = "application/x-mlpstudio"
INSTALL_FLAG = "--install-desktop-entry"
UNINSTALL_FLAG = "--uninstall-desktop-entry"
ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256)

MIME_XML = f"""<?xml version="1.0" encoding="UTF-8"?>
<mime-info xmlns="http://www.freedesktop.org/standards/shared-mime-info">
  <mime-type type="{MIME_TYPE}">
    <comment>MLP Studio project</comment>
    <glob pattern="*.mlpstudio"/>
    <icon name="{APP_ID}"/>
  </mime-type>
</mime-info>
"""


def icons_dir() -> Path:
    from app.paths import ICONS  # Qt-free, and the one place that knows where resources/ is
    return ICONS


def data_home(env: dict | None = None) -> Path:
    """$XDG_DATA_HOME, or ~/.local/share when it is unset or not absolute (as the XDG spec says)."""
    env = os.environ if env is None else env
    value = env.get("XDG_DATA_HOME", "")
    return Path(value) if value and os.path.isabs(value) else Path.home() / ".local" / "share"


def launch_command() -> list[str]:
    """How the menu entry starts the app: a bundle's own executable (whatever else is on the PATH), else the
    installed `mlp-studio` launcher, else `python -m app`."""
    import shutil

    if getattr(sys, "frozen", False):      # a PyInstaller bundle: sys.executable is the app itself
        return [os.path.abspath(sys.executable)]
    launcher = shutil.which(APP_ID)
    if launcher is None:
        beside_python = Path(sys.executable).with_name(APP_ID)
        launcher = str(beside_python) if beside_python.is_file() else None
    return [os.path.abspath(launcher)] if launcher else [sys.executable, "-m", "app"]


def quote_exec_arg(arg: str) -> str:
    """Quote one Exec= argument as the Desktop Entry spec asks (reserved characters -> double quotes)."""
    arg = arg.replace("%", "%%")
    if not any(c in arg for c in ' \t\n"\'\\><~|&;$*?#()`'):
        return arg
    escaped = "".join("\\" + c if c in '"`$\\' else c for c in arg)
    # The .desktop parser unescapes backslashes once more before the Exec rules see them.
    return '"' + escaped.replace("\\", "\\\\") + '"'


def desktop_file_text(command: list[str], workdir: Path | None = None) -> str:
    exec_line = " ".join(quote_exec_arg(a) for a in command) + " %F"
    lines = [
        "[Desktop Entry]",
        "Type=Application",
        "Version=1.0",                      # the spec version every validator and menu knows
        "Name=MLP Studio",
        "GenericName=Neural Network Trainer",
        "Comment=Build a multi-layer perceptron, train it on handwritten digits and test it on your own",
        f"Exec={exec_line}",
        f"TryExec={command[0]}",
        f"Icon={APP_ID}",
        "Terminal=false",
        "Categories=Education;ComputerScience;ArtificialIntelligence;",   # one main category: listed once
        "Keywords=neural;network;perceptron;MNIST;machine learning;deep learning;",
        f"MimeType={MIME_TYPE};",
        f"StartupWMClass={APP_ID}",
        "StartupNotify=true",
    ]
    if workdir is not None:
        lines.append(f"Path={workdir}")
    return "\n".join(lines) + "\n"


def _targets(home: Path) -> dict[Path, Path | None]:
    """Every file we install -> its source in resources/ (None: generated text)."""
    hicolor = home / "icons" / "hicolor"
    targets: dict[Path, Path | None] = {
        home / "applications" / f"{APP_ID}.desktop": None,
        home / "mime" / "packages" / f"{APP_ID}.xml": None,
        hicolor / "scalable" / "apps" / f"{APP_ID}.svg": icons_dir() / f"{APP_ID}.svg",
    }
    for size in ICON_SIZES:
        targets[hicolor / f"{size}x{size}" / "apps" / f"{APP_ID}.png"] = icons_dir() / f"{APP_ID}-{size}.png"
    return targets


def install(home: Path | None = None, command: list[str] | None = None, refresh: bool = True) -> list[Path]:
    """Write the .desktop file, the MIME type and the icons; return the written paths.

    Raises SaveError (nothing half-written: each file is replaced atomically) or FileNotFoundError for a
    missing icon in resources/.
    """
    from engine.atomic import atomic_write  # imported late: the engine package pulls in NumPy

    home = data_home() if home is None else Path(home)
    command = launch_command() if command is None else command
    # `python -m app` only finds the package from the source folder unless it was pip-installed.
    workdir = Path(__file__).resolve().parent.parent if command[1:] == ["-m", "app"] else None
    written = []
    for target, source in _targets(home).items():
        if source is not None and not source.is_file():
            raise FileNotFoundError(f"The icon {source} is missing; reinstall MLP Studio.")
        if target.suffix == ".desktop":
            data = desktop_file_text(command, workdir).encode()
        elif target.suffix == ".xml":
            data = MIME_XML.encode()
        else:
            data = source.read_bytes()
        target.parent.mkdir(parents=True, exist_ok=True)
        with atomic_write(target, "wb") as f:
            f.write(data)
        target.chmod(0o644)
        written.append(target)
    if refresh:
        _refresh_caches(home)
    return written


def uninstall(home: Path | None = None, refresh: bool = True) -> list[Path]:
    """Remove exactly the files `install` writes; return those that existed."""
    home = data_home() if home is None else Path(home)
    removed = []
    for target in _targets(home):
        try:
            target.unlink()
            removed.append(target)
        except FileNotFoundError:
            pass
    if refresh and removed:
        _refresh_caches(home)
    return removed


def _refresh_caches(home: Path) -> None:
    # Desktops read these caches; missing tools just mean the menu updates at next login.
    import shutil
    import subprocess

    for tool, folder in (("update-desktop-database", home / "applications"),
                         ("update-mime-database", home / "mime")):
        exe = shutil.which(tool)
        if exe and folder.is_dir():
            try:
                subprocess.run([exe, "-q", str(folder)] if tool.startswith("update-desktop") else [exe, str(folder)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=20, check=False)
            except (OSError, subprocess.SubprocessError):
                pass


def handle_cli(argv: list[str]) -> int | None:
    """Handle the desktop-entry flags in argv (without the program name): an exit code, or None if absent."""
    if INSTALL_FLAG not in argv and UNINSTALL_FLAG not in argv:
        return None
    if not sys.platform.startswith(("linux", "freebsd", "openbsd", "netbsd")):
        print("Desktop entries are for Linux desktops; on Windows and macOS start MLP Studio with mlp-studio.",
              file=sys.stderr)
        return 2
    from engine.errors import EngineError

    try:
        if UNINSTALL_FLAG in argv:
            removed = uninstall()
            print("\n".join(f"removed {p}" for p in removed) if removed else "MLP Studio's menu entry was not installed.")
        else:
            for path in install():
                print(f"wrote {path}")
            print("MLP Studio is now in your applications menu.")
    except (EngineError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 1
    return 0
