"""The licences of everything inside the bundle: `LICENSES/COPYRIGHT` (Debian's machine-readable format, also the
.deb's /usr/share/doc/mlp-studio/copyright) and the full texts beside it.

Runs inside the build environment (tools/build_bundle.py calls it), where the packages that went into the bundle
are installed with their metadata: `python tools/bundle_licenses.py CONTENTS.json BUNDLE_DIR`. CONTENTS.json is
what the spec wrote (every binary and data file with its source, the top-level modules). Covered: the app and its
data, every Python distribution with a module or file in the bundle (licence expression and license files),
Python itself, Qt/PySide6 (LGPL-3), the PyInstaller bootloader, and each shared library PyInstaller copied from
the build machine (on Debian: its package and that package's copyright file).
"""
from __future__ import annotations

import importlib.metadata as md
import json
import os
import shutil
import subprocess
import sys
import sysconfig
from pathlib import Path

DEP5 = "https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/"
QT_NOTE = ("Qt and Qt for Python (PySide6, shiboken6) are unmodified shared libraries in _internal/PySide6/ and "
           "_internal/shiboken6/: replace them with your own builds of the same version to use your LGPL rights. "
           "Sources: https://code.qt.io and https://download.qt.io/official_releases/QtForPython/. Qt carries "
           "third-party code (ICU: Unicode-3.0; PCRE2, zlib, HarfBuzz, libpng, md4c and others: permissive "
           "licences), listed at https://doc.qt.io/qt-6/licenses-used-in-qt.html.")
DATA = [("_internal/mlp_resources/mnist-sample/*", "Yann LeCun, Corinna Cortes, Christopher J.C. Burges",
         "CC-BY-SA-3.0", "the MNIST sample; text: LICENSES/mlp-studio/licenses/resources/mnist-sample/SOURCES.md"),
        ("_internal/mlp_resources/pendigits/*", "E. Alpaydin, F. Alimoglu, Bogazici University",
         "CC-BY-4.0", "the UCI pen-based digits; text: LICENSES/mlp-studio/licenses/resources/pendigits/SOURCES.md")]
# Where the metadata says it in a paragraph rather than an SPDX expression.
LICENSE_OVERRIDES = {"pyinstaller": "GPL-2.0-or-later WITH Bootloader-exception"}
SKIP_DISTS = {"mlp-studio", "pyinstaller-hooks-contrib"}   # stated on their own / build-time hooks only


def _norm(name: str) -> str:
    return name.lower().replace("_", "-").replace(".", "-")


def dist_license(dist) -> str:
    meta = dist.metadata
    expression = meta.get("License-Expression")
    if expression:
        return expression
    text = (meta.get("License") or "").strip()
    if text and "\n" not in text and len(text) < 120:
        return text
    classifiers = [c.split("::")[-1].strip() for c in meta.get_all("Classifier") or [] if c.startswith("License")]
    return " / ".join(classifiers) or "see its license files"


def copy_license_files(dist, folder: Path) -> list[str]:
    """The distribution's license files (dist-info/licenses or License-File entries) copied into `folder`."""
    names = []
    for f in dist.files or []:
        parts = Path(str(f)).parts
        if parts and parts[0].endswith(".dist-info") and (
                "licenses" in parts or any(w in parts[-1].upper() for w in ("LICEN", "COPYING", "NOTICE", "AUTHORS"))):
            src = Path(str(f.locate()))
            if src.is_file():
                dest = folder / Path(*parts[1:])
                dest.parent.mkdir(parents=True, exist_ok=True)
                shutil.copyfile(src, dest)
                names.append(str(dest.relative_to(folder.parent.parent)))
    return sorted(names)


def top_names(contents: dict) -> set[str]:
    """Top-level import names in the bundle: archived modules and the first folder of collected files."""
    names = set(contents["modules"])
    for dest, *_ in contents["binaries"] + contents["datas"]:
        names.add(dest.replace("\\", "/").split("/")[0].split(".")[0])
    return names


