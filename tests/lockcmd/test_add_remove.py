"""`px add` / `px remove`: comments survive, failures change nothing."""

from __future__ import annotations

from pathlib import Path

from px.lock import parse


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in root.iterdir() if p.is_file()}


def test_add_keeps_comments_and_adds_a_lower_bound(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    result = px("add", "Foo_Bar.baz", "--json", cwd=project)
    assert result.code == 0, result.err
    assert result.json()["requirements"] == ["Foo_Bar.baz>=1.0"]
    text = (project / "pyproject.toml").read_text()
    assert "# the application's runtime needs" in text
    assert '"greet-app",  # console script' in text
    assert '"Foo_Bar.baz>=1.0"' in text
    lock = parse((project / "px.lock").read_bytes())
    assert lock.package("foo-bar-baz") is not None
    assert px("lock", "--check", cwd=project).code == 0


def test_add_to_groups_and_extras(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("add", "--dev", "bt-root", cwd=project).code == 0
    assert px("add", "--optional", "fast", "extras-pkg[fast]>=1", cwd=project).code == 0
    text = (project / "pyproject.toml").read_text()
    assert 'dev = ["markers-pkg", "bt-root>=1.0"]' in text or '"bt-root>=1.0"' in text
    assert "[project.optional-dependencies]" in text and "extras-pkg[fast]>=1" in text
    lock = parse((project / "px.lock").read_bytes())
    assert {g.name for g in lock.roots.groups} == {"dev"}
    assert lock.package("bt-top") is not None  # backtracking was needed to find it


def test_failed_add_leaves_both_files_byte_identical(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    before = snapshot(project)
    unsat = px("add", "unsat-a", "unsat-b", cwd=project)
    assert unsat.code == 7
    missing = px("add", "no-such-project-anywhere", cwd=project)
    assert missing.code == 7 and "no-such-project-anywhere" in missing.err
    invalid = px("add", "requests>>2", cwd=project)
    assert invalid.code == 3 and "invalid requirement" in invalid.err
    assert snapshot(project) == before


def test_remove_and_undeclared_names(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    before = snapshot(project)
    undeclared = px("remove", "flask", cwd=project)
    assert undeclared.code == 3 and "flask" in undeclared.err
    assert snapshot(project) == before
    wrong_place = px("remove", "--dev", "greet-app", cwd=project)
    assert wrong_place.code == 3 and "project.dependencies" in wrong_place.err
    done = px("remove", "diamond-a", "--json", cwd=project)
    assert done.code == 0
    names = {c["name"] for c in done.json()["lock"]["changes"]}
    assert names == {"diamond-a", "diamond-b", "diamond-c"}  # diamond-d stays: markers-pkg
    assert "diamond-a" not in (project / "pyproject.toml").read_text()
    assert "# console script" in (project / "pyproject.toml").read_text()
