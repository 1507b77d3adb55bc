"""`px lock` against the loopback index: pins, determinism, staleness, history, offline."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from px.lock import parse
from tests.lockcmd.conftest import PYPROJECT


def pins(root: Path) -> dict[str, str]:
    return {p.name: p.version for p in parse((root / "px.lock").read_bytes()).packages}


def test_lock_pins_the_whole_graph(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = px("lock", "--json", cwd=project)
    assert result.code == 0, result.err
    assert result.json()["status"] == "written"
    assert pins(project) == {
        "greet-app": "1.0",
        "greet-lib": "1.0",
        "diamond-a": "1.0",
        "diamond-b": "1.0",
        "diamond-c": "1.0",
        "diamond-d": "1.0",
        "markers-pkg": "1.0",
    } | {
        k: v
        for k, v in pins(project).items()
        if k
        not in {
            "greet-app",
            "greet-lib",
            "diamond-a",
            "diamond-b",
            "diamond-c",
            "diamond-d",
            "markers-pkg",
        }
    }
    lock = parse((project / "px.lock").read_bytes())
    for package in lock.packages:
        assert package.artifacts, package.name
        assert all(len(a.sha256) == 64 for a in package.artifacts)
    assert [d.name for d in lock.roots.dependencies] == ["diamond-a", "greet-app"]
    again = px("lock", "--json", cwd=project)
    assert again.json()["status"] == "unchanged"


def test_same_inputs_give_identical_bytes_anywhere(px, project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    other = tmp_path / "elsewhere" / "demo"
    other.mkdir(parents=True)
    (other / "pyproject.toml").write_text(PYPROJECT)
    result = px("--store", str(tmp_path / "second-store"), "lock", cwd=other)
    assert result.code == 0, result.err
    assert (other / "px.lock").read_bytes() == (project / "px.lock").read_bytes()
    assert b"\r\n" not in (project / "px.lock").read_bytes()


def test_check_detects_missing_and_stale_locks_but_not_comment_edits(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    missing = px("lock", "--check", cwd=project)
    assert missing.code == 8 and "missing" in missing.err
    assert not (project / "px.lock").exists()
    assert px("lock", cwd=project).code == 0
    assert px("lock", "--check", cwd=project).code == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace("# console script", "# the CLI app"))
    assert px("lock", "--check", cwd=project).code == 0
    before = (project / "px.lock").read_bytes()
    pyproject.write_text(
        pyproject.read_text().replace('"diamond-a",', '"diamond-a", "yanked-pkg",')
    )
    stale = px("lock", "--check", "--json", cwd=project)
    assert stale.code == 8 and stale.json()["error"]["code"] == "lock-stale"
    assert (project / "px.lock").read_bytes() == before


def test_relock_keeps_locked_versions_until_upgraded(px, make_project, index) -> None:  # type: ignore[no-untyped-def]
    root = make_project('[project]\nname = "p"\nversion = "1"\ndependencies = ["edge-versions"]\n')
    assert px("lock", cwd=root).code == 0
    newest = pins(root)["edge-versions"]
    text = (root / "px.lock").read_text()
    older = "1.0"
    assert newest != older
    # pretend an older lock: minimal change keeps it, --upgrade-package moves it
    (root / "px.lock").write_text(text.replace(f'version = "{newest}"', f'version = "{older}"', 1))
    assert px("lock", cwd=root).code == 0
    assert pins(root)["edge-versions"] == older
    moved = px("lock", "--upgrade-package", "edge-versions", "--json", cwd=root)
    assert moved.code == 0
    assert moved.json()["changes"] == [{"name": "edge-versions", "old": older, "new": newest}]


def test_lock_history_and_query_views(px, project: Path, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    rows = px(
        "query",
        "SELECT child FROM px_lock_edges WHERE parent = 'diamond-a' ORDER BY child",
        "--json",
    ).json()["rows"]
    assert rows == [["diamond-b"], ["diamond-c"]]
    count = px(
        "query",
        "SELECT count(*) FROM px_lock_packages WHERE name = 'diamond-d' AND major < 2",
        "--json",
    ).json()["rows"]
    assert count == [[1]]
    conn = sqlite3.connect(store_dir / "store.db")
    (body_key,) = conn.execute("SELECT body_key FROM lock_history").fetchone()
    conn.close()
    from px.store import open_store

    with open_store(store_dir) as store:
        assert store.blobs.get(body_key) == (project / "px.lock").read_bytes()


def test_offline_relock_works_from_the_store(px, project: Path, index) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    first = (project / "px.lock").read_bytes()
    (project / "px.lock").unlink()
    index.clear_log()
    result = px("--offline", "lock", cwd=project)
    assert result.code == 0, result.err
    assert (project / "px.lock").read_bytes() == first
    assert list(index.requests) == []


def test_offline_without_cache_says_what_is_missing(px, project: Path, index) -> None:  # type: ignore[no-untyped-def]
    result = px("--offline", "lock", cwd=project)
    assert result.code == 6
    assert "offline" in result.err.lower()
    assert not (project / "px.lock").exists()


def test_unsatisfiable_is_explained(px, make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["unsat-a", "unsat-b"]\n'
    )
    result = px("lock", cwd=root)
    assert result.code == 7
    assert "unsat-a" in result.err and "unsat-b" in result.err
    assert not (root / "px.lock").exists()


@pytest.mark.parametrize(
    "text",
    [
        "[project\nname = 'x'",  # not TOML
        '[project]\nname = "p"\ndependencies = ["requests>>2"]\n',  # bad requirement
        '[project]\nname = "p"\ndependencies = "requests"\n',  # wrong type
    ],
    ids=["toml-syntax", "bad-requirement", "wrong-type"],
)
def test_malformed_pyproject_is_a_clear_error(px, make_project, text: str) -> None:  # type: ignore[no-untyped-def]
    root = make_project(text)
    result = px("lock", cwd=root)
    assert result.code == 3
    assert "pyproject.toml" in result.err and "Traceback" not in result.err
    assert not (root / "px.lock").exists()


def test_malformed_lock_is_not_overwritten(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "px.lock").write_text("version = 1\n[[package]]\nname = 3\n")
    before = (project / "px.lock").read_bytes()
    result = px("lock", cwd=project)
    assert result.code == 3 and "px.lock" in result.err
    assert (project / "px.lock").read_bytes() == before


def test_lock_from_a_subdirectory(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    sub = project / "src" / "deep"
    sub.mkdir(parents=True)
    assert px("lock", cwd=sub).code == 0
    assert (project / "px.lock").exists()
    shutil.rmtree(sub)


def test_resolver_warnings_reach_the_user(px, make_project) -> None:  # type: ignore[no-untyped-def]
    root = make_project(
        '[project]\nname = "p"\nversion = "1"\ndependencies = ["extras-pkg[nope]"]\n'
    )
    result = px("lock", cwd=root)
    assert result.code == 0, result.err
    assert "warning:" in result.out and "nope" in result.out
    (root / "px.lock").unlink()
    as_json = px("lock", "--json", cwd=root).json()
    assert any("nope" in w for w in as_json["warnings"])


SDIST_ONLY = """\
[project]
name = "app"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["sdist-only"]
"""


def test_an_sdist_whose_metadata_is_dynamic_is_built_once_to_lock_and_install_it(
    px,  # type: ignore[no-untyped-def]
    make_project,  # type: ignore[no-untyped-def]
    store_dir: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from px.ops import build_env

    builds: list[str] = []
    real_build = build_env._build

    def counted(*args, **kwargs):  # type: ignore[no-untyped-def]
        builds.append(args[4])  # the sdist's label
        return real_build(*args, **kwargs)

    monkeypatch.setattr(build_env, "_build", counted)
    root = make_project(SDIST_ONLY)
    result = px("lock", cwd=root)
    assert result.code == 0, result.err
    lock = parse((root / "px.lock").read_bytes())
    (package,) = [p for p in lock.packages if p.name == "sdist-only"]
    # its PKG-INFO (Metadata-Version 2.1) cannot say this; the built wheel's METADATA does
    assert [(d.name, d.specifier) for d in package.dependencies] == [("greet-lib", ">=1.0")]
    assert "greet-lib" in pins(root)
    assert [a.filename for a in package.artifacts] == ["sdist_only-1.0.tar.gz"]
    assert builds == ["sdist-only 1.0"]
    assert px("install", "--frozen", cwd=root).code == 0
    assert builds == ["sdist-only 1.0"]  # the wheel built to lock it is the one installed
    from px.config import STORE_FILENAME

    with sqlite3.connect(store_dir / STORE_FILENAME) as db:
        assert db.execute("SELECT count(*) FROM built_wheels").fetchone() == (1,)


def test_a_build_backends_warnings_show_only_with_verbose(make_project, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    from tests.conftest import run_px

    warned = "fixture_backend: build_wheel warns, as real backends do"
    quiet = run_px("lock", cwd=make_project(SDIST_ONLY, name="quiet"))
    assert quiet.returncode == 0, quiet.stderr
    assert warned not in quiet.stderr + quiet.stdout
    verbose = run_px(  # its own store: the sdist is built again
        "-v",
        "lock",
        cwd=make_project(SDIST_ONLY, name="verbose"),
        env={"PX_HOME": str(tmp_path / "v")},
    )
    assert verbose.returncode == 0, verbose.stderr
    assert warned in verbose.stderr


def _broken_sdist(directory: Path) -> Path:
    """``broken-build 1.0``: an sdist without PKG-INFO whose in-tree backend fails."""
    import io
    import tarfile

    directory.mkdir()
    path = directory / "broken_build-1.0.tar.gz"
    files = {
        "pyproject.toml": '[build-system]\nrequires = []\nbuild-backend = "backend"\n'
        'backend-path = ["."]\n\n[project]\nname = "broken-build"\nversion = "1.0"\n',
        "backend.py": "def build_wheel(wheel_directory, config_settings=None, "
        "metadata_directory=None):\n    raise RuntimeError('this backend cannot build')\n",
    }
    with tarfile.open(path, "w:gz") as tar:
        for name, text in files.items():
            data = text.encode()
            info = tarfile.TarInfo(f"broken_build-1.0/{name}")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
    return path


def test_a_failed_build_for_metadata_fails_the_lock_and_px_add_changes_nothing(
    px,  # type: ignore[no-untyped-def]
    make_project,  # type: ignore[no-untyped-def]
) -> None:
    root = make_project(
        '[project]\nname = "app"\nversion = "0.1.0"\nrequires-python = ">=3.10"\n'
        'dependencies = ["greet-lib"]\n\n[tool.px]\nfind-links = ["./dists"]\n'
    )
    _broken_sdist(root / "dists")
    assert px("lock", cwd=root).code == 0
    before = {p: (root / p).read_bytes() for p in ("pyproject.toml", "px.lock")}
    added = px("add", "broken-build", cwd=root)
    assert added.code == 11, added.err
    assert "building broken-build 1.0 failed" in added.err
    assert "this backend cannot build" in added.err
    assert {p: (root / p).read_bytes() for p in before} == before
