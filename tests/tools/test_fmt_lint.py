"""`px fmt` / `px lint`: ruff from a tool environment px installs once and keeps in the store."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
from importlib.metadata import version
from pathlib import Path

import pytest

RUFF = version("ruff")  # the loopback index serves the ruff installed here, re-wheeled
UGLY = "x = [1,2,\n3]\n"
PRETTY = "x = [1, 2, 3]\n"
UNUSED_IMPORT = "import os\n"


@pytest.fixture
def project(tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(
        '[project]\nname = "demo"\nversion = "0.1"\n\n'
        f'[tool.px]\nformatter = "ruff=={RUFF}"\n\n'
        '[tool.ruff.lint]\nselect = ["F"]\n'
    )
    return root


def px_out(
    root: Path, *argv: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "px", *argv], capture_output=True, text=True, cwd=root,
        env={**os.environ, **(env or {})}, timeout=300, check=False,
    )  # fmt: skip


def tool_rows(store_dir: Path) -> list[tuple[object, ...]]:
    conn = sqlite3.connect(store_dir / "store.db")
    try:
        return conn.execute("SELECT name, version, path FROM tool_envs").fetchall()
    finally:
        conn.close()


def test_fmt_check_fails_then_passes_after_fmt(px, project: Path, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "ugly.py").write_text(UGLY)
    assert px("fmt", "--check", cwd=project).code == 1  # ruff's own exit code
    assert (project / "ugly.py").read_text() == UGLY
    assert px("fmt", cwd=project).code == 0
    assert (project / "ugly.py").read_text() == PRETTY
    assert px("fmt", "--check", cwd=project).code == 0
    [(name, ruff_version, path)] = tool_rows(store_dir)
    assert (name, ruff_version) == ("ruff", RUFF)
    assert Path(str(path)).parent == store_dir / "tools"
    assert Path(str(path)).name.startswith(f"ruff-{RUFF}-")


def test_lint_reports_a_known_violation_with_ruffs_exit_code(project: Path) -> None:
    (project / "bad.py").write_text(UNUSED_IMPORT)
    result = px_out(project, "lint")
    assert result.returncode == 1, result.stderr
    assert "F401" in result.stdout and "bad.py" in result.stdout
    as_json = px_out(project, "--json", "lint")
    assert as_json.returncode == 1
    assert [v["code"] for v in json.loads(as_json.stdout)] == ["F401"]  # ruff's own report
    # arguments after -- go to ruff: only E501 selected, so the unused import passes
    assert px_out(project, "lint", "--", "--select", "E501").returncode == 0
    assert px_out(project, "lint", "--fix").returncode == 0
    assert (project / "bad.py").read_text() == ""


def test_paths_limit_what_is_checked(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    (project / "src").mkdir()
    (project / "src" / "good.py").write_text(PRETTY)
    (project / "ugly.py").write_text(UGLY)
    assert px("fmt", "--check", "src", cwd=project).code == 0
    assert px("fmt", "--check", "src", "ugly.py", cwd=project).code == 1


def test_second_run_works_offline_and_a_lost_environment_comes_back_from_the_store(  # type: ignore[no-untyped-def]
    px, project: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project / "ugly.py").write_text(UGLY)
    assert px("fmt", "--check", cwd=project).code == 1  # installs ruff
    monkeypatch.setenv("PX_INDEX_URL", "http://127.0.0.1:9/nothing-listens-here/")
    assert px("--offline", "fmt", "--check", cwd=project).code == 1
    [(_, _, path)] = tool_rows(store_dir)
    shutil.rmtree(str(path))
    assert px("--offline", "fmt", cwd=project).code == 0  # rebuilt from the store's wheels
    assert (project / "ugly.py").read_text() == PRETTY
    assert (Path(str(path)) / "bin" / "ruff").exists()


def test_prune_keeps_the_tool_environment_until_it_is_deleted(  # type: ignore[no-untyped-def]
    px, project: Path, store_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("px.ops.cache.PRUNE_MIN_AGE_SECONDS", 0)
    assert px("fmt", "--check", cwd=project).code == 0
    kept = px("cache", "prune", "--json", cwd=project)
    assert kept.code == 0, kept.err
    assert kept.json()["wheels"] == [] and tool_rows(store_dir)
    [(_, _, path)] = tool_rows(store_dir)
    shutil.rmtree(str(path))
    dropped = px("cache", "prune", "--json", cwd=project)
    assert [w.split("-")[0] for w in dropped.json()["wheels"]] == ["ruff"]
    assert dropped.json()["tools"] == 1 and tool_rows(store_dir) == []
    assert px("cache", "verify").code == 0


def test_a_version_the_index_lacks_is_a_resolution_error(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    text = (project / "pyproject.toml").read_text().replace(f"ruff=={RUFF}", "ruff==0.0.1")
    (project / "pyproject.toml").write_text(text)
    result = px("--json", "fmt", cwd=project)
    assert result.code == 7
    assert "ruff==0.0.1" in json.dumps(result.json()["error"])


def test_an_unknown_formatter_is_bad_input(px, project: Path) -> None:  # type: ignore[no-untyped-def]
    text = (project / "pyproject.toml").read_text().replace(f"ruff=={RUFF}", "black")
    (project / "pyproject.toml").write_text(text)
    result = px("--json", "lint", cwd=project)
    assert result.code == 3
    assert "black" in result.json()["error"]["message"]


def test_without_a_setting_px_runs_the_ruff_it_pins(px, project: Path, store_dir: Path) -> None:  # type: ignore[no-untyped-def]
    from px.tools.model import RUFF_VERSION

    if RUFF_VERSION != RUFF:
        pytest.skip(f"the loopback index serves ruff {RUFF}, px pins {RUFF_VERSION}")
    text = (project / "pyproject.toml").read_text().replace(f'formatter = "ruff=={RUFF}"', "")
    (project / "pyproject.toml").write_text(text)
    assert px("fmt", "--check", cwd=project).code == 0
    assert [(n, v) for n, v, _ in tool_rows(store_dir)] == [("ruff", RUFF_VERSION)]


def test_outside_a_project_the_current_directory_is_formatted(  # type: ignore[no-untyped-def]
    px, tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch
) -> None:
    from px.tools.model import RUFF_VERSION

    if RUFF_VERSION != RUFF:
        pytest.skip(f"the loopback index serves ruff {RUFF}, px pins {RUFF_VERSION}")
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    loose = tmp_path / "loose"
    loose.mkdir()
    (loose / "ugly.py").write_text(UGLY)
    assert px("fmt", cwd=loose).code == 0
    assert (loose / "ugly.py").read_text() == PRETTY
