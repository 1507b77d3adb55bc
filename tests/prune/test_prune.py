"""`px cache prune`: wheels no wanted lock, generation or tool uses go; nothing wanted does."""

from __future__ import annotations

import shutil
import sqlite3
import subprocess
from pathlib import Path

import pytest

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["{dependency}", "greet-app"]
"""
OLD = "diamond_d-1.0-py3-none-any.whl"
NEW = "diamond_d-2.0-py3-none-any.whl"


@pytest.fixture(autouse=True)
def _no_age_guard(monkeypatch: pytest.MonkeyPatch) -> None:
    """Everything in these tests is seconds old: let prune consider it."""
    monkeypatch.setattr("px.ops.cache.PRUNE_MIN_AGE_SECONDS", 0)


@pytest.fixture
def project(tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "demo"
    root.mkdir()
    return root


def install(px, root: Path, dependency: str) -> None:  # type: ignore[no-untyped-def]
    (root / "pyproject.toml").write_text(PYPROJECT.format(dependency=dependency))
    result = px("install", cwd=root)
    assert result.code == 0, result.err


def rows(store_dir: Path, sql: str) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(store_dir / "store.db")
    try:
        return conn.execute(sql).fetchall()
    finally:
        conn.close()


def wheel_names(store_dir: Path) -> set[str]:
    return {str(r[0]) for r in rows(store_dir, "SELECT filename FROM wheels")}


def counts(store_dir: Path) -> tuple[object, ...]:
    return tuple(
        rows(store_dir, f"SELECT count(*) FROM {t}")[0][0]
        for t in ("blobs", "wheels", "wheel_files", "http_content", "lock_history")
    )


def trees(store_dir: Path, filename: str) -> list[Path]:
    (sha,) = rows(store_dir, f"SELECT sha256 FROM wheels WHERE filename = '{filename}'")[0]
    return list((store_dir / "trees").glob(f"{str(sha)[:40]}-*"))


def imports(root: Path, module: str) -> str:
    run = subprocess.run(
        [str(root / ".px" / "bin" / "python"), "-c", f"import {module}; print({module}.__file__)"],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert run.returncode == 0, run.stderr
    return run.stdout.strip()


def test_prune_drops_the_old_lock_wheels_and_keeps_the_environment(  # type: ignore[no-untyped-def]
    px, project: Path, store_dir: Path
) -> None:
    install(px, project, "diamond-d==1.0")
    install(px, project, "diamond-d==2.0")
    assert px("tidy", cwd=project).code == 0  # generation 1 goes: nothing on disk uses 1.0
    assert {OLD, NEW} <= wheel_names(store_dir)
    old_trees = trees(store_dir, OLD)
    assert old_trees
    before = counts(store_dir)
    # files downloaded for OLD and still kept (an installed wheel is kept as its files,
    # not as its archive; a lock may have kept one it read METADATA from)
    (old_sha,) = rows(store_dir, f"SELECT sha256 FROM wheels WHERE filename = '{OLD}'")[0]
    old_downloads = f"SELECT count(*) FROM http_content WHERE sha256 = '{old_sha}'"
    kept = rows(store_dir, old_downloads)[0][0]

    dry = px("cache", "prune", "--dry-run", "--json", cwd=project)
    assert dry.code == 0, dry.err
    report = dry.json()
    assert report["dry_run"] is True
    assert report["wheels"] == [OLD]
    assert report["objects"] > 0 and report["raw_bytes"] > 0
    assert report["downloads"] == kept and report["trees"] == len(old_trees)
    assert counts(store_dir) == before  # a dry run changes nothing
    assert all(t.is_dir() for t in old_trees)
    plans = rows(store_dir, "SELECT count(*) FROM install_plans")[0][0]
    assert plans == 2  # one per lock installed, kept by the dry run

    done = px("cache", "prune", "--json", cwd=project)
    assert done.code == 0, done.err
    assert {k: v for k, v in done.json().items() if k != "dry_run"} == {
        k: v for k, v in report.items() if k != "dry_run"
    }
    assert OLD not in wheel_names(store_dir) and NEW in wheel_names(store_dir)
    assert rows(store_dir, old_downloads)[0][0] == 0
    assert not any(t.exists() for t in old_trees)
    assert rows(store_dir, "SELECT count(*) FROM install_plans")[0][0] == 0  # may name OLD
    assert trees(store_dir, NEW)
    after = counts(store_dir)
    assert after[0] == before[0] - report["objects"]
    assert after[4] == before[4]  # the lock history is kept whole

    assert px("cache", "verify", cwd=project).code == 0
    assert str(project / ".px") in imports(project, "diamond_d")
    greet = subprocess.run(
        [str(project / ".px" / "bin" / "greet-app")], capture_output=True, text=True, check=False
    )
    assert greet.stdout.strip() == "Hello, world!"
    again = px("cache", "prune", "--json", cwd=project)
    assert again.json()["wheels"] == [] and again.json()["objects"] == 0
    # a fresh install of the current lock needs nothing from the network
    shutil.rmtree(project / ".px")
    assert px("--offline", "install", "--frozen", cwd=project).code == 0
    assert str(project / ".px") in imports(project, "diamond_d")


def test_a_kept_generation_keeps_its_lock_and_wheels(px, project: Path, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    install(px, project, "diamond-d==1.0")
    install(px, project, "diamond-d==2.0")  # generation 1 is still on disk, for rollback
    result = px("cache", "prune", "--json", cwd=project)
    assert result.code == 0, result.err
    assert result.json()["wheels"] == []
    assert {OLD, NEW} <= wheel_names(store_dir)


def test_a_deleted_project_lets_its_wheels_go(px, project: Path, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    install(px, project, "diamond-d==1.0")
    shutil.rmtree(project)
    result = px("cache", "prune", "--json")
    assert result.code == 0, result.err
    dropped = set(result.json()["wheels"])
    assert OLD in dropped and any(name.startswith("greet_app-") for name in dropped)
    assert wheel_names(store_dir) == set()
    assert px("cache", "verify").code == 0


def test_recent_objects_are_kept_by_the_age_guard(  # type: ignore[no-untyped-def]
    px, project: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("px.ops.cache.PRUNE_MIN_AGE_SECONDS", 600)
    install(px, project, "diamond-d==1.0")
    shutil.rmtree(project)
    before = counts(store_dir)
    result = px("cache", "prune", "--json")
    assert result.code == 0, result.err
    assert result.json()["wheels"] == [] and result.json()["objects"] == 0
    assert counts(store_dir) == before


def test_prune_removes_staging_an_interrupted_install_left(  # type: ignore[no-untyped-def]
    px, project: Path, store_dir: Path
) -> None:
    """A killed install can leave a staging directory (and a tree half removed) beside
    the trees; prune removes those untouched for an hour, never a younger one (a px may
    be staging there now), and --dry-run only counts them."""
    import os
    import time

    install(px, project, "diamond-d==1.0")
    root = store_dir / "trees"
    old = [root / ".staging-killed", root / ".abc-cp311.removed-12-34"]
    young = root / ".staging-running"
    for leftover in [*old, young]:
        (leftover / "pkg").mkdir(parents=True)
        (leftover / "pkg" / "mod.py").write_text("x = 1\n")
        (leftover / "pkg").chmod(0o555)  # sealed, as a staged tree can be
    two_hours_ago = time.time() - 7200
    for leftover in old:
        os.utime(leftover, (two_hours_ago, two_hours_ago))

    dry = px("cache", "prune", "--dry-run", "--json")
    assert dry.code == 0, dry.err
    assert dry.json()["trees"] == 2
    assert all(p.exists() for p in [*old, young])

    result = px("cache", "prune", "--json")
    assert result.code == 0, result.err
    assert result.json()["trees"] == 2
    assert not any(p.exists() for p in old)
    assert young.exists()
    assert "diamond_d" in imports(project, "diamond_d")  # the environment's trees stayed
