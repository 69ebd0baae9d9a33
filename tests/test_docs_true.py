"""The docs tell the truth about the code: the module maps (docs/ARCHITECTURE.md's Layout, the package docstrings)
name every module of engine/, app/, bench/ and tools/ and nothing that does not exist, every repository path the
README names exists, and every measured number in the README names the tool or test that produced it.

Layout rule: a `name.py` on a line of the Layout block belongs to that line's folder (the folder the line opens, or
the one it sits in, by indentation); a path with a top-level folder (`app/state.py`) stands for itself; a name in
backticks is a command or a generated file, not a module. A new module fails here until its line is written."""
from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
MAPPED = ("engine", "app", "bench", "tools")
TOP = {p.name for p in ROOT.iterdir() if p.is_dir() and not p.name.startswith(".")}
DESCRIPTION_COLUMN = 16             # a Layout line indented this far continues the entry above it
PY_NAME = re.compile(r"(?<![\w./-])([\w/]+\.py)\b")
BACKTICKED = re.compile(r"`[^`]*`")


def modules(root: str) -> set[str]:
    """Repository paths of the .py modules under a folder, its subfolders included (__init__.py left out)."""
    return {p.relative_to(ROOT).as_posix() for p in (ROOT / root).rglob("*.py")
            if p.name != "__init__.py" and "__pycache__" not in p.parts}


def layout_block() -> str:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return text.split("## Layout\n", 1)[1].split("```\n", 1)[1].split("\n```", 1)[0]


def layout_names(block: str) -> list[str]:
    """Every .py path the Layout names, resolved by the folder each line belongs to."""
    stack: list[tuple[int, str]] = []          # (indent, folder) of the folders open above this line
    context, names = "", []
    for line in block.splitlines():
        body = BACKTICKED.sub("", line)
        indent = len(line) - len(line.lstrip())
        if line.strip() and indent < DESCRIPTION_COLUMN:
            while stack and stack[-1][0] >= indent:
                stack.pop()
            parent = stack[-1][1] if stack else ""
            head = line.split()[0]
            context = parent
            if head.endswith("/"):
                context = parent + head
                stack.append((indent, context))
        for name in PY_NAME.findall(body):
            first = name.split("/")[0]
            names.append(name if first in TOP else context + name)
    return names


def test_layout_names_every_module_and_only_modules_that_exist():
    named = layout_names(layout_block())
    expected = set().union(*(modules(root) for root in MAPPED))
    missing = sorted(expected - set(named))
    assert not missing, f"docs/ARCHITECTURE.md's Layout does not name: {missing}"
    ghosts = sorted(n for n in set(named) if not (ROOT / n).is_file())
    assert not ghosts, f"docs/ARCHITECTURE.md's Layout names modules that do not exist: {ghosts}"


def test_the_layout_reader_resolves_folders_by_indentation():
    block = ("engine/   the engine\n  a.py, b.py   two; `model.py` is generated\n  data/   sets: idx.py npz.py\n"
             "                  continued: csv_table.py\n  c.py   beside app/state.py\napp/\n  d.py  x\n")
    assert layout_names(block) == ["engine/a.py", "engine/b.py", "engine/data/idx.py", "engine/data/npz.py",
                                   "engine/data/csv_table.py", "engine/c.py", "app/state.py", "app/d.py"]


def docstring(package: str) -> str:
    text = (ROOT / package / "__init__.py").read_text(encoding="utf-8")
    return text.split('"""')[1]


def map_entries(package: str, indent: int) -> list[str]:
    """The first word of each map line of a package docstring: `name`, `name.py` or `folder/`."""
    entry = re.compile(r"^ {%d}(\w+(?:\.py)?/?)(?=\s)" % indent)
    return [m.group(1).removesuffix(".py") for line in docstring(package).splitlines()
            if (m := entry.match(line)) and (line[indent:].split()[0].endswith((".py", "/")) or indent)]


def folder_contents(package: str) -> list[str]:
    """What a package's map should list: its modules' names and its subpackages as `name/`."""
    folder = ROOT / package
    names = [p.stem for p in folder.glob("*.py") if p.name != "__init__.py"]
    return names + [p.name + "/" for p in folder.iterdir() if (p / "__init__.py").is_file()]


@pytest.mark.parametrize("package, indent", [("engine", 2), ("bench", 2), ("engine/export", 2),
                                             ("app", 0), ("engine/data", 0)])
def test_package_docstring_maps_each_module_once(package, indent):
    listed = map_entries(package, indent)
    twice = sorted({n for n in listed if listed.count(n) > 1})
    assert not twice, f"{package}/__init__.py's map lists {twice} more than once"
    expected = set(folder_contents(package))
    assert not expected - set(listed), f"{package}/__init__.py's map leaves out {sorted(expected - set(listed))}"
    assert not set(listed) - expected, f"{package}/__init__.py's map names {sorted(set(listed) - expected)}, " \
                                       f"which {package}/ does not have"


