"""The engine never imports Qt or plotting: checked in a fresh interpreter."""
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_engine_imports_no_gui_library():
    code = ("import sys, pkgutil, importlib, engine\n"
            "for m in pkgutil.iter_modules(engine.__path__):\n"
            "    if m.name not in ('__main__',):\n"
            "        try: importlib.import_module('engine.' + m.name)\n"
            "        except ImportError as e: print('skip', m.name, e, file=sys.stderr)\n"
            "bad = sorted(k for k in sys.modules if k.split('.')[0] in ('PySide6', 'shiboken6', 'pyqtgraph', 'PyQt5', "
            "'PyQt6', 'matplotlib', 'superqt', 'app'))\n"
            "print(','.join(bad))\n")
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "", f"engine imported: {out.stdout.strip()}"


def test_core_api_names():
    import engine
    for name in ("Network", "TrainConfig", "Trainer", "fit", "BatchStats", "EpochStats", "Finished", "ACTIVATIONS",
                 "LOSSES", "OPTIMIZERS", "SCHEDULES", "INITIALIZERS", "errors"):
        assert hasattr(engine, name), name
