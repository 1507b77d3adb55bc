"""Shared fixtures: the loopback test index (fixtures/), an isolated store, a px runner."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

pytest_plugins = ["fixtures.pytest_plugin"]

REPO = Path(__file__).resolve().parent.parent


@dataclass
class Run:
    code: int
    out: str
    err: str

    def json(self) -> object:
        return json.loads(self.out)


@pytest.fixture
def store_dir(tmp_path: Path) -> Path:
    return tmp_path / "store"


@pytest.fixture(autouse=True)
def _isolated_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No test reads the developer's store, netrc or px settings."""
    for name in list(os.environ):
        if name.startswith("PX_"):
            monkeypatch.delenv(name)
    monkeypatch.setenv("PX_HOME", str(tmp_path / "store"))
    monkeypatch.setenv("NETRC", str(tmp_path / "no-netrc"))
    yield


@pytest.fixture
def px(
    store_dir: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> object:
    """Run px in-process: px("cache", "info", "--json") -> Run."""
    from px.cli.main import main

    def run(*argv: str, cwd: Path | None = None) -> Run:
        capsys.readouterr()
        if cwd is not None:
            monkeypatch.chdir(cwd)
        code = main(list(argv))
        captured = capsys.readouterr()
        return Run(int(code), captured.out, captured.err)

    return run


def run_px(
    *argv: str,
    env: dict[str, str] | None = None,
    cwd: Path | None = None,
    python: str = sys.executable,
) -> subprocess.CompletedProcess[str]:
    """Run px in a subprocess (for concurrency, start-up and import checks)."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [python, "-m", "px", *argv],
        capture_output=True,
        text=True,
        env=full_env,
        cwd=cwd,
        timeout=300,
    )
