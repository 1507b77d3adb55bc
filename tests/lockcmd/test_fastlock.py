"""`px lock` with nothing changed is answered by the start-up fast path, and only then."""

from __future__ import annotations

from pathlib import Path

from tests.probe import run_probed

WATCHED = ("packaging", "px.lock.parse", "px.ops.lock")


def px_probe(project: Path, *argv: str) -> tuple[int, str, list[str]]:
    """Run px in a subprocess; its exit code, stdout, and which heavy modules it imported."""
    return run_probed(project, argv, WATCHED)


def test_unchanged_project_is_answered_without_the_lock_parser(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    slow = px("-v", "lock", cwd=project)  # not a form the fast path takes
    assert slow.code == 0 and slow.out.startswith("unchanged:")
    code, out, loaded = px_probe(project, "lock")
    assert code == 0
    assert out == slow.out.rstrip("\n")
    assert loaded == []
    code, offline_out, loaded = px_probe(project, "--offline", "lock")
    assert (code, offline_out, loaded) == (0, out, [])


def test_an_edited_pyproject_takes_the_normal_path(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text() + "# a comment changes the bytes, not the inputs\n")
    code, out, loaded = px_probe(project, "lock")
    assert code == 0 and out.startswith("unchanged:")
    assert "px.ops.lock" in loaded  # decided by the normal path, which records the new context
    code, _, loaded = px_probe(project, "lock")
    assert code == 0 and loaded == []


def test_a_tampered_lock_is_never_called_unchanged(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    lock = project / "px.lock"
    lock.write_bytes(lock.read_bytes().replace(b"version = 1", b"version = [", 1))
    code, out, loaded = px_probe(project, "lock")
    assert code != 0 and "unchanged" not in out
    assert "px.ops.lock" in loaded


def test_a_changed_requirement_relocks(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    assert px("lock", cwd=project).code == 0
    pyproject = project / "pyproject.toml"
    pyproject.write_text(pyproject.read_text().replace('"diamond-a",', '"diamond-a", "pyreq",'))
    code, out, _ = px_probe(project, "lock")
    assert code == 0 and out.startswith("wrote")
    assert "pyreq" in (project / "px.lock").read_text()
