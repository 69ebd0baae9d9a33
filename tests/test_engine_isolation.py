"""The engine never imports Qt or plotting, and every engine module imports: checked in a fresh interpreter."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GUI = ("PySide6", "shiboken6", "pyqtgraph", "PyQt5", "PyQt6", "matplotlib", "superqt", "app")

# Imports every module of the package (no try: a module that cannot be imported fails the run), then lists GUI
# modules that came along.
PROBE = ("import sys, pkgutil, importlib\n"
         "pkg = importlib.import_module(sys.argv[1])\n"
         "for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + '.'):\n"
         "    if not m.name.endswith('.__main__'):\n"
         "        importlib.import_module(m.name)\n"
         f"bad = sorted(k for k in sys.modules if k.split('.')[0] in {GUI!r})\n"
         "print(','.join(bad))\n")


def import_all(package: str, cwd: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-c", PROBE, package], cwd=cwd, capture_output=True, text=True,
                          timeout=120)


def test_engine_imports_no_gui_library():
    out = import_all("engine", ROOT)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"engine imported: {out.stdout.strip()}"


def test_an_unimportable_module_fails_the_check(tmp_path):
    pkg = tmp_path / "fake_engine"
    (pkg / "sub").mkdir(parents=True)
    (pkg / "__init__.py").write_text("")
    (pkg / "sub" / "__init__.py").write_text("")
    (pkg / "sub" / "broken.py").write_text("import no_such_module_anywhere\n")
    out = import_all("fake_engine", tmp_path)
    assert out.returncode != 0 and "no_such_module_anywhere" in out.stderr


def test_core_api_names():
    import engine
    for name in ("Network", "TrainConfig", "Trainer", "fit", "BatchStats", "EpochStats", "Finished", "ACTIVATIONS",
                 "LOSSES", "OPTIMIZERS", "SCHEDULES", "INITIALIZERS", "errors", "__version__"):
        assert hasattr(engine, name), name
