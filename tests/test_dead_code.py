"""No dead code in the app: every function, class, method and constant defined in app/ is used somewhere (the app,
the engine, the tools or a test). The engine is a library and may offer what the repository does not call.

A module-level name counts as used in another file only if that file also names the module (`tips.WEIGHTS`,
`from app.widgets.tips import ...`); a method counts as used wherever its name appears. Qt's virtual methods
(camelCase overrides such as mouseReleaseEvent) are called by Qt, never by name.
"""
from __future__ import annotations

import ast
import re
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORD = re.compile(r"\b[A-Za-z_]\w*\b")
QT_OVERRIDE = re.compile(r"^[a-z]+[A-Z]")
# app/paths.py is kept as it is for the bundled-app (PyInstaller) work, which reads resources through it
KEPT = {("app/paths.py", "resource")}


def _defined(tree: ast.Module) -> tuple[list[str], list[str]]:
    """(module-level names, method names) a module defines."""
    top, methods = [], []
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            top.append(node.name)
            if isinstance(node, ast.ClassDef):
                methods += [f.name for f in node.body if isinstance(f, (ast.FunctionDef, ast.AsyncFunctionDef))]
        elif isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            top += [t.id for t in targets if isinstance(t, ast.Name)]
    return top, methods


def unused_names() -> list[str]:
    files = [p for d in ("app", "engine", "bench", "tools", "tests", "resources") for p in (ROOT / d).rglob("*.py")]
    words = {p: Counter(WORD.findall(p.read_text(encoding="utf-8"))) for p in files}
    everywhere = sum(words.values(), Counter())
    unused = []
    for path in sorted((ROOT / "app").rglob("*.py")):
        module = path.parent.name if path.name == "__init__.py" else path.stem
        top, methods = _defined(ast.parse(path.read_text(encoding="utf-8")))
        rel = path.relative_to(ROOT).as_posix()
        for name in top:
            uses = words[path][name] - 1 + sum(c[name] for p, c in words.items() if p != path and c[module])
            if uses <= 0 and not name.startswith("__") and (rel, name) not in KEPT:
                unused.append(f"{rel}: {name}")
        for name in methods:
            if everywhere[name] <= 1 and not name.startswith("__") and not QT_OVERRIDE.match(name):
                unused.append(f"{rel}: method {name}")
    return unused


def test_every_name_the_app_defines_is_used():
    assert unused_names() == []
