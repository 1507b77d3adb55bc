"""StoreWriter: writes waiting at the same time commit together; a failing one fails alone."""

from __future__ import annotations

import contextlib
import threading
import time
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

from px.index.store_writes import StoreWriter
from px.store import Connection
from px.store import http_cache as hc
from tests.index.conftest import count_rows


def _count_write_transactions(store: Any, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    count = [0]
    original = store.write

    @contextlib.contextmanager
    def counting() -> Iterator[Connection]:
        count[0] += 1
        with original() as conn:
            yield conn

    monkeypatch.setattr(store, "write", counting)
    return count


def _record(sha: str) -> Any:
    def rows(conn: Connection, keys: Sequence[str]) -> None:
        hc.record_content(conn, sha256=sha, blob_key=keys[0], size=1, fetched_at="t")

    return rows


def _queued(writer: StoreWriter, n: int) -> None:
    deadline = time.monotonic() + 10
    while len(writer._queue) < n:  # the writes wait behind the lock this test holds
        assert time.monotonic() < deadline, "the writer threads never queued"
        time.sleep(0.001)


def test_waiting_writes_commit_in_two_transactions(
    store: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    writer = StoreWriter(store)
    transactions = _count_write_transactions(store, monkeypatch)
    results: dict[int, list[str]] = {}

    def write(i: int) -> None:
        results[i] = writer.write([f"body {i}".encode()], _record(f"{i:064x}"))

    threads = [threading.Thread(target=write, args=(i,)) for i in range(8)]
    with writer.exclusive():
        for thread in threads:
            thread.start()
        _queued(writer, 8)
    for thread in threads:
        thread.join()
    assert transactions[0] == 2  # the blobs (put_many), then every row
    assert count_rows(store, "http_content") == 8
    assert store.blobs.get_many(k for keys in results.values() for k in keys) == {
        results[i][0]: f"body {i}".encode() for i in range(8)
    }


def test_a_failing_write_fails_alone(store: Any) -> None:
    writer = StoreWriter(store)
    outcomes: dict[int, object] = {}

    def broken(conn: Connection, keys: Sequence[str]) -> None:
        raise ValueError("this write is broken")

    def write(i: int) -> None:
        try:
            outcomes[i] = writer.write([b"x%d" % i], broken if i == 3 else _record(f"{i:064x}"))
        except ValueError as error:
            outcomes[i] = error

    threads = [threading.Thread(target=write, args=(i,)) for i in range(6)]
    with writer.exclusive():
        for thread in threads:
            thread.start()
        _queued(writer, 6)
    for thread in threads:
        thread.join()
    assert isinstance(outcomes[3], ValueError)
    assert all(isinstance(outcomes[i], list) for i in (0, 1, 2, 4, 5))
    assert count_rows(store, "http_content") == 5


def test_a_lone_write_and_rows_without_bodies(store: Any) -> None:
    writer = StoreWriter(store)
    (key,) = writer.write([b"one body"], _record("ab" * 32))
    assert writer.write([], lambda conn, keys: None) == []
    with store.read() as conn:
        assert hc.content_blobs(conn, ["AB" * 32]) == {"ab" * 32: key}
    with pytest.raises(ValueError, match="credentials"):
        writer.write(
            [],
            lambda conn, keys: hc.record_content(
                conn, sha256="cd", blob_key=key, size=1, fetched_at="t", url="https://u:p@h/"
            ),
        )
    assert count_rows(store, "http_content") == 1
