"""Reading pyproject.toml: the model, and validation that reports every problem at once."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.specifiers import SpecifierSet

from px.errors import InputError
from px.project import Index, PackageSource, load_project, parse_pyproject

FULL = """\
[build-system]
requires = ["hatchling"]
build-backend = "hatchling.build"

[project]
name = "My_App"
version = "1.2.0"
requires-python = ">=3.10"
dependencies = ["Flask>=2", "requests[socks]; python_version < '3.13'"]

[project.optional-dependencies]
Fast = ["orjson"]

[dependency-groups]
dev = ["pytest>=8", {include-group = "lint"}]
lint = ["ruff"]

[tool.px]
python = "3.12"
index-url = "https://mirror.example/simple"
find-links = ["./wheels", "https://example.org/links/"]

[[tool.px.index]]
name = "internal"
url = "https://user:secret@pkgs.example/simple"
explicit = true

[tool.px.sources]
My_Lib = { index = "internal" }
"""


def problems(text: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        parse_pyproject(text, root=Path("/p"))
    assert caught.value.what == "pyproject.toml is invalid"
    assert "fix" in (caught.value.hint or "")
    return list(caught.value.details)


def test_full_project_is_read_into_the_model() -> None:
    project = parse_pyproject(FULL, root=Path("/p"))
    assert project.name == "my-app"
    assert project.name_as_written == "My_App"
    assert project.version == "1.2.0"
    assert project.requires_python == SpecifierSet(">=3.10")
    assert project.dependencies == (
        Requirement("Flask>=2"),
        Requirement("requests[socks]; python_version < '3.13'"),
    )
    assert [(e.name, e.requirements) for e in project.extras] == [
        ("fast", (Requirement("orjson"),))
    ]
    dev = project.group("dev")
    assert dev is not None and dev.requirements == (Requirement("pytest>=8"), Requirement("ruff"))
    assert dev.includes == ("lint",)
    assert project.is_package and project.build_system is not None
    assert project.build_system.backend == "hatchling.build"
    px = project.px
    assert px.python == "3.12"
    assert px.find_links == ("./wheels", "https://example.org/links/")
    assert px.indexes == (
        Index("internal", "https://user:secret@pkgs.example/simple", explicit=True),
    )
    assert px.sources == (PackageSource("my-lib", "internal"),)
    assert px.index_urls_for("My.Lib") == ("https://user:secret@pkgs.example/simple",)
    assert px.index_urls_for("flask") == ("https://mirror.example/simple",)


def test_minimal_project_defaults() -> None:
    project = parse_pyproject('[project]\nname = "x"\n', root=Path("/p"))
    assert project.version is None
    assert project.dependencies == () and project.groups == () and project.extras == ()
    assert not project.is_package
    assert project.px.default_index_url() == "https://pypi.org/simple"
    assert project.pyproject == Path("/p/pyproject.toml")


def test_index_priority_default_and_extra_indexes() -> None:
    project = parse_pyproject(
        """\
[project]
name = "x"
[[tool.px.index]]
name = "extra"
url = "https://extra.example/simple"
[[tool.px.index]]
name = "main"
url = "https://main.example/simple"
default = true
""",
        root=Path("/p"),
    )
    assert project.px.default_index_url() == "https://main.example/simple"
    assert project.px.index_urls_for("anything") == (
        "https://extra.example/simple",
        "https://main.example/simple",
    )


def test_every_problem_is_reported_with_its_key_path() -> None:
    text = """\
[project]
name = "demo"
version = "not a version!"
requires-python = ">=3.10,<<4"
dependencies = ["flask", "requests", "foo>>1", 42]

[project.optional-dependencies]
"bad extra!" = ["x"]
ok = "not-a-list"

[tool.px]
index_url = "https://example.org/simple"
find-links = [""]

[[tool.px.index]]
url = "ftp://example.org/simple"
colour = "blue"

