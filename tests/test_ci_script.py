""".ci/run runs the README's test command verbatim first, then installs pinned CPU torch, onnx and onnxruntime
and runs the export tests; it installs desktop-file-utils with Qt's libraries."""
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
    assert "torch==2.13.0" in lines[install].split() and {"onnx", "onnxruntime"} <= set(lines[install].split())


def test_ci_installs_desktop_file_utils_and_runs_hypothesis_derandomized():
    text = (ROOT / ".ci" / "run").read_text()
    assert "desktop-file-utils" in text and "libxcb-cursor0" in text
    assert re.search(r'^export CI=', text, re.M)


def test_export_marker_is_registered_and_deselected_by_default():
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert '"export: ' in pyproject and "addopts = \"-ra -m 'not export'\"" in pyproject
