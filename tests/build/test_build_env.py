"""Builds in isolated environments assembled from px's store, against the loopback index."""

from __future__ import annotations

import os
import shutil
import sqlite3
import subprocess
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest
from packaging.requirements import Requirement

from fixtures.editable_backend import BACKEND_DIR, BACKEND_FILE, add_backend
from px.build.runner import run_captured
from px.errors import BuildError, IntegrityError
from px.install.wheel import load_wheel
from px.interp import Interpreter
from px.ops.build_env import build_environment, editable_wheel, wheel_from_sdist
from px.ops.context import lock_target
from tests.build.conftest import built_rows, in_tree_project, write_tar_gz

FAILING_BACKEND = """
def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    print("checking for a C compiler... none")
    raise RuntimeError("kaboom: no C compiler found")
"""

# Asks for greet-lib on top of [build-system] requires, and checks what it can import.
NEEDY_BACKEND = """
import importlib.util
import px_test_backend
from px_test_backend import build_sdist, prepare_metadata_for_build_wheel

def get_requires_for_build_wheel(config_settings=None):
    return ["greet-lib"]

def build_wheel(wheel_directory, config_settings=None, metadata_directory=None):
    import diamond_d, greet_lib  # [build-system] requires and the hook's answer, together
    assert greet_lib.greet("x")
    for outside in ("pytest", "px", "sqlalchemy"):
        assert importlib.util.find_spec(outside) is None, outside + " leaked into the build"
    return px_test_backend.build_wheel(wheel_directory, config_settings, metadata_directory)
"""


class CountingRunner:
    def __init__(self) -> None:
        self.calls: list[str] = []

    def __call__(
        self,
        cmd: Sequence[str],
        cwd: str | None = None,
        extra_environ: Mapping[str, str] | None = None,
    ) -> None:
        self.calls.append(cmd[2])  # python, _in_process.py, hook name, control dir
        run_captured(cmd, cwd, extra_environ)


def _wheel_count(store: Any) -> int:
    with sqlite3.connect(store.path) as conn:
        return int(conn.execute("SELECT count(*) FROM wheels").fetchone()[0])


def test_an_sdist_builds_once_into_a_validated_wheel(
    store: Any, client: Any, index: Any, fixture_index_tree: Any, interpreter: Interpreter
) -> None:
    sdist = fixture_index_tree.artifact("sdist_only-1.0.tar.gz")
    runner = CountingRunner()
    record = wheel_from_sdist(store, client, sdist.path, sdist.sha256, interpreter, runner=runner)
    assert (record.name, record.version, record.source) == ("sdist-only", "1.0", "built")
    assert record.filename == "sdist_only-1.0-py3-none-any.whl"
    assert "sdist_only/__init__.py" in {f.path for f in record.files}
    assert load_wheel(store, record.sha256) == record
    assert built_rows(store) == [(sdist.sha256, lock_target(interpreter).id, record.id)]
    assert "build_wheel" in runner.calls
    assert index.requests == ()  # requires = [] and an in-tree backend: no index needed

    again = CountingRunner()
    cached = wheel_from_sdist(store, client, sdist.path, sdist.sha256, interpreter, runner=again)
    assert cached == record
    assert again.calls == []  # served from built_wheels: no hook ran


def test_a_failing_backend_is_a_build_error_and_records_nothing(
    store: Any, client: Any, interpreter: Interpreter, tmp_path: Path
) -> None:
    archive = write_tar_gz(
        tmp_path / "broken-1.0.tar.gz", in_tree_project("broken-1.0", FAILING_BACKEND)
    )
    from px.install.wheel import file_sha256

    with pytest.raises(BuildError) as caught:
        wheel_from_sdist(store, client, archive, file_sha256(archive), interpreter)
    error = caught.value
    assert error.what == "building broken 1.0 failed in the build_wheel hook"
    assert "RuntimeError: kaboom: no C compiler found" in (error.why or "")
    assert "checking for a C compiler... none" in error.details
    assert built_rows(store) == []
    assert _wheel_count(store) == 0


def test_a_wheel_of_another_distribution_is_refused(
    store: Any, client: Any, fixture_index_tree: Any, interpreter: Interpreter, tmp_path: Path
) -> None:
    impostor = tmp_path / "impostor-2.0.tar.gz"
    shutil.copyfile(fixture_index_tree.artifact("sdist_only-1.0.tar.gz").path, impostor)
    from px.install.wheel import file_sha256

    with pytest.raises(BuildError) as caught:
        wheel_from_sdist(store, client, impostor, file_sha256(impostor), interpreter)
    assert caught.value.what == "building impostor 2.0 produced a wheel of sdist-only 1.0"
    assert built_rows(store) == []


def test_an_sdist_that_does_not_match_its_hash_is_not_built(
    store: Any, client: Any, fixture_index_tree: Any, interpreter: Interpreter
) -> None:
    sdist = fixture_index_tree.artifact("sdist_only-1.0.tar.gz")
    with pytest.raises(IntegrityError):
        wheel_from_sdist(store, client, sdist.path, "0" * 64, interpreter)
    assert built_rows(store) == []


