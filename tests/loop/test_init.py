"""`px init`: a new project that px can lock at once, refusals that change nothing."""

from __future__ import annotations

import sys
from pathlib import Path

try:
    import tomllib
except ModuleNotFoundError:  # Python 3.10
    import tomli as tomllib  # type: ignore[no-redef]

import pytest

from px.interp import describe_running
from px.project import load_project
from px.project.templates import name_problem
from tests.loop.conftest import snapshot

RUNNING = describe_running().short_version


def test_a_library_by_default(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "Demo_Lib"
    result = px("--json", "init", str(root))
    assert result.code == 0, result.err
    report = result.json()
    assert report["kind"] == "lib"
    assert report["package"] == "demo_lib"
    assert report["requires_python"] == f">={RUNNING}"
    assert {f["path"] for f in report["files"]} == {
        "pyproject.toml", "README.md", ".gitignore", "src/demo_lib/__init__.py",
        "src/demo_lib/py.typed", "tests/test_demo_lib.py",
    }  # fmt: skip
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["project"]["name"] == "Demo_Lib"
    assert data["project"]["requires-python"] == f">={RUNNING}"
    assert data["project"]["readme"] == "README.md"
    assert data["project"]["dependencies"] == []
    assert "scripts" not in data["project"]
    assert data["build-system"] == {
        "requires": ["hatchling>=1.26"],
        "build-backend": "hatchling.build",
    }
    assert "tool" not in data  # no --python: nothing pinned
    project = load_project(root)  # px's own validation accepts it
    assert (project.name, project.version) == ("demo-lib", "0.1.0")
    assert ".px/" in (root / ".gitignore").read_text().splitlines()
    assert not (root / "src" / "demo_lib" / "__main__.py").exists()
    # the generated test passes against the generated package
    ran = _pytest(root, "tests")
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_an_app_has_a_console_script_and_a_main(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "tool"
    result = px("init", str(root), "--app", "--name", "hello-tool")
    assert result.code == 0, result.err
    data = tomllib.loads((root / "pyproject.toml").read_text())
    assert data["project"]["scripts"] == {"hello-tool": "hello_tool:main"}
    ran = _run(root, "-m", "hello_tool")
    assert ran.stdout == "Hello from hello-tool!\n"
    ran = _pytest(root, "tests")
    assert ran.returncode == 0, ran.stdout + ran.stderr


def test_python_picks_the_interpreter_and_pins_it(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from px.interp.discover import discover_interpreters

    others = sorted(
        {i.short_version for i in discover_interpreters()} - {RUNNING},
        key=lambda v: tuple(int(p) for p in v.split(".")),
    )
    others = [v for v in others if tuple(int(p) for p in v.split(".")) >= (3, 10)]
    if not others:
        pytest.skip("no second Python >= 3.10 on this machine")
    wanted = others[-1]
    result = px("--json", "init", str(tmp_path / "pinned"), "--python", wanted)
    assert result.code == 0, result.err
    assert result.json()["python"].startswith(wanted + ".")
    data = tomllib.loads((tmp_path / "pinned" / "pyproject.toml").read_text())
    assert data["project"]["requires-python"] == f">={wanted}"
    assert data["tool"]["px"]["python"] == wanted


def test_an_unknown_python_is_refused_and_writes_nothing(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    result = px("init", str(tmp_path / "nope"), "--python", "3.99")
    assert result.code == 3
    assert "no Python 3.99" in result.err
    assert not (tmp_path / "nope").exists()


def test_an_existing_project_is_refused_byte_for_byte(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "existing"
    (root / "src").mkdir(parents=True)
    (root / "pyproject.toml").write_text('[project]\nname = "existing"\n# mine\n')
    (root / "src" / "notes.txt").write_bytes(b"\x00keep me\n")
    before = snapshot(root)
    for kind in ("--lib", "--app"):
        result = px("init", str(root), kind)
        assert result.code == 3
        assert "already a project" in result.err
        assert "never overwrites" in result.err
        assert snapshot(root) == before
    failed = px("--json", "init", str(root))
    assert failed.json()["error"]["code"] == "bad-input"
    assert snapshot(root) == before


def test_a_file_in_the_way_refuses_everything(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "clash"
    (root / "tests").mkdir(parents=True)
    (root / "tests" / "test_clash.py").write_text("# my own test\n")
    before = snapshot(root)
    result = px("init", str(root))
    assert result.code == 3
    assert "tests/test_clash.py" in result.err
    assert snapshot(root) == before  # not even pyproject.toml was written


def test_an_existing_readme_is_kept_and_gitignore_extended(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "cloned"
    root.mkdir()
    (root / "README.md").write_text("# cloned\n\nMine.\n")
    (root / ".gitignore").write_text("*.log")
    result = px("--json", "init", str(root))
    assert result.code == 0, result.err
    statuses = {f["path"]: f["status"] for f in result.json()["files"]}
    assert statuses["README.md"] == "kept"
    assert statuses[".gitignore"] == "updated"
    assert (root / "README.md").read_text() == "# cloned\n\nMine.\n"
    lines = (root / ".gitignore").read_text().splitlines()
    assert lines[0] == "*.log" and ".px/" in lines


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("-dash", "names must start and end with a letter or digit"),
        ("dot.", "names must start and end with a letter or digit"),
        ("two words", "names may contain only ASCII letters, digits, '.', '-' and '_'"),
        ("café", "names may contain only ASCII letters"),
        ("1st", "would not be a Python identifier"),
        ("class", "would not be a Python identifier"),
    ],
)
def test_invalid_names_say_the_rule_they_broke(px, tmp_path: Path, name: str, rule: str) -> None:  # type: ignore[no-untyped-def]
    result = px("--json", "init", str(tmp_path / "p"), f"--name={name}")
    assert result.code == 3
    error = result.json()["error"]
    assert error["message"] == f"invalid project name {name!r}"
    assert rule in error["why"]
    assert not (tmp_path / "p").exists()


def test_the_directory_name_must_be_a_valid_name_too(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    root = tmp_path / "my project"
    root.mkdir()
    result = px("init", cwd=root)
    assert result.code == 3
    assert "from the directory's name" in result.err and "--name" in result.err
    assert list(root.iterdir()) == []
    assert px("init", "--name", "my-project", cwd=root).code == 0
    assert (root / "src" / "my_project" / "__init__.py").is_file()


def test_valid_names() -> None:
    for name in ("a", "A1", "foo-bar.baz_qux", "x9"):
        assert name_problem(name) is None, name


def test_px_lock_works_right_after_init(px, tmp_path: Path, index, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "fresh"
    assert px("init", str(root)).code == 0
    locked = px("--json", "lock", cwd=root)
    assert locked.code == 0, locked.err
    assert locked.json()["packages"] == 0
    assert (root / "px.lock").is_file()
    assert px("lock", "--check", cwd=root).code == 0


def _run(root: Path, *args: str):  # type: ignore[no-untyped-def]
    import os
    import subprocess

    env = {**os.environ, "PYTHONPATH": str(root / "src")}
    return subprocess.run(
        [sys.executable, *args], cwd=root, env=env, capture_output=True, text=True, check=False
    )


def _pytest(root: Path, *args: str):  # type: ignore[no-untyped-def]
    return _run(root, "-m", "pytest", "-q", "-p", "no:cacheprovider", *args)
