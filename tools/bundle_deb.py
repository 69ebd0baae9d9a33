"""The Debian package of the bundle, built with dpkg-deb alone: `python tools/bundle_deb.py BUNDLE_DIR OUT_DIR`.

Runs inside the build environment (tools/build_bundle.py calls it), so the desktop entry, MIME type and icons are
written by the installed app's own `--install-desktop-entry` code, pointed at the system folders:
  /opt/mlp-studio/                                     the bundle (LICENSES/ inside)
  /usr/bin/mlp-studio                                  a link to /opt/mlp-studio/mlp-studio
  /usr/share/applications/mlp-studio.desktop           the menu entry, for *.mlpstudio files too
  /usr/share/mime/packages/mlp-studio.xml              the application/x-mlpstudio type
  /usr/share/icons/hicolor/*/apps/mlp-studio.{svg,png} the icons
  /usr/share/doc/mlp-studio/copyright                  the licences of everything inside
No maintainer scripts: Debian's triggers (desktop-file-utils, shared-mime-info, the icon caches) refresh the menu,
the file types and the icons on install and removal, and dpkg removes every file it installed.
Depends lists the packages that provide each library the bundle links to but does not carry (found with readelf,
ldconfig and dpkg-query on the build machine), libc6 at the newest glibc symbol version the bundle uses.
"""
from __future__ import annotations

import os
import re
import shutil
import stat
import subprocess
import sys
from pathlib import Path

PACKAGE = "mlp-studio"
PREFIX = Path("opt") / PACKAGE
MAINTAINER = "MLP Studio developers <maintainers@mlp-studio.invalid>"
DESCRIPTION = """Build, train and look inside a neural network
 MLP Studio builds a multi-layer perceptron visually, trains it on real handwritten
 digits, shows how it learns and what is inside it, and tests it on digits drawn with
 the mouse. It is the companion of a neural-networks crash course.
 .
 This package is a self-contained bundle (Python, NumPy and Qt inside): it needs no
 Python on the machine."""


class BuildError(Exception):
    """A step that cannot be done on this machine; str() is one sentence."""


def _run(*cmd: str) -> str:
    out = subprocess.run(cmd, capture_output=True, text=True)
    if out.returncode != 0:
        raise BuildError(f"{' '.join(cmd[:3])} failed: {(out.stderr or out.stdout).strip()[:300]}")
    return out.stdout


def elf_files(folder: Path) -> list[Path]:
    found = []
    for path in sorted(folder.rglob("*")):
        if path.is_file() and not path.is_symlink():
            with open(path, "rb") as f:
                if f.read(4) == b"\x7fELF":
                    found.append(path)
    return found


def needed_and_glibc(folder: Path) -> tuple[set[str], tuple[int, ...]]:
    """The sonames the bundle's binaries link to, and the newest GLIBC_x.y symbol version they need."""
    needed, newest = set(), (0,)
    for path in elf_files(folder):
        dyn = subprocess.run(["readelf", "-d", "-V", "-W", str(path)], capture_output=True, text=True).stdout
        needed.update(re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", dyn))
        for version in re.findall(r"Name: GLIBC_([0-9.]+)", dyn):
            newest = max(newest, tuple(int(p) for p in version.split(".")))
    return needed, newest


def system_library_paths() -> dict[str, str]:
    """soname -> path, for this machine's architecture (ldconfig's cache)."""
    arch = {"x86_64": "x86-64", "aarch64": "AArch64"}.get(os.uname().machine, "")
    paths = {}
    for line in _run("ldconfig", "-p").splitlines()[1:]:
        match = re.match(r"\s*(\S+) \(([^)]*)\) => (\S+)", line)
        if match and (not arch or arch in match.group(2)) and match.group(1) not in paths:
            paths[match.group(1)] = match.group(3)
    return paths


def owning_package(path: str) -> str:
    real = os.path.realpath(path)
    for candidate in dict.fromkeys([path, real, real.removeprefix("/usr"), "/usr" + real]):
        out = subprocess.run(["dpkg-query", "-S", candidate], capture_output=True, text=True)
        if out.returncode == 0:
            return out.stdout.split(":")[0].split(",")[0].strip()
    raise BuildError(f"no Debian package owns {path}, which the bundle links to.")


def depends(bundle: Path) -> tuple[list[str], str]:
    """The Depends list and the glibc version it asks for."""
    needed, glibc = needed_and_glibc(bundle)
    carried = {p.name for p in bundle.rglob("*")}
    system = system_library_paths()
    packages = set()
    for soname in sorted(needed - carried):
        if soname not in system:
            raise BuildError(f"the bundle links to {soname}, which this machine does not have.")
        packages.add(owning_package(system[soname]))
    version = ".".join(map(str, glibc))
    packages.discard("libc6")
    return [f"libc6 (>= {version})", *sorted(packages)], version


def stage(bundle: Path, root: Path) -> None:
    from app.desktop_entry import install   # the installed app's own writer of the entry, type and icons

    shutil.rmtree(root, ignore_errors=True)
    shutil.copytree(bundle, root / PREFIX, symlinks=True)
    (root / "usr" / "bin").mkdir(parents=True)
    os.symlink(f"/{PREFIX.as_posix()}/{PACKAGE}", root / "usr" / "bin" / PACKAGE)
    install(home=root / "usr" / "share", command=[PACKAGE], refresh=False)
    doc = root / "usr" / "share" / "doc" / PACKAGE
    doc.mkdir(parents=True)
    shutil.copyfile(bundle / "LICENSES" / "COPYRIGHT", doc / "copyright")
    for path in [root, *root.rglob("*")]:
        if path.is_symlink():
            continue
        executable = path.is_dir() or path.stat().st_mode & stat.S_IXUSR
        path.chmod(0o755 if executable else 0o644)


def control(version: str, arch: str, deps: list[str], root: Path) -> str:
    size_kib = sum(p.lstat().st_size for p in root.rglob("*")) // 1024 + 1
    return "\n".join([f"Package: {PACKAGE}", f"Version: {version}", f"Architecture: {arch}",
                      f"Maintainer: {MAINTAINER}", f"Installed-Size: {size_kib}", f"Depends: {', '.join(deps)}",
                      "Section: education", "Priority: optional", f"Description: {DESCRIPTION}"]) + "\n"


def build(bundle: Path, out_dir: Path, work: Path) -> Path:
    """Stage the files, write DEBIAN/control and build the .deb with zstd; return its path."""
    from importlib.metadata import version as dist_version

    for tool in ("dpkg-deb", "dpkg-query", "readelf", "ldconfig"):
        if shutil.which(tool) is None:
            raise BuildError(f"{tool} is not installed; the .deb is built on Debian or Ubuntu (apt install dpkg-dev "
                             "binutils).")
    version, arch = dist_version(PACKAGE), _run("dpkg", "--print-architecture").strip()
    root = work / "deb-root"
    stage(bundle, root)
    deps, _ = depends(bundle)
    (root / "DEBIAN").mkdir(mode=0o755)
    (root / "DEBIAN" / "control").write_text(control(version, arch, deps, root), encoding="utf-8")
    out = out_dir / f"{PACKAGE}_{version}_{arch}.deb"
    _run("dpkg-deb", "--root-owner-group", "-Zzstd", "--build", str(root), str(out))
    shutil.rmtree(root)
    return out


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit("usage: python tools/bundle_deb.py BUNDLE_DIR OUT_DIR WORK_DIR")
    try:
        print(build(Path(sys.argv[1]), Path(sys.argv[2]), Path(sys.argv[3])))
    except BuildError as exc:
        sys.exit(f"Building the .deb failed: {exc}")
