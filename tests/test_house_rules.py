"""The house rules, checked on the source of the engine, the benchmark and the app: no module shadows the standard library, no import cycle
between engine modules, no ImportError guard around our own modules, files and functions of a readable size."""
import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGES = ("engine", "bench", "app")
OTHERS = ()
OURS = ("engine", "bench", "app")
MAX_FILE_LINES, MAX_FUNCTION_LINES = 400, 60


def _modules(package):
    for path in sorted((ROOT / package).rglob("*.py")):
        parts = path.relative_to(ROOT).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        if name.startswith(OTHERS):
            continue
        yield name, path, ast.parse(path.read_text(encoding="utf-8"))


def _imported(name, path, tree):
    """Our modules imported anywhere in the file (inside functions too), as absolute names."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            yield from (a.name for a in node.names if a.name.split(".")[0] in OURS)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                up = package.split(".")
                up = up[:len(up) - node.level + 1]
                base = ".".join(up + ([base] if base else []))
            if base.split(".")[0] in OURS:
                yield base
                yield from (f"{base}.{a.name}" for a in node.names)


@pytest.mark.parametrize("package", PACKAGES)
def test_no_module_shadows_the_standard_library(package):
    shadows = [n for n, _, _ in _modules(package) if n.rpartition(".")[2] in sys.stdlib_module_names]
    assert shadows == []


def test_engine_modules_import_each_other_without_cycles():
    mods = {n: (p, t) for n, p, t in _modules("engine")}
    graph = {n: {m for m in _imported(n, p, t) if m in mods and m != n and not n.startswith(m + ".")
                 and not (m == "engine" and n.startswith("engine."))}
             for n, (p, t) in mods.items()}
    state, cycles = {}, []

    def visit(n, trail):
        state[n] = "open"
        for m in sorted(graph[n]):
            if state.get(m) == "open":
                cycles.append(trail[trail.index(m):] + [m])
            elif m not in state:
                visit(m, trail + [m])
        state[n] = "done"

    for n in sorted(graph):
        if n not in state:
            visit(n, [n])
    assert cycles == []


@pytest.mark.parametrize("package", PACKAGES + ("tests",))      # a test's fallback would hide a broken import
def test_no_import_error_guard_around_our_own_modules(package):
    guarded = []
    for name, path, tree in _modules(package):
        for node in ast.walk(tree):
            if not isinstance(node, ast.Try):
                continue
            catches = {ast.unparse(h.type) for h in node.handlers if h.type is not None}
            if not any("ImportError" in c for c in catches):
                continue
            body = ast.Module(body=node.body, type_ignores=[])
            if any(True for _ in _imported(name, path, body)):
                guarded.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert guarded == []


@pytest.mark.parametrize("package", PACKAGES)
def test_files_and_functions_stay_readable(package):
    long_files, long_functions = [], []
    for name, path, tree in _modules(package):
        lines = path.read_text(encoding="utf-8").splitlines()
        if len(lines) > MAX_FILE_LINES:
            long_files.append(f"{path.relative_to(ROOT)}: {len(lines)} lines")
        for node in ast.walk(tree):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                n = node.end_lineno - node.lineno + 1
                said_why = "long on purpose" in (ast.get_docstring(node) or "") + lines[node.lineno - 2]
                if n > MAX_FUNCTION_LINES and not said_why:
                    long_functions.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.name}: {n} lines")
    assert long_files == [] and long_functions == []


def test_every_package_docstring_maps_its_modules():
    missing = []
    for package in PACKAGES:
        for init in sorted((ROOT / package).rglob("__init__.py")):
            doc = ast.get_docstring(ast.parse(init.read_text(encoding="utf-8"))) or ""
            here = init.parent
            names = [p.stem for p in here.glob("*.py") if p.stem != "__init__"]
            names += [d.name for d in here.iterdir() if (d / "__init__.py").is_file()]
            missing += [f"{here.relative_to(ROOT)}/{n}" for n in names if n not in doc]
    assert missing == []
