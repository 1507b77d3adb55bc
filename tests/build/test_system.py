"""Reading [build-system]: PEP 517/518 rules and pip's legacy default."""

from __future__ import annotations

from pathlib import Path

import pytest

from px.build.system import LEGACY, LEGACY_BACKEND, read_build_system
from px.errors import BuildError


def _tree(tmp_path: Path, text: str | None) -> Path:
    if text is not None:
        (tmp_path / "pyproject.toml").write_text(text)
    return tmp_path


def test_no_pyproject_means_the_legacy_setuptools_build(tmp_path: Path) -> None:
    system = read_build_system(_tree(tmp_path, None), name="old")
    assert system == LEGACY
    assert [str(r) for r in system.requires] == ["setuptools>=40.8.0"]
    assert system.backend == "setuptools.build_meta:__legacy__"
    assert not system.declared


def test_no_build_system_table_means_the_legacy_build(tmp_path: Path) -> None:
    assert read_build_system(_tree(tmp_path, "[project]\nname = 'x'\n"), name="x") == LEGACY


def test_a_declared_backend_is_read(tmp_path: Path) -> None:
    text = (
        '[build-system]\nrequires = ["flit_core >=3.4,<4"]\n'
        'build-backend = "flit_core.buildapi"\nbackend-path = ["_b"]\n'
    )
    system = read_build_system(_tree(tmp_path, text), name="x")
    assert [str(r) for r in system.requires] == ["flit_core<4,>=3.4"]
    assert system.backend == "flit_core.buildapi"
    assert system.backend_path == ("_b",)
    assert system.declared


def test_requires_without_a_backend_keeps_them_with_the_legacy_backend(tmp_path: Path) -> None:
    text = '[build-system]\nrequires = ["setuptools>=61", "wheel"]\n'
    system = read_build_system(_tree(tmp_path, text), name="x")
    assert [r.name for r in system.requires] == ["setuptools", "wheel"]
    assert system.backend == LEGACY_BACKEND
    assert system.declared


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('[build-system]\nbuild-backend = "b"\n', "has no `requires` key"),
        ('[build-system]\nrequires = "setuptools"\n', "not a list of strings"),
        ('[build-system]\nrequires = ["not a requirement!!"]\n', "invalid requirement"),
        ("[build-system]\nrequires = []\nbuild-backend = 3\n", "build-backend is not"),
        ('[build-system]\nrequires = []\nbackend-path = "x"\n', "backend-path is not"),
        ("[build-system\n", "cannot be read"),
    ],
)
def test_a_broken_build_system_is_a_build_error(tmp_path: Path, text: str, why: str) -> None:
    with pytest.raises(BuildError) as caught:
        read_build_system(_tree(tmp_path, text), name="broken 1.0")
    assert caught.value.what == "cannot build broken 1.0"
    assert why in (caught.value.why or "")
