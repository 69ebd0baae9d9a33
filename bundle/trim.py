"""What the spec leaves out of the bundle: Qt parts MLP Studio never loads, and libraries only they needed.

The app is an English widgets app drawn through xcb, Windows or Cocoa; it loads no QML, no network plugin, no
Wayland/EGLFS/VNC platform and no GTK theme. Rules are file names, so they mean the same on every platform; the
pruning step then drops every shared library nothing kept still links to (PyInstaller's own dependency reader).
"""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

# Plugin folders under PySide6/Qt/plugins the app never uses.
DROP_PLUGIN_DIRS = {"egldeviceintegrations", "generic", "networkinformation", "tls", "qmltooling", "sqldrivers",
                    "wayland-decoration-client", "wayland-graphics-integration-client", "wayland-shell-integration",
                    "wayland-inputdevice-integration", "printsupport", "multimedia", "position", "webview"}
# Single plugins, by stem (no lib prefix, no extension): other Linux platforms, the GTK theme (it would load the
# system's GTK against the bundle's GLib), image formats the app never reads.
DROP_PLUGINS = {"qeglfs", "qlinuxfb", "qminimalegl", "qvkkhrdisplay", "qvnc", "qwayland", "qdirect2d", "qgtk3",
                "qtiff", "qwebp", "qicns", "qtga", "qwbmp", "qpdf"}
# Qt libraries only the dropped plugins need (the spec's excludes keep their Python modules out).
DROP_QT_LIBS = ("Qt6EglFS", "Qt6EglFs", "Qt6Wayland", "Qt6WlShell", "Qt6Network", "Qt6Qml", "Qt6Quick", "Qt6Pdf")
# Linux libraries that stay the system's. The C++/GCC runtimes: a newer system's graphics driver may need a newer
# libstdc++ than the build machine's, and a system new enough for the bundle's glibc has one at least as new.
# Fontconfig and FreeType: they must read the system's own font configuration, whatever its version.
SYSTEM_RUNTIMES = ("libstdc++.so", "libgcc_s.so", "libfontconfig.so", "libfreetype.so")


def _stem(name: str) -> str:
    base = os.path.basename(name).split(".")[0]
    return base[3:] if base.startswith("lib") else base


def _dropped(dest: str) -> bool:
    parts = dest.replace("\\", "/").split("/")
    if "plugins" in parts[:-1]:
        folder = parts[parts.index("plugins") + 1]
        if folder in DROP_PLUGIN_DIRS or _stem(parts[-1]) in DROP_PLUGINS:
            return True
    if "translations" in parts[:-1] and "Qt" in parts:
        return True                             # Qt's own dialog texts: the app is in English and loads none
    if any(_stem(parts[-1]).startswith(prefix) for prefix in DROP_QT_LIBS):
        return True
    return sys.platform.startswith("linux") and parts[-1].startswith(SYSTEM_RUNTIMES)


def _needed(src: str) -> set[str]:
    from PyInstaller.depend.bindepend import get_imports

    try:
        return {os.path.basename(name) for name, _ in get_imports(src)}
    except Exception:                           # not a binary this platform can read: it links nothing of ours
        return set()


def _prune_orphans(binaries: list) -> list:
    """Keep the extension modules, the kept plugins and libpython, and every library they link to, transitively."""
    by_name: dict[str, list] = {}
    for entry in binaries:
        by_name.setdefault(os.path.basename(entry[0]), []).append(entry)
    roots = [e for e in binaries if e[2] == "EXTENSION" or "plugins" in e[0].replace("\\", "/").split("/")
             or os.path.basename(e[0]).lower().startswith(("libpython", "python"))]
    kept, todo = {id(e) for e in roots}, list(roots)
    while todo:
        entry = todo.pop()
        src = os.path.realpath(entry[1]) if entry[2] != "SYMLINK" else None
        names = _needed(src) if src else {os.path.basename(entry[1])}
        for name in names:
            for dep in by_name.get(name, []):
                if id(dep) not in kept:
                    kept.add(id(dep))
                    todo.append(dep)
    # a symlink stays exactly when the library it names stays
    kept_names = {os.path.basename(e[0]) for e in binaries if id(e) in kept}
    return [e for e in binaries if id(e) in kept or (e[2] == "SYMLINK" and os.path.basename(e[1]) in kept_names)]


def binaries(toc: list) -> list:
    return _prune_orphans([e for e in toc if not _dropped(e[0])])


def datas(toc: list) -> list:
    return [e for e in toc if not _dropped(e[0])]


def strip_python(bundle: str) -> None:
    """Strip the symbols of Python's own libraries (a self-built Python keeps them: libpython 23 MB -> 6 MB); the
    wheels' libraries stay untouched."""
    if shutil.which("strip") is None:
        return
    internal = Path(bundle) / "_internal"
    for path in [*internal.glob("libpython*.so*"), *internal.glob("python3*/lib-dynload/*.so")]:
        if path.is_file() and not path.is_symlink():
            subprocess.run(["strip", "--strip-unneeded", str(path)], check=True)
