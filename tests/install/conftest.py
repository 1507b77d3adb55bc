"""Shared fixtures for the install tests: an open store and a way to see that it did not change."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    from px.store import open_store

    with open_store(tmp_path / "store") as opened:
        yield opened


def store_state(store: Any) -> tuple[object, ...]:
    """Row counts of everything ingest writes, plus the files beside the database."""
    with store.read() as conn:
        counts = tuple(
            conn.scalar(f"SELECT count(*) FROM {table}")
            for table in ("blobs", "blob_chunks", "wheels", "wheel_files")
        )
    leftovers = sorted(p.name for p in store.directory.iterdir() if p.name.startswith(".ingest"))
    return (*counts, tuple(leftovers))


@pytest.fixture
def state() -> Callable[[Any], tuple[object, ...]]:
    return store_state
