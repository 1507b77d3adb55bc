"""Shared pieces of the build tests: a store, a loopback index client, tiny projects."""

from __future__ import annotations

import io
import sqlite3
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from px.index import IndexClient, IndexConfig, NetworkSettings
from px.interp import Interpreter, describe_running

FAST = NetworkSettings(connect_timeout=2.0, read_timeout=5.0, retries=2, backoff=0.01)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    from px.store import open_store

    with open_store(tmp_path / "store") as opened:
        yield opened


@pytest.fixture
def client(store: Any, index: Any) -> Iterator[IndexClient]:
    made = IndexClient(store, [IndexConfig("primary", index.url())], settings=FAST)
    yield made
    made.close()


@pytest.fixture(scope="session")
def interpreter() -> Interpreter:
    return describe_running()


def built_rows(store: Any) -> list[tuple[str, str, int]]:
    with sqlite3.connect(store.path) as conn:
        return list(conn.execute("SELECT sdist_sha256, target, wheel_id FROM built_wheels"))


def write_tar_gz(path: Path, members: dict[str, str | bytes]) -> Path:
    """An sdist-like .tar.gz of regular files (``name -> content``)."""
    with tarfile.open(path, "w:gz") as tar:
        for name, content in members.items():
            data = content.encode() if isinstance(content, str) else content
            info = tarfile.TarInfo(name)
            info.size = len(data)
            info.mode = 0o644
            tar.addfile(info, io.BytesIO(data))
    return path


def in_tree_project(stem: str, backend_source: str, *, extra_project: str = "") -> dict[str, str]:
    """The members of an sdist ``stem/`` built by ``backend_source`` (an in-tree backend)."""
    name, version = stem.rsplit("-", 1)
    return {
        f"{stem}/pyproject.toml": (
            "[build-system]\nrequires = []\n"
            'build-backend = "inline_backend"\nbackend-path = ["_backend"]\n\n'
            f'[project]\nname = "{name}"\nversion = "{version}"\n{extra_project}'
        ),
        f"{stem}/PKG-INFO": f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n",
        f"{stem}/_backend/inline_backend.py": backend_source,
    }
