"""find_project walks up from a directory to the nearest pyproject.toml."""

from __future__ import annotations

from pathlib import Path

import pytest

from px.errors import InputError
from px.project import find_project


def test_nearest_pyproject_wins(tmp_path: Path) -> None:
    outer = tmp_path / "outer"
    inner = outer / "libs" / "inner"
    deep = inner / "src" / "pkg"
    deep.mkdir(parents=True)
    (outer / "pyproject.toml").write_text("[project]\nname = 'outer'\n")
    (inner / "pyproject.toml").write_text("[project]\nname = 'inner'\n")
    assert find_project(deep) == inner
    assert find_project(inner) == inner
    assert find_project(outer / "libs") == outer
    assert find_project(inner / "pyproject.toml") == inner


def test_no_project_anywhere_is_a_clear_error(tmp_path: Path) -> None:
    if any((d / "pyproject.toml").is_file() for d in (tmp_path, *tmp_path.parents)):
        pytest.skip("a parent of the temporary directory holds a pyproject.toml")
    with pytest.raises(InputError) as caught:
        find_project(tmp_path)
    assert caught.value.what == "no pyproject.toml found"
    assert str(tmp_path) in (caught.value.why or "")
    assert "px init" in (caught.value.hint or "")


def test_a_directory_named_pyproject_toml_is_not_a_project(tmp_path: Path) -> None:
    (tmp_path / "a" / "pyproject.toml").mkdir(parents=True)
    (tmp_path / "pyproject.toml").write_text("[project]\nname = 'x'\n")
    assert find_project(tmp_path / "a") == tmp_path