def python_dists(contents: dict) -> list:
    owners = md.packages_distributions()
    found = {"pyinstaller": md.distribution("pyinstaller")}    # its bootloader is the executable itself
    for name in top_names(contents):
        for dist_name in owners.get(name, []):
            if _norm(dist_name) not in SKIP_DISTS:
                found[_norm(dist_name)] = md.distribution(dist_name)
    return [found[k] for k in sorted(found)]


def stanza(files: str, copyright_: str, license_: str, comment: str = "") -> str:
    lines = [f"Files: {files}", f"Copyright: {copyright_}", f"License: {license_}"]
    if comment:
        lines.append(f"Comment: {comment}")
    return "\n".join(lines)


def is_python_own(src: str) -> bool:
    stdlib = os.path.realpath(sysconfig.get_paths()["stdlib"])
    base = os.path.basename(src).lower()
    return os.path.realpath(src).startswith(stdlib + os.sep) or base.startswith(("libpython", "python3"))


def system_libraries(contents: dict) -> list[tuple[str, str]]:
    """(bundle path, source) of each shared library copied from the build machine rather than a package."""
    site = [os.path.realpath(p) for p in {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}]
    out = []
    for dest, src, kind in contents["binaries"]:
        real = os.path.realpath(src)
        if kind != "SYMLINK" and not any(real.startswith(s + os.sep) for s in site) and not is_python_own(src):
            out.append((dest.replace("\\", "/"), src))
    return sorted(out)


def _candidates(path: str) -> list[str]:
    """The path, its real path, and their merged-/usr twins (dpkg records /lib or /usr/lib as the package did)."""
    out = []
    for p in (path, os.path.realpath(path)):
        out += [p, p.removeprefix("/usr") if p.startswith("/usr/") else "/usr" + p]
    return list(dict.fromkeys(out))


def debian_packages(paths: list[str]) -> dict[str, str]:
    """path -> the Debian package that installed it (one dpkg-query for all); paths no package owns are left out."""
    if not paths or shutil.which("dpkg-query") is None:
        return {}
    candidates = {c: p for p in paths for c in _candidates(p)}
    out = subprocess.run(["dpkg-query", "-S", *candidates], capture_output=True, text=True).stdout
    owners = {}
    for line in out.splitlines():
        package, _, owned = line.partition(": ")
        if owned in candidates and "diversion" not in package:
            owners.setdefault(candidates[owned], package.split(",")[0].strip())
    return owners


def debian_licenses(text: str) -> str:
    names = []
    for line in text.splitlines():
        if line.startswith("License:"):
            name = line.split(":", 1)[1].strip()
            if name and name not in names:
                names.append(name)
    return ", ".join(names) or "see the copyright file"


def package_version(package: str) -> str:
    out = subprocess.run(["dpkg-query", "-W", "-f=${Version}", package], capture_output=True, text=True)
    return out.stdout.strip() if out.returncode == 0 else "?"


def app_stanzas(licenses: Path) -> list[str]:
    dist = md.distribution("mlp-studio")
    copy_license_files(dist, licenses / "mlp-studio")
    holder = next((line.strip() for line in (dist.read_text("licenses/LICENSE") or "").splitlines()
                   if line.startswith("Copyright")), "MLP Studio developers")
    out = [stanza("*", holder.removeprefix("Copyright").strip(" ()c"), "MIT",
                  f"MLP Studio {dist.version} (app/, engine/ inside the executable's archive; the icons and the "
                  "course text). Text: LICENSES/mlp-studio/licenses/LICENSE")]
    out += [stanza(*data) for data in DATA]
    return out


def python_stanza(licenses: Path) -> str:
    text = Path(sysconfig.get_paths()["stdlib"]) / "LICENSE.txt"
    where = "the licence text is not on the build machine: https://docs.python.org/3/license.html"
    if text.is_file():
        (licenses / "python").mkdir(parents=True, exist_ok=True)
        shutil.copyfile(text, licenses / "python" / "LICENSE.txt")
        where = "text: LICENSES/python/LICENSE.txt"
    return stanza("_internal/libpython* _internal/python3*/* _internal/base_library.zip",
                  "Python Software Foundation", "PSF-2.0",
                  f"Python {sys.version.split()[0]}, its standard library and extension modules; {where}")


