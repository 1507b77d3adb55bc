"""`px tidy`: unused declarations and undeclared imports, reported and (--fix) removed."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import jsonschema
import pytest

from px.lock import parse

REPO = Path(__file__).resolve().parents[2]
PYPROJECT = """\
[project]
name = "tidy-demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["diamond-a", "extras-pkg"]

[dependency-groups]
dev = ["markers-pkg"]
"""


@pytest.fixture
def project(tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    """Declares diamond-a (nothing imports it); imports yaml (nothing declares it)."""
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "tidy-demo"
    (root / "src" / "tidy_demo").mkdir(parents=True)
    (root / "tests").mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    (root / "src" / "tidy_demo" / "__init__.py").write_text(
        "import os\nimport extras_pkg\nimport yaml\nfrom . import helpers\n"
    )
    (root / "src" / "tidy_demo" / "helpers.py").write_text("from tidy_demo import VALUE\n")
    (root / "tests" / "test_demo.py").write_text(
        "import markers_pkg\nimport tidy_demo\nfrom conftest import thing\n"
    )
    (root / "tests" / "conftest.py").write_text("thing = 1\n")
    return root


def schema() -> dict[str, object]:
    return json.loads((REPO / "schema" / "output" / "tidy.schema.json").read_text())  # type: ignore[no-any-return]


def test_tidy_reports_unused_and_undeclared(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    before = (project / "pyproject.toml").read_text()
    result = px("tidy", "--json", cwd=project)
    assert result.code == 0, result.err
    report = result.json()
    jsonschema.validate(report, schema())
    assert report["unused"] == [
        {"name": "diamond-a", "where": "project.dependencies", "tests_only": False}
    ]
    assert report["undeclared"] == [
        {
            "module": "yaml",
            "files": ["src/tidy_demo/__init__.py"],
            "tests": False,
            "provided_by": None,
        }
    ]
    assert report["fixed"] == []
    assert (project / "pyproject.toml").read_text() == before  # only --fix changes files
    text = px("tidy", cwd=project)
    assert "unused: diamond-a in project.dependencies" in text.out
    assert "undeclared: yaml (imported by the code: src/tidy_demo/__init__.py)" in text.out
    assert "px tidy --fix" in text.out


def test_tidy_fix_removes_the_unused_declaration_and_relocks(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("install", cwd=project).code == 0
    locked = {p.name for p in parse((project / "px.lock").read_text()).packages}
    assert {"diamond-a", "diamond-d"} <= locked
    result = px("tidy", "--fix", "--json", cwd=project)
    assert result.code == 0, result.err
    report = result.json()
    jsonschema.validate(report, schema())
    assert report["fixed"] == [
        {"name": "diamond-a", "where": "project.dependencies", "tests_only": False}
    ]
    assert report["unused"] == []
    assert [u["module"] for u in report["undeclared"]] == ["yaml"]  # reported, never "fixed"
    assert 'dependencies = ["extras-pkg"]' in (project / "pyproject.toml").read_text()
    relocked = {p.name for p in parse((project / "px.lock").read_text()).packages}
    assert not relocked & {"diamond-a", "diamond-b", "diamond-c"}
    assert px("lock", "--check", cwd=project).code == 0  # the lock matches the new pyproject
    gone = subprocess.run(
        [str(project / ".px" / "bin" / "python"), "-c", "import diamond_a"],
        capture_output=True, check=False,
    )  # fmt: skip
    assert gone.returncode != 0  # and the environment was synced to it
    assert report["removed_generations"] and report["generation"] is not None
    assert sorted(p.name for p in (project / ".px" / "gens").iterdir()) == [
        str(report["generation"])
    ]


def test_a_runtime_dependency_only_tests_import_is_not_removed(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "src" / "tidy_demo" / "__init__.py").write_text("import extras_pkg\n")
    (project / "tests" / "test_demo.py").write_text("import markers_pkg\nimport diamond_a\n")
    before = (project / "pyproject.toml").read_text()
    result = px("tidy", "--fix", "--json", cwd=project)
    assert result.code == 0, result.err
    report = result.json()
    assert report["fixed"] == [] and report["undeclared"] == []
    assert report["unused"] == [
        {"name": "diamond-a", "where": "project.dependencies", "tests_only": True}
    ]
    assert (project / "pyproject.toml").read_text() == before
    assert "move it to the dev group" in px("tidy", cwd=project).out
