"""The self-contained bundle (`pytest -m bundle`, deselected by default; needs root, dpkg-deb, Xvfb, xdotool, gio).

Builds the bundle, the .tar.gz and the .deb with tools/build_bundle.py; runs the bundle's --self-test with every
Python on the machine hidden (a private mount namespace binds empty folders over the Python library folders, the
checkout and the virtual environments, and /dev/null over the interpreters and libpython), so a pass proves no
Python is needed; installs the archive for one user with install.sh and removes it; installs the .deb, runs the
installed launcher's self-test, validates the installed desktop entry, starts the app from its menu entry and a
project file from its file type under Xvfb, then purges the package and checks that no file of it is left.
The package is purged at the end even when a test fails.
"""
from __future__ import annotations

import glob
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = [pytest.mark.bundle, pytest.mark.skipif(
    not sys.platform.startswith("linux") or os.geteuid() != 0 or shutil.which("dpkg-deb") is None,
    reason="the bundle tests run as root on a Debian-based Linux (they install and remove a .deb)")]

ROOT = Path(__file__).resolve().parents[1]
BUDGET_MB = 250
SYSTEM_PATH = "/usr/sbin:/usr/bin:/sbin:/bin"


def clean_env(home: Path, **extra) -> dict:
    """No project on PYTHONPATH, no virtual environment on PATH, nothing from the calling Python."""
    keep = ("LANG", "LC_ALL", "TERM", "TZ")
    env = {k: v for k, v in os.environ.items() if k in keep}
    env.update(PATH=SYSTEM_PATH, HOME=str(home), **extra)
    return env


def run(cmd, timeout=300, **kwargs) -> subprocess.CompletedProcess:
    return subprocess.run(cmd, capture_output=True, text=True, timeout=timeout, **kwargs)


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> dict:
    dist = tmp_path_factory.mktemp("dist")
    out = run([sys.executable, str(ROOT / "tools" / "build_bundle.py"), "--dist", str(dist),
               "--work", str(ROOT / "build" / "bundle")], timeout=1800)
    assert out.returncode == 0, out.stdout + out.stderr
    (tar,) = dist.glob("mlp-studio-*-linux-*.tar.gz")
    (deb,) = dist.glob("mlp-studio_*.deb")
    return {"bundle": dist / "mlp-studio", "tar": tar, "deb": deb, "log": out.stdout}


def hidden_pythons() -> tuple[list[str], list[str]]:
    """(folders, files) that hold a Python: library folders, prefixes, this checkout and its environments."""
    folders = {*glob.glob("/usr/lib/python3*"), *glob.glob("/usr/local/lib/python3*"), str(ROOT),
               os.path.realpath(sys.prefix), os.path.realpath(sys.base_prefix)}
    folders = {f for f in folders if f not in ("/usr", "/usr/local", "/") and os.path.isdir(f)}
    folders = {f for f in folders if not any(f.startswith(d + "/") for d in folders)}   # the outermost hides all
    files = {*glob.glob("/usr/bin/python3*"), *glob.glob("/usr/local/bin/python3*"),
             *glob.glob("/usr/lib/*/libpython3*"), *glob.glob("/usr/local/lib/libpython3*")}
    files = {os.path.realpath(f) for f in files if os.path.isfile(f)}
    return sorted(folders), sorted(f for f in files if not any(f.startswith(d + "/") for d in folders))


