"""Build MLP Studio as a self-contained folder that runs without Python: `python tools/build_bundle.py`.

1. A build environment (build/bundle/env) gets MLP Studio pip-installed from a copy of this checkout, not
   editable, with the `bundle` extra (PyInstaller): the bundle takes exactly what an install holds.
2. PyInstaller runs bundle/mlp-studio.spec there: dist/mlp-studio/, started by dist/mlp-studio/mlp-studio.
3. The licences of everything inside go to dist/mlp-studio/LICENSES/ (tools/bundle_licenses.py).
4. On Linux: dist/mlp-studio-VERSION-linux-ARCH.tar.gz (the folder with install.sh, for one user without root)
   and, where dpkg-deb is, dist/mlp-studio_VERSION_ARCH.deb (tools/bundle_deb.py).
Prints what it made with sizes and times; a step that fails ends the build with one sentence and exit status 1.
Options: --no-packages (the folder only), --dist DIR, --work DIR, --python EXE (the Python to build with).
"""
from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
NAME = "mlp-studio"
SKIP = shutil.ignore_patterns(".git", ".venv", "build", "dist", "*.egg-info", "__pycache__", ".pytest_cache",
                              ".hypothesis", "tests")


class BuildError(Exception):
    """A build step failed; str() is the sentence printed."""


def _step(what: str, cmd: list[str], **kwargs) -> str:
    """Run a command; its output, or BuildError with the last lines it printed."""
    out = subprocess.run(cmd, capture_output=True, text=True, **kwargs)
    if out.returncode != 0:
        tail = "\n".join((out.stderr or out.stdout).strip().splitlines()[-15:])
        raise BuildError(f"{what} failed (exit status {out.returncode}):\n{tail}")
    return out.stdout


def env_python(env: Path) -> Path:
    return env / ("Scripts/python.exe" if os.name == "nt" else "bin/python")


def build_environment(work: Path, python: str) -> Path:
    """A virtual environment with this checkout pip-installed (from a copy: the checkout stays clean)."""
    env = work / "env"
    if not env_python(env).exists():
        _step("Creating the build environment", [python, "-m", "venv", str(env)])
    source = work / "source"
    shutil.rmtree(source, ignore_errors=True)
    shutil.copytree(ROOT, source, ignore=SKIP)
    _step("Installing MLP Studio into the build environment",
          [str(env_python(env)), "-m", "pip", "install", "-q", f"{source}[bundle]"])
    return env_python(env)


def freeze(py: Path, work: Path, dist: Path) -> Path:
    """PyInstaller, run from the work folder so that no checkout is on its path."""
    pyi = work / "pyinstaller"
    pyi.mkdir(parents=True, exist_ok=True)
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    _step("PyInstaller", [str(py), "-m", "PyInstaller", "--noconfirm", "--log-level", "WARN", "--distpath",
                          str(dist), "--workpath", str(pyi), str(ROOT / "bundle" / "mlp-studio.spec")],
          cwd=pyi, env=env)
    return dist / NAME


def version_of(bundle: Path) -> str:
    (info,) = (bundle / "_internal").glob("mlp_studio-*.dist-info")
    return info.name.removeprefix("mlp_studio-").removesuffix(".dist-info")


def tarball(bundle: Path, dist: Path) -> Path:
    """The folder and install.sh, as mlp-studio/ in a .tar.gz (modes kept: the executables stay executable)."""
    out = dist / f"{NAME}-{version_of(bundle)}-linux-{platform.machine()}.tar.gz"
    with tarfile.open(out, "w:gz", compresslevel=6) as tar:
        tar.add(bundle, arcname=NAME)
        info = tar.gettarinfo(ROOT / "bundle" / "install.sh", arcname=f"{NAME}/install.sh")
        info.mode, info.uid, info.gid, info.uname, info.gname = 0o755, 0, 0, "root", "root"
        with open(ROOT / "bundle" / "install.sh", "rb") as f:
            tar.addfile(info, f)
    return out


def folder_size(folder: Path) -> int:
    return sum(p.lstat().st_size for p in folder.rglob("*") if p.is_file() and not p.is_symlink())


def build(args) -> list[str]:
    dist, work = Path(args.dist).resolve(), Path(args.work).resolve()
    work.mkdir(parents=True, exist_ok=True)
    lines, t = [], time.perf_counter()

    def done(text: str) -> None:
        nonlocal t
        lines.append(f"{text} ({time.perf_counter() - t:.0f} s)")
        print(lines[-1], flush=True)
        t = time.perf_counter()

    py = build_environment(work, args.python)
    done(f"build environment {py}")
    bundle = freeze(py, work, dist)
    done(f"bundle {bundle}: {folder_size(bundle) / 1e6:.0f} MB")
    _step("Writing the licences", [str(py), str(ROOT / "tools" / "bundle_licenses.py"),
                                   str(work / "pyinstaller" / NAME / "contents.json"), str(bundle)])
    done(f"licences {bundle / 'LICENSES' / 'COPYRIGHT'}")
    if args.no_packages or not sys.platform.startswith("linux"):
        return lines
    out = tarball(bundle, dist)
    done(f"archive {out}: {out.stat().st_size / 1e6:.0f} MB")
    if shutil.which("dpkg-deb"):
        deb = Path(_step("Building the .deb", [str(py), str(ROOT / "tools" / "bundle_deb.py"), str(bundle),
                                               str(dist), str(work)]).strip().splitlines()[-1])
        done(f"package {deb}: {deb.stat().st_size / 1e6:.0f} MB")
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dist", default=str(ROOT / "dist"))
    parser.add_argument("--work", default=str(ROOT / "build" / "bundle"))
    parser.add_argument("--python", default=sys.executable)
    parser.add_argument("--no-packages", action="store_true")
    args = parser.parse_args(argv)
    try:
        build(args)
    except BuildError as exc:
        print(f"Building the bundle failed: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
