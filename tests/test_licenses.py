"""The code is MIT; the bundled digits keep their own licenses. pyproject.toml's license expression, its license
files, Help > About and the README name the same licenses, and About's attributions are those of SOURCES.md."""
from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = {"CC-BY-SA-3.0": ROOT / "resources" / "mnist-sample" / "SOURCES.md",
           "CC-BY-4.0": ROOT / "resources" / "pendigits" / "SOURCES.md"}


def project() -> dict:
    """license and license-files from pyproject.toml (read without tomllib, which Python 3.10 lacks)."""
    text = (ROOT / "pyproject.toml").read_text()
    return {key: ast.literal_eval(re.search(rf"^{key} = (.+)$", text, re.M).group(1))
            for key in ("license", "license-files")}


def test_the_license_expression_names_the_code_and_every_bundled_data_license():
    from app.dialogs import CODE_LICENSE, DATA_LICENSES
    assert project()["license"] == " AND ".join([CODE_LICENSE] + [d.spdx for d in DATA_LICENSES])
    assert project()["license"] == "MIT AND CC-BY-SA-3.0 AND CC-BY-4.0"


def test_each_data_attribution_travels_as_a_license_file():
    files = project()["license-files"]
    assert files[0] == "LICENSE"
    assert sorted(files[1:]) == sorted(str(p.relative_to(ROOT)) for p in SOURCES.values())


@pytest.mark.parametrize("spdx", sorted(SOURCES))
def test_about_shows_the_attribution_its_sources_file_gives(spdx):
    from app.dialogs import DATA_LICENSES
    (entry,) = [d for d in DATA_LICENSES if d.spdx == spdx]
    sources = " ".join(SOURCES[spdx].read_text().split())            # line breaks do not matter
    for fact in (entry.title, entry.source_url, entry.license, entry.license_url):
        assert fact in sources, fact
    surnames = re.findall(r"\b([A-Z][a-z]+[A-Za-z]*)(?:,| and|$)", entry.credit.split("(")[0])
    assert surnames and all(name in sources for name in surnames), surnames


def test_readme_names_the_code_and_data_licenses():
    readme = " ".join((ROOT / "README.md").read_text().split())
    assert "MIT AND CC-BY-SA-3.0 AND CC-BY-4.0" in readme and "Help > About" in readme
