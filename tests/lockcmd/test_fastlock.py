"""`px lock` with nothing changed is answered by the start-up fast path, and only then."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import sys
from px.cli.main import main
code = main(sys.argv[1:])
print('LOADED:' + ','.join(sorted(m for m in ('packaging', 'px.lock.parse', 'px.ops.lock')
                                  if m in sys.modules)))
raise SystemExit(code)
"""


def px_probe(project: Path, *argv: str) -> tuple[int, str, list[str]]:
    """Run px in a subprocess; its exit code, stdout (without the probe line), heavy modules."""
    result = subprocess.run(
        [sys.executable, "-c", PROBE, *argv],
        capture_output=True,
        text=True,
        cwd=project,
        env=dict(os.environ),
        timeout=300,
    )
    lines = result.stdout.splitlines()
    loaded = [m for m in lines[-1].removeprefix("LOADED:").split(",") if m]
    return result.returncode, "\n".join(lines[:-1]), loaded


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