def test_widgets_docstring_mentions_every_widget_module():
    text = docstring("app/widgets")
    missing = [n for n in folder_contents("app/widgets") if not re.search(r"(?<![\w/])%s(?![\w])" % re.escape(n),
                                                                           text)]
    assert not missing, f"app/widgets/__init__.py's map leaves out {missing}"


# ---- the README ----------------------------------------------------------------------------------------------------
README = (ROOT / "README.md").read_text(encoding="utf-8")
REPO_PATH = re.compile(r"(?<![\w./~-])((?:%s)/[\w./*-]*[\w*])" % "|".join(
    ("engine", "app", "bench", "tools", "tests", "docs", "bundle", "resources")))
MEASURED = re.compile(r"\d(?:[\d,.]*\d)?\s?(?:ms|s|us|µs|min|minutes|MB|MiB|GB|GiB|KB|KiB|GFLOP/s)(?!\w)")
PERCENT = re.compile(r"\d(?:[\d,.]*\d)?\s?%")
MEASURED_SECTIONS = ("Speed", "Robustness", "Testing")      # their percentages are measurements too
SOURCE = re.compile(r"(?:engine|app|bench|tools|tests|bundle)/[\w/*]+\.py|python3? -m (?:engine|bench|app)\b"
                    r"|pytest -m \w+|--self-test|\.ci/run")


def test_every_path_the_readme_names_exists():
    named = set(REPO_PATH.findall(README)) | {"bench/%s.py" % m for m in re.findall(r"\bbench\.(\w+)", README)}
    ghosts = sorted(p for p in named if not (any(ROOT.glob(p)) if "*" in p else (ROOT / p).exists()))
    assert not ghosts, f"README.md names files that do not exist: {ghosts}"


def blocks(text: str) -> list[tuple[str, str]]:
    """(section, block) pairs: paragraphs and list items; a table joins the paragraph before it (which names its
    source); in a code block each line stands alone."""
    out, section, block, code = [], "", [], False

    def flush():
        if block:
            if block[0].startswith("|") and out and out[-1][0] == section:
                out[-1] = (section, out[-1][1] + "\n" + "\n".join(block))
            else:
                out.append((section, "\n".join(block)))
            block.clear()

    for line in text.splitlines():
        if line.startswith("```"):
            flush()
            code = not code
        elif code:
            out.append((section, line))
        elif not line.strip() or line.startswith("#") or re.match(r"(?:- |\d+\. )", line):
            flush()
            if line.startswith("## "):
                section = line[3:].strip()
            elif line.strip() and not line.startswith("#"):
                block.append(line)
        else:
            block.append(line)
    flush()
    return out


def unsourced(text: str) -> list[str]:
    bad = []
    for section, block in blocks(text):
        claims = MEASURED.findall(block) + (PERCENT.findall(block) if section in MEASURED_SECTIONS else [])
        if claims and not SOURCE.search(block):
            bad.append(f"[{section}] {claims[:3]}: {block[:100]}...")
    return bad


def test_every_measured_number_in_the_readme_names_its_tool_or_test():
    """A paragraph, list item or table (with the paragraph before it) that gives a time, a size or a rate (and,
    in Speed, Robustness and Testing, a percentage) names the script, test or command that measures it."""
    bad = unsourced(README)
    assert not bad, "README.md numbers without the tool or test that produces them:\n" + "\n".join(bad)


def test_the_number_rule_reads_tables_with_their_paragraph():
    ok = "Measured by `python -m bench.step_ab`:\n\n| a | 1.5 ms |\n|---|---|\n"
    assert unsourced(ok) == []
    assert unsourced("A click answers in 6-14 ms.\n") != []
    assert unsourced("## Speed\n\nIt reads 99 % of digits.\n") != []


def test_the_readme_starts_the_app_on_the_default_network_and_settings():
    from engine.presets import DIGIT_SPEC, PRESETS
    arch = "-".join(str(n) for n in [DIGIT_SPEC["input_size"]] + [layer["units"] for layer in DIGIT_SPEC["layers"]])
    opens = re.search(r"opens on \*\*Build & train\*\* with a ([\d-]+) network", README)
    assert opens and opens.group(1) == arch, f"the app opens on {arch}; the README says {opens and opens.group(1)}"
    cfg = PRESETS["app_digits"]
    hidden = DIGIT_SPEC["layers"][0]["activation"]
    said = f"The defaults ({arch} {'ReLU' if hidden == 'relu' else hidden}, {cfg.optimizer.title()} lr {cfg.lr:g} " \
           f"with {cfg.schedule} decay, batch {cfg.batch_size}, {cfg.epochs} epochs, augmentation " \
           f"{'on' if cfg.augment else 'off'};"
    assert said in README.replace("\n", " "), f"the README should say: {said}"