[tool.px.sources]
flask = { index = "nowhere" }
"""
    found = problems(text)
    expected_starts = [
        "pyproject.toml: tool.px.index_url: unknown key (did you mean 'index-url'?)",
        "pyproject.toml: tool.px.index[0].colour: unknown key",
        "pyproject.toml: tool.px.index[0].name: missing",
        "pyproject.toml: tool.px.index[0].url: invalid URL 'ftp://example.org/simple'",
        "pyproject.toml: tool.px.find-links[0]: must not be empty",
        "pyproject.toml: tool.px.sources.flask.index: index 'nowhere' is not declared",
        "pyproject.toml: project.version: invalid version 'not a version!'",
        "pyproject.toml: project.requires-python: invalid version specifier '>=3.10,<<4'",
        "pyproject.toml: project.dependencies[2]: invalid requirement 'foo>>1': ",
        "pyproject.toml: project.dependencies[3]: expected a string, got an integer",
        'pyproject.toml: project.optional-dependencies."bad extra!": invalid extra name',
        "pyproject.toml: project.optional-dependencies.ok: expected an array, got a string",
    ]
    assert len(found) == len(expected_starts), found
    for line in expected_starts:
        assert any(f.startswith(line) for f in found), (line, found)


def test_project_table_and_name_are_required() -> None:
    assert problems('[tool.px]\npython = "3.12"\n') == [
        "pyproject.toml: project: missing: px needs a [project] table with at least a name"
    ]
    assert problems("[project]\nversion = '1'\n") == ["pyproject.toml: project.name: missing"]
    assert problems("[project]\nname = 'no spaces allowed'\n") == [
        "pyproject.toml: project.name: invalid project name 'no spaces allowed'"
    ]


def test_dynamic_rules() -> None:
    found = problems(
        """\
[project]
name = "x"
version = "1.0"
dynamic = ["version", "dependencies"]
"""
    )
    assert found == [
        "pyproject.toml: project.dynamic: 'dependencies' cannot be dynamic in a px project",
        "pyproject.toml: project.version: set although 'version' is listed in project.dynamic",
    ]
    project = parse_pyproject('[project]\nname = "x"\ndynamic = ["version"]\n', root=Path("/p"))
    assert project.version is None and project.dynamic == ("version",)


def test_index_conflicts_and_duplicates() -> None:
    found = problems(
        """\
[project]
name = "x"
[tool.px]
index-url = "https://a.example/simple"
[[tool.px.index]]
name = "one"
url = "https://one.example/simple"
default = true
[[tool.px.index]]
name = "one"
url = "https://two.example/simple"
explicit = "yes"
"""
    )
    assert found == [
        "pyproject.toml: tool.px.index[1].explicit: expected a boolean, got a string",
        "pyproject.toml: tool.px.index[1].name: duplicate index name 'one'",
        "pyproject.toml: tool.px.index-url: conflicts with an index marked `default = true`:"
        " keep one of them",
    ]


def test_source_entries_are_checked() -> None:
    found = problems(
        """\
[project]
name = "x"
[[tool.px.index]]
name = "corp"
url = "https://corp.example/simple"
[tool.px.sources]
a = "corp"
b = { index = "corp", branch = "main" }
c = {}
"""
    )
    assert found == [
        'pyproject.toml: tool.px.sources.a: expected a table like { index = "name" }, got a string',
        "pyproject.toml: tool.px.sources.b.branch: unknown key",
        "pyproject.toml: tool.px.sources.c.index: missing",
    ]


def test_build_system_without_requires() -> None:
    found = problems('[build-system]\nbuild-backend = "x"\n[project]\nname = "x"\n')
    assert found == [
        "pyproject.toml: build-system.requires: missing (PEP 518 requires it in [build-system])"
    ]


def test_toml_syntax_error_names_line_and_column() -> None:
    with pytest.raises(InputError) as caught:
        parse_pyproject(
            '[project]\nname = "x"\nversion = \n', root=Path("/p"), source="/p/pyproject.toml"
        )
    error = caught.value
    assert error.what == "pyproject.toml is not valid TOML"
    assert "line 3, column 11" in (error.why or "")
    assert error.details[0].startswith("/p/pyproject.toml:3:11: ")


def test_load_project_reads_a_directory_or_a_file(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "Demo"\n', encoding="utf-8")
    assert load_project(tmp_path).name == "demo"
    assert load_project(tmp_path / "pyproject.toml").root == tmp_path


def test_missing_file_suggests_px_init(tmp_path: Path) -> None:
    with pytest.raises(InputError) as caught:
        load_project(tmp_path)
    assert str(tmp_path / "pyproject.toml") in caught.value.what
    assert "px init" in (caught.value.hint or "")


def test_undecodable_file_is_input_error(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_bytes(b'[project]\nname = "\xff"\n')
    with pytest.raises(InputError, match="not UTF-8"):
        load_project(tmp_path)
