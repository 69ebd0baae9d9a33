"""Every engine and bench module imports where POSIX-only modules are missing (Windows), and the engine's
library never imports the benchmark. Checked in a fresh interpreter."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

IMPORT_ALL = """
import importlib, json, pkgutil, sys
for name in {blocked!r}:
    sys.modules[name] = None                  # `import resource` now raises ImportError, as on Windows
import engine, bench
failed = {{}}
names = []
for pkg in (engine, bench):
    for m in pkgutil.walk_packages(pkg.__path__, pkg.__name__ + "."):
        if m.name.endswith("__main__"):
            continue
        names.append(m.name)
        try:
            importlib.import_module(m.name)
        except Exception as exc:
            failed[m.name] = repr(exc)
print(json.dumps({{"names": names, "failed": failed}}))
"""


def _run(code):
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_every_module_imports_without_posix_only_modules():
    got = _run(IMPORT_ALL.format(blocked=["resource", "fcntl", "termios", "pwd", "grp"]))
    assert got["failed"] == {}
    for name in ("engine.cli", "engine.training", "engine.presets", "bench.main", "bench.measure",
                 "bench.runners", "bench.report", "bench.naive"):
        assert name in got["names"]


def test_the_engine_library_never_imports_the_benchmark():
    code = ("import importlib, pkgutil, sys, engine\n"
            "for m in pkgutil.walk_packages(engine.__path__, 'engine.'):\n"
            "    if not m.name.endswith('__main__'):\n"
            "        importlib.import_module(m.name)\n"
            "import json; print(json.dumps(sorted(k for k in sys.modules if k.split('.')[0] == 'bench')))\n")
    assert _run(code) == []


def test_peak_memory_is_unknown_rather_than_a_crash_without_proc_or_resource(monkeypatch):
    from bench import measure
    monkeypatch.setitem(sys.modules, "resource", None)
    monkeypatch.setattr(measure, "Path", lambda p: Path("/nonexistent") / str(p).lstrip("/"))
    assert measure._peak_rss_mb() is None
    assert measure.memory_measurable() is False
