"""PEP 735 dependency groups: include-group expansion and its errors."""

from __future__ import annotations

from pathlib import Path

import pytest
from packaging.requirements import Requirement

from px.errors import InputError
from px.project import parse_pyproject


def groups(body: str) -> dict[str, list[str]]:
    project = parse_pyproject(
        f'[project]\nname = "x"\n\n[dependency-groups]\n{body}', root=Path("/p")
    )
    return {g.name: [str(r) for r in g.requirements] for g in project.groups}


def problems(body: str) -> list[str]:
    with pytest.raises(InputError) as caught:
        groups(body)
    return list(caught.value.details)


def test_includes_expand_in_place_and_nest() -> None:
    found = groups(
        """\
test = ["pytest", {include-group = "Typing"}, "coverage"]
typing = ["mypy", {include-group = "stubs"}]
stubs = ["types-requests"]
all = [{include-group = "test"}, {include-group = "typing"}]
"""
    )
    assert found == {
        "all": ["pytest", "mypy", "types-requests", "coverage"],  # duplicates kept once
        "stubs": ["types-requests"],
        "test": ["pytest", "mypy", "types-requests", "coverage"],
        "typing": ["mypy", "types-requests"],
    }


def test_group_names_are_normalised() -> None:
    project = parse_pyproject(
        '[project]\nname = "x"\n[dependency-groups]\nDev_Tools = ["ruff"]\n', root=Path("/p")
    )
    group = project.group("dev-tools")
    assert group is not None and group.requirements == (Requirement("ruff"),)


def test_cycle_is_reported_once_with_its_path() -> None:
    found = problems(
        """\
a = ["x", {include-group = "b"}]
b = [{include-group = "c"}]
c = [{include-group = "a"}]
"""
    )
    assert found == [
        "pyproject.toml: dependency-groups.c[0]: include-group cycle: a -> b -> c -> a"
    ]


def test_self_include_is_a_cycle() -> None:
    assert problems('me = [{include-group = "me"}]\n') == [
        "pyproject.toml: dependency-groups.me[0]: include-group cycle: me -> me"
    ]


def test_unknown_group_bad_entries_and_duplicates() -> None:
    found = problems(
        """\
dev = [{include-group = "nope"}, {include = "x"}, 3, "bad>>req"]
Dev = ["x"]
"""
    )
    assert found[:4] == [
        "pyproject.toml: dependency-groups.dev[1]: a table entry must hold only 'include-group',"
        " found: include",
        "pyproject.toml: dependency-groups.dev[2]: expected a requirement string or"
        " {include-group = ...}, got an integer",
        found[2],
        "pyproject.toml: dependency-groups.Dev: duplicate group:"
        " 'dev' has the same normalised name",
    ]
    assert found[2].startswith("pyproject.toml: dependency-groups.dev[3]: invalid requirement")
    assert found[4] == (
        "pyproject.toml: dependency-groups.dev[0]: include-group 'nope' is not a declared group"
    )
    assert len(found) == 5
