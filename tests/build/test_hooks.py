"""Running PEP 517 hooks: builds, captured output, and every failure as a BuildError."""

from __future__ import annotations

import logging
import sys
import zipfile
from pathlib import Path
from typing import Any

import pytest

from px.build.hooks import Backend
from px.build.runner import hook_environment
from px.build.sdist import unpack_sdist
from px.build.system import BuildSystem, read_build_system
from px.errors import BuildError

PYTHON = Path(sys.executable)

NOISY_FAILURE = """
import sys
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    print("compiling kaboom.c")
    print("kaboom.c:1: error: this backend always fails", file=sys.stderr)
    raise RuntimeError("kaboom: no compiler")
"""

WHEEL_ONLY = """
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    raise AssertionError("not called")
"""

ODD_ANSWERS = """
def get_requires_for_build_wheel(config_settings=None):
    return "setuptools"
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    return "missing-1.0-py3-none-any.whl"
"""


def _inline(tmp_path: Path, source: str) -> Backend:
    root = tmp_path / "proj"
    (root / "_backend").mkdir(parents=True)
    (root / "_backend" / "inline_backend.py").write_text(source)
    system = BuildSystem(requires=(), backend="inline_backend", backend_path=("_backend",))
    return Backend(root, system, PYTHON, name="demo 1.0")


@pytest.fixture
def sdist_only_tree(fixture_index_tree: Any, tmp_path: Path) -> Path:
    artifact = fixture_index_tree.artifact("sdist_only-1.0.tar.gz")
    return unpack_sdist(artifact.path, tmp_path / "src")


def test_the_fixture_backend_builds_a_reproducible_wheel(
    sdist_only_tree: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1600000000")  # 2020-09-13 12:26:40 UTC
    system = read_build_system(sdist_only_tree, name="sdist-only 1.0")
    backend = Backend(sdist_only_tree, system, PYTHON, name="sdist-only 1.0")
    assert backend.get_requires_for_build_wheel() == ()
    wheel = backend.build_wheel(tmp_path / "dist")
    assert wheel.name == "sdist_only-1.0-py3-none-any.whl"
    with zipfile.ZipFile(wheel) as archive:
        assert "sdist_only/__init__.py" in archive.namelist()
        assert {info.date_time for info in archive.infolist()} == {(2020, 9, 13, 12, 26, 40)}
    dist_info = backend.prepare_metadata_for_build_wheel(tmp_path / "meta")
    assert "Name: sdist-only" in (dist_info / "METADATA").read_text()
    sdist = backend.build_sdist(tmp_path / "sdists")
    assert sdist.name == "sdist_only-1.0.tar.gz"


def test_a_failing_hook_names_the_distribution_the_hook_and_the_output(
    tmp_path: Path, capfd: pytest.CaptureFixture[str], caplog: pytest.LogCaptureFixture
) -> None:
    backend = _inline(tmp_path, NOISY_FAILURE)
    with caplog.at_level(logging.INFO, logger="px.build"), pytest.raises(BuildError) as caught:
        backend.build_wheel(tmp_path / "dist")
    error = caught.value
    assert error.what == "building demo 1.0 failed in the build_wheel hook"
    assert "RuntimeError: kaboom: no compiler" in (error.why or "")
    assert "compiling kaboom.c" in error.details
    assert "kaboom.c:1: error: this backend always fails" in error.details
    out, err = capfd.readouterr()
    assert out == "" and err == ""  # library code never prints the backend's output
    assert "compiling kaboom.c" in [r.getMessage() for r in caplog.records]


def test_a_backend_that_cannot_be_imported_is_named(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    system = BuildSystem(requires=(), backend="no_such_backend_px")
    with pytest.raises(BuildError) as caught:
        Backend(root, system, PYTHON, name="demo 1.0").build_wheel(tmp_path / "dist")
    assert "'no_such_backend_px' cannot be imported" in (caught.value.why or "")
    assert "No module named 'no_such_backend_px'" in (caught.value.why or "")


def test_a_backend_without_build_editable_says_so(tmp_path: Path) -> None:
    with pytest.raises(BuildError) as caught:
        _inline(tmp_path, WHEEL_ONLY).build_editable(tmp_path / "dist")
    assert caught.value.what == "cannot install demo 1.0 as editable"
    assert "no build_editable hook" in (caught.value.why or "")
    assert "PEP 660" in (caught.value.why or "")


def test_optional_requires_hooks_default_to_nothing(tmp_path: Path) -> None:
    assert _inline(tmp_path, WHEEL_ONLY).get_requires_for_build_editable() == ()


def test_odd_answers_from_a_backend_are_build_errors(tmp_path: Path) -> None:
    backend = _inline(tmp_path, ODD_ANSWERS)
    with pytest.raises(BuildError, match="get_requires_for_build_wheel") as caught:
        backend.get_requires_for_build_wheel()
    assert "did not return a list of strings" in (caught.value.why or "")
    with pytest.raises(BuildError) as caught:
        backend.build_wheel(tmp_path / "dist")
    assert "which it did not write" in (caught.value.why or "")


def test_a_backend_path_outside_the_tree_is_refused(tmp_path: Path) -> None:
    root = tmp_path / "proj"
    root.mkdir()
    system = BuildSystem(requires=(), backend="b", backend_path=("../elsewhere",))
    with pytest.raises(BuildError, match=r"cannot build demo 1\.0") as caught:
        Backend(root, system, PYTHON, name="demo 1.0")
    assert "backend-path" in (caught.value.why or "")


def test_the_hook_environment_keeps_the_outside_out(tmp_path: Path) -> None:
    outer = {
        "PATH": "/usr/bin",
        "PYTHONPATH": "/somewhere/else",
        "PYTHONHOME": "/opt/py",
        "VIRTUAL_ENV": "/some/venv",
        "SOURCE_DATE_EPOCH": "1600000000",
        "HOME": "/home/u",
    }
    env = hook_environment(outer, tmp_path / "bin")
    assert env["PATH"] == f"{tmp_path / 'bin'}:/usr/bin"
    assert "PYTHONPATH" not in env and "PYTHONHOME" not in env and "VIRTUAL_ENV" not in env
    assert env["PYTHONNOUSERSITE"] == "1"
    assert env["SOURCE_DATE_EPOCH"] == "1600000000"
    assert env["HOME"] == "/home/u"