def test_requirements_from_the_backend_are_resolved_with_the_declared_ones(
    store: Any, client: Any, index: Any, interpreter: Interpreter, tmp_path: Path
) -> None:
    members = in_tree_project("needy-1.0", NEEDY_BACKEND)
    pyproject = members.pop("needy-1.0/pyproject.toml")
    members["needy-1.0/pyproject.toml"] = pyproject.replace(
        "requires = []", 'requires = ["diamond-d<2"]'
    )
    members["needy-1.0/_backend/px_test_backend.py"] = BACKEND_FILE.read_text()
    members["needy-1.0/src/needy/__init__.py"] = "VALUE = 1\n"
    archive = write_tar_gz(tmp_path / "needy-1.0.tar.gz", members)
    from px.install.wheel import file_sha256

    record = wheel_from_sdist(store, client, archive, file_sha256(archive), interpreter)
    assert record.name == "needy"
    assert "needy/__init__.py" in {f.path for f in record.files}
    requested = {r.path for r in index.requests}
    assert any("/greet-lib/" in p for p in requested)
    assert any("/diamond-d/" in p for p in requested)


def test_a_build_environment_holds_exactly_its_requirements(
    store: Any, client: Any, interpreter: Interpreter, tmp_path: Path
) -> None:
    env = build_environment(
        store, client, interpreter, [Requirement("greet-app")], parent=tmp_path / "envs"
    )
    python = env / "bin" / "python"
    probe = (
        "import importlib.util, greet_app, greet_lib\n"
        "print([importlib.util.find_spec(m) is None for m in ('pytest', 'px', 'packaging')])\n"
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}
    done = subprocess.run(
        [str(python), "-c", probe], capture_output=True, text=True, cwd=tmp_path, env=clean
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[True, True, True]"
    assert (env / "bin" / "greet-app").is_file()
    trees = store.directory / "trees"
    assert len(list(trees.iterdir())) == 2  # greet-app and greet-lib, shared read-only trees


def _editable_project(tmp_path: Path) -> Path:
    root = tmp_path / "demo"
    (root / "src" / "demo_pkg").mkdir(parents=True)
    (root / "src" / "demo_pkg" / "__init__.py").write_text("ANSWER = 41\n")
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo-pkg"\nversion = "0.3"\ndependencies = []\n\n'
        '[project.scripts]\ndemo = "demo_pkg:main"\n' + add_backend(root)
    )
    return root


def test_an_editable_wheel_points_at_the_project_sources(
    store: Any, client: Any, interpreter: Interpreter, tmp_path: Path
) -> None:
    root = _editable_project(tmp_path)
    record = editable_wheel(store, client, root, interpreter)
    assert (record.name, record.version, record.source) == ("demo-pkg", "0.3", "editable")
    assert [e.name for e in record.entry_points.console] == ["demo"]
    pth = [f for f in record.files if f.path.endswith(".pth")]
    assert [f.path for f in pth] == ["__editable__.demo_pkg-0.3.pth"]
    assert not any(f.path.startswith("demo_pkg/") for f in record.files)

    site = tmp_path / "site-packages"
    site.mkdir()
    (site / pth[0].path).write_bytes(store.blobs.get(pth[0].blob_key))
    (root / "src" / "demo_pkg" / "__init__.py").write_text("ANSWER = 42\n")  # edited after
    code = (
        f"import site; site.addsitedir({str(site)!r}); import demo_pkg; "
        "print(demo_pkg.__file__, demo_pkg.ANSWER)"
    )
    done = subprocess.run(
        [interpreter.path, "-I", "-c", code], capture_output=True, text=True, cwd=tmp_path
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == [str(root / "src" / "demo_pkg" / "__init__.py"), "42"]


def test_an_editable_build_needs_a_backend_with_build_editable(
    store: Any, client: Any, interpreter: Interpreter, tmp_path: Path
) -> None:
    root = _editable_project(tmp_path)
    backend = root / BACKEND_DIR / BACKEND_FILE.name
    text = backend.read_text()
    backend.write_text(text.replace("def build_editable(", "def _no_build_editable("))
    with pytest.raises(BuildError) as caught:
        editable_wheel(store, client, root, interpreter)
    assert caught.value.what == "cannot install demo-pkg 0.3 as editable"
    assert "PEP 660" in (caught.value.why or "")


def test_builds_in_progress_refuse_a_cycle() -> None:
    from px.errors import BuildError
    from px.ops.build_env import _building

    with _building("a" * 64, "alpha 1.0"), _building("b" * 64, "beta 2.0"):
        with pytest.raises(BuildError) as caught, _building("a" * 64, "alpha 1.0"):
            pass
        assert (
            caught.value.why
            == "the build requirements form a cycle: alpha 1.0 -> beta 2.0 -> alpha 1.0"
        )
    with _building("a" * 64, "alpha 1.0"):  # the guard is released when a build ends
        pass