def test_the_bundle_passes_its_self_test_with_no_python_on_the_machine(built, tmp_path):
    empty = tmp_path / "empty"
    empty.mkdir()
    folders, files = hidden_pythons()
    script = "\n".join(
        ["set -e"]
        + [f'mount --bind "{empty}" "{d}"' for d in folders]
        + [f'mount --bind /dev/null "{f}"' for f in files]
        + ['for py in python3 python; do',
           '  if "$py" -c pass 2>/dev/null; then echo "$py still runs" >&2; exit 99; fi',
           'done',
           f'exec "{built["bundle"]}/mlp-studio" --self-test'])
    out = run(["unshare", "--mount", "--propagation", "private", "sh", "-c", script],
              env=clean_env(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert str(ROOT) in folders and len(folders) >= 2
    (line,) = out.stdout.strip().splitlines()
    version = re.search(r'^version = "([^"]+)"', (ROOT / "pyproject.toml").read_text(), re.M).group(1)
    assert line.startswith(f"MLP Studio {version} self-test passed")      # the metadata travels in the bundle
    assert f"digits from {built['bundle'].resolve()}/_internal/mlp_resources" in line


def test_the_bundle_stays_within_its_budget_and_leaves_out_unused_qt(built):
    bundle = built["bundle"]
    size = sum(p.lstat().st_size for p in bundle.rglob("*") if p.is_file() and not p.is_symlink())
    assert size < BUDGET_MB * 1e6
    names = {p.name for p in bundle.rglob("*")}
    assert not {"libQt6Network.so.6", "libQt6Qml.so.6", "libqwayland.so", "libqgtk3.so", "translations"} & names
    assert {"libqxcb.so", "libqoffscreen.so", "libqsvg.so", "libQt6Svg.so.6"} <= names
    assert not any(n.startswith(("libstdc++", "libfontconfig", "libreadline")) for n in names)


def test_every_copied_library_and_component_has_its_licence_listed(built):
    bundle = built["bundle"]
    text = (bundle / "LICENSES" / "COPYRIGHT").read_text()
    for needle in ("License: MIT", "CC-BY-SA-3.0", "CC-BY-4.0", "LGPL-3.0-only", "PSF-2.0", "OpenBLAS",
                   "Files: _internal/numpy/* _internal/numpy.libs/*", "GPL-2.0-or-later WITH Bootloader-exception"):
        assert needle in text or needle in (bundle / "LICENSES" / "numpy" / "licenses" / "LICENSE.txt").read_text()
    copied = [p.name for p in (bundle / "_internal").glob("lib*.so*") if not p.is_symlink()]
    ours = ("libpython", "libpyside6", "libshiboken6")
    assert copied and [n for n in copied if not n.startswith(ours) and f"Files: _internal/{n}\n" not in text] == []
    assert (bundle / "LICENSES" / "common" / "LGPL-3").is_file()


def test_install_sh_installs_for_one_user_without_root_and_removes_it_all(built, tmp_path):
    home, unpacked = tmp_path / "home", tmp_path / "unpacked"
    unpacked.mkdir()
    assert run(["tar", "-xzf", str(built["tar"]), "-C", str(unpacked)]).returncode == 0   # as a teacher would
    env = clean_env(home)
    out = run([str(unpacked / "mlp-studio" / "install.sh")], env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    dest, share = home / ".local" / "lib" / "mlp-studio", home / ".local" / "share"
    assert os.readlink(home / ".local" / "bin" / "mlp-studio") == str(dest / "mlp-studio")
    entry = (share / "applications" / "mlp-studio.desktop").read_text()
    assert f"Exec={dest}/mlp-studio %F" in entry
    assert (share / "mime" / "packages" / "mlp-studio.xml").is_file()
    assert (share / "icons" / "hicolor" / "48x48" / "apps" / "mlp-studio.png").is_file()
    assert run(["desktop-file-validate", str(share / "applications" / "mlp-studio.desktop")]).returncode == 0
    test = run([str(home / ".local" / "bin" / "mlp-studio"), "--self-test"], env=env, cwd=tmp_path)
    assert test.returncode == 0 and f"digits from {dest}/_internal" in test.stdout, test.stdout + test.stderr
    out = run(["sh", str(dest / "install.sh"), "--uninstall"], env=env, cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    left = [p for p in home.rglob("*") if p.is_file() and "mlp-studio" in p.name]
    assert left == [] and not dest.exists() and not (home / ".local" / "bin" / "mlp-studio").exists()


# ---- the Debian package: installed once for the tests below, purged at the end whatever happens --------------
@pytest.fixture(scope="module")
def installed(built):
    files = [line.split()[-1].lstrip(".") for line in run(["dpkg-deb", "-c", str(built["deb"])]).stdout.splitlines()]
    try:
        out = run(["dpkg", "-i", str(built["deb"])])
        assert out.returncode == 0, out.stdout + out.stderr
        yield {"files": [f for f in files if f not in ("/", "")], "deb": built["deb"]}
    finally:
        run(["dpkg", "-P", "mlp-studio"])


def test_the_package_declares_the_system_libraries_it_needs(installed):
    fields = run(["dpkg-deb", "-f", str(installed["deb"]), "Depends", "Package", "Architecture"]).stdout
    depends = fields.split("Depends:")[1].split("\n")[0]
    for package in ("libc6 (>= 2.", "libgl1", "libegl1", "libxcb1", "libfontconfig1", "libstdc++6"):
        assert package in depends
    assert "python3" not in depends


def test_the_installed_launcher_passes_its_self_test(installed, tmp_path):
    out = run(["mlp-studio", "--self-test"], env=clean_env(tmp_path), cwd=tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    assert "digits from /opt/mlp-studio/_internal/mlp_resources" in out.stdout
    assert os.readlink("/usr/bin/mlp-studio") == "/opt/mlp-studio/mlp-studio"
    assert "LGPL-3.0-only" in Path("/usr/share/doc/mlp-studio/copyright").read_text()


def test_the_installed_desktop_entry_validates_and_claims_the_file_type(installed, tmp_path):
    entry = "/usr/share/applications/mlp-studio.desktop"
    out = run(["desktop-file-validate", entry])
    assert out.returncode == 0 and not (out.stdout + out.stderr).strip(), out.stdout + out.stderr
    assert "Exec=mlp-studio %F" in Path(entry).read_text()
    project = tmp_path / "lesson.mlpstudio"
    project.write_bytes(b"PK\x05\x06" + bytes(18))          # the type comes from the name: any content will do
    info = run(["gio", "info", "-a", "standard::content-type", str(project)], env=clean_env(tmp_path))
    assert "application/x-mlpstudio" in info.stdout, info.stdout + info.stderr
    assert "mlp-studio.desktop" in Path("/usr/share/applications/mimeinfo.cache").read_text()


LAUNCH = """
set -u
"$@" &
for i in $(seq 1 120); do
  wid=$(xdotool search --onlyvisible --name "$TITLE" 2>/dev/null | head -1)
  [ -n "$wid" ] && break
  sleep 0.5
done
[ -n "$wid" ] || { echo "no window titled $TITLE" >&2; exit 1; }
pid=$(xdotool getwindowpid "$wid")
echo "window $wid pid $pid"
kill "$pid"
"""


def launch_under_xvfb(title: str, cmd: list[str], home: Path) -> subprocess.CompletedProcess:
    env = clean_env(home, TITLE=title, XDG_RUNTIME_DIR=str(home))
    return run(["xvfb-run", "-a", "-s", "-screen 0 1280x800x24", "sh", "-c", LAUNCH, "sh", *cmd], env=env,
               timeout=180)


def test_the_menu_entry_and_a_project_file_start_the_app_under_xvfb(installed, tmp_path):
    out = launch_under_xvfb("MLP Studio", ["gio", "launch", "/usr/share/applications/mlp-studio.desktop"], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr
    from app.project import Project, save_project
    from engine.network import Network
    from engine.presets import digit_spec

    net = Network.from_spec(digit_spec())
    project = tmp_path / "lesson.mlpstudio"
    save_project(project, Project(spec=net.to_spec(), network=net, trained=True))
    out = launch_under_xvfb("lesson.mlpstudio", ["gio", "open", str(project)], tmp_path)
    assert out.returncode == 0, out.stdout + out.stderr


def test_removing_the_package_leaves_no_system_file_behind(installed):
    out = run(["dpkg", "-P", "mlp-studio"])
    assert out.returncode == 0, out.stdout + out.stderr
    assert [f for f in installed["files"] if os.path.lexists(f) and not os.path.isdir(f)] == []
    assert not os.path.exists("/opt/mlp-studio")
    assert not os.path.exists("/usr/share/mime/application/x-mlpstudio.xml")
    assert "mlp-studio" not in Path("/usr/share/applications/mimeinfo.cache").read_text()
    assert run(["dpkg", "-s", "mlp-studio"]).returncode != 0
