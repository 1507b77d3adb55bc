"""`px lock diff`: files, git revisions and history entries; text, JSON and exit codes."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from px.lock import parse, serialise
from tests.review.builders import new_lock, old_lock, write
from tests.review.conftest import check_schema


def test_files_in_text(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "old.lock", old_lock())
    write(tmp_path / "new.lock", new_lock())
    result = px("lock", "diff", "old.lock", "new.lock", cwd=tmp_path)
    assert result.code == 9, result.err
    out = result.out
    assert out.startswith("--- old.lock (10 packages)\n+++ new.lock (9 packages)\n")
    assert re.search(r"^WARNING: certifi 2024\.2\.2: .*possible tampering or re-upload$", out, re.M)
    assert "  ! certifi 2024.2.2 !! POSSIBLE TAMPERING OR RE-UPLOAD" in out
    assert "  + httpx 0.27.0\n      why: the project requires httpx (new root requirement)" in out
    assert "  - flask 2.3.0 (no longer required by anything)" in out
    assert (
        "  ^ urllib3 1.26.18 -> 2.2.1\n"
        "      why: requests 2.32.0 requires urllib3<3,>=2 (was urllib3<3,>=1.21), "
        "which excludes 1.26.18\n"
        "      <- requests upgraded: the project requires requests>=2.32 (was requests>=2.31), "
        "which excludes 2.31.0\n"
    ) in out
    assert "  v charset-normalizer 3.3.2 -> 3.2.0" in out
    assert "      source: https://pypi.example/simple/ -> https://mirror.example/simple/" in out
    assert (
        '      marker: sys_platform == "win32" -> sys_platform == "win32" or os_name == "nt"' in out
    )
    assert "  ~ the project: requests>=2.32 (was requests>=2.31)" in out
    assert out.rstrip().endswith(
        "2 added, 3 removed, 2 upgraded, 1 downgraded, 4 changed; "
        "1 with an artifact hash changed but not the version"
    )


def test_files_in_json(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "old.lock", old_lock())
    write(tmp_path / "new.lock", new_lock())
    result = px("lock", "diff", "old.lock", "new.lock", "--json", cwd=tmp_path)
    assert result.code == 9
    document = result.json()
    check_schema(document, "lock-diff")
    assert document["identical"] is False
    assert document["old"]["kind"] == "file" and document["new"]["packages"] == 9
    assert document["summary"]["hash_changed"] == 1
    packages = {p["name"]: p for p in document["packages"]}
    assert packages["certifi"]["flags"] == ["hash-changed"]
    assert [s["kind"] for s in packages["urllib3"]["why"]] == ["dependency-changed", "root-changed"]
    assert packages["urllib3"]["why"][0]["requirer"] == "requests"
    assert packages["anyio"]["why"][1]["requirement"] == "httpx"
    assert packages["idna"]["details"] == [
        {
            "field": "source",
            "name": None,
            "old": "https://pypi.example/simple/",
            "new": "https://mirror.example/simple/",
        }
    ]


def test_identical_locks_exit_0(px, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "a.lock", old_lock())
    write(tmp_path / "b.lock", old_lock())
    text = px("lock", "diff", "a.lock", "b.lock", cwd=tmp_path)
    assert text.code == 0 and text.out.startswith("no differences")
    document = px("--json", "lock", "diff", "a.lock", "b.lock", cwd=tmp_path)
    assert document.code == 0 and document.json()["identical"] is True
    check_schema(document.json(), "lock-diff")


def test_git_revisions(px, project: Path, git: Callable[..., str]) -> None:  # type: ignore[no-untyped-def]
    git(project, "init", "-q")
    git(project, "add", "pyproject.toml")
    git(project, "commit", "-q", "-m", "project without a lock")
    assert px("lock", cwd=project).code == 0
    git(project, "add", "px.lock")
    git(project, "commit", "-q", "-m", "lock")

    clean = px("lock", "diff", cwd=project)  # HEAD against the working px.lock
    assert clean.code == 0, clean.err
    assert clean.out.startswith("no differences: HEAD:px.lock and ")

    assert px("add", "yanked-pkg==1.0", cwd=project).code == 0
    changed = px("lock", "diff", "--json", cwd=project)
    assert changed.code == 9, changed.err
    document = changed.json()
    check_schema(document, "lock-diff")
    assert document["old"] == {
        "spec": "HEAD",
        "kind": "git",
        "label": "HEAD:px.lock",
        "path": "px.lock",
        "revision": "HEAD",
        "history_id": None,
        "packages": document["old"]["packages"],
    }
    (added,) = document["packages"]
    assert (added["name"], added["kind"], added["new_version"]) == ("yanked-pkg", "added", "1.0")
    assert added["why"][0]["text"] == "demo requires yanked-pkg==1.0 (new root requirement)"
    assert document["roots"][0]["new"] == "yanked-pkg==1.0"

    git(project, "commit", "-q", "-am", "add yanked-pkg")
    between = px("lock", "diff", "HEAD~1", "HEAD", cwd=project)
    assert between.code == 9
    assert "+ yanked-pkg 1.0" in between.out and "--- HEAD~1:px.lock" in between.out
    explicit = px("lock", "diff", "HEAD~1:px.lock", "main", cwd=project)
    assert explicit.code == 9 and explicit.out == between.out.replace("+++ HEAD:", "+++ main:")

    no_lock = px("lock", "diff", "HEAD~2", "--json", cwd=project)
    assert no_lock.code == 3
    error = no_lock.json()["error"]
    assert error["message"] == "HEAD~2 has no px.lock" and "not committed" in error["hint"]
    unknown = px("lock", "diff", "no-such-branch", cwd=project)
    assert unknown.code == 3 and "neither a file nor a git revision" in unknown.err


def test_git_subdirectory_project(px, project: Path, git: Callable[..., str]) -> None:  # type: ignore[no-untyped-def]
    repo = project.parent
    git(repo, "init", "-q")
    assert px("lock", cwd=project).code == 0
    git(repo, "add", "demo")
    git(repo, "commit", "-q", "-m", "lock")
    lock = parse((project / "px.lock").read_bytes())
    # a re-uploaded wheel: same version, other bytes
    first = lock.packages[0].artifacts[0].sha256
    text = serialise(lock).replace(first, "0" * 64)
    (project / "px.lock").write_text(text)
    result = px("lock", "diff", cwd=project)
    assert result.code == 9
    assert "--- HEAD:demo/px.lock" in result.out
    assert "POSSIBLE TAMPERING OR RE-UPLOAD" in result.out
    assert f"{first} -> {'0' * 64}" in result.out


def test_not_a_git_repository(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    result = px("lock", "diff", "--json", cwd=project)
    assert result.code == 3
    error = result.json()["error"]
    check_schema(result.json(), "error")
    assert "not inside a git repository" in error["why"]
    assert "@ID" in error["hint"] and "@-1" in error["hint"]
    assert "committed px.lock by default" in error["message"]
    named = px("lock", "diff", "main~1", cwd=project)
    assert named.code == 3 and "'main~1' is neither a file nor a lock in git" in named.err


def test_missing_working_lock_and_bad_options(px, project: Path, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    write(tmp_path / "old.lock", old_lock())
    missing = px("lock", "diff", str(tmp_path / "old.lock"), cwd=project)
    assert missing.code == 8 and "px.lock is missing" in missing.err
    mixed = px("lock", "--check", "diff", cwd=project)
    assert mixed.code == 2
    (tmp_path / "broken.lock").write_text("version = 1\n")
    broken = px("lock", "diff", "broken.lock", "old.lock", cwd=tmp_path)
    assert broken.code == 3 and "px.lock is invalid" in broken.err


def test_history_entries(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    assert px("add", "yanked-pkg==1.0", cwd=project).code == 0
    latest = px("lock", "diff", "@-1", "@latest", "--json", cwd=project)
    assert latest.code == 9, latest.err
    document = latest.json()
    check_schema(document, "lock-diff")
    first, second = document["old"]["history_id"], document["new"]["history_id"]
    assert second > first and document["old"]["kind"] == "history"
    assert [p["name"] for p in document["packages"]] == ["yanked-pkg"]
    by_id = px("lock", "diff", f"@{first}", cwd=project)  # against the working px.lock
    assert by_id.code == 9 and "+ yanked-pkg 1.0" in by_id.out
    same = px("lock", "diff", "@latest", cwd=project)
    assert same.code == 0
    for spec, message in (
        ("@99", "there is no lock @99"),
        ("@-5", "there is no lock @-5"),
        ("@x", "not a lock history reference"),
    ):
        failed = px("lock", "diff", spec, cwd=project)
        assert failed.code == 3 and message in failed.err, (spec, failed.err)
