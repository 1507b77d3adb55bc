"""Helpers for the index client tests: a store, a client factory, store inspection."""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import Any

import pytest

from px.index import IndexClient, IndexConfig, NetworkSettings

# Short timeouts and back-off: the loopback server answers in milliseconds.
FAST = NetworkSettings(connect_timeout=2.0, read_timeout=2.0, retries=2, backoff=0.01)


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Any]:
    from px.store import open_store

    with open_store(tmp_path / "store") as opened:
        yield opened


ClientFactory = Callable[..., IndexClient]


@pytest.fixture
def make_client(store: Any, index: Any) -> Iterator[ClientFactory]:
    """``make_client(indexes=None, **kwargs)``: an IndexClient on the loopback server."""
    made: list[IndexClient] = []

    def make(indexes: Sequence[IndexConfig] | None = None, **kwargs: Any) -> IndexClient:
        kwargs.setdefault("settings", FAST)
        chosen = indexes if indexes is not None else [IndexConfig("primary", index.url())]
        client = IndexClient(store, chosen, **kwargs)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


def count_rows(store: Any, table: str) -> int:
    with sqlite3.connect(store.path) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])


def dump_store(store: Any) -> str:
    with sqlite3.connect(store.path) as conn:
        return "\n".join(conn.iterdump())


def paths(server: Any) -> list[str]:
    return [request.path for request in server.requests]
