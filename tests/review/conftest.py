"""A project on the loopback index, a git helper, and the output schemas."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable
from pathlib import Path

import jsonschema
import pytest

SCHEMAS = Path(__file__).resolve().parents[2] / "schema" / "output"

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
dependencies = ["diamond-a"]

[dependency-groups]
dev = ["markers-pkg"]
"""


def check_schema(document: object, name: str) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text())
    jsonschema.validate(document, schema)


@pytest.fixture
def project(tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


@pytest.fixture
def git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Callable[..., str]:
    """Run git in a directory with a throw-away identity and no user configuration."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "no-gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")

    def run(cwd: Path, *args: str) -> str:
        done = subprocess.run(
            [
                "git",
                "-c",
                "user.name=Px Test",
                "-c",
                "user.email=px@example.invalid",
                "-c",
                "commit.gpgsign=false",
                "-c",
                "init.defaultBranch=main",
                *args,
            ],
            cwd=cwd,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout

    return run
