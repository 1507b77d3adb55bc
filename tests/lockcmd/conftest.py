"""A project directory pointed at the loopback index."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

PYPROJECT = """\
[project]
name = "demo"
version = "0.1.0"
requires-python = ">=3.10"
# the application's runtime needs
dependencies = [
    "greet-app",  # console script
    "diamond-a",
]

[dependency-groups]
dev = ["markers-pkg"]
"""


@pytest.fixture
def project(tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch) -> Path:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))
    root = tmp_path / "demo"
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    return root


@pytest.fixture
def make_project(tmp_path: Path, index, monkeypatch: pytest.MonkeyPatch) -> Callable[..., Path]:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PX_INDEX_URL", index.url("primary"))

    def make(text: str, name: str = "p") -> Path:
        root = tmp_path / name
        root.mkdir()
        (root / "pyproject.toml").write_text(text)
        return root

    return make