def dist_stanzas(contents: dict, licenses: Path, bundle: Path) -> list[str]:
    owners = md.packages_distributions()
    out = []
    for dist in python_dists(contents):
        name = dist.metadata["Name"]
        tops = sorted(t for t, ds in owners.items() if name in ds and t in top_names(contents))
        folders = [f"_internal/{t}/*" for t in tops if (bundle / "_internal" / t).is_dir()]
        if (bundle / "_internal" / f"{name.lower()}.libs").is_dir():
            folders.append(f"_internal/{name.lower()}.libs/*")
        texts = copy_license_files(dist, licenses / _norm(name))
        comment = f"{name} {dist.version}" + ("" if folders else ", byte code inside the executable's archive")
        if _norm(name) in ("pyside6-essentials", "shiboken6"):
            comment += ". " + QT_NOTE
        elif _norm(name) == "pyinstaller":
            comment = (f"PyInstaller {dist.version}: its bootloader is the executable mlp-studio, its run-time "
                       "modules are in the executable's archive; the exception lets any program be built with it")
        comment += ("; texts: " + ", ".join(texts)) if texts else ""
        files = " ".join(folders) or "mlp-studio"
        license_ = LICENSE_OVERRIDES.get(_norm(name)) or dist_license(dist)
        out.append(stanza(files, f"{name} authors", license_, comment))
    return out


def library_stanzas(contents: dict, licenses: Path) -> list[str]:
    out = []
    libraries = system_libraries(contents)
    owners = debian_packages([src for _, src in libraries])
    for dest, src in libraries:
        package = owners.get(src)
        if package is None:
            out.append(stanza(f"_internal/{dest}", "see the library's distribution", "see its distribution",
                              f"copied by PyInstaller from {src} on the build machine"))
            continue
        text_path = Path("/usr/share/doc") / package.split(":")[0] / "copyright"
        text = text_path.read_text(encoding="utf-8", errors="replace") if text_path.is_file() else ""
        if text:
            (licenses / "debian").mkdir(parents=True, exist_ok=True)
            (licenses / "debian" / f"{package.split(':')[0]}.copyright").write_text(text, encoding="utf-8")
        out.append(stanza(f"_internal/{dest}", f"see LICENSES/debian/{package.split(':')[0]}.copyright",
                          debian_licenses(text),
                          f"copied by PyInstaller from {src}, Debian package {package} {package_version(package)}"))
    return out


def common_licenses(licenses: Path) -> None:
    """LGPL-3 needs GPL-3 beside it; Debian systems keep both texts."""
    for name in ("LGPL-3", "GPL-3"):
        src = Path("/usr/share/common-licenses") / name
        if src.is_file():
            (licenses / "common").mkdir(parents=True, exist_ok=True)
            shutil.copyfile(src, licenses / "common" / name)


def write(contents_json: Path, bundle: Path) -> Path:
    contents = json.loads(contents_json.read_text(encoding="utf-8"))
    licenses = bundle / "LICENSES"
    shutil.rmtree(licenses, ignore_errors=True)
    licenses.mkdir()
    common_licenses(licenses)
    header = "\n".join([f"Format: {DEP5}", "Upstream-Name: MLP Studio",
                        "Comment: MLP Studio as a self-contained bundle made with PyInstaller. Paths are inside the "
                        "bundle (/opt/mlp-studio in the Debian package); the full licence texts are in its "
                        "LICENSES/ folder (LGPL-3 and GPL-3 in LICENSES/common/)."])
    parts = [header, *app_stanzas(licenses), python_stanza(licenses), *dist_stanzas(contents, licenses, bundle),
             *library_stanzas(contents, licenses)]
    out = licenses / "COPYRIGHT"
    out.write_text("\n\n".join(parts) + "\n", encoding="utf-8")
    return out


if __name__ == "__main__":
    if len(sys.argv) != 3:
        sys.exit("usage: python tools/bundle_licenses.py CONTENTS.json BUNDLE_DIR")
    print(write(Path(sys.argv[1]), Path(sys.argv[2])))
