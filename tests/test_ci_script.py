""".ci/run runs the README's test command verbatim first, then installs pinned CPU torch, onnx and onnxruntime
and runs the export tests, then the bundle group; it installs desktop-file-utils with Qt's libraries, and what the
bundle group needs (Xvfb, xdotool, the MIME database, gio, binutils)."""
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def readme_test_command() -> str:
    blocks = re.findall(r"```sh\n(.*?)\n```", (ROOT / "README.md").read_text(), re.S)
    (command,) = [b for b in blocks if "pytest" in b and "venv" in b][:1]
    return command.strip()


def test_ci_runs_the_readme_command_then_the_export_tests():
    lines = [l.strip() for l in (ROOT / ".ci" / "run").read_text().splitlines()]
    readme = lines.index(readme_test_command())
    install = next(i for i, l in enumerate(lines) if "pip install" in l and "torch" in l)
    export = next(i for i, l in enumerate(lines) if "pytest" in l and "-m export" in l)
    assert readme < install < export
    # the pinned CPU torch first, then the extras, whose torch>=2.1 keeps it
    words = lines[install].split()
    assert words.index("torch==2.13.0") < words.index("'.[export,bench]'")


def test_extras_ask_for_a_torch_range_and_the_readme_pins_the_cpu_build_first():
    pyproject = (ROOT / "pyproject.toml").read_text()
    extras = re.search(r"^\[project.optional-dependencies\]\n(.*?)^\[", pyproject, re.M | re.S).group(1)
    torch = re.findall(r'"torch([^"]*)"', extras)
    assert torch == [">=2.1", ">=2.1"]                     # bench and export
    readme = " ".join((ROOT / "README.md").read_text().split())
    first, extra = readme.index("pip install torch==2.13.0 &&"), readme.index("pip install -e '.[export]'")
    assert first < extra


def test_ci_installs_desktop_file_utils_and_runs_hypothesis_derandomized():
    text = (ROOT / ".ci" / "run").read_text()
    assert "desktop-file-utils" in text and "libxcb-cursor0" in text
    assert re.search(r'^export CI=', text, re.M)


def test_export_and_bundle_markers_are_registered_and_deselected_by_default():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"export: ' in pyproject and '"bundle: ' in pyproject
    assert "addopts = \"-ra -m 'not export and not bundle'\"" in pyproject


def test_ci_runs_the_bundle_group_after_the_readme_command_with_what_it_needs():
    text = (ROOT / ".ci" / "run").read_text()
    lines = [l.strip() for l in text.splitlines()]
    readme = lines.index(readme_test_command())
    bundle = next(i for i, l in enumerate(lines) if "pytest" in l and "-m bundle" in l)
    assert readme < bundle
    for package in ("xvfb", "xdotool", "shared-mime-info", "desktop-file-utils", "libglib2.0-bin", "binutils"):
        assert re.search(rf"\b{re.escape(package)}\b", text), package
